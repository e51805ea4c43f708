//! A year of an agency's QMS through the API alone: audit → finding with a PDF → corrective
//! action → overdue → done → verified by another → management review prefilled with it →
//! signed off, and the finding's scan found by search.

use axum::http::StatusCode;
use hoso::clock::today;
use serde_json::json;

use super::{planned_audit, qms_agency, user_id};
use crate::support::{db_test, id_of, pdf_with_pages};

db_test!(
    an_agency_walks_its_year_from_audit_to_signed_review,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let audit = planned_audit(&app, &qms).await;
        let audit_id = audit["id"].as_str().unwrap().to_owned();
        let started = app
            .patch_if(
                &format!("/api/v1/audits/{audit_id}"),
                &qms.auditor,
                Some("*"),
                json!({"status": "in_progress", "actual_start": "2026-03-10"}),
            )
            .await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text);
        let finding = app
        .post(
            &format!("/api/v1/audits/{audit_id}/findings"),
            &qms.auditor,
            json!({"grade": "major", "clause": "8.5.1", "description": "Hồ sơ một cửa trả kết quả trễ hạn"}),
        )
        .await;
        let finding_id = id_of(&finding);
        let scan = pdf_with_pages(&["So theo doi ho so mot cua quy 1 tre han ba ngay"]);
        let attached = app
            .upload_to(
                &qms.auditor,
                &format!("/api/v1/findings/{finding_id}/attachments"),
                "so-theo-doi.pdf",
                &scan,
                &[],
            )
            .await;
        assert_eq!(attached.status, StatusCode::CREATED, "{}", attached.text);

        let raised = app
            .post(
                "/api/v1/corrective-actions",
                &qms.officer,
                json!({"agency_id": qms.id, "source": "internal_audit", "finding_id": finding_id,
                   "nonconformity": "Trả kết quả trễ hạn", "root_cause": "Thiếu người trực",
                   "root_cause_method": "fishbone"}),
            )
            .await;
        assert_eq!(
            raised.json["occurred_on"], "2026-03-10",
            "found on the audit's day"
        );
        let corrective = id_of(&raised);
        let staff_id = user_id(&app, &qms.staff).await;
        let planned = app
        .post(
            &format!("/api/v1/corrective-actions/{corrective}/actions"),
            &qms.officer,
            json!({"description": "Bố trí người trực thay", "owner_id": staff_id, "due_on": "2026-04-10"}),
        )
        .await;
        let step = planned.json["actions"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let overdue = app
            .get(
                "/api/v1/corrective-actions?agency=SKHCN&overdue=true",
                &qms.head,
            )
            .await;
        assert_eq!(overdue.json["total"], 1, "{}", overdue.text);
        let status = app
            .get("/api/v1/agencies/SKHCN/qms-status?year=2026", &qms.head)
            .await;
        assert_eq!(
            status.json["corrective_actions"]["overdue"], 1,
            "{}",
            status.text
        );

        app.post(
            &format!("/api/v1/corrective-actions/{corrective}/actions/{step}/complete"),
            &qms.staff,
            json!({"note": "Đã bố trí"}),
        )
        .await;
        let verified = app
            .post(
                &format!("/api/v1/corrective-actions/{corrective}/verify"),
                &qms.auditor,
                json!({"effective": true, "note": "Quý 3 không còn hồ sơ trễ hạn"}),
            )
            .await;
        assert_eq!(verified.json["status"], "closed", "{}", verified.text);
        let reported = app
            .patch_if(
                &format!("/api/v1/audits/{audit_id}"),
                &qms.auditor,
                Some("*"),
                json!({"status": "reported", "report": "Một điểm không phù hợp nặng"}),
            )
            .await;
        assert_eq!(reported.status, StatusCode::OK, "{}", reported.text);

        let head_id = user_id(&app, &qms.head).await;
        let review = app
            .post(
                "/api/v1/management-reviews",
                &qms.officer,
                json!({"agency_id": qms.id, "held_on": today(), "chair_id": head_id}),
            )
            .await;
        assert_eq!(review.status, StatusCode::CREATED, "{}", review.text);
        let inputs = &review.json["details"]["inputs"];
        assert_eq!(
            inputs["nonconformities_and_corrective_actions"]["figures"],
            json!({"open": 0, "closed": 1, "overdue": 0, "closed_on_time": 0}),
            "closed after its action's due day"
        );
        assert_eq!(inputs["audit_results"]["figures"]["audits"], 1);
        assert_eq!(
            inputs["audit_results"]["figures"]["findings_by_grade"]["major"],
            1
        );
        let review_id = id_of(&review);
        let signed = app
            .post(
                &format!("/api/v1/management-reviews/{review_id}/sign-off"),
                &qms.head,
                json!({}),
            )
            .await;
        assert_eq!(signed.json["status"], "signed_off", "{}", signed.text);
        let status = app
            .get("/api/v1/agencies/SKHCN/qms-status?year=2026", &qms.head)
            .await;
        assert_eq!(status.json["internal_audit_held"], true);
        assert_eq!(status.json["management_review_held"], true);
        assert_eq!(
            status.json["corrective_actions"],
            json!({"open": 0, "closed": 1, "overdue": 0, "closed_on_time": 0})
        );

        app.drain_jobs().await;
        let found = app
            .get("/api/v1/search?q=tre+han+ba+ngay&kind=finding", &qms.staff)
            .await;
        assert_eq!(
            found.json["hits"][0]["kind"], "attachment",
            "{}",
            found.text
        );
        assert_eq!(found.json["hits"][0]["record_id"], finding_id.as_str());
    }
);
