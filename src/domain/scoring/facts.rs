//! Facts the system knows (`GET /api/v1/assessments/{id}/facts`): per criterion that names a
//! fact in its `facts` field, what `qms-status` says of the period's year, a proposed score and
//! the records that prove it, already found. The ISO officer accepts a proposal (its records
//! are linked as evidence and its score set) or overrides it with a note.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Fact,
    access::{self, Access},
    assessments::{self, Scores},
    evidence::{self, EvidenceTarget},
    sets::Criterion,
};
use crate::{
    clock::today,
    db::entities::record,
    domain::{
        Actor, DomainError, DomainResult,
        records::{
            CLOSED, RecordKind, SIGNED_OFF,
            status::{QmsStatus, year_status},
        },
    },
    i18n::Message,
    names::Named,
};

/// The record type (series `record_type`) of periodic reports.
pub const PERIODIC_REPORT: &str = "periodic_report";
/// Most records a fact proposes as its evidence.
const MAX_EVIDENCE: u64 = 20;

/// What one fact says.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactFinding {
    pub fact: Fact,
    /// Whether the duty is met.
    pub holds: bool,
    /// The figures behind it.
    #[schema(value_type = Object)]
    pub value: Value,
}

/// A record proposed as evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactEvidence {
    pub record_id: Uuid,
    pub kind: String,
    pub number: String,
    pub title: String,
    /// Already linked to the criterion.
    pub linked: bool,
}

/// The proposal for one criterion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactProposal {
    pub criterion_code: String,
    pub criterion_title: String,
    pub findings: Vec<FactFinding>,
    /// The score the facts support.
    pub proposed_score: f64,
    pub evidence: Vec<FactEvidence>,
    /// `pending`, `accepted` or `overridden`.
    pub state: String,
    pub note: Option<String>,
    /// The self score as it stands.
    pub self_score: Option<f64>,
}

/// `{note}` of an override.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    pub note: String,
}

/// The proposals of an assessment the actor may read.
pub async fn proposals(
    db: &impl ConnectionTrait,
    actor: &Actor,
    assessment_id: Uuid,
) -> DomainResult<Vec<FactProposal>> {
    let context = access::context(db, actor, assessment_id, Access::Read).await?;
    let status = year_status(db, context.row.agency_id, context.period.year, today()).await?;
    let evidence = fact_records(db, context.row.agency_id, context.period.year).await?;
    let scores = Scores::load(db, context.row.id).await?;
    let links = evidence::links_of(db, context.row.id).await?;
    let mut proposals = Vec::new();
    for criterion in context.set.leaves() {
        if let Some(proposal) = propose(criterion, &status, &evidence) {
            let linked: Vec<Uuid> = links
                .iter()
                .filter(|link| link.criterion_code == criterion.code)
                .filter_map(|link| link.record_id)
                .collect();
            let score = scores.of(&criterion.code);
            proposals.push(FactProposal {
                evidence: proposal
                    .1
                    .into_iter()
                    .map(|mut item| {
                        item.linked = linked.contains(&item.record_id);
                        item
                    })
                    .collect(),
                criterion_code: criterion.code.clone(),
                criterion_title: criterion.title.clone(),
                findings: proposal.0,
                proposed_score: proposal.2,
                state: score
                    .and_then(|score| score.fact_state.clone())
                    .unwrap_or_else(|| "pending".to_owned()),
                note: score.and_then(|score| score.fact_note.clone()),
                self_score: score.and_then(|score| score.self_score),
            });
        }
    }
    Ok(proposals)
}

/// Accepts the proposal of a criterion: links its records as evidence (those not linked yet)
/// and sets the self score it supports.
pub async fn accept(
    conn: &sea_orm::DatabaseConnection,
    actor: &Actor,
    assessment_id: Uuid,
    code: &str,
) -> DomainResult<FactProposal> {
    let proposal = proposals(conn, actor, assessment_id)
        .await?
        .into_iter()
        .find(|proposal| proposal.criterion_code == code)
        .ok_or(DomainError::NotFound("fact"))?;
    let txn = crate::db::begin_write(conn).await?;
    let context = access::context(&txn, actor, assessment_id, Access::SelfAssess).await?;
    for item in proposal.evidence.iter().filter(|item| !item.linked) {
        evidence::link_in(
            &txn,
            actor,
            &context,
            code,
            EvidenceTarget::Record(item.record_id),
            None,
            None,
            None,
        )
        .await?;
    }
    assessments::write_fact_state(
        &txn,
        actor,
        &context,
        code,
        "accepted",
        None,
        Some(proposal.proposed_score),
    )
    .await?;
    txn.commit().await?;
    proposals(conn, actor, assessment_id)
        .await?
        .into_iter()
        .find(|proposal| proposal.criterion_code == code)
        .ok_or(DomainError::NotFound("fact"))
}

/// Overrides the proposal of a criterion with a note saying why.
pub async fn override_fact(
    conn: &sea_orm::DatabaseConnection,
    actor: &Actor,
    assessment_id: Uuid,
    code: &str,
    input: OverrideInput,
) -> DomainResult<FactProposal> {
    let note = crate::domain::text::required("note", &input.note, 2000)?;
    let has_fact = proposals(conn, actor, assessment_id)
        .await?
        .iter()
        .any(|proposal| proposal.criterion_code == code);
    if !has_fact {
        return Err(DomainError::NotFound("fact"));
    }
    let txn = crate::db::begin_write(conn).await?;
    let context = access::context(&txn, actor, assessment_id, Access::SelfAssess).await?;
    assessments::write_fact_state(&txn, actor, &context, code, "overridden", Some(note), None)
        .await?;
    txn.commit().await?;
    proposals(conn, actor, assessment_id)
        .await?
        .into_iter()
        .find(|proposal| proposal.criterion_code == code)
        .ok_or(DomainError::NotFound("fact"))
}

/// The records that prove each fact, newest first.
async fn fact_records(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
    year: i32,
) -> DomainResult<HashMap<Fact, Vec<FactEvidence>>> {
    let mut found = HashMap::new();
    let queries: [(Fact, RecordKind, &[&str], Option<&str>); 5] = [
        (
            Fact::InternalAuditHeld,
            RecordKind::InternalAudit,
            &["reported", CLOSED],
            None,
        ),
        (
            Fact::ManagementReviewHeld,
            RecordKind::ManagementReview,
            &[SIGNED_OFF],
            None,
        ),
        (
            Fact::CorrectiveActionsOnTime,
            RecordKind::CorrectiveAction,
            &[CLOSED],
            None,
        ),
        (
            Fact::AnnouncementCurrent,
            RecordKind::Announcement,
            &["current"],
            None,
        ),
        (
            Fact::PeriodicReportsSubmitted,
            RecordKind::Record,
            &[],
            Some(PERIODIC_REPORT),
        ),
    ];
    for (fact, kind, statuses, category) in queries {
        let mut query = record::Entity::find()
            .filter(record::Column::AgencyId.eq(agency_id))
            .filter(record::Column::Kind.eq(kind.as_str()));
        // A current announcement proves the fact whatever its year.
        if fact != Fact::AnnouncementCurrent {
            query = query.filter(record::Column::Year.eq(year));
        }
        if !statuses.is_empty() {
            query = query.filter(record::Column::Status.is_in(statuses.iter().copied()));
        }
        if let Some(category) = category {
            query = query.filter(record::Column::Category.eq(category));
        }
        let rows = query
            .order_by_desc(record::Column::OccurredOn)
            .limit(MAX_EVIDENCE)
            .all(db)
            .await?;
        found.insert(
            fact,
            rows.into_iter()
                .map(|row| FactEvidence {
                    record_id: row.id,
                    kind: row.kind,
                    number: row.number,
                    title: row.title,
                    linked: false,
                })
                .collect::<Vec<_>>(),
        );
    }
    Ok(found)
}

/// Rounds points down to a half.
fn halves(points: f64) -> f64 {
    (points * 2.0).floor() / 2.0
}

/// The findings, evidence and proposed score of a criterion that names facts.
fn propose(
    criterion: &Criterion,
    status: &QmsStatus,
    records: &HashMap<Fact, Vec<FactEvidence>>,
) -> Option<(Vec<FactFinding>, Vec<FactEvidence>, f64)> {
    let facts: Vec<Fact> = criterion
        .facts
        .iter()
        .filter_map(|fact| Fact::parse(fact))
        .filter(|fact| *fact != Fact::LateSubmission)
        .collect();
    if facts.is_empty() {
        return None;
    }
    let max = criterion.max_points;
    let mut findings = Vec::new();
    let mut evidence: Vec<FactEvidence> = Vec::new();
    let mut proposed = max;
    for fact in facts {
        let proof = records.get(&fact).cloned().unwrap_or_default();
        let (holds, value, score) = match fact {
            Fact::InternalAuditHeld => (
                status.internal_audit_held,
                json!({"audits": status.internal_audits, "findings": status.findings_by_grade}),
                if status.internal_audit_held { max } else { 0.0 },
            ),
            Fact::ManagementReviewHeld => (
                status.management_review_held,
                json!({"signed_off": proof.len()}),
                if status.management_review_held {
                    max
                } else {
                    0.0
                },
            ),
            Fact::AnnouncementCurrent => (
                status.announcement_current,
                json!({"current": status.announcement_current}),
                if status.announcement_current {
                    max
                } else {
                    0.0
                },
            ),
            Fact::CorrectiveActionsOnTime => {
                let figures = &status.corrective_actions;
                let share = match figures.closed + figures.open {
                    0 => 1.0,
                    raised => figures.closed_on_time as f64 / raised as f64,
                };
                (
                    figures.overdue == 0 && figures.closed == figures.closed_on_time,
                    serde_json::to_value(figures).unwrap_or_default(),
                    halves(max * share),
                )
            }
            Fact::LegalUpdatesOverdue => {
                let figures = &status.legal_updates;
                let share = match figures.pending {
                    0 => 1.0,
                    pending => 1.0 - figures.overdue as f64 / pending as f64,
                };
                (
                    figures.overdue == 0,
                    serde_json::to_value(figures).unwrap_or_default(),
                    halves(max * share),
                )
            }
            Fact::AcknowledgementCoverage => {
                let coverage = status.acknowledgement_coverage;
                (
                    coverage.is_some_and(|share| share >= 1.0),
                    json!({"coverage": coverage}),
                    halves(max * coverage.unwrap_or(0.0)),
                )
            }
            Fact::PeriodicReportsSubmitted => (
                proof.len() >= 2,
                json!({"reports": proof.len()}),
                match proof.len() {
                    0 => 0.0,
                    1 => halves(max / 2.0),
                    _ => max,
                },
            ),
            Fact::LateSubmission => continue,
        };
        proposed = proposed.min(score);
        findings.push(FactFinding { fact, holds, value });
        for item in proof {
            if !evidence
                .iter()
                .any(|known| known.record_id == item.record_id)
            {
                evidence.push(item);
            }
        }
    }
    Some((findings, evidence, proposed.max(0.0)))
}

/// The message of a fact for people (used in notes the system writes).
pub fn late_note(days: i64) -> Message {
    Message::new("assessment_late_note").arg("days", days)
}
