//! The history of a criterion of an assessment: every score, link, comment and fact decision
//! on it, with the assessment's own changes (submission, reopening, assignments, sample,
//! finalising), each with who, when, and before and after.

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::access::{self, ASSESSMENT, Access, CRITERION, criterion_entity};
use crate::{
    db::entities::audit_log,
    domain::{Actor, DomainResult, audit_trail::AuditRecord},
};

/// The history of one criterion, oldest first, for whoever may read the assessment.
pub async fn history(
    db: &impl ConnectionTrait,
    actor: &Actor,
    assessment_id: Uuid,
    code: &str,
) -> DomainResult<Vec<AuditRecord>> {
    let context = access::context(db, actor, assessment_id, Access::Read).await?;
    let criterion = context
        .set
        .criterion(code.trim())
        .ok_or(crate::domain::DomainError::NotFound("criterion"))?;
    let rows = audit_log::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(audit_log::Column::EntityType.eq(CRITERION))
                        .add(
                            audit_log::Column::EntityId
                                .eq(criterion_entity(context.row.id, &criterion.code)),
                        ),
                )
                .add(
                    Condition::all()
                        .add(audit_log::Column::EntityType.eq(ASSESSMENT))
                        .add(audit_log::Column::EntityId.eq(context.row.id.to_string())),
                ),
        )
        .order_by_asc(audit_log::Column::Seq)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(AuditRecord::from).collect())
}
