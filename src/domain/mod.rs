//! Business rules: each function checks permissions, validates, and writes its change and its
//! audit row in one transaction. The API, the UI and the CLI all call these.

pub mod access;
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
pub mod search;
pub mod text;
pub mod users;

pub use access::{Action, Actor, AgencyScope, AgencyTree, Grant, Role};
pub use error::{DomainError, DomainResult};
pub use pagination::{Page, PageRequest, Sort, paginate, parse_sort};

use crate::audit_log::{self, AuditEntry};

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
    audit_log::record(
        db,
        AuditEntry {
            actor_id: actor.user_id,
            actor_name: &actor.name,
            action,
            entity_type,
            entity_id: entity_id.to_string(),
            agency_id,
            summary,
        },
    )
    .await?;
    Ok(())
}
