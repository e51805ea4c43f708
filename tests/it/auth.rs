//! Signing in and out.

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::json;

use crate::support::{ADMIN_PASSWORD, PASSWORD, assert_error, db_test};

db_test!(
    login_returns_a_token_and_an_http_only_session_cookie,
    |app| {
        let response = app
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK);
        let token = response.json["token"].as_str().unwrap();
        assert!(token.starts_with("hoso_"));
        assert_eq!(response.json["user"]["username"], "admin");
        assert_eq!(response.json["user"]["roles"][0]["role"], "admin");
        let cookie = response.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with(&format!("hoso_session={token}")));
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));
        assert!(
            !cookie.contains("Secure"),
            "plain HTTP cannot carry a Secure cookie"
        );
    }
);

db_test!(the_cookie_is_secure_behind_a_tls_proxy, |app| {
    let request = Request::post("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-proto", "https")
        .body(Body::from(
            json!({"username": "admin", "password": ADMIN_PASSWORD}).to_string(),
        ))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
});

db_test!(
    the_session_cookie_authenticates_like_a_bearer_token,
    |app| {
        let request = Request::get("/api/v1/me")
            .header(header::COOKIE, format!("hoso_session={}", app.admin_token))
            .body(Body::empty())
            .unwrap();
        let response = app.send(request).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        assert_eq!(response.json["username"], "admin");
    }
);

db_test!(a_wrong_password_and_an_unknown_user_look_the_same, |app| {
    let wrong = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "admin", "password": "not-the-password"})),
        )
        .await;
    let unknown = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "nobody", "password": "not-the-password"})),
        )
        .await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(wrong.json["error"]["message"], "wrong username or password");
    assert_eq!(wrong.json, unknown.json);
    assert_eq!(wrong.status, unknown.status);
});

db_test!(
    repeated_failed_logins_are_throttled_even_with_the_right_password,
    |app| {
        for _ in 0..5 {
            let response = app
                .call(
                    Method::POST,
                    "/api/v1/auth/login",
                    None,
                    Some(json!({"username": "admin", "password": "guessing-again"})),
                )
                .await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        }
        let response = app
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "ADMIN", "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_error(
            &response,
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
        );
        assert!(response.headers.contains_key(header::RETRY_AFTER));
    }
);

db_test!(logout_revokes_the_token_at_once, |app| {
    let token = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::OK);
    let response = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_error(
        &app.get("/api/v1/me", &token).await,
        StatusCode::UNAUTHORIZED,
        "session_ended",
    );
    // Other sessions of the same user stay valid.
    assert_eq!(
        app.get("/api/v1/me", &app.admin_token).await.status,
        StatusCode::OK
    );
});

db_test!(a_missing_or_forged_token_is_401, |app| {
    let none = app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_error(&none, StatusCode::UNAUTHORIZED, "unauthenticated");
    let forged = app.get("/api/v1/me", "hoso_forgedforgedforgedforged").await;
    assert_error(&forged, StatusCode::UNAUTHORIZED, "session_ended");
    let request = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Basic YWRtaW46YWRtaW4=")
        .body(Body::empty())
        .unwrap();
    assert_error(
        &app.send(request).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
});

db_test!(a_deactivated_user_is_signed_out_and_cannot_sign_in, |app| {
    let province = app.agency("BG", "province", None).await;
    let token = app.user_with_role("canbo", "staff", Some(&province)).await;
    // Signed in and active a moment ago (this process remembers the token for a few seconds).
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::OK);
    let users = app.get("/api/v1/users?q=canbo", &app.admin_token).await;
    let user_id = users.json["items"][0]["id"].as_str().unwrap().to_owned();
    let response = app
        .patch(
            &format!("/api/v1/users/{user_id}"),
            &app.admin_token,
            json!({"active": false}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(
        app.get("/api/v1/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "canbo", "password": PASSWORD})),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
});

db_test!(an_expired_session_no_longer_authenticates, |app| {
    use sea_orm::{ConnectionTrait, Statement};
    let token = app.login("admin", ADMIN_PASSWORD).await;
    let backend = app.state.db.get_database_backend();
    app.state
        .db
        .execute_raw(Statement::from_string(
            backend,
            "UPDATE sessions SET expires_at = created_at".to_owned(),
        ))
        .await
        .unwrap();
    assert_error(
        &app.get("/api/v1/me", &token).await,
        StatusCode::UNAUTHORIZED,
        "session_ended",
    );
});
