//! One's own password, and an administrator's help for someone locked out or who forgot theirs.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{PASSWORD, assert_error, db_test};

/// Signs in and returns the status (200, 401, 429) without asserting.
async fn try_login(app: &crate::support::TestApp, username: &str, password: &str) -> StatusCode {
    app.post(
        "/api/v1/auth/login",
        "",
        json!({"username": username, "password": password}),
    )
    .await
    .status
}

db_test!(
    people_change_their_own_password_and_keep_this_session,
    |app| {
        let agency = app.staffed_agency("SNV").await;
        let other_session = app.login("canbo-snv", PASSWORD).await;
        let change =
            |current: &str, new: &str| json!({"current_password": current, "new_password": new});

        let wrong = app
            .post(
                "/api/v1/me/password",
                &agency.staff,
                change("doan-sai-mat-khau", "mat-khau-moi-dai-du"),
            )
            .await;
        assert_error(&wrong, StatusCode::BAD_REQUEST, "invalid_input");
        assert_eq!(wrong.json["error"]["details"]["field"], "current_password");
        let short = app
            .post(
                "/api/v1/me/password",
                &agency.staff,
                change(PASSWORD, "ngan"),
            )
            .await;
        assert_eq!(
            short.json["error"]["details"]["field"], "new_password",
            "{}",
            short.text
        );

        let changed = app
            .post(
                "/api/v1/me/password",
                &agency.staff,
                change(PASSWORD, "mat-khau-moi-dai-du"),
            )
            .await;
        assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
        assert_eq!(
            app.get("/api/v1/me", &agency.staff).await.status,
            StatusCode::OK,
            "this session goes on"
        );
        assert_eq!(
            app.get("/api/v1/me", &other_session).await.status,
            StatusCode::UNAUTHORIZED,
            "another session ends"
        );
        assert_eq!(
            try_login(&app, "canbo-snv", PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            try_login(&app, "canbo-snv", "mat-khau-moi-dai-du").await,
            StatusCode::OK
        );
    }
);

db_test!(
    an_administrator_unlocks_and_resets_a_forgotten_password,
    |app| {
        let agency = app.staffed_agency("STP").await;
        let me = app.get("/api/v1/me", &agency.staff).await;
        let id = me.json["id"].as_str().unwrap().to_owned();
        for _ in 0..5 {
            try_login(&app, "canbo-stp", "doan-sai-mat-khau").await;
        }
        assert_eq!(
            try_login(&app, "canbo-stp", PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS
        );

        // Only an administrator helps.
        let refused = app
            .post(
                &format!("/api/v1/users/{id}/unlock"),
                &agency.head,
                json!({}),
            )
            .await;
        assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
        let unlocked = app
            .post(
                &format!("/api/v1/users/{id}/unlock"),
                &app.admin_token,
                json!({}),
            )
            .await;
        assert_eq!(unlocked.status, StatusCode::NO_CONTENT, "{}", unlocked.text);
        assert_eq!(try_login(&app, "canbo-stp", PASSWORD).await, StatusCode::OK);

        let reset = app
            .post(
                &format!("/api/v1/users/{id}/reset-password"),
                &app.admin_token,
                json!({}),
            )
            .await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
        let new_password = reset.json["password"].as_str().unwrap().to_owned();
        assert!(new_password.len() >= 16);
        assert_eq!(
            app.get("/api/v1/me", &agency.staff).await.status,
            StatusCode::UNAUTHORIZED,
            "the sessions of someone whose password was reset end"
        );
        assert_eq!(
            try_login(&app, "canbo-stp", PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            try_login(&app, "canbo-stp", &new_password).await,
            StatusCode::OK
        );
    }
);

db_test!(
    people_name_themselves_and_pages_speak_their_language_wherever_they_sign_in,
    |app| {
        let agency = app.staffed_agency("SYT").await;
        let saved = app
            .patch(
                "/api/v1/me",
                &agency.staff,
                json!({"display_name": "  Trần Thị Mai  ", "language": "en"}),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
        assert_eq!(saved.json["display_name"], "Trần Thị Mai");
        assert_eq!(saved.json["language"], "en");
        let unknown = app
            .patch("/api/v1/me", &agency.staff, json!({"language": "fr"}))
            .await;
        assert_error(&unknown, StatusCode::BAD_REQUEST, "invalid_input");
        assert_eq!(unknown.json["error"]["details"]["field"], "language");
        let blank = app
            .patch("/api/v1/me", &agency.staff, json!({"display_name": " "}))
            .await;
        assert_error(&blank, StatusCode::BAD_REQUEST, "invalid_input");

        // Signing in on a browser that asks for Vietnamese: the pages speak English.
        let signed_in = app
            .send(
                axum::http::Request::post("/sign-in")
                    .header("sec-fetch-site", "same-origin")
                    .header("accept-language", "vi")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from(format!(
                        "username=canbo-syt&password={PASSWORD}&next=%2F"
                    )))
                    .unwrap(),
            )
            .await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
        let cookies: Vec<&str> = signed_in
            .headers
            .get_all(axum::http::header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        assert!(
            cookies
                .iter()
                .any(|cookie| cookie.starts_with("hoso_lang=en")),
            "{cookies:?}"
        );
        let trail = app
            .get(
                "/api/v1/audit-log?action=user.profile_change",
                &app.admin_token,
            )
            .await;
        assert!(trail.text.contains("Trần Thị Mai"), "{}", trail.text);
    }
);
