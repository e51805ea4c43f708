//! Internal audits (ISO 9001 9.2): the programme of an agency's year is its audits, each with a
//! scope (units, documents, processes, clauses), planned and actual days, a lead auditor and a
//! team of internal auditors who hold no other role in the units they audit, a report, a
//! checklist and findings (`findings`). `planned` → `in_progress` → `reported` → `closed`; an
//! audit closes only when every corrective action raised from its nonconformities is closed.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    NewRecord, Record, RecordKind, changeable, check_transition, clauses, ensure_open, finals,
    links, not_before, store, view,
};
use crate::{
    clock::today,
    db::{self, entities::record},
    domain::{
        Actor, AgencyTree, DomainError, DomainResult, Grant, Role, concurrency::ExpectedRevision,
        text,
    },
    i18n::Message,
    names::Named,
};

crate::named_enum! {
    /// Where an internal audit stands.
    pub enum AuditStatus {
        Planned,
        InProgress,
        Reported,
        Closed,
    }
}

/// The moves an audit's status may make.
const TRANSITIONS: &[(&str, &str)] = &[
    ("planned", "in_progress"),
    ("in_progress", "reported"),
    ("reported", "closed"),
    // A report sent back for more work.
    ("reported", "in_progress"),
];

/// What an audit covers.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditScope {
    /// The units audited: the agency or agencies under it (by id).
    #[serde(default)]
    pub units: Vec<Uuid>,
    /// Documents (procedures) audited.
    #[serde(default)]
    pub document_ids: Vec<Uuid>,
    /// Processes audited, in words.
    #[serde(default)]
    pub processes: Vec<String>,
    /// ISO 9001:2015 clauses audited (`7.5`, `8.5.1`…).
    #[serde(default)]
    pub clauses: Vec<String>,
}

/// `POST /api/v1/audits`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAudit {
    /// Agency id or code.
    pub agency_id: String,
    pub title: String,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    #[serde(default)]
    pub scope: AuditScope,
    pub lead_auditor_id: Uuid,
    #[serde(default)]
    pub team_ids: Vec<Uuid>,
    /// The audit's number; the next `DGNB-YYYY-NNN` when absent.
    #[serde(default)]
    pub number: Option<String>,
}

/// `PATCH /api/v1/audits/{id}`: any of these; `status` moves the audit along.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditChanges {
    pub title: Option<String>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub scope: Option<AuditScope>,
    pub lead_auditor_id: Option<Uuid>,
    pub team_ids: Option<Vec<Uuid>>,
    /// The audit report's text (its signed copy is an attachment).
    pub report: Option<String>,
    /// `in_progress`, `reported` or `closed`, as the audit's moves allow.
    pub status: Option<String>,
}

/// The fields of an audit kept in `details`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct AuditDetails {
    scope: AuditScope,
    lead_auditor_id: Option<Uuid>,
    #[serde(default)]
    team_ids: Vec<Uuid>,
    planned_end: Option<NaiveDate>,
    actual_start: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
    report: Option<String>,
}

/// Plans an internal audit (an internal auditor of the agency).
pub async fn create_audit(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewAudit,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let agency = super::parties::target_agency(
        &txn,
        actor,
        &tree,
        "agency_id",
        &input.agency_id,
        RecordKind::InternalAudit.editor(),
    )
    .await?;
    let title = text::required("title", &input.title, 500)?;
    not_before(
        "planned_end",
        input.planned_end,
        "planned_start",
        input.planned_start,
    )?;
    let scope = check_scope(&txn, &tree, agency.id, input.scope).await?;
    let team = team_of(input.lead_auditor_id, &input.team_ids);
    check_team(&txn, &tree, agency.id, &scope, &team).await?;
    let details = AuditDetails {
        scope,
        lead_auditor_id: Some(input.lead_auditor_id),
        team_ids: team.into_iter().skip(1).collect(),
        planned_end: Some(input.planned_end),
        ..AuditDetails::default()
    };
    let row = store::insert(
        &txn,
        actor,
        NewRecord {
            number: input.number,
            ..NewRecord::new(
                RecordKind::InternalAudit,
                agency.id,
                title,
                AuditStatus::Planned.as_str(),
                input.planned_start,
                &details,
            )
        },
    )
    .await?;
    links::add(&txn, row.id, &links::documents(&details.scope.document_ids)).await?;
    txn.commit().await?;
    view(conn, row).await
}

/// Changes an audit; `expected` is the revision (ETag) the caller read.
pub async fn update_audit(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected: ExpectedRevision,
    changes: AuditChanges,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = changeable(
        &txn,
        actor,
        &tree,
        id,
        Some(RecordKind::InternalAudit),
        RecordKind::InternalAudit.editor(),
    )
    .await?;
    expected.check(current.revision)?;
    ensure_open(&current, finals(RecordKind::InternalAudit))?;
    let mut details: AuditDetails = serde_json::from_str(&current.details).unwrap_or_default();
    let mut row: record::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(title) = changes.title {
        let title = text::required("title", &title, 500)?;
        if title != current.title {
            summary.insert("title".into(), json!([current.title, title]));
            row.title = Set(title);
        }
    }
    let start = changes.planned_start.unwrap_or(current.occurred_on);
    if changes
        .planned_start
        .is_some_and(|day| day != current.occurred_on)
    {
        summary.insert("planned_start".into(), json!([current.occurred_on, start]));
        row.occurred_on = Set(start);
        row.year = Set(chrono::Datelike::year(&start));
    }
    if let Some(end) = changes.planned_end {
        summary.insert("planned_end".into(), json!([details.planned_end, end]));
        details.planned_end = Some(end);
    }
    if let Some(end) = details.planned_end {
        not_before("planned_end", end, "planned_start", start)?;
    }
    if let Some(day) = changes.actual_start {
        summary.insert("actual_start".into(), json!([details.actual_start, day]));
        details.actual_start = Some(day);
    }
    if let Some(day) = changes.actual_end {
        summary.insert("actual_end".into(), json!([details.actual_end, day]));
        details.actual_end = Some(day);
    }
    if let (Some(start), Some(end)) = (details.actual_start, details.actual_end) {
        not_before("actual_end", end, "actual_start", start)?;
    }
    if let Some(scope) = changes.scope {
        let scope = check_scope(&txn, &tree, current.agency_id, scope).await?;
        links::replace(&txn, id, "document", &links::documents(&scope.document_ids)).await?;
        summary.insert("scope".into(), json!(scope));
        details.scope = scope;
    }
    if changes.lead_auditor_id.is_some() || changes.team_ids.is_some() {
        let lead = changes
            .lead_auditor_id
            .or(details.lead_auditor_id)
            .ok_or_else(|| {
                DomainError::invalid("lead_auditor_id", Message::new("must_not_be_empty"))
            })?;
        let team = changes.team_ids.unwrap_or_else(|| details.team_ids.clone());
        let team = team_of(lead, &team);
        summary.insert("team".into(), json!(team));
        details.lead_auditor_id = Some(lead);
        details.team_ids = team.into_iter().skip(1).collect();
    }
    // The team is checked against the scope as it now stands, whichever of the two changed.
    let team = team_of(
        details.lead_auditor_id.unwrap_or_default(),
        &details.team_ids,
    );
    check_team(&txn, &tree, current.agency_id, &details.scope, &team).await?;
    if let Some(report) = changes.report {
        let report = text::optional("report", Some(&report), 100_000)?;
        summary.insert("report".into(), json!(report.is_some()));
        details.report = report;
    }
    if let Some(status) = changes.status.as_deref() {
        let status: AuditStatus = super::parse_named("status", status)?;
        if status.as_str() != current.status {
            check_transition(&current, status.as_str(), TRANSITIONS)?;
            match status {
                AuditStatus::InProgress => {
                    details.actual_start.get_or_insert_with(today);
                }
                AuditStatus::Reported => {
                    if details.report.is_none() {
                        return Err(DomainError::RuleViolated(Message::new(
                            "audit_report_required",
                        )));
                    }
                    details.actual_end.get_or_insert_with(today);
                }
                AuditStatus::Closed => {
                    ensure_nonconformities_closed(&txn, &current).await?;
                    row.closed_on = Set(Some(today()));
                }
                AuditStatus::Planned => {}
            }
            summary.insert("status".into(), json!([current.status, status.as_str()]));
            row.status = Set(status.as_str().to_owned());
        }
    }
    if summary.is_empty() {
        txn.rollback().await?;
        return view(conn, current).await;
    }
    row.details = Set(to_value(&details).to_string());
    let saved = store::save(&txn, actor, &current, row, "update", Value::Object(summary)).await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// The day an audit took place for what follows from it: its actual start, else its planned
/// start.
pub(crate) fn audit_day(audit: &record::Model) -> NaiveDate {
    serde_json::from_str::<AuditDetails>(&audit.details)
        .ok()
        .and_then(|details| details.actual_start)
        .unwrap_or(audit.occurred_on)
}

/// Refuses to close an audit while one of its nonconformities has no corrective action, or one
/// that is not closed: 409 naming them.
async fn ensure_nonconformities_closed(
    db: &impl sea_orm::ConnectionTrait,
    audit: &record::Model,
) -> DomainResult<()> {
    let findings = record::Entity::find()
        .filter(record::Column::ParentId.eq(audit.id))
        .filter(record::Column::Kind.eq(RecordKind::Finding.as_str()))
        .all(db)
        .await?;
    let nonconformities: Vec<&record::Model> = findings
        .iter()
        .filter(|finding| super::findings::is_nonconformity(finding))
        .collect();
    if nonconformities.is_empty() {
        return Ok(());
    }
    let actions = record::Entity::find()
        .filter(record::Column::Kind.eq(RecordKind::CorrectiveAction.as_str()))
        .filter(record::Column::SourceId.is_in(nonconformities.iter().map(|finding| finding.id)))
        .all(db)
        .await?;
    let mut by_finding: HashMap<Uuid, Vec<&record::Model>> = HashMap::new();
    for action in &actions {
        if let Some(source) = action.source_id {
            by_finding.entry(source).or_default().push(action);
        }
    }
    let open: Vec<&str> = nonconformities
        .iter()
        .filter(|finding| {
            by_finding
                .get(&finding.id)
                .is_none_or(|raised| raised.iter().any(|action| action.status != super::CLOSED))
        })
        .map(|finding| finding.number.as_str())
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Conflict(
            Message::new("audit_nonconformities_open").arg("findings", open.join(", ")),
        ))
    }
}

/// The lead auditor first, then the team, each once.
fn team_of(lead: Uuid, team: &[Uuid]) -> Vec<Uuid> {
    let mut seen = BTreeSet::new();
    std::iter::once(lead)
        .chain(team.iter().copied())
        .filter(|id| seen.insert(*id))
        .collect()
}

/// The scope's units must be the agency or agencies under it; its documents the agency's; its
/// clauses the standard's (normalised); its processes short texts.
async fn check_scope(
    db: &impl sea_orm::ConnectionTrait,
    tree: &AgencyTree,
    agency: Uuid,
    scope: AuditScope,
) -> DomainResult<AuditScope> {
    let mut units = Vec::new();
    for unit in scope.units {
        if !tree.contains(unit) || !tree.covers(agency, unit) {
            return Err(DomainError::NotFound("agency"));
        }
        if !units.contains(&unit) {
            units.push(unit);
        }
    }
    let mut documents = scope.document_ids;
    documents.sort_unstable();
    documents.dedup();
    links::check(db, tree, agency, &links::documents(&documents)).await?;
    let mut clauses_checked = Vec::new();
    for clause in &scope.clauses {
        let clause = clauses::check("scope.clauses", clause)?;
        if !clauses_checked.contains(&clause.to_owned()) {
            clauses_checked.push(clause.to_owned());
        }
    }
    if scope.processes.len() > 100 {
        return Err(DomainError::invalid(
            "scope.processes",
            Message::new("too_many").arg("max", 100),
        ));
    }
    let mut processes = Vec::new();
    for process in &scope.processes {
        processes.push(text::required("scope.processes", process, 300)?);
    }
    Ok(AuditScope {
        units,
        document_ids: documents,
        processes,
        clauses: clauses_checked,
    })
}

/// Every member of the team is an internal auditor of the agency (422 otherwise), and none
/// holds another role in a unit audited (422: auditors do not audit their own work). A role
/// held over a unit, or an agency inside it, is a role "in" it; one held over the whole
/// province or a parent agency is not.
async fn check_team(
    db: &impl sea_orm::ConnectionTrait,
    tree: &AgencyTree,
    agency: Uuid,
    scope: &AuditScope,
    team: &[Uuid],
) -> DomainResult<()> {
    if team.len() > 50 {
        return Err(DomainError::invalid(
            "team_ids",
            Message::new("too_many").arg("max", 50),
        ));
    }
    let people = super::parties::agency_people(db, tree, agency, team).await?;
    let units: Vec<Uuid> = if scope.units.is_empty() {
        vec![agency]
    } else {
        scope.units.clone()
    };
    for member in team {
        let grants: &[Grant] = people.get(member).map_or(&[], Vec::as_slice);
        let auditor = grants.iter().any(|grant| {
            grant.role == Role::InternalAuditor
                && grant.agency_id.is_none_or(|root| tree.covers(root, agency))
        });
        if !auditor {
            return Err(DomainError::RuleViolated(
                Message::new("not_an_internal_auditor").arg("user", member.to_string()),
            ));
        }
        let conflict = grants.iter().find_map(|grant| {
            let held = grant.agency_id?;
            if grant.role == Role::InternalAuditor {
                return None;
            }
            units
                .iter()
                .find(|unit| tree.covers(**unit, held))
                .map(|_| grant.role)
        });
        if let Some(role) = conflict {
            return Err(DomainError::RuleViolated(
                Message::new("auditor_not_independent")
                    .arg("user", member.to_string())
                    .arg("role", role.as_str()),
            ));
        }
    }
    Ok(())
}

/// The audits' details as stored.
fn to_value(details: &AuditDetails) -> Value {
    serde_json::to_value(details).unwrap_or(Value::Null)
}
