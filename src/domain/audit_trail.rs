//! Reading the audit trail (admin, coordinator): who changed what, when.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult, Page, PageRequest,
    agencies::resolve_field, paginate,
};
use crate::{db::entities::audit_log, i18n::Message};

/// One audit-log row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub agency_id: Option<Uuid>,
    /// What changed; for updates each field maps to `[old, new]`.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// Filters of `GET /api/v1/audit-log`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    /// Action, such as `agency.update`.
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Agency id or code; rows of that agency's subtree.
    pub agency: Option<String>,
    /// First day included (YYYY-MM-DD, UTC).
    pub from: Option<NaiveDate>,
    /// Last day included (YYYY-MM-DD, UTC).
    pub to: Option<NaiveDate>,
}

/// Audit rows the actor may read, newest first. Rows without an agency (users, logins) are
/// visible only with a system-wide grant.
pub async fn list_audit_log(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &AuditFilter,
    page: &PageRequest,
) -> DomainResult<Page<AuditRecord>> {
    let tree = AgencyTree::load(db).await?;
    let scope = actor.scope(Action::ReadAuditLog, &tree);
    if scope.is_empty() {
        return Err(DomainError::Forbidden);
    }
    let mut condition = Condition::all();
    if let AgencyScope::Only(ids) = &scope {
        condition = condition.add(audit_log::Column::AgencyId.is_in(ids.iter().copied()));
    }
    if let Some(actor_id) = filter.actor_id {
        condition = condition.add(audit_log::Column::ActorId.eq(actor_id));
    }
    if let Some(action) = &filter.action {
        condition = condition.add(audit_log::Column::Action.eq(action.trim()));
    }
    if let Some(entity_type) = &filter.entity_type {
        condition = condition.add(audit_log::Column::EntityType.eq(entity_type.trim()));
    }
    if let Some(entity_id) = &filter.entity_id {
        condition = condition.add(audit_log::Column::EntityId.eq(entity_id.trim()));
    }
    if let Some(agency) = &filter.agency {
        let agency = resolve_field(db, "agency", agency).await?;
        let subtree = tree.covered_by(agency.id);
        condition = condition.add(audit_log::Column::AgencyId.is_in(subtree));
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(DomainError::invalid("from", Message::new("from_after_to")));
    }
    if let Some(from) = filter.from {
        condition = condition.add(audit_log::Column::At.gte(start_of(from)));
    }
    if let Some(next_day) = filter.to.and_then(|to| to.succ_opt()) {
        condition = condition.add(audit_log::Column::At.lt(start_of(next_day)));
    }
    let query = audit_log::Entity::find()
        .filter(condition)
        .order_by_desc(audit_log::Column::Seq);
    Ok(paginate(db, query, page).await?.map(AuditRecord::from))
}

impl From<audit_log::Model> for AuditRecord {
    fn from(row: audit_log::Model) -> Self {
        Self {
            seq: row.seq,
            at: row.at,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            agency_id: row.agency_id,
            summary: serde_json::from_str(&row.summary).unwrap_or(serde_json::Value::Null),
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}
