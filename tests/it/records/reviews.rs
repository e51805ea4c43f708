//! Management reviews: chaired by the head, inputs prefilled from hoso's records, decisions with
//! actions, locked by the chair's sign-off; and the QMS year at a glance.

use axum::http::StatusCode;
use chrono::Duration;
use hoso::clock::today;
use serde_json::json;

use super::{qms_agency, user_id};
use crate::support::{assert_error, db_test, id_of};

db_test!(
    a_review_is_chaired_by_the_head_prefilled_decided_and_locked_by_sign_off,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let head_id = user_id(&app, &qms.head).await;
        let staff_id = user_id(&app, &qms.staff).await;
        let new_review = |chair: &str| {
            json!({"agency_id": qms.id, "held_on": today(), "chair_id": chair,
               "attendee_ids": [staff_id, head_id]})
        };
        assert_error(
            &app.post(
                "/api/v1/management-reviews",
                &qms.officer,
                new_review(&staff_id),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "chair_not_head",
        );
        assert_error(
            &app.post(
                "/api/v1/management-reviews",
                &qms.staff,
                new_review(&head_id),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let created = app
            .post(
                "/api/v1/management-reviews",
                &qms.officer,
                new_review(&head_id),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.json["status"], "draft");
        let inputs = created.json["details"]["inputs"].as_object().unwrap();
        assert_eq!(inputs.len(), 12, "one input per 9.3.2 item: {inputs:?}");
        assert!(
            inputs["audit_results"]["text"]
                .as_str()
                .unwrap()
                .contains("0 cuộc đánh giá")
        );
        assert_eq!(
            inputs["nonconformities_and_corrective_actions"]["figures"],
            json!({"open": 0, "closed": 0, "overdue": 0, "closed_on_time": 0})
        );
        let id = id_of(&created);
        let path = format!("/api/v1/management-reviews/{id}");

        assert_error(
            &app.patch_if(
                &path,
                &qms.officer,
                Some("*"),
                json!({"inputs": {"weather": "x"}}),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        let edited = app
            .patch_if(
                &path,
                &qms.officer,
                Some("\"1\""),
                json!({"inputs": {"resources": "Thiếu một máy quét cho bộ phận một cửa"}}),
            )
            .await;
        assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
        assert_eq!(
            edited.json["details"]["inputs"]["resources"]["text"],
            "Thiếu một máy quét cho bộ phận một cửa"
        );
        let decisions = format!("{path}/decisions");
        assert_error(
            &app.post(
                &decisions,
                &qms.officer,
                json!({"output": "wish", "text": "x"}),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        assert_error(
            &app.post(
                &decisions,
                &qms.officer,
                json!({"output": "resource_need", "text": "x", "owner_id": staff_id}),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        let decided = app
            .post(
                &decisions,
                &qms.head,
                json!({"output": "resource_need", "text": "Mua máy quét", "owner_id": staff_id,
                   "due_on": today() + Duration::days(60)}),
            )
            .await;
        assert_eq!(decided.status, StatusCode::CREATED, "{}", decided.text);
        assert_eq!(decided.json["actions"][0]["output"], "resource_need");
        let decision = decided.json["actions"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // Only the chair signs off: not the ISO officer, not another head.
        assert_error(
            &app.post(&format!("{path}/sign-off"), &qms.officer, json!({}))
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let other_head = app
            .user_with_role("lanhdao2-skhcn", "agency_head", Some(&qms.id))
            .await;
        assert_error(
            &app.post(&format!("{path}/sign-off"), &other_head, json!({}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "review_chair_only",
        );
        let signed = app
            .post(&format!("{path}/sign-off"), &qms.head, json!({}))
            .await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.text);
        assert_eq!(signed.json["status"], "signed_off");
        assert_error(
            &app.patch_if(&path, &qms.officer, Some("*"), json!({"minutes": "x"}))
                .await,
            StatusCode::CONFLICT,
            "record_locked",
        );
        assert_error(
            &app.post(
                &decisions,
                &qms.head,
                json!({"output": "improvement", "text": "x"}),
            )
            .await,
            StatusCode::CONFLICT,
            "record_locked",
        );
        assert_error(
            &app.post(&format!("{path}/sign-off"), &qms.head, json!({}))
                .await,
            StatusCode::CONFLICT,
            "record_transition",
        );
        // Its decisions are still carried out and marked done.
        let done = app
            .post(
                &format!("{decisions}/{decision}/complete"),
                &qms.staff,
                json!({"note": "Đã mua"}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
        assert!(done.json["actions"][0]["done_on"].is_string());

        let status = app
            .get(
                &format!("/api/v1/agencies/{}/qms-status", qms.id),
                &qms.staff,
            )
            .await;
        assert_eq!(status.status, StatusCode::OK, "{}", status.text);
        assert_eq!(status.json["management_review_held"], true);
        assert_eq!(status.json["internal_audit_held"], false);
        // The next review starts from this one's decisions.
        let next = app
        .post(
            "/api/v1/management-reviews",
            &qms.officer,
            json!({"agency_id": qms.id, "held_on": today() + Duration::days(1), "chair_id": head_id}),
        )
        .await;
        assert_eq!(
            next.json["details"]["inputs"]["previous_actions"]["figures"]["done"], 1,
            "{}",
            next.text
        );
    }
);

db_test!(
    the_qms_year_is_read_by_the_agency_and_the_coordinator_only,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let other = app.staffed_agency("STP").await;
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        assert_error(
            &app.get(
                &format!("/api/v1/agencies/{}/qms-status", qms.id),
                &other.head,
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let read = app
            .get("/api/v1/agencies/SKHCN/qms-status?year=2026", &coordinator)
            .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.text);
        assert_eq!(read.json["year"], 2026);
        assert_eq!(
            read.json["acknowledgement_coverage"],
            serde_json::Value::Null
        );
        assert_eq!(read.json["objectives"], json!({"total": 0, "achieved": 0}));
    }
);
