//! Criteria sets kept in the database: importing one (checked by `validation`), listing and
//! reading sets. A set is never edited: a revision is a new set naming the one it supersedes.

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;
use uuid::Uuid;

pub use super::format::{CriteriaSetInput, Criterion, CriterionInput, FORMAT, Rank, RankInput};
use super::{Fact, format::EPSILON, validation::check};
use crate::{
    db::entities::criteria_set,
    domain::{Action, Actor, AgencyTree, DomainError, DomainResult, Problem, audit, text},
    i18n::Message,
    names::Named,
};

/// A criteria set as kept and shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriteriaSet {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub issued_by: Option<String>,
    pub max_total: f64,
    pub ranks: Vec<Rank>,
    pub criteria: Vec<Criterion>,
    pub supersedes_id: Option<Uuid>,
    pub created_at: chrono::DateTime<Utc>,
}

impl CriteriaSet {
    pub fn of(row: &criteria_set::Model) -> DomainResult<Self> {
        let broken = |error: serde_json::Error| {
            DomainError::Internal(format!("criteria set {} unreadable: {error}", row.id))
        };
        Ok(Self {
            id: row.id,
            code: row.code.clone(),
            name: row.name.clone(),
            name_en: row.name_en.clone(),
            issued_by: row.issued_by.clone(),
            max_total: row.max_total,
            ranks: serde_json::from_str(&row.ranks).map_err(broken)?,
            criteria: serde_json::from_str(&row.criteria).map_err(broken)?,
            supersedes_id: row.supersedes_id,
            created_at: row.created_at,
        })
    }

    /// The criterion with this code.
    pub fn criterion(&self, code: &str) -> Option<&Criterion> {
        self.criteria
            .iter()
            .find(|criterion| criterion.code == code)
    }

    /// The leaves, in order.
    pub fn leaves(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria.iter().filter(|criterion| criterion.leaf)
    }

    /// The rank of a total: the first whose threshold it reaches.
    pub fn rank_of(&self, total: f64) -> Option<&Rank> {
        self.ranks.iter().find(|rank| match rank.min_points {
            Some(min) => total + EPSILON >= min,
            None => true,
        })
    }

    /// The leaf criterion that takes the late-submission deduction, if the set has one.
    pub fn late_submission(&self) -> Option<&Criterion> {
        self.leaves().find(|criterion| {
            criterion.deduction
                && criterion
                    .facts
                    .iter()
                    .any(|fact| fact == Fact::LateSubmission.as_str())
        })
    }
}

/// A set in lists: without its criteria.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriteriaSetSummary {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub max_total: f64,
    pub criteria: usize,
    pub supersedes_id: Option<Uuid>,
    pub created_at: chrono::DateTime<Utc>,
}

fn code_key(code: &str) -> String {
    code.trim().nfc().collect::<String>().to_lowercase()
}

/// Imports a criteria set (the coordinator): 422 listing every problem (with those its reader
/// found, `read_problems`), 409 when its code is taken.
pub async fn import(
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: CriteriaSetInput,
    read_problems: Vec<Problem>,
) -> DomainResult<CriteriaSet> {
    let tree = AgencyTree::load(db).await?;
    if !actor.can(Action::ManageCriteria, None, &tree)
        && actor.scope(Action::ManageCriteria, &tree).is_empty()
    {
        return Err(DomainError::Forbidden);
    }
    let mut result = match (check(&input), read_problems.is_empty()) {
        (result, true) => result,
        (Ok(_), false) => Err(read_problems),
        (Err(mut problems), false) => {
            problems.extend(read_problems);
            Err(problems)
        }
    };
    let supersedes = match input.supersedes.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(reference) => match find(db, reference).await? {
            Some(row) => Some(row.id),
            None => {
                let problem = Problem::new(
                    "supersedes",
                    Message::new("criteria_supersedes_unknown").arg("set", reference),
                );
                match &mut result {
                    Ok(_) => result = Err(vec![problem]),
                    Err(problems) => problems.push(problem),
                }
                None
            }
        },
    };
    let checked = result.map_err(|problems| {
        DomainError::Problems(
            Message::new("criteria_set_invalid").arg("count", problems.len()),
            problems,
        )
    })?;
    text::required("code", &checked.code, 100)?;
    if find(db, &checked.code).await?.is_some() {
        return Err(DomainError::Conflict(
            Message::new("criteria_set_code_taken").arg("code", checked.code.as_str()),
        ));
    }
    let row = criteria_set::ActiveModel {
        id: Set(Uuid::now_v7()),
        code_key: Set(code_key(&checked.code)),
        code: Set(checked.code),
        name: Set(checked.name),
        name_en: Set(checked.name_en),
        issued_by: Set(checked.issued_by),
        max_total: Set(checked.max_total),
        ranks: Set(json_text(&checked.ranks)),
        criteria: Set(json_text(&checked.criteria)),
        supersedes_id: Set(supersedes),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    }
    .insert(db)
    .await?;
    let set = CriteriaSet::of(&row)?;
    audit(
        db,
        actor,
        "criteria_set.import",
        "criteria_set",
        row.id,
        None,
        serde_json::json!({
            "code": set.code,
            "name": set.name,
            "criteria": set.criteria.len(),
            "max_total": set.max_total,
            "supersedes_id": set.supersedes_id,
        }),
    )
    .await?;
    Ok(set)
}

fn json_text(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// The set with this id or code.
pub(crate) async fn find(
    db: &impl ConnectionTrait,
    reference: &str,
) -> DomainResult<Option<criteria_set::Model>> {
    let reference = reference.trim();
    if let Ok(id) = Uuid::parse_str(reference) {
        return Ok(criteria_set::Entity::find_by_id(id).one(db).await?);
    }
    Ok(criteria_set::Entity::find()
        .filter(criteria_set::Column::CodeKey.eq(code_key(reference)))
        .one(db)
        .await?)
}

/// The set of a period (or any) by id.
pub(crate) async fn load(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<CriteriaSet> {
    let row = criteria_set::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("criteria_set"))?;
    CriteriaSet::of(&row)
}

/// Every set, newest first. Anyone signed in may read them: they are public decisions.
pub async fn list(db: &impl ConnectionTrait) -> DomainResult<Vec<CriteriaSetSummary>> {
    let rows = criteria_set::Entity::find()
        .order_by_desc(criteria_set::Column::CreatedAt)
        .all(db)
        .await?;
    rows.iter()
        .map(|row| {
            let set = CriteriaSet::of(row)?;
            Ok(CriteriaSetSummary {
                id: set.id,
                code: set.code,
                name: set.name,
                max_total: set.max_total,
                criteria: set.criteria.len(),
                supersedes_id: set.supersedes_id,
                created_at: set.created_at,
            })
        })
        .collect()
}

/// One set with its criteria and ranks, by id or code.
pub async fn get(db: &impl ConnectionTrait, reference: &str) -> DomainResult<CriteriaSet> {
    let row = find(db, reference)
        .await?
        .ok_or(DomainError::NotFound("criteria_set"))?;
    CriteriaSet::of(&row)
}
