//! Submitting an assessment (with the late deduction) and reopening it.

use chrono::{SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    AssessmentStatus,
    access::{Access, audit_assessment, audit_criterion, context},
    assessments::{Assessment, Scores, view, write_score},
};
use crate::{
    clock::today,
    db::{self, entities::assessment},
    domain::{Actor, DomainError, DomainResult, text},
    i18n::{Lang, Message},
    names::Named,
};

/// Submits an assessment (the ISO officer or the head): every scorable criterion must have a
/// score; a submission after the deadline takes the set's late deduction.
pub async fn submit(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<Assessment> {
    let txn = db::begin_write(conn).await?;
    let mut context = context(&txn, actor, id, Access::Submit).await?;
    let scores = Scores::load(&txn, context.row.id).await?;
    let late_criterion = context.set.late_submission().cloned();
    let missing: Vec<String> = context
        .set
        .leaves()
        .filter(|leaf| !leaf.deduction)
        .filter(|leaf| scores.of(&leaf.code).and_then(|s| s.self_score).is_none())
        .map(|leaf| leaf.code.clone())
        .collect();
    if !missing.is_empty() {
        return Err(DomainError::RuleViolated(
            Message::new("assessment_unscored")
                .arg("count", missing.len())
                .arg("codes", missing.join(", ")),
        ));
    }
    let late_days = (today() - context.period.self_assessment_due)
        .num_days()
        .max(0);
    if let Some(criterion) = late_criterion {
        let deduction = match (late_days, criterion.points_per_day) {
            (0, _) => 0.0,
            (days, Some(per_day)) => (-(per_day * days as f64)).max(criterion.min_points),
            (_, None) => criterion.min_points,
        };
        let note = match late_days {
            0 => None,
            days => Some(
                Message::new("assessment_late_note")
                    .arg("days", days)
                    .render(Lang::Vi),
            ),
        };
        let (before, after) = write_score(&txn, actor, &context, &criterion.code, |row| {
            row.self_score = Set(Some(deduction));
            row.note = Set(note.clone());
        })
        .await?;
        audit_criterion(
            &txn,
            actor,
            &context,
            &criterion.code,
            "assessment.late_deduction",
            json!({
                "criterion": criterion.code,
                "late_days": late_days,
                "score": [before.and_then(|b| b.self_score), after.self_score],
            }),
        )
        .await?;
    }
    let now = Utc::now().trunc_subsecs(6);
    let before = context.row.clone();
    let mut row: assessment::ActiveModel = context.row.clone().into();
    row.status = Set(AssessmentStatus::Submitted.as_str().to_owned());
    row.submitted_at = Set(Some(now));
    row.submitted_by = Set(actor.user_id);
    row.late_days = Set(Some(late_days as i32));
    row.revision = Set(before.revision + 1);
    row.updated_at = Set(now);
    context.row = row.update(&txn).await?;
    audit_assessment(
        &txn,
        actor,
        &context.row,
        "assessment.submit",
        json!({
            "status": [before.status, context.row.status],
            "late_days": late_days,
        }),
    )
    .await?;
    txn.commit().await?;
    view(conn, &context).await
}

/// `{reason}` of a reopening.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenInput {
    pub reason: String,
}

/// Reopens a submitted assessment (the coordinator), with a reason: the agency may change it
/// and submit again.
pub async fn reopen(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: ReopenInput,
) -> DomainResult<Assessment> {
    let reason = text::required("reason", &input.reason, 2000)?;
    let txn = db::begin_write(conn).await?;
    let mut context = context(&txn, actor, id, Access::Coordinate).await?;
    if context.status() != AssessmentStatus::Submitted || !context.period_status().is_running() {
        return Err(DomainError::Conflict(
            Message::new("assessment_not_submitted").arg("status", context.row.status.as_str()),
        ));
    }
    let before = context.row.clone();
    let mut row: assessment::ActiveModel = context.row.clone().into();
    row.status = Set(AssessmentStatus::Open.as_str().to_owned());
    row.revision = Set(before.revision + 1);
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    context.row = row.update(&txn).await?;
    audit_assessment(
        &txn,
        actor,
        &context.row,
        "assessment.reopen",
        json!({"status": [before.status, context.row.status], "reason": reason}),
    )
    .await?;
    txn.commit().await?;
    view(conn, &context).await
}
