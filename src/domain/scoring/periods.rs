//! Scoring periods (kỳ đánh giá): a criteria set, a year, the agencies taking part (chosen by
//! id, or by subtree and kind), deadlines, and the status `draft` → `self_assessment` →
//! `appraisal` → `final` → `published`. Opening a period creates one assessment per agency;
//! finalising fixes every total and rank.

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{AssessmentStatus, PeriodStatus, access::reads_agency, sets};
use crate::{
    db::{
        self,
        entities::{agency, appraiser_assignment, assessment, scoring_period},
    },
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, agencies::AgencyKind, audit, text,
    },
    i18n::Message,
    names::Named,
};

/// `POST /api/v1/periods`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPeriod {
    /// The set's id or code.
    pub criteria_set_id: String,
    pub year: i32,
    pub name: String,
    /// The agencies taking part, by id or code; or choose them with `subtree` and `kinds`.
    #[serde(default)]
    pub agency_ids: Option<Vec<String>>,
    /// Every active agency under this one (id or code), itself included…
    #[serde(default)]
    pub subtree: Option<String>,
    /// …of these kinds (`department`, `commune`…; default: every kind).
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    pub self_assessment_due: NaiveDate,
    pub appraisal_due: NaiveDate,
}

/// How the agencies were chosen, and who they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Selection {
    pub agency_ids: Vec<Uuid>,
    pub subtree: Option<Uuid>,
    pub kinds: Vec<String>,
}

/// A period as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Period {
    pub id: Uuid,
    pub criteria_set_id: Uuid,
    pub criteria_set_code: String,
    pub year: i32,
    pub name: String,
    pub status: String,
    pub self_assessment_due: NaiveDate,
    pub appraisal_due: NaiveDate,
    pub selection: Selection,
    /// Agencies taking part.
    pub agencies: usize,
    /// Assessments by status (`open`, `submitted`, `final`), once opened.
    pub assessments: BTreeMap<String, u64>,
    pub sampled: u64,
    /// The seed the on-site sample was drawn with.
    pub sample_seed: Option<i64>,
    pub revision: i32,
    pub created_at: chrono::DateTime<Utc>,
}

pub(crate) fn selection_of(row: &scoring_period::Model) -> Selection {
    serde_json::from_str(&row.selection).unwrap_or_default()
}

pub(super) async fn view(
    db: &impl ConnectionTrait,
    row: &scoring_period::Model,
) -> DomainResult<Period> {
    let set = sets::load(db, row.criteria_set_id).await?;
    let selection = selection_of(row);
    let rows = assessment::Entity::find()
        .filter(assessment::Column::PeriodId.eq(row.id))
        .all(db)
        .await?;
    let mut counts = BTreeMap::new();
    for assessment in &rows {
        *counts.entry(assessment.status.clone()).or_insert(0) += 1;
    }
    Ok(Period {
        id: row.id,
        criteria_set_id: row.criteria_set_id,
        criteria_set_code: set.code,
        year: row.year,
        name: row.name.clone(),
        status: row.status.clone(),
        self_assessment_due: row.self_assessment_due,
        appraisal_due: row.appraisal_due,
        agencies: selection.agency_ids.len(),
        selection,
        assessments: counts,
        sampled: rows.iter().filter(|row| row.sampled).count() as u64,
        sample_seed: row.sample_seed,
        revision: row.revision,
        created_at: row.created_at,
    })
}

/// Whether the actor coordinates the period: may manage criteria over each of its agencies.
fn coordinates(actor: &Actor, tree: &AgencyTree, selection: &Selection) -> bool {
    actor.can(Action::ManageCriteria, None, tree)
        || (!selection.agency_ids.is_empty()
            && selection
                .agency_ids
                .iter()
                .all(|id| actor.can(Action::ManageCriteria, Some(*id), tree)))
}

/// A period the actor may read: its coordinator, the people of an agency in it, an appraiser
/// of one of its assessments. Anything else is "not found".
pub(crate) async fn readable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
) -> DomainResult<scoring_period::Model> {
    let row = scoring_period::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("period"))?;
    let selection = selection_of(&row);
    if coordinates(actor, tree, &selection)
        || selection
            .agency_ids
            .iter()
            .any(|agency| reads_agency(actor, tree, *agency))
        || appraises_in(db, actor, row.id).await?
    {
        Ok(row)
    } else {
        Err(DomainError::NotFound("period"))
    }
}

async fn appraises_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Uuid,
) -> DomainResult<bool> {
    let Some(user) = actor.user_id else {
        return Ok(false);
    };
    let assigned: Vec<Uuid> = appraiser_assignment::Entity::find()
        .filter(appraiser_assignment::Column::UserId.eq(user))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.assessment_id)
        .collect();
    if assigned.is_empty() {
        return Ok(false);
    }
    Ok(assessment::Entity::find()
        .filter(assessment::Column::PeriodId.eq(period))
        .filter(assessment::Column::Id.is_in(assigned))
        .one(db)
        .await?
        .is_some())
}

/// A period the actor coordinates (403 when they only read it).
pub(crate) async fn coordinated(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
) -> DomainResult<scoring_period::Model> {
    let row = readable(db, actor, tree, id).await?;
    if !coordinates(actor, tree, &selection_of(&row)) {
        return Err(DomainError::Forbidden);
    }
    Ok(row)
}

/// Resolves the agencies a new period names.
async fn choose(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    input: &NewPeriod,
) -> DomainResult<Selection> {
    let all: Vec<agency::Model> = agency::Entity::find()
        .filter(agency::Column::Active.eq(true))
        .order_by_asc(agency::Column::Code)
        .all(db)
        .await?;
    let by_reference = |reference: &str| {
        let reference = reference.trim();
        all.iter().find(|agency| {
            agency.id.to_string() == reference || agency.code.eq_ignore_ascii_case(reference)
        })
    };
    let unknown = |field: &str, value: &str| {
        DomainError::invalid(field, Message::new("no_such_agency").arg("value", value))
    };
    let mut selection = Selection::default();
    match (&input.agency_ids, &input.subtree) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(DomainError::invalid(
                "agency_ids",
                Message::new("period_agencies_one_way"),
            ));
        }
        (Some(references), None) => {
            for reference in references {
                let agency = by_reference(reference)
                    .filter(|agency| actor.can(Action::ReadDirectory, Some(agency.id), tree))
                    .ok_or_else(|| unknown("agency_ids", reference))?;
                if !selection.agency_ids.contains(&agency.id) {
                    selection.agency_ids.push(agency.id);
                }
            }
        }
        (None, Some(root)) => {
            let root = by_reference(root)
                .filter(|agency| actor.can(Action::ReadDirectory, Some(agency.id), tree))
                .ok_or_else(|| unknown("subtree", root))?;
            let mut kinds = Vec::new();
            for kind in input.kinds.iter().flatten() {
                let kind = AgencyKind::parse(kind.trim()).ok_or_else(|| {
                    DomainError::invalid(
                        "kinds",
                        Message::new("one_of").arg("allowed", AgencyKind::names()),
                    )
                })?;
                kinds.push(kind.as_str().to_owned());
            }
            let under: HashSet<Uuid> = tree.covered_by(root.id);
            selection.agency_ids = all
                .iter()
                .filter(|agency| under.contains(&agency.id) && agency.successor_id.is_none())
                .filter(|agency| kinds.is_empty() || kinds.contains(&agency.kind))
                .map(|agency| agency.id)
                .collect();
            selection.subtree = Some(root.id);
            selection.kinds = kinds;
        }
    }
    if selection.agency_ids.is_empty() {
        return Err(DomainError::invalid(
            "agency_ids",
            Message::new("period_without_agencies"),
        ));
    }
    Ok(selection)
}

/// Creates a period in `draft` (the coordinator of every agency it names).
pub async fn create(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewPeriod,
) -> DomainResult<Period> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    if actor.scope(Action::ManageCriteria, &tree).is_empty() {
        return Err(DomainError::Forbidden);
    }
    let name = text::required("name", &input.name, 300)?;
    if !(2000..=2100).contains(&input.year) {
        return Err(DomainError::invalid(
            "year",
            Message::new("year_out_of_range"),
        ));
    }
    if input.appraisal_due < input.self_assessment_due {
        return Err(DomainError::invalid(
            "appraisal_due",
            Message::new("period_appraisal_before_self"),
        ));
    }
    let set = sets::find(&txn, &input.criteria_set_id)
        .await?
        .ok_or_else(|| {
            DomainError::invalid(
                "criteria_set_id",
                Message::new("no_such_criteria_set").arg("value", input.criteria_set_id.as_str()),
            )
        })?;
    let selection = choose(&txn, actor, &tree, &input).await?;
    if !coordinates(actor, &tree, &selection) {
        return Err(DomainError::Forbidden);
    }
    let now = Utc::now().trunc_subsecs(6);
    let row = scoring_period::ActiveModel {
        id: Set(Uuid::now_v7()),
        criteria_set_id: Set(set.id),
        year: Set(input.year),
        name: Set(name),
        status: Set(PeriodStatus::Draft.as_str().to_owned()),
        self_assessment_due: Set(input.self_assessment_due),
        appraisal_due: Set(input.appraisal_due),
        selection: Set(serde_json::to_string(&selection).unwrap_or_default()),
        sample_seed: Set(None),
        revision: Set(1),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit(
        &txn,
        actor,
        "period.create",
        "period",
        row.id,
        None,
        json!({
            "name": row.name,
            "year": row.year,
            "criteria_set": set.code,
            "agencies": selection.agency_ids.len(),
            "self_assessment_due": row.self_assessment_due,
            "appraisal_due": row.appraisal_due,
        }),
    )
    .await?;
    txn.commit().await?;
    view(conn, &row).await
}

/// The periods the actor may read, newest year first.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<Period>> {
    let tree = AgencyTree::load(db).await?;
    let rows = scoring_period::Entity::find()
        .order_by_desc(scoring_period::Column::Year)
        .order_by_desc(scoring_period::Column::CreatedAt)
        .all(db)
        .await?;
    let mut periods = Vec::new();
    for row in rows {
        if readable(db, actor, &tree, row.id).await.is_ok() {
            periods.push(view(db, &row).await?);
        }
    }
    Ok(periods)
}

/// One period.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Period> {
    let tree = AgencyTree::load(db).await?;
    let row = readable(db, actor, &tree, id).await?;
    view(db, &row).await
}

/// Moves a period on, checking its status is one of `from`; writes the audit row.
pub(super) async fn advance(
    db: &impl ConnectionTrait,
    actor: &Actor,
    row: scoring_period::Model,
    from: &[PeriodStatus],
    to: PeriodStatus,
    extra: serde_json::Value,
) -> DomainResult<scoring_period::Model> {
    let status = PeriodStatus::parse(&row.status).unwrap_or(PeriodStatus::Draft);
    if !from.contains(&status) {
        return Err(DomainError::Conflict(
            Message::new("period_transition")
                .arg("from", row.status.as_str())
                .arg("to", to.as_str()),
        ));
    }
    let before = row.status.clone();
    let revision = row.revision;
    let mut active: scoring_period::ActiveModel = row.into();
    active.status = Set(to.as_str().to_owned());
    active.revision = Set(revision + 1);
    active.updated_at = Set(Utc::now().trunc_subsecs(6));
    let row = active.update(db).await?;
    audit(
        db,
        actor,
        &format!("period.{}", to.as_str()),
        "period",
        row.id,
        None,
        json!({"status": [before, row.status], "details": extra}),
    )
    .await?;
    Ok(row)
}

/// Opens a draft period for self-assessment: one assessment per agency taking part.
pub async fn open(conn: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Period> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let row = coordinated(&txn, actor, &tree, id).await?;
    let selection = selection_of(&row);
    let now = Utc::now().trunc_subsecs(6);
    let active: HashSet<Uuid> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(selection.agency_ids.iter().copied()))
        .filter(agency::Column::Active.eq(true))
        .all(&txn)
        .await?
        .into_iter()
        .map(|agency| agency.id)
        .collect();
    let agencies: Vec<Uuid> = selection
        .agency_ids
        .iter()
        .copied()
        .filter(|id| active.contains(id))
        .collect();
    if agencies.is_empty() {
        return Err(DomainError::invalid(
            "agency_ids",
            Message::new("period_without_agencies"),
        ));
    }
    let row = advance(
        &txn,
        actor,
        row,
        &[PeriodStatus::Draft],
        PeriodStatus::SelfAssessment,
        json!({"assessments": agencies.len()}),
    )
    .await?;
    let new_rows: Vec<assessment::ActiveModel> = agencies
        .iter()
        .map(|agency| assessment::ActiveModel {
            id: Set(Uuid::now_v7()),
            period_id: Set(row.id),
            agency_id: Set(*agency),
            status: Set(AssessmentStatus::Open.as_str().to_owned()),
            submitted_at: Set(None),
            submitted_by: Set(None),
            late_days: Set(None),
            sampled: Set(false),
            sample_note: Set(None),
            not_submitted: Set(false),
            total: Set(None),
            rank_code: Set(None),
            revision: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for chunk in new_rows.chunks(200) {
        assessment::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    view(conn, &row).await
}

/// Moves a period from self-assessment to appraisal (late submissions still come in).
pub async fn start_appraisal(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<Period> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let row = coordinated(&txn, actor, &tree, id).await?;
    let row = advance(
        &txn,
        actor,
        row,
        &[PeriodStatus::SelfAssessment],
        PeriodStatus::Appraisal,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    view(conn, &row).await
}

/// Publishes a final period's ranking: readable without signing in.
pub async fn publish(conn: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Period> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let row = coordinated(&txn, actor, &tree, id).await?;
    let row = advance(
        &txn,
        actor,
        row,
        &[PeriodStatus::Final],
        PeriodStatus::Published,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    view(conn, &row).await
}
