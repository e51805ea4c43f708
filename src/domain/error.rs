//! The errors of business rules, shared by the API, the UI and the CLI.
//!
//! What a person is told travels as a [`Message`] (a stable code and its arguments), so each edge
//! renders it in its user's language; `Display` renders English for logs and the command line.

use std::fmt;

use sea_orm::{DbErr, TransactionError};

use crate::{blobs::BlobError, i18n::Message};

/// Why a domain operation did not happen.
#[derive(Debug)]
pub enum DomainError {
    /// No session or token was sent.
    Unauthenticated,
    BadCredentials,
    /// The session is unknown, expired or signed out.
    SessionEnded,
    Forbidden,
    /// Forbidden, with the reason and who may (the message's code is stable for programs).
    NotAllowed(Message),
    /// The thing asked for does not exist or is not the caller's to see: `"document"`,
    /// `"version"`… (a key of the `not_found` message).
    NotFound(&'static str),
    /// One input field is invalid, and why.
    Invalid {
        field: String,
        reason: Message,
    },
    /// A conflict with existing data (a duplicate code, a version in the wrong status).
    Conflict(Message),
    /// A business rule refuses the change (separation of duties, a closed agency).
    RuleViolated(Message),
    /// A document of many parts (a criteria set) has problems, each at its place; all of them
    /// are listed at once so the sender can fix them in one go.
    Problems(Message, Vec<Problem>),
    /// The bytes are of a type hoso does not accept (the reason says what they are).
    UnsupportedType(String),
    /// The resource changed since it was read (`If-Match`).
    StaleRevision,
    Throttled {
        retry_after_secs: u64,
    },
    Database(DbErr),
    Blob(BlobError),
    Internal(String),
}

impl DomainError {
    /// An invalid value of one input field.
    pub fn invalid(field: impl Into<String>, reason: Message) -> Self {
        Self::Invalid {
            field: field.into(),
            reason,
        }
    }

    /// What the person is told, for every error that is theirs to act on; `None` for server
    /// faults, whose cause is logged and never shown.
    pub fn message(&self) -> Option<Message> {
        let message = match self {
            Self::Unauthenticated => Message::new("unauthenticated"),
            Self::BadCredentials => Message::new("invalid_credentials"),
            Self::SessionEnded => Message::new("session_ended"),
            Self::Forbidden => Message::new("forbidden"),
            Self::NotAllowed(message)
            | Self::Conflict(message)
            | Self::RuleViolated(message)
            | Self::Problems(message, _) => message.clone(),
            Self::NotFound(what) => Message::new("not_found").arg("what", *what),
            Self::Invalid { field, reason } => Message::new("invalid_field")
                .arg("field", field)
                .arg("reason", reason.clone()),
            Self::UnsupportedType(reason) => {
                Message::new("unsupported_media_type").arg("reason", reason)
            }
            Self::StaleRevision => Message::new("precondition_failed"),
            Self::Throttled { retry_after_secs } => {
                Message::new("too_many_attempts").arg("seconds", *retry_after_secs)
            }
            Self::Blob(BlobError::TooLarge { limit }) => {
                Message::new("file_too_large").arg("limit", *limit)
            }
            Self::Blob(BlobError::Source(detail)) => {
                Message::new("upload_failed").arg("detail", detail)
            }
            Self::Blob(BlobError::HashMismatch { expected, actual }) => {
                Message::new("hash_mismatch")
                    .arg("expected", expected)
                    .arg("actual", actual)
            }
            Self::Database(_) | Self::Blob(_) | Self::Internal(_) => return None,
        };
        Some(message)
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Database(error) => write!(formatter, "database error: {error}"),
            Self::Blob(error) => write!(formatter, "{error}"),
            Self::Internal(detail) => write!(formatter, "internal error: {detail}"),
            other => match other.message() {
                Some(message) => write!(formatter, "{message}"),
                None => write!(formatter, "{other:?}"),
            },
        }
    }
}

impl std::error::Error for DomainError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Database(error) => Some(error),
            Self::Blob(error) => Some(error),
            _ => None,
        }
    }
}

impl From<DbErr> for DomainError {
    fn from(error: DbErr) -> Self {
        Self::Database(error)
    }
}

impl From<BlobError> for DomainError {
    fn from(error: BlobError) -> Self {
        Self::Blob(error)
    }
}

impl From<TransactionError<DomainError>> for DomainError {
    fn from(error: TransactionError<DomainError>) -> Self {
        match error {
            TransactionError::Connection(error) => Self::Database(error),
            TransactionError::Transaction(error) => error,
        }
    }
}

/// One problem of a document of many parts: where it is (`criteria[0].children[2].max_points`,
/// `criteria!D7`) and what is wrong.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub path: String,
    /// `{code, args}` of the reason.
    #[schema(value_type = Object)]
    pub reason: Message,
}

impl Problem {
    pub fn new(path: impl Into<String>, reason: Message) -> Self {
        Self {
            path: path.into(),
            reason,
        }
    }
}

/// Result of a domain operation.
pub type DomainResult<T> = Result<T, DomainError>;
