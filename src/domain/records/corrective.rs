//! Corrective actions (ISO 9001 10.2, phiếu yêu cầu hành động khắc phục): where the
//! nonconformity came from, what it was, its immediate correction and root cause, actions each
//! with an owner and a due day, and a verification of effectiveness by someone who owns none of
//! them. `open` → `in_progress` (actions planned) → `awaiting_verification` (every action done)
//! → `closed`, or back to `in_progress` when the check finds it not effective.

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    NewRecord, Record, RecordKind,
    actions::{self, NewStep},
    audits, check_transition, ensure_open, finals, findings, not_before, open_record, parse_named,
    readable, store, view,
};
use crate::{
    clock::today,
    db::{self, entities::record},
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, concurrency::ExpectedRevision, text,
    },
    i18n::Message,
    names::Named,
};

pub const OPEN: &str = "open";
pub const IN_PROGRESS: &str = "in_progress";
pub const AWAITING_VERIFICATION: &str = "awaiting_verification";
pub const CLOSED: &str = super::CLOSED;

crate::named_enum! {
    /// Where a nonconformity came from.
    pub enum Source {
        InternalAudit,
        Inspection,
        Complaint,
        ManagementReview,
        Objective,
        Other,
    }
}

impl Source {
    /// The kind of record a corrective action of this source may be raised from.
    fn record_kind(self) -> Option<RecordKind> {
        match self {
            Self::InternalAudit => Some(RecordKind::Finding),
            Self::Inspection => Some(RecordKind::InspectionMinutes),
            Self::Complaint => Some(RecordKind::Complaint),
            Self::ManagementReview => Some(RecordKind::ManagementReview),
            Self::Objective => Some(RecordKind::QualityObjective),
            Self::Other => None,
        }
    }
}

crate::named_enum! {
    /// How the root cause was found.
    pub enum RootCauseMethod {
        FiveWhys,
        Fishbone,
        Other,
    }
}

/// `POST /api/v1/corrective-actions`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCorrectiveAction {
    /// Agency id or code.
    pub agency_id: String,
    /// `internal_audit`, `inspection`, `complaint`, `management_review`, `objective`, `other`.
    pub source: String,
    /// The finding, for the source `internal_audit` (required then).
    #[serde(default)]
    pub finding_id: Option<Uuid>,
    /// The record it comes from for the other sources: inspection minutes, a complaint, a
    /// management review, a quality objective.
    #[serde(default)]
    pub source_record_id: Option<Uuid>,
    /// The day the nonconformity was found (default: the finding's audit day, else today).
    #[serde(default)]
    pub found_on: Option<NaiveDate>,
    pub nonconformity: String,
    #[serde(default)]
    pub immediate_correction: Option<String>,
    #[serde(default)]
    pub root_cause: Option<String>,
    /// `five_whys`, `fishbone` or `other`.
    #[serde(default)]
    pub root_cause_method: Option<String>,
    /// The request's number; the next `HDKP-YYYY-NNN` when absent.
    #[serde(default)]
    pub number: Option<String>,
    /// The day by which the agency reports on it (an inspection's report, two months on).
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

/// `PATCH /api/v1/corrective-actions/{id}`
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectiveChanges {
    pub nonconformity: Option<String>,
    pub immediate_correction: Option<String>,
    pub root_cause: Option<String>,
    pub root_cause_method: Option<String>,
}

/// `POST /api/v1/corrective-actions/{id}/actions`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    pub description: String,
    pub owner_id: Uuid,
    pub due_on: NaiveDate,
}

/// `POST …/actions/{action_id}/complete`
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteAction {
    /// What was done, the evidence (attach files to the corrective action).
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /api/v1/corrective-actions/{id}/verify`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// Whether the actions removed the cause (closes it) or not (back to `in_progress`).
    pub effective: bool,
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct CorrectiveDetails {
    nonconformity: String,
    immediate_correction: Option<String>,
    root_cause: Option<String>,
    root_cause_method: Option<String>,
    #[serde(default)]
    verifications: Vec<VerificationEntry>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
struct VerificationEntry {
    by: Option<Uuid>,
    by_name: String,
    on: NaiveDate,
    effective: bool,
    note: String,
}

/// Raises a corrective action: the agency's ISO officers, or its internal auditors from a
/// finding.
pub async fn create(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewCorrectiveAction,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let row = insert(&txn, actor, input).await?;
    txn.commit().await?;
    view(conn, row).await
}

/// [`create`] inside the caller's transaction (an inspection's issues, a review's decision).
pub(crate) async fn insert(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    input: NewCorrectiveAction,
) -> DomainResult<record::Model> {
    let tree = AgencyTree::load(txn).await?;
    let source: Source = parse_named("source", &input.source)?;
    let action = if source == Source::InternalAudit
        && actor.has_role(crate::domain::Role::InternalAuditor)
    {
        Action::ConductInternalAudits
    } else {
        Action::ManageRecords
    };
    let agency =
        super::parties::target_agency(txn, actor, &tree, "agency_id", &input.agency_id, action)
            .await?;
    let nonconformity = text::required("nonconformity", &input.nonconformity, 20_000)?;
    let raised_from = match (source, input.finding_id, input.source_record_id) {
        (Source::InternalAudit, Some(finding), None) => Some(finding),
        (Source::InternalAudit, None, _) => {
            return Err(DomainError::invalid(
                "finding_id",
                Message::new("finding_required"),
            ));
        }
        (Source::InternalAudit, Some(_), Some(_)) => {
            return Err(DomainError::invalid(
                "source_record_id",
                Message::new("audit_source_is_finding"),
            ));
        }
        (_, Some(_), _) => {
            return Err(DomainError::invalid(
                "finding_id",
                Message::new("finding_only_for_audits"),
            ));
        }
        (Source::Other, None, Some(_)) => {
            return Err(DomainError::invalid(
                "source_record_id",
                Message::new("source_record_not_for_other"),
            ));
        }
        (_, None, record) => record,
    };
    let mut found_on = input.found_on;
    if let (Some(id), Some(kind)) = (raised_from, source.record_kind()) {
        let origin = readable(txn, actor, &tree, id, Some(kind)).await?;
        if origin.agency_id != agency.id {
            return Err(DomainError::NotFound(kind.what()));
        }
        if kind == RecordKind::Finding && found_on.is_none() {
            found_on = Some(match origin.parent_id {
                Some(audit) => {
                    let audit = readable(txn, actor, &tree, audit, None).await?;
                    audits::audit_day(&audit)
                }
                None => origin.occurred_on,
            });
        }
    }
    let found_on = found_on.unwrap_or_else(today);
    if let Some(due) = input.due_on {
        not_before("due_on", due, "found_on", found_on)?;
    }
    let details = CorrectiveDetails {
        immediate_correction: text::optional(
            "immediate_correction",
            input.immediate_correction.as_deref(),
            20_000,
        )?,
        root_cause: text::optional("root_cause", input.root_cause.as_deref(), 20_000)?,
        root_cause_method: input
            .root_cause_method
            .as_deref()
            .map(|method| parse_named::<RootCauseMethod>("root_cause_method", method))
            .transpose()?
            .map(|method| method.as_str().to_owned()),
        verifications: Vec::new(),
        nonconformity,
    };
    insert_row(
        txn,
        actor,
        NewRecord {
            source_id: raised_from,
            number: input.number,
            due_on: input.due_on,
            ..NewRecord::new(
                RecordKind::CorrectiveAction,
                agency.id,
                String::new(),
                OPEN,
                found_on,
                Value::Null,
            )
        },
        source,
        details,
    )
    .await
}

/// Opens the corrective action an inspection's issue calls for, in the inspected agency: found
/// on the minutes' day, its report due on `due_on` (the caller ran the inspection).
pub(crate) async fn raise_from_inspection(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    minutes: &record::Model,
    issue: String,
    due_on: NaiveDate,
) -> DomainResult<record::Model> {
    insert_row(
        txn,
        actor,
        NewRecord {
            source_id: Some(minutes.id),
            due_on: Some(due_on),
            ..NewRecord::new(
                RecordKind::CorrectiveAction,
                minutes.agency_id,
                String::new(),
                OPEN,
                minutes.occurred_on,
                Value::Null,
            )
        },
        Source::Inspection,
        CorrectiveDetails {
            nonconformity: issue,
            ..CorrectiveDetails::default()
        },
    )
    .await
}

/// Stores a corrective action of `source` with its analysis.
async fn insert_row(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    new: NewRecord,
    source: Source,
    details: CorrectiveDetails,
) -> DomainResult<record::Model> {
    store::insert(
        txn,
        actor,
        NewRecord {
            title: super::headline(&details.nonconformity),
            category: Some(source.as_str().to_owned()),
            details: serde_json::to_value(&details).unwrap_or(Value::Null),
            ..new
        },
    )
    .await
}

/// A corrective action the actor may change (ISO officers), not closed.
async fn open_action(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
) -> DomainResult<record::Model> {
    open_record(
        db,
        actor,
        tree,
        id,
        RecordKind::CorrectiveAction,
        Action::ManageRecords,
    )
    .await
}

/// Changes the analysis of a corrective action that is not closed.
pub async fn update(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected: ExpectedRevision,
    changes: CorrectiveChanges,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = open_action(&txn, actor, &tree, id).await?;
    expected.check(current.revision)?;
    let mut details: CorrectiveDetails = serde_json::from_str(&current.details).unwrap_or_default();
    let mut row: record::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(nonconformity) = &changes.nonconformity {
        details.nonconformity = text::required("nonconformity", nonconformity, 20_000)?;
        row.title = Set(super::headline(&details.nonconformity));
        summary.insert("nonconformity".into(), json!(details.nonconformity));
    }
    if let Some(correction) = &changes.immediate_correction {
        details.immediate_correction =
            text::optional("immediate_correction", Some(correction), 20_000)?;
        summary.insert(
            "immediate_correction".into(),
            json!(details.immediate_correction),
        );
    }
    if let Some(cause) = &changes.root_cause {
        details.root_cause = text::optional("root_cause", Some(cause), 20_000)?;
        summary.insert("root_cause".into(), json!(details.root_cause));
    }
    if let Some(method) = &changes.root_cause_method {
        let method: RootCauseMethod = parse_named("root_cause_method", method)?;
        details.root_cause_method = Some(method.as_str().to_owned());
        summary.insert("root_cause_method".into(), json!(method.as_str()));
    }
    if summary.is_empty() {
        txn.rollback().await?;
        return view(conn, current).await;
    }
    row.details = Set(serde_json::to_value(&details)
        .unwrap_or(Value::Null)
        .to_string());
    let saved = store::save(&txn, actor, &current, row, "update", Value::Object(summary)).await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// Plans an action: its owner must be one of the agency's people, its due day no earlier than
/// the day the nonconformity was found. The corrective action is then in progress.
pub async fn add_action(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: NewAction,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = open_action(&txn, actor, &tree, id).await?;
    let action = actions::add(
        &txn,
        actor,
        &tree,
        &current,
        NewStep {
            category: None,
            description: input.description,
            owner_id: Some(input.owner_id),
            due_on: Some(input.due_on),
        },
        ("found_on", current.occurred_on),
    )
    .await?;
    let mut row: record::ActiveModel = current.clone().into();
    row.status = Set(IN_PROGRESS.to_owned());
    let saved = store::save(
        &txn,
        actor,
        &current,
        row,
        "action_add",
        json!({
            "action_id": action.id,
            "description": action.description,
            "owner_id": input.owner_id,
            "due_on": input.due_on,
            "status": [current.status, IN_PROGRESS],
        }),
    )
    .await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// Marks an action done: its owner, or the agency's ISO officers. When every action is done,
/// the corrective action awaits verification.
pub async fn complete_action(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    action_id: Uuid,
    input: CompleteAction,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = readable(&txn, actor, &tree, id, Some(RecordKind::CorrectiveAction)).await?;
    ensure_open(&current, finals(RecordKind::CorrectiveAction))?;
    let (done, open_left) = actions::complete(
        &txn,
        actor,
        &tree,
        &current,
        action_id,
        input.note.as_deref(),
    )
    .await?;
    let mut row: record::ActiveModel = current.clone().into();
    let mut summary = json!({"action_id": action_id, "note": done.done_note});
    if open_left == 0 {
        row.status = Set(AWAITING_VERIFICATION.to_owned());
        summary["status"] = json!([current.status, AWAITING_VERIFICATION]);
    }
    let saved = store::save(&txn, actor, &current, row, "action_complete", summary).await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// Records the verification of effectiveness: by an internal auditor or ISO officer of the
/// agency who owns none of its actions (422 otherwise). Effective closes it (and its finding,
/// once all the finding's corrective actions are closed); not effective sends it back to
/// `in_progress` for further actions.
pub async fn verify(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: Verification,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = readable(&txn, actor, &tree, id, Some(RecordKind::CorrectiveAction)).await?;
    if !actor.can(
        Action::ConductInternalAudits,
        Some(current.agency_id),
        &tree,
    ) && !actor.can(Action::ManageRecords, Some(current.agency_id), &tree)
    {
        return Err(DomainError::Forbidden);
    }
    ensure_open(&current, finals(RecordKind::CorrectiveAction))?;
    let to = if input.effective { CLOSED } else { IN_PROGRESS };
    check_transition(
        &current,
        to,
        &[
            (AWAITING_VERIFICATION, CLOSED),
            (AWAITING_VERIFICATION, IN_PROGRESS),
        ],
    )?;
    let owns = actions::owns_any(&txn, id, actor.user_id).await?;
    if owns || actor.user_id.is_none() {
        return Err(DomainError::RuleViolated(Message::new(
            "verifier_owns_action",
        )));
    }
    let note = text::required("note", &input.note, 20_000)?;
    let mut details: CorrectiveDetails = serde_json::from_str(&current.details).unwrap_or_default();
    details.verifications.push(VerificationEntry {
        by: actor.user_id,
        by_name: actor.name.clone(),
        on: today(),
        effective: input.effective,
        note: note.clone(),
    });
    let mut row: record::ActiveModel = current.clone().into();
    row.status = Set(to.to_owned());
    if input.effective {
        row.closed_on = Set(Some(today()));
    }
    row.details = Set(serde_json::to_value(&details)
        .unwrap_or(Value::Null)
        .to_string());
    let saved = store::save(
        &txn,
        actor,
        &current,
        row,
        "verify",
        json!({"effective": input.effective, "note": note, "status": [current.status, to]}),
    )
    .await?;
    if input.effective {
        close_finding_when_done(&txn, actor, &saved).await?;
    }
    txn.commit().await?;
    view(conn, saved).await
}

/// A nonconformity is closed once every corrective action raised from it is.
async fn close_finding_when_done(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    action: &record::Model,
) -> DomainResult<()> {
    let Some(source) = action.source_id else {
        return Ok(());
    };
    let Some(finding) = record::Entity::find_by_id(source)
        .one(txn)
        .await?
        .filter(|finding| finding.kind == RecordKind::Finding.as_str())
    else {
        return Ok(());
    };
    let still_open = record::Entity::find()
        .filter(record::Column::Kind.eq(RecordKind::CorrectiveAction.as_str()))
        .filter(record::Column::SourceId.eq(finding.id))
        .filter(record::Column::Status.ne(CLOSED))
        .count(txn)
        .await?;
    if still_open == 0 && finding.status == findings::OPEN {
        let mut row: record::ActiveModel = finding.clone().into();
        row.status = Set(findings::CLOSED.to_owned());
        row.closed_on = Set(Some(today()));
        store::save(
            txn,
            actor,
            &finding,
            row,
            "close",
            json!({"status": [findings::OPEN, findings::CLOSED], "corrective_action": action.id}),
        )
        .await?;
    }
    Ok(())
}
