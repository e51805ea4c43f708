//! Retention and disposal: nothing goes before its time, without a head's approval, or while on
//! legal hold; what goes leaves a tombstone, and its bytes go with it.

use axum::http::StatusCode;
use serde_json::json;

use super::{finding, planned_audit, qms_agency};
use crate::support::{TestApp, TestResponse, assert_error, db_test, id_of, pdf_with_pages};

async fn ask_disposal(app: &TestApp, token: &str, id: String) -> TestResponse {
    app.post(
        &format!("/api/v1/records/{id}/disposal"),
        token,
        json!({"reason": "Hết thời hạn lưu trữ theo danh mục hồ sơ"}),
    )
    .await
}

db_test!(
    a_record_past_its_retention_is_disposed_only_with_the_heads_approval,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let complaint = |received_on: &str, content: &str| {
            app.post(
            "/api/v1/complaints",
            &qms.officer,
            json!({"agency_id": qms.id, "received_on": received_on, "channel": "letter", "content": content}),
        )
        };
        let old = complaint("2010-05-04", "Phản ánh năm 2010 về lệ phí").await;
        assert_eq!(old.json["retention_until"], "2020-12-31", "{}", old.text);
        let old_id = id_of(&old);
        let pdf = pdf_with_pages(&["Thu phan anh nam 2010"]);
        let attached = app
            .upload_to(
                &qms.officer,
                &format!("/api/v1/complaints/{old_id}/attachments"),
                "thu.pdf",
                &pdf,
                &[],
            )
            .await;
        let sha256 = attached.json["sha256"].as_str().unwrap().to_owned();
        let held = complaint("2011-01-10", "Phản ánh năm 2011 đang khiếu kiện").await;
        let held_id = id_of(&held);
        let recent = complaint("2026-01-10", "Phản ánh mới").await;

        let due = app
            .get(
                &format!("/api/v1/records/disposition-due?agency={}", qms.id),
                &qms.officer,
            )
            .await;
        assert_eq!(due.json["total"], 2, "{}", due.text);
        assert_eq!(
            due.json["items"][0]["id"],
            old_id.as_str(),
            "oldest retention first"
        );

        let hold = app
            .call(
                axum::http::Method::PUT,
                &format!("/api/v1/records/{held_id}/legal-hold"),
                Some(&qms.officer),
                Some(json!({"hold": true, "reason": "Đang giải quyết khiếu nại tại tòa"})),
            )
            .await;
        assert_eq!(hold.json["legal_hold"], true, "{}", hold.text);
        let ask = |id: String| ask_disposal(&app, &qms.officer, id);
        assert_error(
            &ask(held_id.clone()).await,
            StatusCode::CONFLICT,
            "legal_hold",
        );
        assert_error(
            &ask(id_of(&recent)).await,
            StatusCode::CONFLICT,
            "retention_not_over",
        );
        let audit = planned_audit(&app, &qms).await;
        let child = finding(&app, &qms, audit["id"].as_str().unwrap(), "minor").await;
        assert_error(
            &ask(child).await,
            StatusCode::CONFLICT,
            "dispose_with_parent",
        );

        let asked = ask(old_id.clone()).await;
        assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.text);
        assert_error(
            &ask(old_id.clone()).await,
            StatusCode::CONFLICT,
            "disposal_pending",
        );
        let disposal = id_of(&asked);
        // Nobody but a head decides; the record stays until then.
        assert_error(
            &app.post(
                &format!("/api/v1/disposals/{disposal}/approve"),
                &qms.officer,
                json!({}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        assert_eq!(
            app.get(&format!("/api/v1/records/{old_id}"), &qms.staff)
                .await
                .status,
            StatusCode::OK
        );
        let pending = app
            .get("/api/v1/disposals?status=requested", &qms.head)
            .await;
        assert_eq!(pending.json["total"], 1, "{}", pending.text);
        let approved = app
            .post(
                &format!("/api/v1/disposals/{disposal}/approve"),
                &qms.head,
                json!({"note": "Đồng ý"}),
            )
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        assert_eq!(approved.json["status"], "approved");
        assert_error(
            &app.get(&format!("/api/v1/records/{old_id}"), &qms.staff)
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_error(
            &app.get(
                &format!("/api/v1/attachments/{}/file", id_of(&attached)),
                &qms.staff,
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert!(
            !app.state.blobs.exists(&sha256).await.unwrap(),
            "the bytes are gone too"
        );
        let tombstone = app
            .get(
                &format!("/api/v1/audit-log?entity_id={old_id}&action=complaint.dispose"),
                &app.admin_token,
            )
            .await;
        let row = &tombstone.json["items"][0];
        assert_eq!(
            row["summary"]["files"][0]["sha256"],
            sha256.as_str(),
            "{}",
            tombstone.text
        );
        assert_eq!(
            row["summary"]["reason"],
            "Hết thời hạn lưu trữ theo danh mục hồ sơ"
        );
        assert_error(
            &app.post(
                &format!("/api/v1/disposals/{disposal}/refuse"),
                &qms.head,
                json!({"note": "x"}),
            )
            .await,
            StatusCode::CONFLICT,
            "disposal_decided",
        );
        let verify = app
            .get(
                "/api/v1/audit-log?action=complaint.dispose",
                &app.admin_token,
            )
            .await;
        assert_eq!(verify.json["total"], 1);
    }
);

db_test!(
    a_retention_rule_on_an_agency_moves_its_records_retention,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let old = app
        .post(
            "/api/v1/complaints",
            &qms.officer,
            json!({"agency_id": qms.id, "received_on": "2012-02-02", "channel": "email", "content": "Cũ"}),
        )
        .await;
        assert_eq!(old.json["retention_until"], "2022-12-31", "{}", old.text);
        let set = app
            .call(
                axum::http::Method::PUT,
                "/api/v1/retention-rules",
                Some(&qms.officer),
                Some(json!({"agency_id": qms.id, "kind": "complaint", "years": 30})),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.text);
        let rule = set
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|rule| rule["kind"] == "complaint")
            .unwrap()
            .clone();
        assert_eq!(rule["years"], 30);
        assert_eq!(rule["set_on"], qms.id.as_str());
        let moved = app
            .get(&format!("/api/v1/records/{}", id_of(&old)), &qms.staff)
            .await;
        assert_eq!(
            moved.json["retention_until"], "2042-12-31",
            "{}",
            moved.text
        );
        // The unit under the agency follows the agency's rule.
        let rules = app
            .get(
                &format!("/api/v1/retention-rules?agency={}", qms.unit),
                &qms.officer,
            )
            .await;
        let unit_rule = rules
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|rule| rule["kind"] == "complaint")
            .unwrap()
            .clone();
        assert_eq!(unit_rule["years"], 30);
        let announcement = rules
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|rule| rule["kind"] == "announcement")
            .unwrap()
            .clone();
        assert_eq!(
            announcement["years"],
            serde_json::Value::Null,
            "announcements are kept permanently"
        );
        assert_error(
            &app.call(
                axum::http::Method::PUT,
                "/api/v1/retention-rules",
                Some(&qms.staff),
                Some(json!({"agency_id": qms.id, "kind": "complaint", "years": 1})),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        assert_error(
            &app.call(
                axum::http::Method::PUT,
                "/api/v1/retention-rules",
                Some(&qms.officer),
                Some(json!({"agency_id": qms.id, "kind": "complaint", "years": 0})),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
    }
);
