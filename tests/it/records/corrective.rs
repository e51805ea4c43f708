//! Corrective actions: their sources, actions with owners and due days, overdue, and the
//! verification of effectiveness by someone who owns none of the actions.

use axum::http::StatusCode;
use chrono::Duration;
use hoso::clock::today;
use serde_json::json;

use super::{finding, planned_audit, qms_agency, user_id};
use crate::support::{assert_error, db_test, id_of};

db_test!(
    a_corrective_action_names_a_known_source_and_its_finding,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let other = qms_agency(&app, "STP").await;
        let create =
            |body: serde_json::Value| app.post("/api/v1/corrective-actions", &qms.officer, body);
        let unknown =
            create(json!({"agency_id": qms.id, "source": "rumour", "nonconformity": "x"})).await;
        assert_error(&unknown, StatusCode::BAD_REQUEST, "invalid_input");
        assert!(
            unknown.text.contains(
                "internal_audit, inspection, complaint, management_review, objective, other"
            ),
            "{}",
            unknown.text
        );
        assert_error(
            &create(json!({"agency_id": qms.id, "source": "internal_audit", "nonconformity": "x"}))
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        assert_error(
        &create(json!({"agency_id": qms.id, "source": "other", "nonconformity": "x", "root_cause_method": "guess"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
        // Another agency's finding is not found.
        let their_audit = planned_audit(&app, &other).await;
        let their_finding =
            finding(&app, &other, their_audit["id"].as_str().unwrap(), "minor").await;
        assert_error(
        &create(json!({"agency_id": qms.id, "source": "internal_audit", "finding_id": their_finding, "nonconformity": "x"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
        // From one's own finding, found on the audit's day unless said otherwise.
        let audit = planned_audit(&app, &qms).await;
        let own = finding(&app, &qms, audit["id"].as_str().unwrap(), "minor").await;
        let raised = create(json!({
            "agency_id": qms.id, "source": "internal_audit", "finding_id": own,
            "nonconformity": "Hồ sơ lưu trữ không có danh mục", "root_cause": "Chưa phân công",
            "root_cause_method": "five_whys"
        }))
        .await;
        assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.text);
        assert_eq!(raised.json["status"], "open");
        assert_eq!(raised.json["category"], "internal_audit");
        assert_eq!(raised.json["occurred_on"], "2026-03-10");
        assert_eq!(raised.json["source_id"], own.as_str());
        assert!(
            raised.json["number"]
                .as_str()
                .unwrap()
                .starts_with("HDKP-2026-")
        );
        // An internal auditor may raise one from a finding too; staff may not raise any.
        let by_auditor = app
        .post(
            "/api/v1/corrective-actions",
            &qms.auditor,
            json!({"agency_id": qms.id, "source": "internal_audit", "finding_id": own, "nonconformity": "y"}),
        )
        .await;
        assert_eq!(
            by_auditor.status,
            StatusCode::CREATED,
            "{}",
            by_auditor.text
        );
        assert_error(
            &app.post(
                "/api/v1/corrective-actions",
                &qms.staff,
                json!({"agency_id": qms.id, "source": "other", "nonconformity": "z"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
    }
);

db_test!(
    a_corrective_action_closes_only_when_someone_who_did_none_of_it_finds_it_effective,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let other = app.staffed_agency("STP").await;
        let found_on = today() - Duration::days(30);
        let raised = app
            .post(
                "/api/v1/corrective-actions",
                &qms.officer,
                json!({"agency_id": qms.id, "source": "complaint", "found_on": found_on,
                   "nonconformity": "Trả kết quả trễ hạn cho công dân"}),
            )
            .await;
        assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.text);
        let id = id_of(&raised);
        let actions = format!("/api/v1/corrective-actions/{id}/actions");
        let staff_id = user_id(&app, &qms.staff).await;
        let officer_id = user_id(&app, &qms.officer).await;
        let before_found = app
        .post(
            &actions,
            &qms.officer,
            json!({"description": "x", "owner_id": staff_id, "due_on": found_on - Duration::days(1)}),
        )
        .await;
        assert_error(&before_found, StatusCode::BAD_REQUEST, "invalid_input");
        let stranger = user_id(&app, &other.staff).await;
        assert_error(
            &app.post(
                &actions,
                &qms.officer,
                json!({"description": "x", "owner_id": stranger, "due_on": today()}),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let late = app
            .post(
                &actions,
                &qms.officer,
                json!({"description": "Rà soát quy trình trả kết quả", "owner_id": staff_id,
                   "due_on": today() - Duration::days(1)}),
            )
            .await;
        assert_eq!(late.status, StatusCode::CREATED, "{}", late.text);
        assert_eq!(late.json["status"], "in_progress");
        assert_eq!(late.json["actions"][0]["overdue"], true);
        let second = app
            .post(
                &actions,
                &qms.officer,
                json!({"description": "Tập huấn cán bộ một cửa", "owner_id": officer_id,
                   "due_on": today() + Duration::days(10)}),
            )
            .await;
        let first_step = late.json["actions"][0]["id"].as_str().unwrap().to_owned();
        let second_step = second.json["actions"][1]["id"].as_str().unwrap().to_owned();

        let overdue = app
            .get(
                &format!("/api/v1/corrective-actions?agency={}&overdue=true", qms.id),
                &qms.head,
            )
            .await;
        assert_eq!(overdue.json["total"], 1, "{}", overdue.text);
        // Only the owner (or the ISO officer) marks an action done.
        assert_error(
            &app.post(
                &format!("{actions}/{first_step}/complete"),
                &qms.head,
                json!({}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "action_owner_only",
        );
        let done = app
            .post(
                &format!("{actions}/{first_step}/complete"),
                &qms.staff,
                json!({"note": "Đã sửa quy trình, bản mới đính kèm"}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
        assert_eq!(
            done.json["status"], "in_progress",
            "one action is still open"
        );
        assert_error(
            &app.post(
                &format!("{actions}/{first_step}/complete"),
                &qms.staff,
                json!({}),
            )
            .await,
            StatusCode::CONFLICT,
            "action_already_done",
        );
        let none_overdue = app
            .get(
                &format!("/api/v1/corrective-actions?agency={}&overdue=true", qms.id),
                &qms.head,
            )
            .await;
        assert_eq!(none_overdue.json["total"], 0, "{}", none_overdue.text);
        let verify = format!("/api/v1/corrective-actions/{id}/verify");
        assert_error(
            &app.post(
                &verify,
                &qms.auditor,
                json!({"effective": true, "note": "x"}),
            )
            .await,
            StatusCode::CONFLICT,
            "record_transition",
        );
        let all_done = app
            .post(
                &format!("{actions}/{second_step}/complete"),
                &qms.officer,
                json!({}),
            )
            .await;
        assert_eq!(
            all_done.json["status"], "awaiting_verification",
            "{}",
            all_done.text
        );
        // The officer owns an action: someone else verifies.
        assert_error(
            &app.post(
                &verify,
                &qms.officer,
                json!({"effective": true, "note": "Tốt"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "verifier_owns_action",
        );
        let not_effective = app
            .post(
                &verify,
                &qms.auditor,
                json!({"effective": false, "note": "Vẫn còn trễ hạn"}),
            )
            .await;
        assert_eq!(
            not_effective.json["status"], "in_progress",
            "{}",
            not_effective.text
        );
        let third = app
        .post(
            &actions,
            &qms.officer,
            json!({"description": "Theo dõi hằng tuần", "owner_id": staff_id, "due_on": today()}),
        )
        .await;
        let third_step = third.json["actions"][2]["id"].as_str().unwrap().to_owned();
        app.post(
            &format!("{actions}/{third_step}/complete"),
            &qms.staff,
            json!({}),
        )
        .await;
        let closed = app
            .post(
                &verify,
                &qms.auditor,
                json!({"effective": true, "note": "Không còn hồ sơ trễ hạn"}),
            )
            .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
        assert_eq!(closed.json["status"], "closed");
        assert_eq!(closed.json["closed_on"], today().to_string());
        assert_eq!(
            closed.json["details"]["verifications"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // Closed is final.
        assert_error(
            &app.patch_if(
                &format!("/api/v1/corrective-actions/{id}"),
                &qms.officer,
                Some("*"),
                json!({"root_cause": "Khác"}),
            )
            .await,
            StatusCode::CONFLICT,
            "record_locked",
        );
        assert_error(
            &app.post(
                &actions,
                &qms.officer,
                json!({"description": "x", "owner_id": staff_id, "due_on": today()}),
            )
            .await,
            StatusCode::CONFLICT,
            "record_locked",
        );
        let closed_list = app
            .get(
                "/api/v1/corrective-actions?agency=SKHCN&status=closed",
                &qms.staff,
            )
            .await;
        assert_eq!(closed_list.json["total"], 1, "{}", closed_list.text);
    }
);
