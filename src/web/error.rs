//! `AppError`: the one error type at the HTTP edge, rendered as the API's JSON error envelope.

use axum::{
    Json,
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::{blobs::BlobError, domain::DomainError};

/// An error answered to an HTTP client.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
    retry_after_secs: Option<u64>,
}

/// Result of a handler.
pub type AppResult<T> = Result<T, AppError>;

/// `{"error": {"code", "message", "details"}}`
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

/// The body of the error envelope.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code for programs.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Extra facts, such as the field at fault or the request id of a server error.
    #[schema(value_type = Object)]
    pub details: Value,
}

/// Marks a response as an internal error, so the request-id layer adds the id to its body.
#[derive(Clone, Copy)]
pub struct InternalErrorMarker;

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: json!({}),
            retry_after_secs: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_input", message)
    }

    /// A server fault: the cause is logged here, once; the client sees no internals.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an internal error occurred; quote the request id when reporting it",
        )
    }
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Unauthenticated => Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "sign in first: send a bearer token or the session cookie",
            ),
            DomainError::BadCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "wrong username or password",
            ),
            DomainError::SessionEnded => Self::new(
                StatusCode::UNAUTHORIZED,
                "session_ended",
                "your session has expired or was signed out: sign in again",
            ),
            DomainError::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "you do not have permission to do this",
            ),
            DomainError::NotAllowed { code, message } => {
                Self::new(StatusCode::FORBIDDEN, code, message)
            }
            DomainError::NotFound(what) => Self::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{what} not found"),
            ),
            DomainError::Invalid { field, message } => Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                format!("{field}: {message}"),
            )
            .with_details(json!({ "field": field })),
            DomainError::Conflict { code, message } => {
                Self::new(StatusCode::CONFLICT, code, message)
            }
            DomainError::RuleViolated { code, message } => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            DomainError::UnsupportedType(reason) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "{reason}; accepted: PDF, DOC, DOCX, XLS, XLSX, ODT, ODS, PPT, PPTX, TXT, CSV, HTML, MD, PNG, JPEG, TIFF"
                ),
            ),
            DomainError::StaleRevision => Self::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "the document changed since you read it; reload it and apply your change again",
            ),
            DomainError::Throttled { retry_after_secs } => {
                let mut error = Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    format!("too many failed attempts; try again in {retry_after_secs} seconds"),
                );
                error.retry_after_secs = Some(retry_after_secs);
                error
            }
            DomainError::Blob(BlobError::TooLarge { limit }) => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the file is larger than the limit of {limit} bytes"),
            ),
            DomainError::Blob(BlobError::Source(reason)) => Self::new(
                StatusCode::BAD_REQUEST,
                "upload_failed",
                format!("the upload broke off before the end of the file: {reason}"),
            ),
            DomainError::Blob(BlobError::HashMismatch { expected, actual }) => Self::new(
                StatusCode::BAD_REQUEST,
                "hash_mismatch",
                format!("the file's SHA-256 is {actual}, not the expected {expected}"),
            ),
            DomainError::Database(error) if is_unique_violation(&error) => {
                // Two requests raced past the application's own duplicate check.
                Self::new(
                    StatusCode::CONFLICT,
                    "already_exists",
                    "this already exists (it was created at the same moment by another request)",
                )
            }
            other
            @ (DomainError::Database(_) | DomainError::Blob(_) | DomainError::Internal(_)) => {
                Self::internal(&other)
            }
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let (status, code) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => (status, "too_large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (status, "unsupported_media_type"),
            _ => (StatusCode::BAD_REQUEST, "invalid_input"),
        };
        Self::new(status, code, rejection.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", rejection.body_text())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let internal = self.status.is_server_error();
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: self.code.to_owned(),
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if internal {
            response.extensions_mut().insert(InternalErrorMarker);
        }
        response
    }
}

/// Whether a database error is a unique-constraint violation. sea-orm's `sql_err()` does not
/// classify every wrapping of it (inserts with `RETURNING` surface as query errors with text),
/// so the engines' own messages are the fallback.
fn is_unique_violation(error: &sea_orm::DbErr) -> bool {
    if matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) {
        return true;
    }
    let text = error.to_string();
    text.contains("duplicate key value violates unique constraint")
        || text.contains("UNIQUE constraint failed")
}
