//! What an internal audit finds: findings (a major or minor nonconformity, an observation or an
//! opportunity for improvement, against a clause of ISO 9001:2015, in a unit, about documents)
//! and the answers of its checklist. Both are records under their audit, with attachments.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, DatabaseConnection};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    NewRecord, Record, RecordKind, changeable, clauses, headline, links, open_record, parse_named,
    store, view,
};
use crate::{
    clock::today,
    db::{self, entities::record},
    domain::{Action, Actor, AgencyTree, DomainError, DomainResult, text},
    names::Named,
};

crate::named_enum! {
    /// How serious a finding is.
    pub enum Grade {
        /// Không phù hợp nặng.
        Major,
        /// Không phù hợp nhẹ.
        Minor,
        /// Điểm lưu ý (khuyến nghị).
        Observation,
        /// Cơ hội cải tiến.
        Opportunity,
    }
}

impl Grade {
    /// A nonconformity, which needs a corrective action.
    pub fn is_nonconformity(self) -> bool {
        matches!(self, Self::Major | Self::Minor)
    }
}

/// Where a finding stands: a nonconformity is `open` until the corrective actions raised from
/// it are closed; an observation or opportunity is `noted`.
pub const OPEN: &str = "open";
pub const CLOSED: &str = super::CLOSED;
pub const NOTED: &str = "noted";

/// Whether a grade by its name (`major`, `minor`…) is a nonconformity's.
pub fn is_nonconformity_grade(grade: &str) -> bool {
    Grade::parse(grade).is_some_and(Grade::is_nonconformity)
}

/// Whether a finding record is a nonconformity.
pub(crate) fn is_nonconformity(finding: &record::Model) -> bool {
    finding
        .category
        .as_deref()
        .is_some_and(is_nonconformity_grade)
}

/// `POST /api/v1/audits/{id}/findings`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    /// `major`, `minor`, `observation` or `opportunity`.
    pub grade: String,
    /// The ISO 9001:2015 clause (`8.5.1`).
    pub clause: String,
    pub description: String,
    /// The unit where it was found (the audited agency or one under it).
    #[serde(default)]
    pub unit_id: Option<Uuid>,
    /// Documents it concerns.
    #[serde(default)]
    pub document_ids: Vec<Uuid>,
    /// The objective evidence seen (bằng chứng).
    #[serde(default)]
    pub evidence: Option<String>,
    /// The day it was found (default: today).
    #[serde(default)]
    pub found_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct FindingDetails {
    clause: String,
    description: String,
    evidence: Option<String>,
    unit_id: Option<Uuid>,
    needs_corrective_action: bool,
}

/// Logs a finding of an audit that is not closed (its internal auditors).
pub async fn create_finding(
    conn: &DatabaseConnection,
    actor: &Actor,
    audit_id: Uuid,
    input: NewFinding,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let audit = open_record(
        &txn,
        actor,
        &tree,
        audit_id,
        RecordKind::InternalAudit,
        Action::ConductInternalAudits,
    )
    .await?;
    let grade: Grade = parse_named("grade", &input.grade)?;
    let clause = clauses::check("clause", &input.clause)?;
    let description = text::required("description", &input.description, 20_000)?;
    let evidence = text::optional("evidence", input.evidence.as_deref(), 20_000)?;
    if let Some(unit) = input.unit_id
        && (!tree.contains(unit) || !tree.covers(audit.agency_id, unit))
    {
        return Err(DomainError::NotFound("agency"));
    }
    let documents = links::documents(&input.document_ids);
    links::check(&txn, &tree, audit.agency_id, &documents).await?;
    let row = store::insert(
        &txn,
        actor,
        NewRecord {
            parent_id: Some(audit.id),
            category: Some(grade.as_str().to_owned()),
            ..NewRecord::new(
                RecordKind::Finding,
                audit.agency_id,
                format!("{clause} · {}", headline(&description)),
                if grade.is_nonconformity() {
                    OPEN
                } else {
                    NOTED
                },
                input.found_on.unwrap_or_else(today),
                FindingDetails {
                    clause: clause.to_owned(),
                    description,
                    evidence,
                    unit_id: input.unit_id,
                    needs_corrective_action: grade.is_nonconformity(),
                },
            )
        },
    )
    .await?;
    links::add(&txn, row.id, &documents).await?;
    txn.commit().await?;
    view(conn, row).await
}

crate::named_enum! {
    /// An answer to a checklist question.
    pub enum Answer {
        Conform,
        Nonconform,
        Observation,
        NotApplicable,
    }
}

/// The status of a checklist item not answered yet.
pub const UNANSWERED: &str = "unanswered";

/// `POST /api/v1/audits/{id}/checklist`, `PATCH /api/v1/audits/{id}/checklist/{item_id}`
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistInput {
    /// The question asked (required when adding).
    pub question: Option<String>,
    pub clause: Option<String>,
    pub document_id: Option<Uuid>,
    /// `conform`, `nonconform`, `observation` or `not_applicable`.
    pub answer: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct ChecklistDetails {
    question: String,
    clause: Option<String>,
    document_id: Option<Uuid>,
    note: Option<String>,
}

/// Adds a question to an audit's checklist, answered or not.
pub async fn add_checklist_item(
    conn: &DatabaseConnection,
    actor: &Actor,
    audit_id: Uuid,
    input: ChecklistInput,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let audit = open_record(
        &txn,
        actor,
        &tree,
        audit_id,
        RecordKind::InternalAudit,
        Action::ConductInternalAudits,
    )
    .await?;
    let question = text::required("question", input.question.as_deref().unwrap_or(""), 2_000)?;
    let mut details = ChecklistDetails {
        question,
        ..ChecklistDetails::default()
    };
    let answer = apply_checklist(&txn, &tree, &audit, &mut details, &input).await?;
    let row = store::insert(
        &txn,
        actor,
        NewRecord {
            parent_id: Some(audit.id),
            category: answer.map(|answer| answer.as_str().to_owned()),
            ..NewRecord::new(
                RecordKind::ChecklistItem,
                audit.agency_id,
                headline(&details.question),
                answer.map_or(UNANSWERED, Answer::as_str),
                today(),
                &details,
            )
        },
    )
    .await?;
    txn.commit().await?;
    view(conn, row).await
}

/// Answers or edits a checklist item of an audit that is not closed.
pub async fn update_checklist_item(
    conn: &DatabaseConnection,
    actor: &Actor,
    audit_id: Uuid,
    item_id: Uuid,
    input: ChecklistInput,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let audit = open_record(
        &txn,
        actor,
        &tree,
        audit_id,
        RecordKind::InternalAudit,
        Action::ConductInternalAudits,
    )
    .await?;
    let current = changeable(
        &txn,
        actor,
        &tree,
        item_id,
        Some(RecordKind::ChecklistItem),
        Action::ConductInternalAudits,
    )
    .await?;
    if current.parent_id != Some(audit.id) {
        return Err(DomainError::NotFound(RecordKind::ChecklistItem.what()));
    }
    let mut details: ChecklistDetails = serde_json::from_str(&current.details).unwrap_or_default();
    let mut row: record::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(question) = &input.question {
        details.question = text::required("question", question, 2_000)?;
        row.title = Set(headline(&details.question));
        summary.insert("question".into(), json!(details.question));
    }
    if let Some(answer) = apply_checklist(&txn, &tree, &audit, &mut details, &input).await? {
        summary.insert("answer".into(), json!([current.status, answer.as_str()]));
        row.category = Set(Some(answer.as_str().to_owned()));
        row.status = Set(answer.as_str().to_owned());
    }
    if input.note.is_some() || input.clause.is_some() || input.document_id.is_some() {
        summary.insert("details".into(), json!(true));
    }
    row.details = Set(serde_json::to_value(&details)
        .unwrap_or(Value::Null)
        .to_string());
    let saved = store::save(&txn, actor, &current, row, "update", Value::Object(summary)).await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// Applies the clause, document, note and answer of a checklist input; returns the answer.
async fn apply_checklist(
    db: &impl sea_orm::ConnectionTrait,
    tree: &AgencyTree,
    audit: &record::Model,
    details: &mut ChecklistDetails,
    input: &ChecklistInput,
) -> DomainResult<Option<Answer>> {
    if let Some(clause) = &input.clause {
        details.clause = Some(clauses::check("clause", clause)?.to_owned());
    }
    if let Some(document) = input.document_id {
        links::check(db, tree, audit.agency_id, &links::documents(&[document])).await?;
        details.document_id = Some(document);
    }
    if let Some(note) = &input.note {
        details.note = text::optional("note", Some(note), 20_000)?;
    }
    input
        .answer
        .as_deref()
        .map(|answer| parse_named::<Answer>("answer", answer))
        .transpose()
}
