//! Business rules: each function checks permissions, validates, and writes its change and its
//! audit row in one transaction. The API, the UI and the CLI all call these.

pub mod access;
pub mod accounts;
pub mod agencies;
pub mod audit_trail;
pub mod auth;
pub mod concurrency;
pub mod documents;
mod error;
pub mod files;
pub mod fsck;
pub mod indexing;
pub mod jobs;
pub mod pagination;
pub mod passwords;
pub mod records;
pub mod scoring;
pub mod search;
pub mod text;
pub mod users;

pub use access::{Action, Actor, AgencyScope, AgencyTree, Grant, Role};
pub use error::{DomainError, DomainResult, Problem};
pub use pagination::{Page, PageRequest, Sort, paginate, parse_sort};

use crate::audit_log::{self, AuditEntry};

/// Where the audit rows of a change go: into its transaction at once, or kept and written
/// together with the other rows of a bulk change (`hoso import`), which then pays three
/// statements for its whole trail instead of three per row.
#[derive(Debug)]
pub(crate) enum Trail {
    Now,
    Kept(Vec<AuditEntry>),
}

impl Trail {
    /// A trail that keeps its rows until [`Trail::write`].
    pub(crate) fn kept() -> Self {
        Self::Kept(Vec::new())
    }

    /// The audit row of a change made by `actor`: written now, or kept.
    #[allow(clippy::too_many_arguments)] // `audit`'s own, plus the trail
    pub(crate) async fn audit(
        &mut self,
        db: &impl sea_orm::ConnectionTrait,
        actor: &Actor,
        action: &str,
        entity_type: &str,
        entity_id: impl ToString,
        agency_id: Option<uuid::Uuid>,
        summary: serde_json::Value,
    ) -> DomainResult<()> {
        let entry = AuditEntry {
            actor_id: actor.user_id,
            actor_name: actor.name.clone(),
            action: action.to_owned(),
            entity_type: entity_type.to_owned(),
            entity_id: entity_id.to_string(),
            agency_id,
            summary,
        };
        match self {
            Self::Now => {
                audit_log::record(db, entry).await?;
            }
            Self::Kept(rows) => rows.push(entry),
        }
        Ok(())
    }

    /// Moves the rows kept here after those of `later` (a file's rows to its batch's, once
    /// the file is recorded).
    pub(crate) fn append_to(self, later: &mut Trail) {
        if let (Self::Kept(rows), Self::Kept(into)) = (self, later) {
            into.extend(rows);
        }
    }

    /// Writes the rows kept, in order, inside the change's transaction.
    pub(crate) async fn write(self, db: &impl sea_orm::ConnectionTrait) -> DomainResult<()> {
        if let Self::Kept(rows) = self
            && !rows.is_empty()
        {
            audit_log::record_many(db, rows).await?;
        }
        Ok(())
    }
}

/// Writes the audit row of a change made by `actor`, inside the change's transaction.
pub(crate) async fn audit(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: impl ToString,
    agency_id: Option<uuid::Uuid>,
    summary: serde_json::Value,
) -> DomainResult<()> {
    Trail::Now
        .audit(
            db,
            actor,
            action,
            entity_type,
            entity_id,
            agency_id,
            summary,
        )
        .await
}
