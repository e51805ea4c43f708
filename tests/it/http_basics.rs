//! HTTP behaviour every endpoint shares: envelopes, limits, request ids, health, docs.

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::json;

use crate::support::{assert_error, db_test};

fn raw_post(path: &str, token: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

db_test!(malformed_json_is_a_400_in_the_error_envelope, |app| {
    let response = app
        .send(raw_post(
            "/api/v1/agencies",
            &app.admin_token,
            "{\"code\": \"BG\",",
        ))
        .await;
    assert_error(&response, StatusCode::BAD_REQUEST, "invalid_input");
});

db_test!(unknown_json_fields_are_refused, |app| {
    let response = app
        .post(
            "/api/v1/agencies",
            &app.admin_token,
            json!({"code": "BG", "name": "Bắc Giang", "kind": "province", "is_admin": true}),
        )
        .await;
    assert_error(&response, StatusCode::BAD_REQUEST, "invalid_input");
    assert!(
        response.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is_admin")
    );
});

db_test!(a_body_over_the_limit_is_413, |app| {
    let huge = format!(
        "{{\"code\": \"BG\", \"name\": \"{}\", \"kind\": \"province\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let response = app
        .send(raw_post("/api/v1/agencies", &app.admin_token, huge))
        .await;
    assert_error(&response, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
});

db_test!(
    a_json_endpoint_refuses_other_content_types_with_415,
    |app| {
        let request = Request::post("/api/v1/agencies")
            .header(header::AUTHORIZATION, format!("Bearer {}", app.admin_token))
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("code=BG"))
            .unwrap();
        assert_error(
            &app.send(request).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
    }
);

db_test!(unknown_paths_and_methods_answer_in_the_envelope, |app| {
    let missing = app.get("/api/v1/nothing-here", &app.admin_token).await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found");
    let wrong_method = app
        .call(
            Method::DELETE,
            "/api/v1/agencies",
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_error(
        &wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let bad_id = app.get("/api/v1/users/not-a-uuid", &app.admin_token).await;
    assert_error(&bad_id, StatusCode::NOT_FOUND, "not_found");
});

db_test!(every_response_carries_a_request_id, |app| {
    let fresh = app.call(Method::GET, "/healthz", None, None).await;
    assert!(fresh.headers.contains_key("x-request-id"));
    let request = Request::get("/healthz")
        .header("x-request-id", "trace-me-123")
        .body(Body::empty())
        .unwrap();
    let echoed = app.send(request).await;
    assert_eq!(echoed.headers["x-request-id"], "trace-me-123");
});

db_test!(health_readiness_and_metrics_answer, |app| {
    let health = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.json["status"], "ok");
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
    assert_eq!(ready.json["checks"]["database"], "ok");
    assert_eq!(ready.json["checks"]["data_dir"], "ok");
    assert_eq!(ready.json["checks"]["blob_store"], "ok");
    app.get("/api/v1/me", &app.admin_token).await;
    let metrics = app.call(Method::GET, "/metrics", None, None).await;
    assert!(
        metrics.text.contains(
            "hoso_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"200\"} 1"
        ),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains("hoso_http_request_duration_seconds_bucket")
    );
});

db_test!(
    readiness_fails_when_the_data_directory_is_not_writable,
    |app| {
        let index_dir = app.state.config.index_dir.clone();
        // A file where the index directory should be makes it unusable.
        std::fs::remove_dir_all(&index_dir).unwrap();
        std::fs::write(&index_dir, b"not a directory").unwrap();
        let ready = app.call(Method::GET, "/readyz", None, None).await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(ready.json["status"], "not_ready");
        assert_ne!(ready.json["checks"]["index_dir"], "ok");
    }
);

db_test!(
    the_openapi_document_describes_the_api_and_the_docs_page_serves_it,
    |app| {
        let spec = app
            .call(Method::GET, "/api/v1/openapi.json", None, None)
            .await;
        assert_eq!(spec.status, StatusCode::OK);
        for path in [
            "/api/v1/auth/login",
            "/api/v1/agencies",
            "/api/v1/agencies/{id}",
            "/api/v1/users/{id}/roles",
            "/api/v1/audit-log",
        ] {
            assert!(
                spec.json["paths"].get(path).is_some(),
                "{path} is documented"
            );
        }
        assert!(spec.json["components"]["securitySchemes"]["bearer"].is_object());
        let page = app.call(Method::GET, "/api/docs/", None, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("swagger"), "an interactive page");
    }
);

fn with_language(mut request: Request<Body>, accept_language: &str) -> Request<Body> {
    request.headers_mut().insert(
        header::ACCEPT_LANGUAGE,
        accept_language.parse().expect("a header value"),
    );
    request
}

db_test!(errors_speak_vietnamese_to_a_caller_who_asks_for_it, |app| {
    let agency = json!({"code": "BG", "name": "Bắc Giang", "kind": "province"}).to_string();
    let created = app
        .send(raw_post(
            "/api/v1/agencies",
            &app.admin_token,
            agency.clone(),
        ))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);

    let in_english = app
        .send(raw_post(
            "/api/v1/agencies",
            &app.admin_token,
            agency.clone(),
        ))
        .await;
    assert_error(&in_english, StatusCode::CONFLICT, "agency_code_taken");
    assert_eq!(
        in_english.json["error"]["message"],
        "an agency with code BG already exists"
    );

    let in_vietnamese = app
        .send(with_language(
            raw_post("/api/v1/agencies", &app.admin_token, agency),
            "vi-VN,vi;q=0.9,en;q=0.5",
        ))
        .await;
    assert_error(&in_vietnamese, StatusCode::CONFLICT, "agency_code_taken");
    assert_eq!(
        in_vietnamese.json["error"]["message"],
        "Đã có cơ quan mang mã BG"
    );
});

db_test!(
    an_invalid_field_names_its_reason_as_a_code_with_arguments,
    |app| {
        let request = raw_post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": "lan", "display_name": "Lan", "password": "short"}).to_string(),
        );
        let response = app.send(with_language(request, "vi")).await;
        assert_error(&response, StatusCode::BAD_REQUEST, "invalid_input");
        let details = &response.json["error"]["details"];
        assert_eq!(details["field"], "password");
        assert_eq!(details["reason"]["code"], "too_short");
        assert!(
            details["reason"]["args"]["min"]
                .as_i64()
                .is_some_and(|min| min >= 8)
        );
        let message = response.json["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("password: phải có ít nhất"),
            "{message}"
        );
    }
);

db_test!(a_language_we_do_not_speak_gets_english, |app| {
    let request = Request::get("/api/v1/no-such-thing")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.admin_token))
        .body(Body::empty())
        .unwrap();
    let response = app.send(with_language(request, "fr-FR,de;q=0.8")).await;
    assert_error(&response, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(response.json["error"]["message"], "no such resource");
});
