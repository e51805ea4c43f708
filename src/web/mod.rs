//! The edge kit shared by the JSON API (`http`) and the web UI: the signed-in actor and body
//! extractors, error classification, `ETag`/`If-Match`, file serving, upload forms and the
//! layers around every request (cross-site request forgery refused there). An edge builds its routes table on these and calls the domain;
//! `app.rs` merges the edges' routers and wraps them in [`around_every_request`].

pub mod criteria_form;
pub mod csrf;
pub mod error;
pub mod etag;
pub mod extract;
pub mod files;
pub mod middleware;
pub mod multipart;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::HeaderName,
    middleware::{from_fn, from_fn_with_state},
};
use tower_http::{
    LatencyUnit,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::AppState;

/// Header carrying the request id, set when the client did not send one.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The layers every edge's requests pass through: request ids, tracing spans, request ids in
/// server errors, metrics by route, and the default body limit (routes that take files raise
/// their own).
pub fn around_every_request(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    router
        .layer(DefaultBodyLimit::max(state.config.max_json_bytes))
        .layer(from_fn(csrf::refuse_cross_site))
        .layer(from_fn_with_state(state.clone(), middleware::track_metrics))
        .layer(from_fn(middleware::finish_error_envelopes))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(middleware::request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Millis),
                ),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
