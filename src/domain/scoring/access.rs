//! Who may read and change an assessment, and the audit rows of its changes: the one check
//! every scoring operation on an assessment goes through.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use super::{
    AssessmentStatus, PeriodStatus,
    sets::{self, CriteriaSet, Criterion},
};
use crate::{
    db::entities::{agency, appraiser_assignment, assessment, scoring_period},
    domain::{Action, Actor, AgencyTree, DomainError, DomainResult, audit},
    i18n::Message,
    names::Named,
};

/// The audit entity of one criterion of an assessment.
pub const CRITERION: &str = "assessment_criterion";
/// The audit entity of an assessment as a whole.
pub const ASSESSMENT: &str = "assessment";

/// `{assessment}:{code}`: the audit entity id of a criterion of an assessment.
pub fn criterion_entity(assessment_id: Uuid, code: &str) -> String {
    format!("{assessment_id}:{code}")
}

/// What the caller wants to do with an assessment; [`context`] checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read it: the agency's people, the coordinator, its appraisers.
    Read,
    /// Score and link evidence: the agency's ISO officers, while it is open.
    SelfAssess,
    /// Submit it: an ISO officer or the agency's head, while it is open.
    Submit,
    /// Set appraised scores: an appraiser assigned to it, once submitted.
    Appraise,
    /// Reopen it, assign appraisers: the coordinator.
    Coordinate,
}

/// An assessment with everything the rules need.
#[derive(Debug, Clone)]
pub struct Context {
    pub row: assessment::Model,
    pub period: scoring_period::Model,
    pub set: CriteriaSet,
    pub agency: agency::Model,
    pub tree: AgencyTree,
    /// The caller appraises it.
    pub assigned: bool,
}

impl Context {
    pub fn period_status(&self) -> PeriodStatus {
        PeriodStatus::parse(&self.period.status).unwrap_or(PeriodStatus::Draft)
    }

    pub fn status(&self) -> AssessmentStatus {
        AssessmentStatus::parse(&self.row.status).unwrap_or(AssessmentStatus::Open)
    }

    /// The leaf criterion with this code: 404 for an unknown one, 400 for a group.
    pub fn leaf(&self, code: &str) -> DomainResult<&Criterion> {
        let criterion = self
            .set
            .criterion(code.trim())
            .ok_or(DomainError::NotFound("criterion"))?;
        if !criterion.leaf {
            return Err(DomainError::invalid(
                "code",
                Message::new("criterion_is_group").arg("code", criterion.code.as_str()),
            ));
        }
        Ok(criterion)
    }
}

/// Whether the actor may read assessments of `agency_id` without being assigned.
pub(crate) fn reads_agency(actor: &Actor, tree: &AgencyTree, agency_id: Uuid) -> bool {
    actor.can(Action::ReadRecords, Some(agency_id), tree)
        || actor.can(Action::ManageCriteria, Some(agency_id), tree)
}

/// The assessment, checked for what the caller wants to do: one they cannot read is "not
/// found"; one they read but may not change this way is 403; one whose state refuses the change
/// is 409.
pub async fn context(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    access: Access,
) -> DomainResult<Context> {
    let row = assessment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("assessment"))?;
    let tree = AgencyTree::load(db).await?;
    let assigned = match actor.user_id {
        Some(user) => appraiser_assignment::Entity::find()
            .filter(appraiser_assignment::Column::AssessmentId.eq(row.id))
            .filter(appraiser_assignment::Column::UserId.eq(user))
            .one(db)
            .await?
            .is_some(),
        None => false,
    };
    if !assigned && !reads_agency(actor, &tree, row.agency_id) {
        return Err(DomainError::NotFound("assessment"));
    }
    let period = scoring_period::Entity::find_by_id(row.period_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("period"))?;
    let set = sets::load(db, period.criteria_set_id).await?;
    let agency = agency::Entity::find_by_id(row.agency_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("agency"))?;
    let context = Context {
        row,
        period,
        set,
        agency,
        tree,
        assigned,
    };
    check(actor, &context, access)?;
    Ok(context)
}

fn check(actor: &Actor, context: &Context, access: Access) -> DomainResult<()> {
    let agency = Some(context.row.agency_id);
    let tree = &context.tree;
    let running = context.period_status().is_running();
    let open = context.status() == AssessmentStatus::Open;
    let locked = || {
        DomainError::Conflict(
            Message::new("assessment_locked")
                .arg("status", context.row.status.as_str())
                .arg("period_status", context.period.status.as_str()),
        )
    };
    match access {
        Access::Read => Ok(()),
        Access::SelfAssess => {
            actor.require(Action::ManageRecords, agency, tree)?;
            if running && open {
                Ok(())
            } else {
                Err(locked())
            }
        }
        Access::Submit => {
            if !actor.can(Action::ManageRecords, agency, tree)
                && !actor.can(Action::ApproveRecords, agency, tree)
            {
                return Err(DomainError::Forbidden);
            }
            if running && open {
                Ok(())
            } else {
                Err(locked())
            }
        }
        Access::Appraise => {
            if !context.assigned || !actor.can(Action::Appraise, agency, tree) {
                return Err(DomainError::NotAllowed(Message::new(
                    "appraisal_not_assigned",
                )));
            }
            if running && context.status() == AssessmentStatus::Submitted {
                Ok(())
            } else {
                Err(DomainError::Conflict(
                    Message::new("appraisal_needs_submission")
                        .arg("status", context.row.status.as_str()),
                ))
            }
        }
        Access::Coordinate => actor.require(Action::ManageCriteria, agency, tree),
    }
}

/// The audit row of a change to one criterion of an assessment (what
/// `…/criteria/{code}/history` shows).
pub(crate) async fn audit_criterion(
    db: &impl ConnectionTrait,
    actor: &Actor,
    context: &Context,
    code: &str,
    action: &str,
    summary: Value,
) -> DomainResult<()> {
    audit(
        db,
        actor,
        action,
        CRITERION,
        criterion_entity(context.row.id, code),
        Some(context.row.agency_id),
        summary,
    )
    .await
}

/// The audit row of a change to the assessment as a whole.
pub(crate) async fn audit_assessment(
    db: &impl ConnectionTrait,
    actor: &Actor,
    row: &assessment::Model,
    action: &str,
    summary: Value,
) -> DomainResult<()> {
    audit(
        db,
        actor,
        action,
        ASSESSMENT,
        row.id,
        Some(row.agency_id),
        summary,
    )
    .await
}
