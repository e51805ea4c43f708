//! Everything due or overdue in the caller's agencies (`GET /api/v1/deadlines`): actions of
//! corrective actions and of management review decisions, corrective-action reports due after an
//! inspection, periodic document reviews and legal-change updates, and the yearly duties (an
//! internal audit and a management review by the province's day, 30 November by default) of
//! every agency that keeps a quality system (one with documents or records of its own). A fixed
//! number of queries, whatever the province's size.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{CLOSED, RecordKind, SIGNED_OFF};
use crate::{
    clock::today,
    db::entities::{agency, document, record, record_action},
    domain::{
        Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult, agencies,
        documents::reviews::{DueFilter, reviews_due},
    },
    i18n::Message,
    names::Named,
};

/// `GET /api/v1/deadlines?agency=&within_days=`
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineFilter {
    /// Agency id or code: that agency and those under it.
    pub agency: Option<String>,
    /// What falls due within this many days, besides everything overdue (default 30, at most
    /// 366).
    pub within_days: Option<i64>,
}

/// One thing due.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Deadline {
    /// `corrective_action_step`, `corrective_action_report`, `review_decision`,
    /// `document_review`, `legal_update`, `cited_reference_changed` (a procedure in force whose
    /// text cites a replaced or repealed reference), `internal_audit_due`,
    /// `management_review_due`.
    pub kind: String,
    pub agency_id: Uuid,
    pub due_on: NaiveDate,
    pub overdue: bool,
    pub title: String,
    /// The record's number or the document's code.
    pub reference: Option<String>,
    pub record_id: Option<Uuid>,
    pub document_id: Option<Uuid>,
    pub action_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    /// Where to open it in the API.
    pub link: String,
}

/// What is due in the agencies the actor reads, soonest first; `duties_due` is the province's
/// (month, day) for the yearly internal audit and management review.
pub async fn deadlines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &DeadlineFilter,
    duties_due: (u32, u32),
) -> DomainResult<Vec<Deadline>> {
    let within = filter.within_days.unwrap_or(30);
    if !(0..=366).contains(&within) {
        return Err(DomainError::invalid(
            "within_days",
            Message::new("between").arg("min", 0).arg("max", 366),
        ));
    }
    let tree = AgencyTree::load(db).await?;
    let readable = actor.scope(Action::ReadRecords, &tree);
    let asked = match &filter.agency {
        Some(agency) => {
            let agency = agencies::resolve(db, agency).await.map_err(|_| {
                DomainError::invalid(
                    "agency",
                    Message::new("no_such_agency").arg("value", agency.as_str()),
                )
            })?;
            Some(tree.covered_by(agency.id))
        }
        None => None,
    };
    let within_scope = |agency: Uuid| {
        readable.includes(agency) && asked.as_ref().is_none_or(|asked| asked.contains(&agency))
    };
    let scope_condition = |column: record::Column| scope_of(&readable, asked.as_ref(), column);
    let today = today();
    let horizon = today + Duration::days(within);
    let mut due = Vec::new();

    // Actions not done, due by the horizon, of records still open.
    let open_records = sea_orm::sea_query::Query::select()
        .column(record::Column::Id)
        .from(record::Entity)
        .cond_where(scope_condition(record::Column::AgencyId))
        .and_where(record::Column::Kind.is_in([
            RecordKind::CorrectiveAction.as_str(),
            RecordKind::ManagementReview.as_str(),
        ]))
        .to_owned();
    let steps = record_action::Entity::find()
        .filter(record_action::Column::DoneOn.is_null())
        .filter(record_action::Column::DueOn.lte(horizon))
        .filter(record_action::Column::RecordId.in_subquery(open_records))
        .all(db)
        .await?;
    let owners: BTreeSet<Uuid> = steps.iter().map(|step| step.record_id).collect();
    let mut parents: HashMap<Uuid, record::Model> = HashMap::new();
    for chunk in owners.into_iter().collect::<Vec<_>>().chunks(500) {
        for row in record::Entity::find()
            .filter(record::Column::Id.is_in(chunk.to_vec()))
            .filter(scope_condition(record::Column::AgencyId))
            .all(db)
            .await?
        {
            parents.insert(row.id, row);
        }
    }
    for step in steps {
        let (Some(parent), Some(due_on)) = (parents.get(&step.record_id), step.due_on) else {
            continue;
        };
        let kind = match RecordKind::parse(&parent.kind) {
            Some(RecordKind::CorrectiveAction) if parent.status != CLOSED => {
                "corrective_action_step"
            }
            Some(RecordKind::ManagementReview) => "review_decision",
            _ => continue,
        };
        due.push(Deadline {
            kind: kind.to_owned(),
            agency_id: parent.agency_id,
            due_on,
            overdue: due_on < today,
            title: step.description.clone(),
            reference: Some(parent.number.clone()),
            record_id: Some(parent.id),
            document_id: None,
            action_id: Some(step.id),
            owner_id: step.owner_id,
            link: link_of(parent),
        });
    }

    // Corrective-action reports due (after an inspection), not closed.
    for row in record::Entity::find()
        .filter(scope_condition(record::Column::AgencyId))
        .filter(record::Column::Kind.eq(RecordKind::CorrectiveAction.as_str()))
        .filter(record::Column::Status.ne(CLOSED))
        .filter(record::Column::DueOn.lte(horizon))
        .all(db)
        .await?
    {
        let Some(due_on) = row.due_on else { continue };
        due.push(Deadline {
            kind: "corrective_action_report".to_owned(),
            agency_id: row.agency_id,
            due_on,
            overdue: due_on < today,
            title: row.title.clone(),
            reference: Some(row.number.clone()),
            record_id: Some(row.id),
            document_id: None,
            action_id: None,
            owner_id: None,
            link: link_of(&row),
        });
    }

    // Periodic reviews and legal-change updates of documents.
    for review in reviews_due(
        db,
        actor,
        &DueFilter {
            within_days: Some(within),
            agency: filter.agency.clone(),
        },
    )
    .await?
    {
        if !within_scope(review.agency_id) {
            continue;
        }
        due.push(Deadline {
            kind: if review.reason == "legal_change" {
                "legal_update"
            } else {
                "document_review"
            }
            .to_owned(),
            agency_id: review.agency_id,
            due_on: review.due_on,
            overdue: review.due_on < today,
            title: review.title.clone(),
            reference: Some(review.code.clone()),
            record_id: None,
            document_id: Some(review.document_id),
            action_id: None,
            owner_id: None,
            link: format!("/api/v1/documents/{}", review.document_id),
        });
    }

    // Procedures in force whose text cites a replaced or repealed reference, linked by hand
    // or not: the duty agencies most often miss.
    due.extend(
        outdated_citations(db, today)
            .await?
            .into_iter()
            .filter(|item| within_scope(item.agency_id)),
    );

    // The year's duties, from the province's day on.
    let year = today.year();
    if let Some(duty_day) = NaiveDate::from_ymd_opt(year, duties_due.0, duties_due.1)
        && duty_day <= horizon
    {
        let keepers = quality_system_keepers(
            db,
            scope_condition(record::Column::AgencyId),
            scope_of(&readable, asked.as_ref(), agency::Column::Id),
        )
        .await?;
        let held: HashSet<(Uuid, String)> = record::Entity::find()
            .select_only()
            .column(record::Column::AgencyId)
            .column(record::Column::Kind)
            .filter(scope_condition(record::Column::AgencyId))
            .filter(record::Column::Year.eq(year))
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(record::Column::Kind.eq(RecordKind::InternalAudit.as_str()))
                            .add(record::Column::Status.is_in(["reported", CLOSED])),
                    )
                    .add(
                        Condition::all()
                            .add(record::Column::Kind.eq(RecordKind::ManagementReview.as_str()))
                            .add(record::Column::Status.eq(SIGNED_OFF)),
                    ),
            )
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for agency in keepers.into_iter().filter(|agency| within_scope(*agency)) {
            for (kind, duty, title) in [
                (
                    RecordKind::InternalAudit,
                    "internal_audit_due",
                    format!("Đánh giá nội bộ năm {year}"),
                ),
                (
                    RecordKind::ManagementReview,
                    "management_review_due",
                    format!("Xem xét của lãnh đạo năm {year}"),
                ),
            ] {
                if held.contains(&(agency, kind.as_str().to_owned())) {
                    continue;
                }
                due.push(Deadline {
                    kind: duty.to_owned(),
                    agency_id: agency,
                    due_on: duty_day,
                    overdue: duty_day < today,
                    title,
                    reference: None,
                    record_id: None,
                    document_id: None,
                    action_id: None,
                    owner_id: None,
                    link: format!(
                        "/api/v1/{}?agency={agency}&year={year}",
                        if kind == RecordKind::InternalAudit {
                            "audits"
                        } else {
                            "management-reviews"
                        }
                    ),
                });
            }
        }
    }
    due.sort_by(|a, b| {
        (a.due_on, &a.kind, a.agency_id, &a.title).cmp(&(b.due_on, &b.kind, b.agency_id, &b.title))
    });
    Ok(due)
}

/// The agencies that keep a quality system: those with documents or records of their own.
async fn quality_system_keepers(
    db: &impl ConnectionTrait,
    records_in_scope: Condition,
    agencies_in_scope: Condition,
) -> DomainResult<BTreeSet<Uuid>> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    // Each agency asked whether it has one document (its index answers), rather than reading
    // the agency of every document.
    let has_documents = Query::select()
        .expr(Expr::val(1))
        .from(document::Entity)
        .and_where(
            Expr::col((document::Entity, document::Column::AgencyId))
                .equals((agency::Entity, agency::Column::Id)),
        )
        .to_owned();
    let mut keepers: BTreeSet<Uuid> = agency::Entity::find()
        .select_only()
        .column(agency::Column::Id)
        .filter(agencies_in_scope)
        .filter(Expr::exists(has_documents))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    keepers.extend(
        record::Entity::find()
            .select_only()
            .column(record::Column::AgencyId)
            .filter(records_in_scope)
            .filter(record::Column::Kind.ne(RecordKind::Inspection.as_str()))
            .distinct()
            .into_tuple::<Uuid>()
            .all(db)
            .await?,
    );
    Ok(keepers)
}

/// The rows of agencies the actor reads and, when asked for one, of that agency's subtree.
fn scope_of(
    readable: &AgencyScope,
    asked: Option<&HashSet<Uuid>>,
    column: impl ColumnTrait,
) -> Condition {
    match (readable, asked) {
        (AgencyScope::All, None) => Condition::all(),
        (AgencyScope::All, Some(asked)) => {
            Condition::all().add(column.is_in(asked.iter().copied()))
        }
        (AgencyScope::Only(ids), _) => Condition::all().add(
            column.is_in(
                ids.iter()
                    .copied()
                    .filter(|id| asked.is_none_or(|asked| asked.contains(id))),
            ),
        ),
    }
}

/// The API path of a record, by its kind.
fn link_of(row: &record::Model) -> String {
    let collection = match RecordKind::parse(&row.kind) {
        Some(RecordKind::CorrectiveAction) => "corrective-actions",
        Some(RecordKind::ManagementReview) => "management-reviews",
        Some(RecordKind::InternalAudit) => "audits",
        _ => "records",
    };
    format!("/api/v1/{collection}/{}", row.id)
}

/// Procedures in force citing, in the text of their version in force, a reference of the
/// register that was replaced or repealed, and not taking it as a legal basis (those are flagged
/// as legal updates) nor dismissed: due three months after the change. A fixed few queries.
async fn outdated_citations(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> DomainResult<Vec<Deadline>> {
    use crate::db::entities::{
        citation_dismissal, document_legal_ref, document_version, file_citation,
        legal_ref::{self, LegalRefStatus},
    };
    let changed: Vec<legal_ref::Model> = legal_ref::Entity::find()
        .filter(
            legal_ref::Column::Status.is_in([LegalRefStatus::Replaced, LegalRefStatus::Repealed]),
        )
        .all(db)
        .await?;
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    // A citation names a reference by its whole number, or without its issuer.
    let mut by_key: HashMap<String, &legal_ref::Model> = HashMap::new();
    for reference in &changed {
        by_key.insert(reference.number_key.clone(), reference);
        if let Some((short, _)) = reference.number_key.rsplit_once('-')
            && short.matches('/').count() == 2
        {
            by_key.entry(short.to_owned()).or_insert(reference);
        }
    }
    let mut citations = Vec::new();
    let keys: Vec<String> = by_key.keys().cloned().collect();
    for chunk in keys.chunks(500) {
        citations.extend(
            file_citation::Entity::find()
                .filter(file_citation::Column::NumberKey.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    if citations.is_empty() {
        return Ok(Vec::new());
    }
    let files: BTreeSet<Uuid> = citations.iter().map(|cited| cited.file_id).collect();
    let mut versions = Vec::new();
    for chunk in files.iter().copied().collect::<Vec<_>>().chunks(500) {
        versions.extend(
            document_version::Entity::find()
                .filter(document_version::Column::FileId.is_in(chunk.to_vec()))
                .filter(
                    document_version::Column::Status
                        .eq(crate::db::entities::document_version::VersionStatus::Effective),
                )
                .all(db)
                .await?,
        );
    }
    let document_ids: BTreeSet<Uuid> = versions.iter().map(|version| version.document_id).collect();
    let ids: Vec<Uuid> = document_ids.into_iter().collect();
    let mut documents = HashMap::new();
    let mut bases: HashSet<(Uuid, Uuid)> = HashSet::new();
    let mut dismissed: HashSet<(Uuid, String)> = HashSet::new();
    for chunk in ids.chunks(500) {
        for row in document::Entity::find()
            .filter(document::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            documents.insert(row.id, row);
        }
        for row in document_legal_ref::Entity::find()
            .filter(document_legal_ref::Column::DocumentId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            bases.insert((row.document_id, row.legal_ref_id));
        }
        for row in citation_dismissal::Entity::find()
            .filter(citation_dismissal::Column::DocumentId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            dismissed.insert((row.document_id, row.number_key));
        }
    }
    let mut due = Vec::new();
    let mut seen = HashSet::new();
    for version in &versions {
        let Some(document) = documents.get(&version.document_id) else {
            continue;
        };
        for cited in citations
            .iter()
            .filter(|cited| Some(cited.file_id) == version.file_id)
        {
            let Some(reference) = by_key.get(&cited.number_key) else {
                continue;
            };
            if bases.contains(&(document.id, reference.id))
                || dismissed.contains(&(document.id, cited.number_key.clone()))
                || !seen.insert((document.id, reference.id))
            {
                continue;
            }
            let due_on = reference
                .status_effective_on
                .map_or(today, |changed| crate::clock::add_months(changed, 3));
            due.push(Deadline {
                kind: "cited_reference_changed".to_owned(),
                agency_id: document.agency_id,
                due_on,
                overdue: due_on < today,
                title: format!(
                    "{} cites {} ({}, page {})",
                    document.title,
                    cited.number,
                    reference.status.as_str(),
                    cited.page
                ),
                reference: Some(document.code.clone()),
                record_id: None,
                document_id: Some(document.id),
                action_id: None,
                owner_id: document.owner_id,
                link: format!("/api/v1/versions/{}/citations", version.id),
            });
        }
    }
    Ok(due)
}
