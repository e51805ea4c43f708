//! The approval workflow: who approves, publishing from a day, rejection, who sees drafts.

use axum::http::StatusCode;
use chrono::Duration;
use hoso::clock::today;
use serde_json::json;

use super::step;
use crate::support::{assert_error, db_test, id_of, pdf_with_pages};

db_test!(approving_own_draft_is_forbidden, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    // One person holding both roles still may not approve what they drafted.
    let me = app.get("/api/v1/me", &agency.head).await;
    let head_id = me.json["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/users/{head_id}/roles"),
        &app.admin_token,
        json!({"role": "iso_officer", "agency_id": agency.id}),
    )
    .await;
    let document = app
        .document(&agency, "QT-01", "Quy trình kiểm soát tài liệu")
        .await;
    let uploaded = app
        .upload(
            &agency.head,
            &document,
            "qt01.pdf",
            &pdf_with_pages(&["QT-01"]),
            None,
        )
        .await;
    let version = id_of(&uploaded);
    assert_eq!(
        step(&app, &agency.head, &version, "submit", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let approve = step(&app, &agency.head, &version, "approve", json!({})).await;
    assert_error(&approve, StatusCode::UNPROCESSABLE_ENTITY, "own_draft");
    let reject = step(
        &app,
        &agency.head,
        &version,
        "reject",
        json!({"reason": "x"}),
    )
    .await;
    assert_error(&reject, StatusCode::UNPROCESSABLE_ENTITY, "own_draft");
});

db_test!(only_an_agency_head_of_that_agency_approves, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    let other = app.staffed_agency("STP").await;
    let document = app.document(&agency, "QT-01", "Quy trình").await;
    let version = id_of(
        &app.upload(
            &agency.officer,
            &document,
            "a.pdf",
            &pdf_with_pages(&["a"]),
            None,
        )
        .await,
    );
    step(&app, &agency.officer, &version, "submit", json!({})).await;
    assert_error(
        &step(&app, &agency.officer, &version, "approve", json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(
        step(&app, &other.head, &version, "approve", json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "another agency's head does not even see the draft"
    );
    assert_error(
        &step(&app, &app.admin_token, &version, "approve", json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(
        step(&app, &agency.head, &version, "approve", json!({}))
            .await
            .status,
        StatusCode::OK
    );
});

db_test!(
    a_new_version_supersedes_the_previous_one_the_day_before_it_takes_effect,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app
            .document(&agency, "QT-01", "Quy trình kiểm soát tài liệu")
            .await;
        let today = today();
        let first = app
            .issue_version(&agency, &document, "Lan 1", None, today)
            .await;
        let doc = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        assert_eq!(doc.json["status"], "effective");
        assert_eq!(doc.json["versions"][0]["label"], "01");
        assert_eq!(
            doc.json["versions"][0]["drafted_by"]["display_name"],
            "Người dùng thuky-skhcn"
        );
        assert_eq!(
            doc.json["versions"][0]["approved_by"]["display_name"],
            "Người dùng lanhdao-skhcn"
        );
        assert_eq!(
            doc.json["next_review_on"],
            json!(today.checked_add_months(chrono::Months::new(12)).unwrap())
        );

        // The second issue is published for a later day: until then the first stays in force.
        let later = today + Duration::days(10);
        let second = app
            .issue_version(
                &agency,
                &document,
                "Lan 2",
                Some("Cập nhật theo Nghị định mới"),
                later,
            )
            .await;
        let pending = app
            .get(&format!("/api/v1/versions/{second}"), &agency.officer)
            .await;
        assert_eq!(pending.json["status"], "approved");
        assert_eq!(pending.json["effective_from"], json!(later));
        let day_before = later - Duration::days(1);
        let in_force_before = app
            .get(
                &format!("/api/v1/documents/{document}/effective?on={day_before}"),
                &agency.staff,
            )
            .await;
        assert_eq!(
            in_force_before.json["id"],
            first.as_str(),
            "the first until the day before"
        );
        let in_force_later = app
            .get(
                &format!("/api/v1/documents/{document}/effective?on={later}"),
                &agency.staff,
            )
            .await;
        assert_eq!(
            in_force_later.json["id"],
            second.as_str(),
            "the second from its first day, before the switch-over job has run: {}",
            in_force_later.text
        );
        assert_eq!(
            app.get(&format!("/api/v1/documents/{document}"), &agency.officer)
                .await
                .json["status"],
            "under_revision"
        );

        // The day comes (moved here instead of waiting ten days) and the job activates it.
        use sea_orm::{ConnectionTrait, Statement};
        let backend = app.state.db.get_database_backend();
        app.state
            .db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DbBackend::Postgres => {
                        "UPDATE document_versions SET effective_from = $1 WHERE id = $2"
                    }
                    _ => "UPDATE document_versions SET effective_from = ? WHERE id = ?",
                },
                [today.into(), uuid::Uuid::parse_str(&second).unwrap().into()],
            ))
            .await
            .unwrap();
        let activated = hoso::domain::documents::publication::activate_due_versions(&app.state.db)
            .await
            .unwrap();
        assert_eq!(activated, 1);
        let old = app
            .get(&format!("/api/v1/versions/{first}"), &agency.staff)
            .await;
        assert_eq!(old.json["status"], "superseded");
        // Replaced on the day it took effect: it was in force that day, so it ends that day
        // (never before it began).
        assert_eq!(old.json["effective_from"], json!(today));
        assert_eq!(old.json["effective_to"], json!(today));
        let new = app
            .get(&format!("/api/v1/versions/{second}"), &agency.staff)
            .await;
        assert_eq!(new.json["status"], "effective");
        let now_in_force = app
            .get(
                &format!("/api/v1/documents/{document}/effective?on={today}"),
                &agency.staff,
            )
            .await;
        assert_eq!(now_in_force.json["id"], second.as_str());
        let before_any = app
            .get(
                &format!(
                    "/api/v1/documents/{document}/effective?on={}",
                    today - Duration::days(400)
                ),
                &agency.staff,
            )
            .await;
        assert_error(&before_any, StatusCode::NOT_FOUND, "not_found");
        let trail = app
            .get(
                &format!("/api/v1/audit-log?entity_id={second}"),
                &app.admin_token,
            )
            .await;
        let actions: Vec<&str> = trail.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "version.activate",
                "version.publish",
                "version.approve",
                "version.submit",
                "version.create"
            ]
        );
    }
);

db_test!(
    publishing_needs_an_approved_version_and_a_date_from_today,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let version = id_of(
            &app.upload(
                &agency.officer,
                &document,
                "a.pdf",
                &pdf_with_pages(&["a"]),
                None,
            )
            .await,
        );
        let early = step(
            &app,
            &agency.head,
            &version,
            "publish",
            json!({"effective_from": today()}),
        )
        .await;
        assert_error(&early, StatusCode::CONFLICT, "invalid_transition");
        step(&app, &agency.officer, &version, "submit", json!({})).await;
        step(&app, &agency.head, &version, "approve", json!({})).await;
        let past = step(
            &app,
            &agency.head,
            &version,
            "publish",
            json!({"effective_from": today() - Duration::days(1)}),
        )
        .await;
        assert_error(&past, StatusCode::BAD_REQUEST, "invalid_input");
    }
);

db_test!(
    a_rejected_draft_keeps_its_reason_and_a_new_draft_follows,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let version = id_of(
            &app.upload(
                &agency.officer,
                &document,
                "a.pdf",
                &pdf_with_pages(&["a"]),
                None,
            )
            .await,
        );
        let busy = app
            .upload(
                &agency.officer,
                &document,
                "b.pdf",
                &pdf_with_pages(&["b"]),
                Some("x"),
            )
            .await;
        assert_error(&busy, StatusCode::CONFLICT, "revision_in_progress");
        step(&app, &agency.officer, &version, "submit", json!({})).await;
        let no_reason = step(
            &app,
            &agency.head,
            &version,
            "reject",
            json!({"reason": "  "}),
        )
        .await;
        assert_error(&no_reason, StatusCode::BAD_REQUEST, "invalid_input");
        let rejected = step(
            &app,
            &agency.head,
            &version,
            "reject",
            json!({"reason": "Thiếu lưu đồ"}),
        )
        .await;
        assert_eq!(rejected.json["status"], "rejected");
        assert_eq!(rejected.json["reject_reason"], "Thiếu lưu đồ");
        let without_summary = app
            .upload(
                &agency.officer,
                &document,
                "b.pdf",
                &pdf_with_pages(&["b"]),
                None,
            )
            .await;
        assert_error(&without_summary, StatusCode::BAD_REQUEST, "invalid_input");
        assert_eq!(
            without_summary.json["error"]["details"]["field"],
            "change_summary"
        );
        let redraft = app
            .upload(
                &agency.officer,
                &document,
                "b.pdf",
                &pdf_with_pages(&["b"]),
                Some("Bổ sung lưu đồ"),
            )
            .await;
        assert_eq!(redraft.status, StatusCode::CREATED, "{}", redraft.text);
        assert_eq!(redraft.json["label"], "02");
        assert_eq!(redraft.json["status"], "draft");
    }
);

db_test!(drafts_are_visible_only_to_those_who_work_on_them, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    let document = app.document(&agency, "QT-01", "Quy trình").await;
    let draft = id_of(
        &app.upload(
            &agency.officer,
            &document,
            "a.pdf",
            &pdf_with_pages(&["a"]),
            None,
        )
        .await,
    );
    assert_eq!(
        app.get("/api/v1/documents", &agency.staff).await.json["total"],
        0
    );
    assert_eq!(
        app.get(&format!("/api/v1/versions/{draft}"), &agency.staff)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/documents", &agency.head).await.json["total"],
        1
    );
    step(&app, &agency.officer, &draft, "submit", json!({})).await;
    step(&app, &agency.head, &draft, "approve", json!({})).await;
    step(
        &app,
        &agency.head,
        &draft,
        "publish",
        json!({"effective_from": today()}),
    )
    .await;
    app.upload(
        &agency.officer,
        &document,
        "b.pdf",
        &pdf_with_pages(&["b"]),
        Some("Sửa"),
    )
    .await;
    let seen_by_staff = app
        .get(&format!("/api/v1/documents/{document}"), &agency.staff)
        .await;
    assert_eq!(
        seen_by_staff.json["versions"].as_array().unwrap().len(),
        1,
        "only the issued version"
    );
    let seen_by_officer = app
        .get(&format!("/api/v1/documents/{document}"), &agency.officer)
        .await;
    assert_eq!(
        seen_by_officer.json["versions"].as_array().unwrap().len(),
        2
    );
    let outsider = app.staffed_agency("STP").await;
    assert_eq!(
        app.get(&format!("/api/v1/documents/{document}"), &outsider.staff)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});
