//! The errors of business rules, shared by the API, the UI and the CLI.

use sea_orm::{DbErr, TransactionError};

use crate::blobs::BlobError;

/// Why a domain operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("the session is unknown, expired or signed out")]
    SessionEnded,
    #[error("you do not have permission to do this")]
    Forbidden,
    /// Forbidden, with the reason and who may (`code` is stable for programs).
    #[error("{message}")]
    NotAllowed { code: &'static str, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    RuleViolated { code: &'static str, message: String },
    #[error("unsupported file type: {0}")]
    UnsupportedType(String),
    #[error("the resource changed since it was read")]
    StaleRevision,
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: u64 },
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// An invalid value of one input field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A conflict with existing data (a duplicate code, a stale version).
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
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

/// Result of a domain operation.
pub type DomainResult<T> = Result<T, DomainError>;
