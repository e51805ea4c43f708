//! Accounts and role grants.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{PASSWORD, assert_error, db_test, id_of};

db_test!(
    an_admin_creates_a_user_and_grants_a_role_over_an_agency,
    |app| {
        let province = app.agency("BG", "province", None).await;
        let created = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": "ThuKy", "display_name": "Nguyễn Văn A", "email": "ThuKy@Example.vn", "password": PASSWORD}),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.json["username"], "thuky");
        assert_eq!(created.json["email"], "thuky@example.vn");
        assert!(created.json.get("password_hash").is_none());
        let user_id = id_of(&created);
        let grant = app
            .post(
                &format!("/api/v1/users/{user_id}/roles"),
                &app.admin_token,
                json!({"role": "iso_officer", "agency_id": "BG"}),
            )
            .await;
        assert_eq!(grant.status, StatusCode::CREATED, "{}", grant.text);
        let token = app.login("thuky", PASSWORD).await;
        let me = app.get("/api/v1/me", &token).await;
        assert_eq!(me.json["display_name"], "Nguyễn Văn A");
        assert_eq!(me.json["roles"][0]["role"], "iso_officer");
        assert_eq!(me.json["roles"][0]["agency_id"], province.as_str());
        let duplicate = app
            .post(
                "/api/v1/users",
                &app.admin_token,
                json!({"username": "thuky", "display_name": "B", "password": PASSWORD}),
            )
            .await;
        assert_error(&duplicate, StatusCode::CONFLICT, "username_taken");
    }
);

db_test!(a_revoked_role_no_longer_grants_access, |app| {
    let province = app.agency("BG", "province", None).await;
    let token = app.user_with_role("canbo", "staff", Some(&province)).await;
    let me = app.get("/api/v1/me", &token).await;
    let user_id = me.json["id"].as_str().unwrap().to_owned();
    let grant_id = me.json["roles"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/agencies", &token).await.json["total"], 1);
    let revoked = app
        .call(
            axum::http::Method::DELETE,
            &format!("/api/v1/users/{user_id}/roles/{grant_id}"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.text);
    assert_eq!(app.get("/api/v1/agencies", &token).await.json["total"], 0);
});

db_test!(a_coordinator_reads_users_but_cannot_create_them, |app| {
    let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
    let list = app.get("/api/v1/users", &coordinator).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json["total"], 2);
    let by_role = app
        .get("/api/v1/users?role=coordinator", &coordinator)
        .await;
    assert_eq!(by_role.json["total"], 1);
    assert_eq!(by_role.json["items"][0]["username"], "dieuphoi");
    let create = app
        .post(
            "/api/v1/users",
            &coordinator,
            json!({"username": "x", "display_name": "X", "password": PASSWORD}),
        )
        .await;
    assert_error(&create, StatusCode::FORBIDDEN, "forbidden");
});

db_test!(staff_cannot_list_users_but_can_read_themselves, |app| {
    let province = app.agency("BG", "province", None).await;
    let staff = app.user_with_role("canbo", "staff", Some(&province)).await;
    assert_error(
        &app.get("/api/v1/users", &staff).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let me = app.get("/api/v1/me", &staff).await;
    let own = app
        .get(
            &format!("/api/v1/users/{}", me.json["id"].as_str().unwrap()),
            &staff,
        )
        .await;
    assert_eq!(own.status, StatusCode::OK);
});

db_test!(
    agency_roles_must_name_an_agency_and_passwords_must_be_long,
    |app| {
        let created = app
            .post(
                "/api/v1/users",
                &app.admin_token,
                json!({"username": "canbo", "display_name": "Cán bộ", "password": PASSWORD}),
            )
            .await;
        let user_id = id_of(&created);
        let global_staff = app
            .post(
                &format!("/api/v1/users/{user_id}/roles"),
                &app.admin_token,
                json!({"role": "staff"}),
            )
            .await;
        assert_error(&global_staff, StatusCode::BAD_REQUEST, "invalid_input");
        assert_eq!(global_staff.json["error"]["details"]["field"], "agency_id");
        let unknown_role = app
            .post(
                &format!("/api/v1/users/{user_id}/roles"),
                &app.admin_token,
                json!({"role": "superuser"}),
            )
            .await;
        assert_error(&unknown_role, StatusCode::BAD_REQUEST, "invalid_input");
        let short = app
            .post(
                "/api/v1/users",
                &app.admin_token,
                json!({"username": "ngan", "display_name": "Ngắn", "password": "123"}),
            )
            .await;
        assert_error(&short, StatusCode::BAD_REQUEST, "invalid_input");
        assert_eq!(short.json["error"]["details"]["field"], "password");
    }
);

db_test!(an_admin_cannot_deactivate_themself, |app| {
    let me = app.get("/api/v1/me", &app.admin_token).await;
    let response = app
        .patch(
            &format!("/api/v1/users/{}", me.json["id"].as_str().unwrap()),
            &app.admin_token,
            json!({"active": false}),
        )
        .await;
    assert_error(
        &response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot_deactivate_self",
    );
});
