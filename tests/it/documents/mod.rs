//! Controlled documents: the register, the approval workflow, files, stamps, legal bases,
//! periodic review and acknowledgements, one file per topic.

mod citations;
mod files;
mod import;
mod legal;
mod reading;
mod register;
mod renditions;
mod reviews;
mod workflow;

use axum::http::Method;

use crate::support::TestApp;

/// Takes a workflow step (`submit`, `approve`, `publish`…) on a version.
async fn step(
    app: &TestApp,
    token: &str,
    version: &str,
    action: &str,
    body: serde_json::Value,
) -> crate::support::TestResponse {
    app.call(
        Method::POST,
        &format!("/api/v1/versions/{version}/{action}"),
        Some(token),
        Some(body),
    )
    .await
}
