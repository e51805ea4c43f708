//! The web UI: pages rendered on the server from compile-checked templates (`templates/`), in
//! Vietnamese first and English second, readable without JavaScript and enhanced by htmx and
//! one small script where it helps (uploads with progress, buttons that update their row).
//!
//! Pages call the same domain functions, with the same permission checks, as the JSON API;
//! files open through the API's own file routes. Every form is protected by the cross-site
//! check in `web::csrf`; the Content-Security-Policy allows scripts from this site only.

mod account;
mod approvals;
mod assessments;
mod assets;
mod auth;
mod charts;
mod documents;
mod errors;
mod form;
mod home;
mod page;
mod periods;
mod reading;
mod records;
mod search;
mod view;
mod viewer;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, HeaderValue, header},
    middleware::from_fn,
    routing::{get, post},
};
use tower_http::{compression::CompressionLayer, set_header::SetResponseHeaderLayer};

use crate::AppState;

pub use errors::not_found_page;

/// What a page may load: its own site's styles, scripts and images (`data:` images for icons),
/// nothing framed elsewhere, forms posting only here.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'";

/// The UI's routes, with HTML error pages, security headers and compression.
pub fn router(max_upload_bytes: u64) -> Router<AppState> {
    let upload_limit = usize::try_from(max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    // A form of files carries up to ten, each within the limit.
    let files_limit = upload_limit.saturating_mul(records::MAX_FILES);
    let pages = Router::new()
        .route("/", get(home::dashboard))
        .route("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route("/language", post(auth::choose_language))
        .route("/documents", get(documents::register_page))
        .route("/documents/{id}", get(documents::document_page))
        .route(
            "/documents/{id}/versions",
            post(documents::upload_version).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/versions/{id}/{step}", post(documents::version_step))
        .route("/approvals", get(approvals::approvals_page))
        .route(
            "/approvals/reviews/{id}/sign-off",
            post(approvals::sign_off_review),
        )
        .route(
            "/approvals/disposals/{id}/{decision}",
            post(approvals::decide_disposal),
        )
        .route("/account", get(account::account_page))
        .route("/account/password", post(account::change_password))
        .route("/account/profile", post(account::change_profile))
        .route("/assessments", get(assessments::assessments_page))
        .route("/assessments/{id}", get(assessments::assessment_page))
        .route("/assessments/{id}/submit", post(assessments::submit))
        .route(
            "/assessments/{id}/carry-forward",
            post(assessments::carry_forward),
        )
        .route(
            "/assessments/{id}/facts/{code}/accept",
            post(assessments::accept_fact),
        )
        .route(
            "/assessments/{id}/criteria/{code}",
            get(assessments::criterion_page),
        )
        .route(
            "/assessments/{id}/criteria/{code}/{step}",
            post(assessments::criterion_step),
        )
        .route("/periods/{id}", get(periods::period_page))
        .route("/periods", post(periods::create_period))
        .route("/periods/{id}/{step}", post(periods::period_step))
        .route(
            "/criteria-sets",
            get(periods::criteria_sets_page)
                .post(periods::import_criteria_set)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/reading", get(reading::reading_page))
        .route("/reading/{version}", post(reading::acknowledge))
        .route("/search", get(search::search_page))
        .route(
            "/audits",
            get(records::audits_page).post(records::plan_audit),
        )
        .route("/audits/{id}/move", post(records::move_audit))
        .route("/audits/{id}/checklist", post(records::add_question))
        .route(
            "/audits/{id}/checklist/{item}",
            post(records::answer_question),
        )
        .route(
            "/audits/{id}/findings",
            post(records::log_finding).layer(DefaultBodyLimit::max(files_limit)),
        )
        .route("/records/{id}", get(records::record_page))
        .route("/versions/{id}/view", get(viewer::version_view))
        .route("/attachments/{id}/view", get(viewer::attachment_view))
        .route(
            "/assessments/{id}/evidence/{link}/view",
            get(viewer::evidence_view),
        )
        .route(
            "/records/{id}/attachments",
            post(records::attach_files).layer(DefaultBodyLimit::max(files_limit)),
        )
        .route(
            "/findings/{id}/corrective-action",
            post(records::raise_corrective_action),
        )
        .route(
            "/corrective-actions/{id}/actions",
            post(records::add_action),
        )
        .route(
            "/corrective-actions/{id}/actions/{action}/complete",
            post(records::complete_action),
        )
        .route("/corrective-actions/{id}/verify", post(records::verify))
        .layer(from_fn(errors::html_errors));
    pages
        .nest("/static", assets::router())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CompressionLayer::new())
}
