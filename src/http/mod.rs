//! The JSON API edge: one file per resource, every route in `routes.rs`, and the OpenAPI
//! document with its interactive page.

mod agencies;
mod assessments;
mod audit;
mod audits;
mod auth;
mod corrective_actions;
mod documents;
mod inspections;
mod legal_refs;
mod management_reviews;
mod openapi;
mod records;
mod registers;
mod routes;
mod scoring;
mod search;
mod system;
mod users;
mod versions;

use axum::Router;
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;

/// The API's router: every route of `routes.rs`, `/api/v1/openapi.json` generated from them,
/// and the Swagger UI (bundled, no CDN) at `/api/docs`.
pub fn router(max_upload_bytes: u64) -> Router<AppState> {
    let (router, api) = routes::api(max_upload_bytes).split_for_parts();
    router.merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", api))
}

/// The OpenAPI document of the API, as `/api/v1/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes::api(0).into_openapi()
}
