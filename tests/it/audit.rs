//! The audit trail: one row per change, hash-chained, verifiable, readable by admin and
//! coordinator.

use axum::http::StatusCode;
use hoso::audit_log;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::support::{assert_error, db_test};

async fn exec(app: &crate::support::TestApp, sql: &str) {
    let backend = app.state.db.get_database_backend();
    app.state
        .db
        .execute_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("raw statement");
}

db_test!(every_change_writes_one_audit_row_with_who_and_what, |app| {
    let before = audit_log::count(&app.state.db).await.unwrap();
    let province = app.agency("BG", "province", None).await;
    app.patch(
        &format!("/api/v1/agencies/{province}"),
        &app.admin_token,
        json!({"name": "UBND tỉnh Bắc Giang"}),
    )
    .await;
    assert_eq!(audit_log::count(&app.state.db).await.unwrap(), before + 2);
    let rows = app
        .get(
            &format!("/api/v1/audit-log?entity_id={province}"),
            &app.admin_token,
        )
        .await;
    assert_eq!(rows.json["total"], 2);
    let update = &rows.json["items"][0];
    assert_eq!(update["action"], "agency.update");
    assert_eq!(update["actor_name"], "admin");
    assert_eq!(update["agency_id"], province.as_str());
    assert_eq!(
        update["summary"]["name"],
        json!(["Cơ quan BG", "UBND tỉnh Bắc Giang"])
    );
    assert_eq!(rows.json["items"][1]["action"], "agency.create");
    assert_eq!(update["prev_hash"], rows.json["items"][1]["hash"]);
});

db_test!(a_refused_change_writes_nothing, |app| {
    app.agency("BG", "province", None).await;
    let before = audit_log::count(&app.state.db).await.unwrap();
    let duplicate = app
        .post(
            "/api/v1/agencies",
            &app.admin_token,
            json!({"code": "BG", "name": "Trùng", "kind": "province"}),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(audit_log::count(&app.state.db).await.unwrap(), before);
});

db_test!(
    audit_verify_passes_on_an_untouched_chain_even_under_concurrent_changes,
    |app| {
        let province = app.agency("BG", "province", None).await;
        let mut tasks = Vec::new();
        for index in 0..12 {
            let router = app.router.clone();
            let token = app.admin_token.clone();
            let province = province.clone();
            tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let request = axum::http::Request::post("/api/v1/agencies")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    json!({"code": format!("XA-{index}"), "name": "Xã", "kind": "commune", "parent_id": province}).to_string(),
                ))
                .unwrap();
            router.oneshot(request).await.unwrap().status()
        }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), StatusCode::CREATED);
        }
        let report = audit_log::verify(&app.state.db).await.unwrap();
        assert_eq!(report.first_broken, None);
        assert_eq!(
            report.rows_checked,
            audit_log::count(&app.state.db).await.unwrap()
        );
    }
);

db_test!(audit_verify_names_an_edited_row, |app| {
    let province = app.agency("BG", "province", None).await;
    app.agency("SKHCN", "department", Some(&province)).await;
    app.agency("STP", "department", Some(&province)).await;
    let target: i64 = audit_log::count(&app.state.db).await.unwrap() as i64 - 1;
    exec(
        &app,
        &format!("UPDATE audit_log SET actor_name = 'someone else' WHERE seq = {target}"),
    )
    .await;
    let broken = audit_log::verify(&app.state.db)
        .await
        .unwrap()
        .first_broken
        .unwrap();
    assert_eq!(broken.seq, target);
    assert!(broken.reason.contains("edited"), "{}", broken.reason);
});

db_test!(audit_verify_names_where_a_row_was_deleted, |app| {
    let province = app.agency("BG", "province", None).await;
    app.agency("SKHCN", "department", Some(&province)).await;
    app.agency("STP", "department", Some(&province)).await;
    let last: i64 = audit_log::count(&app.state.db).await.unwrap() as i64;
    exec(
        &app,
        &format!("DELETE FROM audit_log WHERE seq = {}", last - 1),
    )
    .await;
    let broken = audit_log::verify(&app.state.db)
        .await
        .unwrap()
        .first_broken
        .unwrap();
    assert_eq!(broken.seq, last);
    // Removing the newest row is caught through the chain head.
    exec(
        &app,
        &format!("DELETE FROM audit_log WHERE seq >= {}", last - 1),
    )
    .await;
    let tail = audit_log::verify(&app.state.db)
        .await
        .unwrap()
        .first_broken
        .unwrap();
    assert_eq!(tail.seq, last - 1);
});

db_test!(audit_verify_names_an_inserted_row, |app| {
    app.agency("BG", "province", None).await;
    exec(&app, "UPDATE audit_log SET seq = seq + 100 WHERE seq = 1").await;
    let broken = audit_log::verify(&app.state.db)
        .await
        .unwrap()
        .first_broken
        .unwrap();
    assert_eq!(broken.seq, 2, "row 1 is missing where the chain starts");
});

db_test!(the_audit_log_is_for_admins_and_coordinators_only, |app| {
    let province = app.agency("BG", "province", None).await;
    let staff = app.user_with_role("canbo", "staff", Some(&province)).await;
    assert_error(
        &app.get("/api/v1/audit-log", &staff).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
    let rows = app
        .get(
            "/api/v1/audit-log?action=agency.create&per_page=10",
            &coordinator,
        )
        .await;
    assert_eq!(rows.status, StatusCode::OK);
    assert_eq!(rows.json["total"], 1);
    let by_agency = app.get("/api/v1/audit-log?agency=BG", &coordinator).await;
    assert!(
        by_agency.json["total"].as_u64().unwrap() >= 2,
        "{}",
        by_agency.text
    );
    let bad_dates = app
        .get(
            "/api/v1/audit-log?from=2026-02-01&to=2026-01-01",
            &coordinator,
        )
        .await;
    assert_error(&bad_dates, StatusCode::BAD_REQUEST, "invalid_input");
});

db_test!(
    a_bulk_change_appends_its_rows_in_order_and_the_chain_still_verifies,
    |app| {
        let before = audit_log::count(&app.state.db).await.unwrap();
        // More rows than one multi-row insert takes.
        let entries = (0..1_201).map(|n| audit_log::AuditEntry {
            actor_id: None,
            actor_name: "import".into(),
            action: "document.create".into(),
            entity_type: "document".into(),
            entity_id: format!("doc-{n}"),
            agency_id: None,
            summary: json!({"n": n}),
        });
        let txn = hoso::db::begin_write(&app.state.db).await.unwrap();
        let last = audit_log::record_many(&txn, entries).await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(
            audit_log::count(&app.state.db).await.unwrap(),
            before + 1_201
        );
        assert_eq!(last, before as i64 + 1_201);
        // The next single change follows the bulk's last row.
        app.agency("BG", "province", None).await;
        let report = audit_log::verify(&app.state.db).await.unwrap();
        assert_eq!(report.first_broken, None);
        assert_eq!(report.rows_checked, before + 1_202);
        let rows = app
            .get("/api/v1/audit-log?entity_type=document", &app.admin_token)
            .await;
        assert_eq!(rows.json["total"], 1_201, "{}", rows.json);
        // Newest first: the bulk's rows kept their order.
        assert_eq!(rows.json["items"][0]["entity_id"], "doc-1200");
        assert_eq!(rows.json["items"][1]["entity_id"], "doc-1199");
    }
);
