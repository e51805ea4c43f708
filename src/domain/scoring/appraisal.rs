//! Appraisal (thẩm định): the coordinator assigns appraisers (never to their own agency, its
//! ancestors or descendants) and draws the on-site sample reproducibly from a recorded seed;
//! an appraiser searches only the assessment's agency.

use std::collections::HashMap;

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    PeriodStatus,
    access::{self, audit_assessment},
    periods,
};
use crate::{
    db::{
        self,
        entities::{agency, appraiser_assignment, assessment, role_grant, scoring_period, user},
    },
    domain::{
        Actor, AgencyTree, DomainError, DomainResult, Role, agencies::AgencyKind, text,
        users::access_grants_of_many,
    },
    i18n::Message,
    names::Named,
};

/// `POST /api/v1/periods/{id}/appraisers`: `{assessment_id, user_id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    pub assessment_id: Uuid,
    pub user_id: Uuid,
}

/// An assignment as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub agency_id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub assigned_by: Option<Uuid>,
    pub assigned_at: chrono::DateTime<Utc>,
}

/// Assigns an appraiser to an assessment of the period (the coordinator).
pub async fn assign(
    conn: &DatabaseConnection,
    actor: &Actor,
    period_id: Uuid,
    input: AssignInput,
) -> DomainResult<Assignment> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let period = periods::coordinated(&txn, actor, &tree, period_id).await?;
    if matches!(
        PeriodStatus::parse(&period.status),
        Some(PeriodStatus::Final | PeriodStatus::Published)
    ) {
        return Err(DomainError::Conflict(
            Message::new("period_closed").arg("status", period.status.as_str()),
        ));
    }
    let target = assessment::Entity::find_by_id(input.assessment_id)
        .one(&txn)
        .await?
        .filter(|row| row.period_id == period.id)
        .ok_or(DomainError::NotFound("assessment"))?;
    let person = user::Entity::find_by_id(input.user_id)
        .one(&txn)
        .await?
        .filter(|person| person.active)
        .ok_or(DomainError::NotFound("user"))?;
    let grants = access_grants_of_many(&txn, &[person.id])
        .await?
        .remove(&person.id)
        .unwrap_or_default();
    let appraises = grants.iter().any(|grant| {
        grant.role == Role::Appraiser
            && grant
                .agency_id
                .is_none_or(|root| tree.covers(root, target.agency_id))
    });
    if !appraises {
        return Err(DomainError::RuleViolated(
            Message::new("appraiser_role_missing").arg("user", person.username.as_str()),
        ));
    }
    let own: Vec<Uuid> = grants
        .iter()
        .filter(|grant| Role::is_membership(grant.role))
        .filter_map(|grant| grant.agency_id)
        .collect();
    if own.iter().any(|home| {
        tree.ancestors_and_self(*home).contains(&target.agency_id)
            || tree.ancestors_and_self(target.agency_id).contains(home)
    }) {
        return Err(DomainError::RuleViolated(
            Message::new("appraiser_own_agency").arg("user", person.username.as_str()),
        ));
    }
    if appraiser_assignment::Entity::find()
        .filter(appraiser_assignment::Column::AssessmentId.eq(target.id))
        .filter(appraiser_assignment::Column::UserId.eq(person.id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict(Message::new(
            "appraiser_already_assigned",
        )));
    }
    let row = appraiser_assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        assessment_id: Set(target.id),
        user_id: Set(person.id),
        assigned_by: Set(actor.user_id),
        assigned_at: Set(Utc::now().trunc_subsecs(6)),
    }
    .insert(&txn)
    .await?;
    audit_assessment(
        &txn,
        actor,
        &target,
        "assessment.assign",
        json!({"appraiser": [serde_json::Value::Null, person.username], "user_id": person.id}),
    )
    .await?;
    txn.commit().await?;
    Ok(Assignment {
        id: row.id,
        assessment_id: target.id,
        agency_id: target.agency_id,
        user_id: person.id,
        username: person.username,
        display_name: person.display_name,
        assigned_by: row.assigned_by,
        assigned_at: row.assigned_at,
    })
}

/// Someone who may be assigned to appraise in a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
}

/// The active people holding the appraiser role over the province or an agency of the period,
/// by name, for its coordinator to choose from (whether one may appraise a given agency is
/// still [`assign`]'s to say).
pub async fn candidates(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period_id: Uuid,
) -> DomainResult<Vec<Candidate>> {
    let tree = AgencyTree::load(db).await?;
    let period = periods::coordinated(db, actor, &tree, period_id).await?;
    let taking_part: Vec<Uuid> = assessment::Entity::find()
        .filter(assessment::Column::PeriodId.eq(period.id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.agency_id)
        .collect();
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::Role.eq(Role::Appraiser.as_str()))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = grants
        .iter()
        .filter(|grant| {
            grant.agency_id.is_none_or(|root| {
                taking_part.is_empty()
                    || taking_part.iter().any(|agency| tree.covers(root, *agency))
            })
        })
        .map(|grant| grant.user_id)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::DisplayName)
        .all(db)
        .await?
        .into_iter()
        .map(|person| Candidate {
            user_id: person.id,
            username: person.username,
            display_name: person.display_name,
        })
        .collect())
}

/// Withdraws an appraiser from an assessment (the coordinator); their appraised scores stay,
/// with their names in the history.
pub async fn unassign(
    conn: &DatabaseConnection,
    actor: &Actor,
    period_id: Uuid,
    assignment_id: Uuid,
) -> DomainResult<()> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let period = periods::coordinated(&txn, actor, &tree, period_id).await?;
    if matches!(
        PeriodStatus::parse(&period.status),
        Some(PeriodStatus::Final | PeriodStatus::Published)
    ) {
        return Err(DomainError::Conflict(
            Message::new("period_closed").arg("status", period.status.as_str()),
        ));
    }
    let link = appraiser_assignment::Entity::find_by_id(assignment_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("assignment"))?;
    let target = assessment::Entity::find_by_id(link.assessment_id)
        .one(&txn)
        .await?
        .filter(|row| row.period_id == period.id)
        .ok_or(DomainError::NotFound("assignment"))?;
    let person = user::Entity::find_by_id(link.user_id).one(&txn).await?;
    audit_assessment(
        &txn,
        actor,
        &target,
        "assessment.unassign",
        json!({
            "appraiser": [person.map(|p| p.username), serde_json::Value::Null],
            "user_id": link.user_id,
        }),
    )
    .await?;
    appraiser_assignment::Entity::delete_by_id(link.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The assignments of a period.
pub async fn assignments(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period_id: Uuid,
) -> DomainResult<Vec<Assignment>> {
    let tree = AgencyTree::load(db).await?;
    let period = periods::readable(db, actor, &tree, period_id).await?;
    let rows: HashMap<Uuid, assessment::Model> = assessment::Entity::find()
        .filter(assessment::Column::PeriodId.eq(period.id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let links = appraiser_assignment::Entity::find()
        .filter(appraiser_assignment::Column::AssessmentId.is_in(rows.keys().copied()))
        .all(db)
        .await?;
    let people: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(links.iter().map(|link| link.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    Ok(links
        .into_iter()
        .filter_map(|link| {
            let target = rows.get(&link.assessment_id)?;
            if !access::reads_agency(actor, &tree, target.agency_id)
                && Some(link.user_id) != actor.user_id
            {
                return None;
            }
            let person = people.get(&link.user_id)?;
            Some(Assignment {
                id: link.id,
                assessment_id: link.assessment_id,
                agency_id: target.agency_id,
                user_id: link.user_id,
                username: person.username.clone(),
                display_name: person.display_name.clone(),
                assigned_by: link.assigned_by,
                assigned_at: link.assigned_at,
            })
        })
        .collect())
}

/// `POST /api/v1/periods/{id}/sample`: `{seed?}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleInput {
    /// The same seed draws the same sample; absent, one is drawn and recorded.
    #[serde(default)]
    pub seed: Option<i64>,
}

/// An agency of the sample.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sampled {
    pub assessment_id: Uuid,
    pub agency_id: Uuid,
    pub agency_code: String,
    pub agency_name: String,
    pub agency_kind: String,
    pub note: Option<String>,
}

/// The on-site sample and the seed it was drawn with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sample {
    pub seed: Option<i64>,
    /// Provincial agencies taking part, and how many were picked (at least a third).
    pub provincial: usize,
    pub provincial_picked: usize,
    /// Communes taking part, and how many were picked (at least a tenth, rounded up).
    pub communes: usize,
    pub communes_picked: usize,
    pub agencies: Vec<Sampled>,
}

/// SplitMix64: a tiny generator whose sequence for a seed never changes between releases, so
/// a recorded seed always draws the same sample.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The first `n` of `items` after a Fisher–Yates shuffle.
    fn pick<T>(&mut self, mut items: Vec<T>, n: usize) -> Vec<T> {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
        items.truncate(n);
        items
    }
}

async fn period_agencies(
    db: &impl ConnectionTrait,
    period: &scoring_period::Model,
) -> DomainResult<Vec<(assessment::Model, agency::Model)>> {
    let rows = assessment::Entity::find()
        .filter(assessment::Column::PeriodId.eq(period.id))
        .all(db)
        .await?;
    let agencies: HashMap<Uuid, agency::Model> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(rows.iter().map(|row| row.agency_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut pairs: Vec<(assessment::Model, agency::Model)> = rows
        .into_iter()
        .filter_map(|row| {
            let agency = agencies.get(&row.agency_id)?.clone();
            Some((row, agency))
        })
        .collect();
    pairs.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    Ok(pairs)
}

fn is_commune(agency: &agency::Model) -> bool {
    agency.kind == AgencyKind::Commune.as_str()
}

fn sample_of(
    period: &scoring_period::Model,
    pairs: &[(assessment::Model, agency::Model)],
) -> Sample {
    let provincial = pairs.iter().filter(|(_, a)| !is_commune(a)).count();
    let communes = pairs.len() - provincial;
    let agencies: Vec<Sampled> = pairs
        .iter()
        .filter(|(row, _)| row.sampled)
        .map(|(row, agency)| Sampled {
            assessment_id: row.id,
            agency_id: agency.id,
            agency_code: agency.code.clone(),
            agency_name: agency.name.clone(),
            agency_kind: agency.kind.clone(),
            note: row.sample_note.clone(),
        })
        .collect();
    Sample {
        seed: period.sample_seed,
        provincial,
        provincial_picked: pairs
            .iter()
            .filter(|(row, a)| row.sampled && !is_commune(a))
            .count(),
        communes,
        communes_picked: pairs
            .iter()
            .filter(|(row, a)| row.sampled && is_commune(a))
            .count(),
        agencies,
    }
}

/// Draws the on-site sample (the coordinator): at least a third of the provincial agencies and
/// a tenth of the communes, rounded up, from `seed` (drawn and recorded when absent). Drawing
/// again replaces the sample.
pub async fn draw_sample(
    conn: &DatabaseConnection,
    actor: &Actor,
    period_id: Uuid,
    input: SampleInput,
) -> DomainResult<Sample> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let period = periods::coordinated(&txn, actor, &tree, period_id).await?;
    if !PeriodStatus::parse(&period.status).is_some_and(PeriodStatus::is_running) {
        return Err(DomainError::Conflict(
            Message::new("period_not_running").arg("status", period.status.as_str()),
        ));
    }
    let seed = input
        .seed
        .unwrap_or_else(|| (rand::random::<u64>() >> 1) as i64);
    let pairs = period_agencies(&txn, &period).await?;
    let mut generator = SplitMix(seed as u64);
    let provincial: Vec<Uuid> = pairs
        .iter()
        .filter(|(_, a)| !is_commune(a))
        .map(|(row, _)| row.id)
        .collect();
    let communes: Vec<Uuid> = pairs
        .iter()
        .filter(|(_, a)| is_commune(a))
        .map(|(row, _)| row.id)
        .collect();
    let wanted_provincial = provincial.len().div_ceil(3);
    let wanted_communes = communes.len().div_ceil(10);
    let mut picked = generator.pick(provincial, wanted_provincial);
    picked.extend(generator.pick(communes, wanted_communes));
    for (row, _) in &pairs {
        let sampled = picked.contains(&row.id);
        if row.sampled != sampled || row.sample_note.is_some() {
            let mut active: assessment::ActiveModel = row.clone().into();
            active.sampled = Set(sampled);
            active.sample_note = Set(None);
            active.update(&txn).await?;
        }
    }
    let mut active: scoring_period::ActiveModel = period.clone().into();
    active.sample_seed = Set(Some(seed));
    active.revision = Set(period.revision + 1);
    let period = active.update(&txn).await?;
    crate::domain::audit(
        &txn,
        actor,
        "period.sample",
        "period",
        period.id,
        None,
        json!({"seed": seed, "picked": picked.len()}),
    )
    .await?;
    let pairs = period_agencies(&txn, &period).await?;
    txn.commit().await?;
    Ok(sample_of(&period, &pairs))
}

/// The sample as it stands.
pub async fn sample(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period_id: Uuid,
) -> DomainResult<Sample> {
    let tree = AgencyTree::load(db).await?;
    let period = periods::readable(db, actor, &tree, period_id).await?;
    let pairs = period_agencies(db, &period).await?;
    Ok(sample_of(&period, &pairs))
}

/// `POST /api/v1/periods/{id}/sample/swap`: `{remove, add, reason}` (assessment ids).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwapInput {
    pub remove: Uuid,
    pub add: Uuid,
    pub reason: String,
}

/// Swaps an agency of the sample for another (the coordinator), with a reason.
pub async fn swap(
    conn: &DatabaseConnection,
    actor: &Actor,
    period_id: Uuid,
    input: SwapInput,
) -> DomainResult<Sample> {
    let reason = text::required("reason", &input.reason, 2000)?;
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let period = periods::coordinated(&txn, actor, &tree, period_id).await?;
    if !PeriodStatus::parse(&period.status).is_some_and(PeriodStatus::is_running) {
        return Err(DomainError::Conflict(
            Message::new("period_not_running").arg("status", period.status.as_str()),
        ));
    }
    let pairs = period_agencies(&txn, &period).await?;
    let find = |id: Uuid| {
        pairs
            .iter()
            .find(|(row, _)| row.id == id)
            .ok_or(DomainError::NotFound("assessment"))
    };
    let (out, out_agency) = find(input.remove)?;
    let (into, into_agency) = find(input.add)?;
    if !out.sampled || into.sampled {
        return Err(DomainError::Conflict(Message::new("sample_swap_invalid")));
    }
    if is_commune(out_agency) != is_commune(into_agency) {
        return Err(DomainError::RuleViolated(Message::new("sample_swap_kind")));
    }
    for (row, sampled) in [(out, false), (into, true)] {
        let mut active: assessment::ActiveModel = row.clone().into();
        active.sampled = Set(sampled);
        active.sample_note = Set(Some(reason.clone()));
        let saved = active.update(&txn).await?;
        audit_assessment(
            &txn,
            actor,
            &saved,
            "assessment.sample_swap",
            json!({"sampled": [row.sampled, sampled], "reason": reason}),
        )
        .await?;
    }
    let pairs = period_agencies(&txn, &period).await?;
    txn.commit().await?;
    Ok(sample_of(&period, &pairs))
}
