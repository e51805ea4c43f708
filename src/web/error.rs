//! `AppError`: the one error type at the HTTP edge, rendered as the API's JSON error envelope.

use axum::{
    Json,
    extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::{
    blobs::BlobError,
    domain::DomainError,
    i18n::{Lang, Message},
};

/// An error answered to an HTTP client.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    /// What the caller is told, rendered in their language when the response is written.
    pub message: Message,
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
    /// A sentence for people, in the language of `Accept-Language` (Vietnamese or English;
    /// English when neither is asked for).
    pub message: String,
    /// Extra facts: the field at fault and the reason's code and arguments, or the request id
    /// of a server error.
    #[schema(value_type = Object)]
    pub details: Value,
}

/// The error a response carries, so the layer that knows the request can render the envelope
/// in the caller's language and add the request id to a server error.
#[derive(Debug, Clone)]
pub struct ErrorReply {
    pub code: &'static str,
    pub message: Message,
    pub details: Value,
}

impl ErrorReply {
    /// The envelope's body in `lang`.
    pub fn body(&self, lang: Lang) -> ErrorEnvelope {
        ErrorEnvelope {
            error: ErrorBody {
                code: self.code.to_owned(),
                message: self.message.render(lang),
                details: self.details.clone(),
            },
        }
    }
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: Message) -> Self {
        Self {
            status,
            code,
            message,
            details: json!({}),
            retry_after_secs: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            Message::new("no_such_resource"),
        )
    }

    /// Invalid input that is not one field's (a form that cannot be read).
    pub fn bad_request(message: Message) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_input", message)
    }

    /// A server fault: the cause is logged here, once; the client sees no internals.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            Message::new("internal_error"),
        )
    }
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        let status = match &error {
            DomainError::Unauthenticated
            | DomainError::BadCredentials
            | DomainError::SessionEnded => StatusCode::UNAUTHORIZED,
            DomainError::Forbidden | DomainError::NotAllowed(_) => StatusCode::FORBIDDEN,
            DomainError::NotFound(_) => StatusCode::NOT_FOUND,
            DomainError::Invalid { .. } => StatusCode::BAD_REQUEST,
            DomainError::Conflict(_) => StatusCode::CONFLICT,
            DomainError::RuleViolated(_) | DomainError::Problems(..) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            DomainError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            DomainError::StaleRevision => StatusCode::PRECONDITION_FAILED,
            DomainError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            DomainError::Blob(BlobError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            DomainError::Blob(BlobError::Source(_) | BlobError::HashMismatch { .. }) => {
                StatusCode::BAD_REQUEST
            }
            DomainError::Database(error) if is_unique_violation(error) => {
                // Two requests raced past the application's own duplicate check.
                return Self::new(
                    StatusCode::CONFLICT,
                    "already_exists",
                    Message::new("already_exists"),
                );
            }
            DomainError::Database(_) | DomainError::Blob(_) | DomainError::Internal(_) => {
                return Self::internal(&error);
            }
        };
        let Some(message) = error.message() else {
            return Self::internal(&error);
        };
        let code = match &error {
            DomainError::Invalid { .. } => "invalid_input",
            DomainError::NotFound(_) => "not_found",
            DomainError::Blob(BlobError::TooLarge { .. }) => "too_large",
            _ => message.code(),
        };
        let mut reply = Self::new(status, code, message);
        match error {
            DomainError::Invalid { field, reason } => {
                reply.details = json!({ "field": field, "reason": reason });
            }
            DomainError::Throttled { retry_after_secs } => {
                reply.retry_after_secs = Some(retry_after_secs);
            }
            DomainError::Problems(_, problems) => {
                reply.details = json!({ "problems": problems });
            }
            _ => {}
        }
        reply
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
        Self::new(status, code, unreadable(rejection.body_text()))
    }
}

impl From<FormRejection> for AppError {
    fn from(rejection: FormRejection) -> Self {
        Self::bad_request(unreadable(rejection.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(unreadable(rejection.body_text()))
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            unreadable(rejection.body_text()),
        )
    }
}

/// axum's own description of a request it could not read (English only).
fn unreadable(detail: String) -> Message {
    Message::new("request_unreadable").arg("detail", detail)
}

impl IntoResponse for AppError {
    /// The envelope in English; [`crate::web::middleware::finish_error_envelopes`] renders it
    /// again when the caller asked for Vietnamese, or to add a server error's request id.
    fn into_response(self) -> Response {
        let reply = ErrorReply {
            code: self.code,
            message: self.message,
            details: self.details,
        };
        let mut response = (self.status, Json(reply.body(Lang::En))).into_response();
        response.extensions_mut().insert(reply);
        if let Some(seconds) = self.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
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
