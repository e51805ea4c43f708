//! `ETag` on reads and `If-Match` on edits: the revision a client read travels as a quoted
//! number and comes back with its change.

use axum::{
    Json,
    extract::FromRequestParts,
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use super::error::AppError;
use crate::{domain::concurrency::ExpectedRevision, i18n::Message};

/// The revision an edit expects, from `If-Match`; a request without it answers 428, and one
/// that matches no revision fails later, after the access check (412).
pub struct IfMatch(pub ExpectedRevision);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let value = parts.headers.get(header::IF_MATCH).ok_or_else(|| {
            AppError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                Message::new("precondition_required"),
            )
        })?;
        Ok(Self(parse_if_match(value)))
    }
}

fn parse_if_match(value: &HeaderValue) -> ExpectedRevision {
    let Ok(text) = value.to_str() else {
        return ExpectedRevision::Unmatchable;
    };
    let text = text.trim();
    if text == "*" {
        return ExpectedRevision::Any;
    }
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.trim_matches('"')
        .parse()
        .map_or(ExpectedRevision::Unmatchable, ExpectedRevision::Exactly)
}

/// A JSON response carrying its revision as `ETag`.
pub fn with_etag(status: StatusCode, revision: i32, body: impl Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{revision}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_reads_quoted_weak_and_any() {
        let parse = |text: &str| parse_if_match(&HeaderValue::from_str(text).unwrap());
        assert_eq!(parse("\"4\""), ExpectedRevision::Exactly(4));
        assert_eq!(parse("W/\"4\""), ExpectedRevision::Exactly(4));
        assert_eq!(parse("*"), ExpectedRevision::Any);
        assert_eq!(parse("\"abc\""), ExpectedRevision::Unmatchable);
    }
}
