//! Optimistic concurrency: a change names the revision its author read, and fails without
//! changing anything when the row has moved on since. Checked only after access, so a caller
//! who may not read the row learns nothing from it.

use super::{DomainError, DomainResult};

/// The revision a change expects (HTTP `If-Match`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedRevision {
    /// Whatever the current revision is (`If-Match: *`).
    Any,
    /// Exactly this revision.
    Exactly(i32),
    /// A value that can match no revision (a malformed or foreign ETag).
    Unmatchable,
}

impl ExpectedRevision {
    /// `StaleRevision` unless `current` is the revision expected.
    pub fn check(self, current: i32) -> DomainResult<()> {
        match self {
            Self::Any => Ok(()),
            Self::Exactly(expected) if expected == current => Ok(()),
            Self::Exactly(_) | Self::Unmatchable => Err(DomainError::StaleRevision),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_revision_read_or_any_passes() {
        assert!(ExpectedRevision::Any.check(7).is_ok());
        assert!(ExpectedRevision::Exactly(7).check(7).is_ok());
        assert!(ExpectedRevision::Exactly(6).check(7).is_err());
        assert!(ExpectedRevision::Unmatchable.check(7).is_err());
    }
}
