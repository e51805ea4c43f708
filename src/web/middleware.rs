//! Layers around every request: metrics by route, request ids in spans and server errors.

use std::time::Instant;

use axum::{
    body::Body,
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};
use serde_json::json;

use super::REQUEST_ID_HEADER;
use crate::{AppState, i18n::Lang, web::error::ErrorReply};

/// Counts the request and records its latency under its route template (`/api/v1/users/{id}`).
pub async fn track_metrics(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    state.metrics.observe_request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Writes error envelopes in the caller's language (`Accept-Language`: Vietnamese or English)
/// and puts the request id into the body of a server error, so users can quote it.
pub async fn finish_error_envelopes(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let lang = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or(Lang::En);
    let response = next.run(request).await;
    let internal = response.status().is_server_error();
    let Some(reply) = response.extensions().get::<ErrorReply>().cloned() else {
        return response;
    };
    if lang == Lang::En && !internal {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let mut body = reply.body(lang);
    if internal {
        body.error.details = json!({ "request_id": request_id });
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    Response::from_parts(parts, Body::from(bytes))
}

/// The tracing span of a request: method, path (no query string) and request id.
pub fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    )
}
