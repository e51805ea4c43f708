//! The HTTP edge: every route in one place, the layers around them, and the OpenAPI document.

mod agencies;
mod audit;
mod auth;
mod documents;
pub mod extract;
mod legal_refs;
mod middleware;
mod openapi;
mod search;
mod system;
mod users;
mod versions;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, StatusCode},
    middleware::from_fn,
    middleware::from_fn_with_state,
    routing::{delete, get, post},
};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

pub use openapi::ApiDoc;

use crate::{AppState, error::AppError};

/// Header carrying the request id, set when the client did not send one.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Builds the router of the whole service.
pub fn router(state: AppState) -> Router {
    // Multipart framing adds a little to the file itself, whose own limit is exact.
    let upload_limit = usize::try_from(state.config.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    let api = Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route(
            "/agencies",
            get(agencies::list_agencies).post(agencies::create_agency),
        )
        .route(
            "/agencies/{id}",
            get(agencies::get_agency).patch(agencies::update_agency),
        )
        .route("/users", get(users::list_users).post(users::create_user))
        .route(
            "/users/{id}",
            get(users::get_user).patch(users::update_user),
        )
        .route("/users/{id}/roles", post(users::grant_role))
        .route("/users/{id}/roles/{grant_id}", delete(users::revoke_role))
        .route("/audit-log", get(audit::list_audit_log))
        .route(
            "/documents",
            get(documents::list_documents).post(documents::create_document),
        )
        .route(
            "/documents/{id}",
            get(documents::get_document).patch(documents::update_document),
        )
        .route(
            "/documents/{id}/versions",
            post(documents::upload_version).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/documents/{id}/effective",
            get(documents::effective_version),
        )
        .route("/documents/{id}/reviews", post(documents::review_document))
        .route("/reviews/due", get(documents::reviews_due))
        .route("/search", get(search::search_documents))
        .route("/versions/{id}", get(versions::get_version))
        .route("/versions/{id}/submit", post(versions::submit_version))
        .route("/versions/{id}/approve", post(versions::approve_version))
        .route("/versions/{id}/reject", post(versions::reject_version))
        .route("/versions/{id}/publish", post(versions::publish_version))
        .route("/versions/{id}/obsolete", post(versions::obsolete_version))
        .route(
            "/versions/{id}/acknowledge",
            post(versions::acknowledge_version),
        )
        .route(
            "/versions/{id}/acknowledgements",
            get(versions::list_acknowledgements),
        )
        .route("/versions/{id}/file", get(versions::download_file))
        .route("/versions/{id}/text", get(versions::version_text))
        .route(
            "/legal-refs",
            get(legal_refs::list_legal_refs).post(legal_refs::create_legal_ref),
        )
        .route(
            "/legal-refs/{id}",
            get(legal_refs::get_legal_ref).patch(legal_refs::update_legal_ref),
        )
        .route("/legal-refs/{id}/impact", get(legal_refs::legal_ref_impact))
        .route("/jobs", get(system::list_jobs));

    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    Router::new()
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route("/metrics", get(system::metrics))
        .nest("/api/v1", api)
        .merge(openapi::docs_router())
        .fallback(|| async { AppError::not_found() })
        .method_not_allowed_fallback(|| async {
            AppError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this method is not allowed on this path",
            )
        })
        .layer(DefaultBodyLimit::max(state.config.max_json_bytes))
        .layer(from_fn_with_state(state.clone(), middleware::track_metrics))
        .layer(from_fn(middleware::add_request_id_to_server_errors))
        .layer(TraceLayer::new_for_http().make_span_with(middleware::request_span))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
