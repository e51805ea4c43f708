//! Finalising a period: every assessment's total (appraised scores where given, self scores
//! otherwise) and rank; agencies that never submitted stop it unless forced.

use std::collections::HashMap;

use chrono::{SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    AssessmentStatus, PeriodStatus,
    access::audit_assessment,
    assessments::Scores,
    periods::{Period, advance, coordinated, view},
    sets,
};
use crate::{
    db::{
        self,
        entities::{agency, assessment},
    },
    domain::{Actor, AgencyTree, DomainError, DomainResult},
    i18n::Message,
    names::Named,
};

/// `{force?}` of finalising.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinalizeInput {
    /// Finalise assessments never submitted as such: zero points, flagged.
    #[serde(default)]
    pub force: bool,
}

/// Finalises a period: every assessment's total (appraised scores where given, self scores
/// otherwise) and rank. Assessments not submitted stop it (409 naming them) unless `force`.
pub async fn finalize(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: FinalizeInput,
) -> DomainResult<Period> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let row = coordinated(&txn, actor, &tree, id).await?;
    let status = PeriodStatus::parse(&row.status).unwrap_or(PeriodStatus::Draft);
    if !status.is_running() {
        return Err(DomainError::Conflict(
            Message::new("period_transition")
                .arg("from", row.status.as_str())
                .arg("to", PeriodStatus::Final.as_str()),
        ));
    }
    let set = sets::load(&txn, row.criteria_set_id).await?;
    let rows = assessment::Entity::find()
        .filter(assessment::Column::PeriodId.eq(row.id))
        .all(&txn)
        .await?;
    let open: Vec<&assessment::Model> = rows
        .iter()
        .filter(|row| row.status == AssessmentStatus::Open.as_str())
        .collect();
    if !open.is_empty() && !input.force {
        let codes: HashMap<Uuid, String> = agency::Entity::find()
            .filter(agency::Column::Id.is_in(open.iter().map(|row| row.agency_id)))
            .all(&txn)
            .await?
            .into_iter()
            .map(|agency| (agency.id, agency.code))
            .collect();
        let mut names: Vec<String> = open
            .iter()
            .filter_map(|row| codes.get(&row.agency_id).cloned())
            .collect();
        names.sort();
        return Err(DomainError::Conflict(
            Message::new("period_not_all_submitted")
                .arg("count", open.len())
                .arg("agencies", names.join(", ")),
        ));
    }
    let not_submitted = open.len();
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let mut scores = Scores::of_many(&txn, &ids).await?;
    let now = Utc::now().trunc_subsecs(6);
    for assessment_row in rows {
        let submitted = assessment_row.status != AssessmentStatus::Open.as_str();
        let total = match submitted {
            true => {
                scores
                    .remove(&assessment_row.id)
                    .unwrap_or_default()
                    .totals(&set)
                    .2
            }
            false => 0.0,
        };
        let rank = set.rank_of(total).map(|rank| rank.code.clone());
        let before = (assessment_row.status.clone(), assessment_row.total);
        let mut active: assessment::ActiveModel = assessment_row.clone().into();
        active.status = Set(AssessmentStatus::Final.as_str().to_owned());
        active.not_submitted = Set(!submitted);
        active.total = Set(Some(total));
        active.rank_code = Set(rank.clone());
        active.revision = Set(assessment_row.revision + 1);
        active.updated_at = Set(now);
        let saved = active.update(&txn).await?;
        audit_assessment(
            &txn,
            actor,
            &saved,
            "assessment.finalize",
            json!({
                "status": [before.0, saved.status],
                "total": [before.1, saved.total],
                "rank": [serde_json::Value::Null, rank],
                "not_submitted": !submitted,
            }),
        )
        .await?;
    }
    let row = advance(
        &txn,
        actor,
        row,
        &[PeriodStatus::SelfAssessment, PeriodStatus::Appraisal],
        PeriodStatus::Final,
        json!({"forced": input.force, "not_submitted": not_submitted}),
    )
    .await?;
    txn.commit().await?;
    view(conn, &row).await
}
