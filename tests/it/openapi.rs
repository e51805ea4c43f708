//! The API's routes table and its OpenAPI document are one: every documented operation is
//! served, and the document itself only changes on purpose (its snapshot is reviewed).

use axum::http::{Method, StatusCode};

use crate::support::db_test;

/// The document as `/api/v1/openapi.json` serves it. A change to any route, parameter or
/// schema shows here as a diff to review; accept it with `INSTA_UPDATE=always` (or
/// `cargo insta review`) when it is meant.
#[test]
fn the_openapi_document_changes_only_on_purpose() {
    let spec = serde_json::to_value(hoso::http::openapi()).expect("the document serialises");
    insta::assert_json_snapshot!("openapi", spec);
}

db_test!(every_documented_operation_is_served, |app| {
    let spec = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(spec.status, StatusCode::OK);
    let paths = spec.json["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, operations) in paths {
        let concrete = path
            .replace("{id}", &uuid::Uuid::nil().to_string())
            .replace("{grant_id}", &uuid::Uuid::nil().to_string());
        for method in operations.as_object().expect("operations").keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            let reply = app.call(method.clone(), &concrete, None, None).await;
            // Unauthenticated, a served route answers 401 (or its own answer); only a route
            // missing from the router falls through to "no such resource" or 405.
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not routed"
            );
            assert!(
                !(reply.status == StatusCode::NOT_FOUND
                    && reply.json["error"]["message"] == "no such resource"),
                "{method} {path} is documented but not routed"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 40,
        "the API has its operations documented: {checked}"
    );
});
