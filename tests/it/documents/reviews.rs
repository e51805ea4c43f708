//! Periodic review and acknowledgement of the version in force.

use axum::http::StatusCode;
use hoso::clock::today;
use serde_json::json;

use super::step;
use crate::support::{assert_error, db_test};

db_test!(
    a_periodic_review_resets_the_clock_or_opens_a_revision,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        app.issue_version(&agency, &document, "QT-01", None, today())
            .await;
        let nothing_due = app.get("/api/v1/reviews/due", &agency.officer).await;
        assert_eq!(nothing_due.json, json!([]));
        let all_due = app
            .get("/api/v1/reviews/due?within_days=366", &agency.officer)
            .await;
        assert_eq!(all_due.json[0]["reason"], "periodic_review");
        let keep = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.officer,
                json!({"verdict": "keep", "note": "Vẫn phù hợp"}),
            )
            .await;
        assert_eq!(keep.status, StatusCode::OK, "{}", keep.text);
        assert_eq!(keep.json["status"], "effective");
        let revise = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.officer,
                json!({"verdict": "revise", "note": "Cần bổ sung bước tiếp nhận"}),
            )
            .await;
        assert_eq!(revise.json["status"], "needs_update");
        assert!(
            revise.json["update_reason"]
                .as_str()
                .unwrap()
                .contains("bổ sung")
        );
        let withdraw_by_officer = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.officer,
                json!({"verdict": "obsolete", "note": "Không còn áp dụng"}),
            )
            .await;
        assert_error(&withdraw_by_officer, StatusCode::FORBIDDEN, "forbidden");
        let withdraw = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.head,
                json!({"verdict": "obsolete", "note": "Không còn áp dụng"}),
            )
            .await;
        assert_eq!(withdraw.json["status"], "obsolete");
        let bad = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.head,
                json!({"verdict": "maybe", "note": "?"}),
            )
            .await;
        assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_input");
    }
);

db_test!(
    staff_acknowledge_the_version_in_force_and_coverage_shows_who_has_not,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let version = app
            .issue_version(&agency, &document, "QT-01", None, today())
            .await;
        let acknowledged = step(&app, &agency.staff, &version, "acknowledge", json!({})).await;
        assert_eq!(acknowledged.status, StatusCode::OK, "{}", acknowledged.text);
        let twice = step(&app, &agency.staff, &version, "acknowledge", json!({})).await;
        assert_eq!(
            twice.json["acknowledged_at"],
            acknowledged.json["acknowledged_at"]
        );
        let coverage = app
            .get(
                &format!("/api/v1/versions/{version}/acknowledgements"),
                &agency.officer,
            )
            .await;
        assert_eq!(coverage.json["acknowledged"].as_array().unwrap().len(), 1);
        assert_eq!(
            coverage.json["acknowledged"][0]["display_name"],
            "Người dùng canbo-skhcn"
        );
        assert_eq!(
            coverage.json["pending"].as_array().unwrap().len(),
            2,
            "{}",
            coverage.text
        );
        assert_error(
            &app.get(
                &format!("/api/v1/versions/{version}/acknowledgements"),
                &agency.staff,
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let withdrawn = step(
            &app,
            &agency.head,
            &version,
            "obsolete",
            json!({"reason": "Bãi bỏ"}),
        )
        .await;
        assert_eq!(withdrawn.json["status"], "obsolete");
        let late = step(&app, &agency.staff, &version, "acknowledge", json!({})).await;
        assert_error(&late, StatusCode::CONFLICT, "not_effective");
        let doc = app
            .get(&format!("/api/v1/documents/{document}"), &agency.staff)
            .await;
        assert_eq!(doc.json["status"], "obsolete");
        assert_eq!(doc.json["obsolete_reason"], "Bãi bỏ");
    }
);
