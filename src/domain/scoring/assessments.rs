//! One agency's assessment in a period: its criteria tree with scores, notes, evidence and
//! progress, and the scores and notes of the agency and its appraisers.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::{Access, Context, audit_criterion, context},
    evidence::{self, Evidence},
    sets::{CriteriaSet, Criterion},
};
use crate::{
    db::{
        self,
        entities::{appraiser_assignment, assessment_score},
    },
    domain::{Actor, DomainError, DomainResult, text},
    i18n::Message,
};

/// The scores of an assessment by criterion code.
#[derive(Debug, Clone, Default)]
pub struct Scores(HashMap<String, assessment_score::Model>);

impl Scores {
    pub async fn load(db: &impl ConnectionTrait, assessment_id: Uuid) -> DomainResult<Self> {
        Ok(Self::of_many(db, &[assessment_id])
            .await?
            .remove(&assessment_id)
            .unwrap_or_default())
    }

    /// The scores of many assessments, in chunks.
    pub async fn of_many(
        db: &impl ConnectionTrait,
        ids: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Self>> {
        let mut all: HashMap<Uuid, Self> = HashMap::new();
        for chunk in ids.chunks(500) {
            for row in assessment_score::Entity::find()
                .filter(assessment_score::Column::AssessmentId.is_in(chunk.iter().copied()))
                .all(db)
                .await?
            {
                all.entry(row.assessment_id)
                    .or_default()
                    .0
                    .insert(row.criterion_code.clone(), row);
            }
        }
        Ok(all)
    }

    pub fn of(&self, code: &str) -> Option<&assessment_score::Model> {
        self.0.get(code)
    }

    /// Leaves with a self score, the self total, and the total with appraised scores where
    /// given.
    pub fn totals(&self, set: &CriteriaSet) -> (u64, f64, f64) {
        let mut scored = 0;
        let (mut own, mut appraised) = (0.0, 0.0);
        for leaf in set.leaves() {
            let score = self.of(&leaf.code);
            let mine = score.and_then(|score| score.self_score);
            if mine.is_some() {
                scored += 1;
            }
            own += mine.unwrap_or(0.0);
            appraised += score
                .and_then(|score| score.appraised_score)
                .or(mine)
                .unwrap_or(0.0);
        }
        (scored, round(own), round(appraised))
    }
}

/// Points to a hundredth, so sums of halves and quarters print as such.
pub fn round(points: f64) -> f64 {
    (points * 100.0).round() / 100.0
}

/// How far an assessment is: leaves scored, leaves with evidence, leaves in all.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct Progress {
    pub scored: u64,
    pub with_evidence: u64,
    pub total: u64,
}

/// A criterion of an assessment: the set's criterion, what the agency and its appraisers
/// said, and its evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionView {
    #[serde(flatten)]
    pub criterion: Criterion,
    pub self_score: Option<f64>,
    pub note: Option<String>,
    pub appraised_score: Option<f64>,
    pub appraisal_comment: Option<String>,
    /// The system's fact proposal: `accepted` or `overridden`.
    pub fact_state: Option<String>,
    pub fact_note: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// `GET /api/v1/assessments/{id}`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    pub id: Uuid,
    pub period_id: Uuid,
    pub period_name: String,
    pub period_status: String,
    pub year: i32,
    pub self_assessment_due: NaiveDate,
    pub criteria_set_id: Uuid,
    pub agency_id: Uuid,
    pub agency_code: String,
    pub agency_name: String,
    pub agency_kind: String,
    /// `open`, `submitted` or `final`.
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<Uuid>,
    pub late_days: Option<i32>,
    pub sampled: bool,
    pub sample_note: Option<String>,
    pub not_submitted: bool,
    /// The sum of the self scores.
    pub self_total: f64,
    /// The sum with appraised scores where given.
    pub appraised_total: f64,
    /// The final total and rank, once the period is final.
    pub total: Option<f64>,
    pub rank_code: Option<String>,
    pub max_total: f64,
    pub progress: Progress,
    pub appraisers: Vec<Uuid>,
    pub criteria: Vec<CriterionView>,
    pub revision: i32,
}

/// One assessment as its readers see it.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Assessment> {
    let context = context(db, actor, id, Access::Read).await?;
    view(db, &context).await
}

/// The full view of an assessment: five queries.
pub async fn view(db: &impl ConnectionTrait, context: &Context) -> DomainResult<Assessment> {
    let scores = Scores::load(db, context.row.id).await?;
    let mut evidence = evidence::views_of(db, context.row.id).await?;
    let appraisers = appraisers_of(db, &[context.row.id]).await?;
    let (scored, self_total, appraised_total) = scores.totals(&context.set);
    let mut progress = Progress {
        scored,
        ..Progress::default()
    };
    let criteria = context
        .set
        .criteria
        .iter()
        .map(|criterion| {
            let score = scores.of(&criterion.code);
            let items = evidence.remove(&criterion.code).unwrap_or_default();
            if criterion.leaf {
                progress.total += 1;
                progress.with_evidence += u64::from(!items.is_empty());
            }
            let (self_score, appraised_score) = if criterion.leaf {
                (
                    score.and_then(|score| score.self_score),
                    score.and_then(|score| score.appraised_score),
                )
            } else {
                group_totals(&context.set, &scores, &criterion.code)
            };
            CriterionView {
                criterion: criterion.clone(),
                self_score,
                note: score.and_then(|score| score.note.clone()),
                appraised_score,
                appraisal_comment: score.and_then(|score| score.appraisal_comment.clone()),
                fact_state: score.and_then(|score| score.fact_state.clone()),
                fact_note: score.and_then(|score| score.fact_note.clone()),
                evidence: items,
            }
        })
        .collect();
    Ok(Assessment {
        id: context.row.id,
        period_id: context.period.id,
        period_name: context.period.name.clone(),
        period_status: context.period.status.clone(),
        year: context.period.year,
        self_assessment_due: context.period.self_assessment_due,
        criteria_set_id: context.set.id,
        agency_id: context.agency.id,
        agency_code: context.agency.code.clone(),
        agency_name: context.agency.name.clone(),
        agency_kind: context.agency.kind.clone(),
        status: context.row.status.clone(),
        submitted_at: context.row.submitted_at,
        submitted_by: context.row.submitted_by,
        late_days: context.row.late_days,
        sampled: context.row.sampled,
        sample_note: context.row.sample_note.clone(),
        not_submitted: context.row.not_submitted,
        self_total,
        appraised_total,
        total: context.row.total,
        rank_code: context.row.rank_code.clone(),
        max_total: context.set.max_total,
        progress,
        appraisers: appraisers.get(&context.row.id).cloned().unwrap_or_default(),
        criteria,
        revision: context.row.revision,
    })
}

/// A group's self and appraised sums over the leaves under it (`None` when none is scored).
fn group_totals(set: &CriteriaSet, scores: &Scores, code: &str) -> (Option<f64>, Option<f64>) {
    let mut under: HashSet<&str> = HashSet::from([code]);
    let (mut own, mut appraised, mut any) = (0.0, 0.0, false);
    for criterion in &set.criteria {
        let Some(parent) = criterion.parent.as_deref() else {
            continue;
        };
        if !under.contains(parent) {
            continue;
        }
        under.insert(&criterion.code);
        if criterion.leaf
            && let Some(score) = scores.of(&criterion.code)
        {
            if let Some(mine) = score.self_score {
                any = true;
                own += mine;
                appraised += score.appraised_score.unwrap_or(mine);
            } else if let Some(theirs) = score.appraised_score {
                any = true;
                appraised += theirs;
            }
        }
    }
    match any {
        true => (Some(round(own)), Some(round(appraised))),
        false => (None, None),
    }
}

/// The appraisers of each assessment.
pub(crate) async fn appraisers_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<Uuid>>> {
    let mut all: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in appraiser_assignment::Entity::find()
            .filter(appraiser_assignment::Column::AssessmentId.is_in(chunk.iter().copied()))
            .order_by_asc(appraiser_assignment::Column::AssignedAt)
            .all(db)
            .await?
        {
            all.entry(row.assessment_id).or_default().push(row.user_id);
        }
    }
    Ok(all)
}

/// `PUT /api/v1/assessments/{id}/criteria/{code}`: `{score, note}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// Within the criterion's bounds (a deduction: between its negative maximum and 0);
    /// `null` clears it.
    pub score: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `PUT …/appraisal`: `{score, comment}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraisalInput {
    pub score: Option<f64>,
    #[serde(default)]
    pub comment: Option<String>,
}

fn check_score(criterion: &Criterion, score: Option<f64>) -> DomainResult<()> {
    if let Some(score) = score
        && !criterion.allows(score)
    {
        return Err(DomainError::invalid(
            "score",
            Message::new("score_out_of_bounds")
                .arg("min", criterion.min_points)
                .arg("max", criterion.max_points),
        ));
    }
    Ok(())
}

/// Writes one criterion's row: `change` edits the model (or a new one).
pub(super) async fn write_score(
    db: &impl ConnectionTrait,
    actor: &Actor,
    context: &Context,
    code: &str,
    change: impl FnOnce(&mut assessment_score::ActiveModel),
) -> DomainResult<(Option<assessment_score::Model>, assessment_score::Model)> {
    let before = assessment_score::Entity::find()
        .filter(assessment_score::Column::AssessmentId.eq(context.row.id))
        .filter(assessment_score::Column::CriterionCode.eq(code))
        .one(db)
        .await?;
    let mut row = match &before {
        Some(row) => row.clone().into(),
        None => assessment_score::ActiveModel {
            id: Set(Uuid::now_v7()),
            assessment_id: Set(context.row.id),
            criterion_code: Set(code.to_owned()),
            self_score: Set(None),
            note: Set(None),
            appraised_score: Set(None),
            appraisal_comment: Set(None),
            fact_state: Set(None),
            fact_note: Set(None),
            updated_by: Set(actor.user_id),
            updated_at: Set(Utc::now()),
        },
    };
    change(&mut row);
    row.updated_by = Set(actor.user_id);
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    let after = match before {
        Some(_) => row.update(db).await?,
        None => row.insert(db).await?,
    };
    Ok((before, after))
}

/// Who says what of a criterion: the agency its self score and note, an appraiser the appraised
/// score and comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Voice {
    Agency,
    Appraiser,
}

/// Writes a score and its text for `voice`, with the audit row of before and after.
async fn say(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    code: &str,
    voice: Voice,
    score: Option<f64>,
    words: Option<&str>,
) -> DomainResult<Assessment> {
    let (access, field, verb) = match voice {
        Voice::Agency => (Access::SelfAssess, "note", "assessment.score"),
        Voice::Appraiser => (Access::Appraise, "comment", "assessment.appraise"),
    };
    let txn = db::begin_write(conn).await?;
    let context = context(&txn, actor, id, access).await?;
    let criterion = context.leaf(code)?.clone();
    check_score(&criterion, score)?;
    let words = text::optional(field, words, 4000)?;
    let (before, after) = write_score(&txn, actor, &context, &criterion.code, |row| match voice {
        Voice::Agency => {
            row.self_score = Set(score);
            row.note = Set(words.clone());
        }
        Voice::Appraiser => {
            row.appraised_score = Set(score);
            row.appraisal_comment = Set(words.clone());
        }
    })
    .await?;
    let said = |row: Option<&assessment_score::Model>| match voice {
        Voice::Agency => (
            row.and_then(|row| row.self_score),
            row.and_then(|row| row.note.clone()),
        ),
        Voice::Appraiser => (
            row.and_then(|row| row.appraised_score),
            row.and_then(|row| row.appraisal_comment.clone()),
        ),
    };
    let (old_score, old_words) = said(before.as_ref());
    let (new_score, new_words) = said(Some(&after));
    let score_field = match voice {
        Voice::Agency => "score",
        Voice::Appraiser => "appraised_score",
    };
    audit_criterion(
        &txn,
        actor,
        &context,
        &criterion.code,
        verb,
        json!({
            "criterion": criterion.code,
            score_field: [old_score, new_score],
            field: [old_words, new_words],
        }),
    )
    .await?;
    txn.commit().await?;
    view(conn, &context).await
}

/// Sets the self score and note of a leaf criterion (the agency's ISO officer, while open).
pub async fn set_score(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    code: &str,
    input: ScoreInput,
) -> DomainResult<Assessment> {
    let note = input.note.as_deref();
    say(conn, actor, id, code, Voice::Agency, input.score, note).await
}

/// Sets the appraised score and comment of a leaf criterion (an assigned appraiser, once
/// submitted).
pub async fn appraise(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    code: &str,
    input: AppraisalInput,
) -> DomainResult<Assessment> {
    let comment = input.comment.as_deref();
    say(
        conn,
        actor,
        id,
        code,
        Voice::Appraiser,
        input.score,
        comment,
    )
    .await
}

/// Records the fate of a fact proposal (and the score it brings, when accepted).
pub(crate) async fn write_fact_state(
    db: &impl ConnectionTrait,
    actor: &Actor,
    context: &Context,
    code: &str,
    state: &str,
    note: Option<String>,
    score: Option<f64>,
) -> DomainResult<()> {
    let criterion = context.leaf(code)?.clone();
    check_score(&criterion, score)?;
    let (before, after) = write_score(db, actor, context, &criterion.code, |row| {
        row.fact_state = Set(Some(state.to_owned()));
        row.fact_note = Set(note.clone());
        if score.is_some() {
            row.self_score = Set(score);
        }
    })
    .await?;
    audit_criterion(
        db,
        actor,
        context,
        &criterion.code,
        &format!("assessment.fact_{state}"),
        json!({
            "criterion": criterion.code,
            "fact_state": [before.as_ref().and_then(|b| b.fact_state.clone()), after.fact_state],
            "fact_note": [before.as_ref().and_then(|b| b.fact_note.clone()), after.fact_note],
            "score": [before.as_ref().and_then(|b| b.self_score), after.self_score],
        }),
    )
    .await
}
