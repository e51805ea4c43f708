//! The list of assessments (`GET /api/v1/assessments`): those the actor may read, with their
//! totals and progress, in a fixed number of queries.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    AssessmentStatus,
    assessments::{Progress, Scores, appraisers_of},
    evidence,
    sets::{self, CriteriaSet, Criterion},
};
use crate::{
    db::entities::{agency, appraiser_assignment, assessment, scoring_period},
    domain::{
        Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult, Page, PageRequest,
        agencies,
    },
    i18n::Message,
    names::Named,
};

/// A row of `GET /api/v1/assessments`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub id: Uuid,
    pub period_id: Uuid,
    pub agency_id: Uuid,
    pub agency_code: String,
    pub agency_name: String,
    pub agency_kind: String,
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub late_days: Option<i32>,
    pub sampled: bool,
    pub not_submitted: bool,
    pub self_total: f64,
    pub appraised_total: f64,
    pub total: Option<f64>,
    pub rank_code: Option<String>,
    pub progress: Progress,
    pub appraisers: Vec<Uuid>,
}

/// `?period=&agency=&status=&sampled=&assigned_to_me=`
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentFilter {
    pub period: Option<Uuid>,
    /// Agency id or code: that agency's assessments.
    pub agency: Option<String>,
    /// `open`, `submitted` or `final`.
    pub status: Option<String>,
    pub sampled: Option<bool>,
    /// Only those the caller appraises.
    pub assigned_to_me: Option<bool>,
}

/// The assessments the actor may read: their agencies', those they coordinate or appraise.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &AssessmentFilter,
    page: &PageRequest,
) -> DomainResult<Page<AssessmentSummary>> {
    let tree = AgencyTree::load(db).await?;
    let assigned: Vec<Uuid> = match actor.user_id {
        Some(user) => appraiser_assignment::Entity::find()
            .filter(appraiser_assignment::Column::UserId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|row| row.assessment_id)
            .collect(),
        None => Vec::new(),
    };
    let mut visible = Condition::any();
    let mut everything = false;
    for action in [Action::ReadRecords, Action::ManageCriteria] {
        match actor.scope(action, &tree) {
            AgencyScope::All => everything = true,
            AgencyScope::Only(ids) if !ids.is_empty() => {
                visible = visible.add(assessment::Column::AgencyId.is_in(ids));
            }
            AgencyScope::Only(_) => {}
        }
    }
    if !assigned.is_empty() {
        visible = visible.add(assessment::Column::Id.is_in(assigned.iter().copied()));
    }
    let mut query = assessment::Entity::find();
    if !everything {
        if visible.is_empty() {
            return Ok(Page::new(Vec::new(), 0, page));
        }
        query = query.filter(visible);
    }
    if filter.assigned_to_me == Some(true) {
        query = query.filter(assessment::Column::Id.is_in(assigned.iter().copied()));
    }
    if let Some(period) = filter.period {
        query = query.filter(assessment::Column::PeriodId.eq(period));
    }
    if let Some(agency) = &filter.agency {
        let agency = agencies::resolve_field(db, "agency", agency).await?;
        query = query.filter(assessment::Column::AgencyId.eq(agency.id));
    }
    if let Some(status) = &filter.status {
        let status = AssessmentStatus::parse(status.trim()).ok_or_else(|| {
            DomainError::invalid(
                "status",
                Message::new("one_of").arg("allowed", AssessmentStatus::names()),
            )
        })?;
        query = query.filter(assessment::Column::Status.eq(status.as_str()));
    }
    if let Some(sampled) = filter.sampled {
        query = query.filter(assessment::Column::Sampled.eq(sampled));
    }
    let query = query
        .order_by_desc(assessment::Column::CreatedAt)
        .order_by_asc(assessment::Column::Id);
    let rows = crate::domain::paginate(db, query, page).await?;
    let items = summaries(db, &rows.items).await?;
    Ok(rows.with_items(items))
}

/// Summaries of assessments: five queries whatever their number.
pub(crate) async fn summaries(
    db: &impl ConnectionTrait,
    rows: &[assessment::Model],
) -> DomainResult<Vec<AssessmentSummary>> {
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let mut scores = Scores::of_many(db, &ids).await?;
    let evidence = evidence::criteria_with_evidence(db, &ids).await?;
    let appraisers = appraisers_of(db, &ids).await?;
    let agency_ids: HashSet<Uuid> = rows.iter().map(|row| row.agency_id).collect();
    let agencies: HashMap<Uuid, agency::Model> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(agency_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut loaded: HashMap<Uuid, CriteriaSet> = HashMap::new();
    let mut set_of_period: HashMap<Uuid, Uuid> = HashMap::new();
    let periods: HashSet<Uuid> = rows.iter().map(|row| row.period_id).collect();
    for period in scoring_period::Entity::find()
        .filter(scoring_period::Column::Id.is_in(periods))
        .all(db)
        .await?
    {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            loaded.entry(period.criteria_set_id)
        {
            slot.insert(sets::load(db, period.criteria_set_id).await?);
        }
        set_of_period.insert(period.id, period.criteria_set_id);
    }
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let set = set_of_period
            .get(&row.period_id)
            .and_then(|id| loaded.get(id))
            .ok_or(DomainError::NotFound("criteria_set"))?;
        let scores = scores.remove(&row.id).unwrap_or_default();
        let (scored, self_total, appraised_total) = scores.totals(set);
        let with = evidence.get(&row.id);
        let leaves: Vec<&Criterion> = set.leaves().collect();
        let agency = agencies.get(&row.agency_id);
        items.push(AssessmentSummary {
            id: row.id,
            period_id: row.period_id,
            agency_id: row.agency_id,
            agency_code: agency.map(|a| a.code.clone()).unwrap_or_default(),
            agency_name: agency.map(|a| a.name.clone()).unwrap_or_default(),
            agency_kind: agency.map(|a| a.kind.clone()).unwrap_or_default(),
            status: row.status.clone(),
            submitted_at: row.submitted_at,
            late_days: row.late_days,
            sampled: row.sampled,
            not_submitted: row.not_submitted,
            self_total,
            appraised_total,
            total: row.total,
            rank_code: row.rank_code.clone(),
            progress: Progress {
                scored,
                with_evidence: leaves
                    .iter()
                    .filter(|leaf| with.is_some_and(|codes| codes.contains(&leaf.code)))
                    .count() as u64,
                total: leaves.len() as u64,
            },
            appraisers: appraisers.get(&row.id).cloned().unwrap_or_default(),
        });
    }
    Ok(items)
}
