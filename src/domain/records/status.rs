//! An agency's QMS year at a glance (`GET /api/v1/agencies/{id}/qms-status?year=`): whether it
//! held its internal audit and management review, whether its announcement is current, its
//! corrective actions, objectives, legal updates and acknowledgement coverage. Management
//! reviews prefill their inputs from it; the scoring proposes scores from it. A fixed number of
//! queries, whatever the agency's size.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{CLOSED, RecordKind, SIGNED_OFF, findings::Grade};
use crate::{
    clock::today,
    db::entities::{document, record, record_action},
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, agencies,
        documents::acknowledgements::agency_coverage,
    },
    names::Named,
};

/// Corrective actions raised in the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CorrectiveFigures {
    pub open: u64,
    pub closed: u64,
    /// Open with an action past its due day (or past its own due day).
    pub overdue: u64,
    /// Closed no later than the last due day of its actions.
    pub closed_on_time: u64,
}

/// Quality objectives of the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ObjectiveFigures {
    pub total: u64,
    pub achieved: u64,
}

/// Documents a legal change requires to be updated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct LegalUpdateFigures {
    pub pending: u64,
    /// Past their three-month deadline.
    pub overdue: u64,
}

/// `GET /api/v1/agencies/{id}/qms-status?year=`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QmsStatus {
    pub agency_id: Uuid,
    pub year: i32,
    /// An internal audit of the year was carried out (reported or closed).
    pub internal_audit_held: bool,
    /// Internal audits of the year, by status.
    pub internal_audits: BTreeMap<String, u64>,
    /// Findings of the year's audits, by grade.
    pub findings_by_grade: BTreeMap<String, u64>,
    /// A management review of the year was signed off.
    pub management_review_held: bool,
    /// The agency has a current announcement of conformity.
    pub announcement_current: bool,
    pub corrective_actions: CorrectiveFigures,
    pub objectives: ObjectiveFigures,
    pub legal_updates: LegalUpdateFigures,
    /// Share (0 to 1) of the agency's people who acknowledged its versions in force; `null`
    /// when it has none or nobody.
    pub acknowledgement_coverage: Option<f64>,
    /// Complaints received in the year, and those handled.
    pub complaints: ObjectiveFigures,
}

/// The year at a glance of an agency the actor may read (by id or code); another agency is
/// "not found".
pub async fn qms_status(
    db: &impl ConnectionTrait,
    actor: &Actor,
    agency: &str,
    year: Option<i32>,
) -> DomainResult<QmsStatus> {
    let tree = AgencyTree::load(db).await?;
    let agency = agencies::resolve(db, agency).await?;
    if !actor.can(Action::ReadRecords, Some(agency.id), &tree) {
        return Err(DomainError::NotFound("agency"));
    }
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&today()));
    year_status(db, agency.id, year, today()).await
}

/// The year at a glance of an agency, as of `today`.
pub(crate) async fn year_status(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
    year: i32,
    today: NaiveDate,
) -> DomainResult<QmsStatus> {
    let rows = record::Entity::find()
        .filter(record::Column::AgencyId.eq(agency_id))
        .filter(record::Column::Year.eq(year))
        .filter(record::Column::Kind.is_in([
            RecordKind::InternalAudit.as_str(),
            RecordKind::Finding.as_str(),
            RecordKind::CorrectiveAction.as_str(),
            RecordKind::ManagementReview.as_str(),
            RecordKind::QualityObjective.as_str(),
            RecordKind::Complaint.as_str(),
        ]))
        .all(db)
        .await?;
    let of = |kind: RecordKind| rows.iter().filter(move |row| row.kind == kind.as_str());
    let mut internal_audits = BTreeMap::new();
    for audit in of(RecordKind::InternalAudit) {
        *internal_audits.entry(audit.status.clone()).or_insert(0) += 1;
    }
    let internal_audit_held = of(RecordKind::InternalAudit)
        .any(|audit| audit.status == "reported" || audit.status == CLOSED);
    let mut findings_by_grade: BTreeMap<String, u64> = Grade::ALL
        .iter()
        .map(|grade| (grade.as_str().to_owned(), 0))
        .collect();
    for finding in of(RecordKind::Finding) {
        if let Some(grade) = &finding.category {
            *findings_by_grade.entry(grade.clone()).or_insert(0) += 1;
        }
    }
    let management_review_held =
        of(RecordKind::ManagementReview).any(|review| review.status == SIGNED_OFF);
    let corrective: Vec<&record::Model> = of(RecordKind::CorrectiveAction).collect();
    let corrective_actions = corrective_figures(db, &corrective, today).await?;
    let objectives = ObjectiveFigures {
        total: of(RecordKind::QualityObjective).count() as u64,
        achieved: of(RecordKind::QualityObjective)
            .filter(|objective| objective.status == "achieved")
            .count() as u64,
    };
    let complaints = ObjectiveFigures {
        total: of(RecordKind::Complaint).count() as u64,
        achieved: of(RecordKind::Complaint)
            .filter(|complaint| complaint.status == CLOSED)
            .count() as u64,
    };
    let announcement_current = record::Entity::find()
        .filter(record::Column::AgencyId.eq(agency_id))
        .filter(record::Column::Kind.eq(RecordKind::Announcement.as_str()))
        .filter(record::Column::Status.eq("current"))
        .one(db)
        .await?
        .is_some();
    let flagged = document::Entity::find()
        .filter(document::Column::AgencyId.eq(agency_id))
        .filter(document::Column::UpdateRequiredBy.is_not_null())
        .all(db)
        .await?;
    let legal_updates = LegalUpdateFigures {
        pending: flagged.len() as u64,
        overdue: flagged
            .iter()
            .filter(|row| row.update_required_by.is_some_and(|by| by < today))
            .count() as u64,
    };
    Ok(QmsStatus {
        agency_id,
        year,
        internal_audit_held,
        internal_audits,
        findings_by_grade,
        management_review_held,
        announcement_current,
        corrective_actions,
        objectives,
        legal_updates,
        acknowledgement_coverage: agency_coverage(db, agency_id).await?,
        complaints,
    })
}

/// Open, closed, overdue and closed-on-time counts of corrective actions: one query for their
/// actions.
async fn corrective_figures(
    db: &impl ConnectionTrait,
    actions: &[&record::Model],
    today: NaiveDate,
) -> DomainResult<CorrectiveFigures> {
    let mut steps: HashMap<Uuid, Vec<record_action::Model>> = HashMap::new();
    for chunk in actions.chunks(500) {
        for step in record_action::Entity::find()
            .filter(record_action::Column::RecordId.is_in(chunk.iter().map(|row| row.id)))
            .all(db)
            .await?
        {
            steps.entry(step.record_id).or_default().push(step);
        }
    }
    let mut figures = CorrectiveFigures::default();
    for action in actions {
        let own = steps.get(&action.id).map_or(&[][..], Vec::as_slice);
        let last_due = own
            .iter()
            .filter_map(|step| step.due_on)
            .chain(action.due_on)
            .max();
        if action.status == CLOSED {
            figures.closed += 1;
            if action
                .closed_on
                .is_none_or(|closed| last_due.is_none_or(|due| closed <= due))
            {
                figures.closed_on_time += 1;
            }
        } else {
            figures.open += 1;
            let late_step = own
                .iter()
                .any(|step| step.done_on.is_none() && step.due_on.is_some_and(|due| due < today));
            if late_step || action.due_on.is_some_and(|due| due < today) {
                figures.overdue += 1;
            }
        }
    }
    Ok(figures)
}
