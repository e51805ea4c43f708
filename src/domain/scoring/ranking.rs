//! The ranking of a period: totals, ranks by the set's thresholds, positions, grouped by kind of
//! agency and by parent, with each parent's roll-up of its children. Before the period is final
//! its coordinator sees a provisional ranking from the scores as they stand; once published,
//! anyone sees totals and ranks without signing in.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    AssessmentStatus, PeriodStatus,
    assessments::{Scores, round},
    periods,
    sets::{self, CriteriaSet, Rank},
};
use crate::{
    db::entities::{agency, assessment, scoring_period},
    domain::{Actor, AgencyTree, DomainError, DomainResult},
    names::Named,
};

/// One agency's line of the ranking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingRow {
    pub assessment_id: Uuid,
    pub agency_id: Uuid,
    pub agency_code: String,
    pub agency_name: String,
    pub agency_kind: String,
    pub parent_id: Option<Uuid>,
    pub total: f64,
    pub rank_code: Option<String>,
    pub rank_label: Option<String>,
    /// 1 for the highest total; equal totals share a position.
    pub position: u32,
    /// The position among agencies of the same kind.
    pub position_in_kind: u32,
    /// Finalised without ever being submitted (zero points).
    pub not_submitted: bool,
}

/// Counts per rank and the average total of a group of agencies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollUp {
    pub agencies: u64,
    /// Rank code → agencies of that rank.
    pub ranks: BTreeMap<String, u64>,
    pub average: f64,
}

/// The agencies of one kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindGroup {
    pub kind: String,
    #[serde(flatten)]
    pub roll_up: RollUp,
    pub rows: Vec<RankingRow>,
}

/// A parent and the roll-up of its children taking part (a committee answers for its communes).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParentGroup {
    pub parent_id: Option<Uuid>,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    #[serde(flatten)]
    pub roll_up: RollUp,
    pub rows: Vec<RankingRow>,
}

/// `GET /api/v1/periods/{id}/ranking`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ranking {
    pub period_id: Uuid,
    pub period_name: String,
    pub year: i32,
    pub status: String,
    /// Computed from the scores as they stand: the period is not final yet.
    pub provisional: bool,
    pub max_total: f64,
    pub ranks: Vec<Rank>,
    pub rows: Vec<RankingRow>,
    pub by_kind: Vec<KindGroup>,
    pub by_parent: Vec<ParentGroup>,
}

/// The ranking as the coordinator, the agencies and their appraisers read it.
pub async fn ranking(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Ranking> {
    let tree = AgencyTree::load(db).await?;
    let period = periods::readable(db, actor, &tree, id).await?;
    let status = PeriodStatus::parse(&period.status).unwrap_or(PeriodStatus::Draft);
    // Before it is final, the ranking is the coordinator's working view.
    if !matches!(status, PeriodStatus::Final | PeriodStatus::Published) {
        periods::coordinated(db, actor, &tree, id).await?;
    }
    build(db, &period).await
}

/// The published ranking, for anyone: a period not published is "not found".
pub async fn public_ranking(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Ranking> {
    let period = scoring_period::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|row| row.status == PeriodStatus::Published.as_str())
        .ok_or(DomainError::NotFound("period"))?;
    build(db, &period).await
}

/// The ranking of a period: three queries and the set.
pub(crate) async fn build(
    db: &impl ConnectionTrait,
    period: &scoring_period::Model,
) -> DomainResult<Ranking> {
    let set = sets::load(db, period.criteria_set_id).await?;
    let rows = assessment::Entity::find()
        .filter(assessment::Column::PeriodId.eq(period.id))
        .all(db)
        .await?;
    let agencies: HashMap<Uuid, agency::Model> = agency::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let provisional = rows
        .iter()
        .any(|row| row.status != AssessmentStatus::Final.as_str());
    let mut scores = match provisional {
        true => Scores::of_many(db, &rows.iter().map(|row| row.id).collect::<Vec<_>>()).await?,
        false => HashMap::new(),
    };
    let mut lines: Vec<RankingRow> = rows
        .iter()
        .filter_map(|row| {
            let agency = agencies.get(&row.agency_id)?;
            let total = match row.total {
                Some(total) if !provisional || row.status == AssessmentStatus::Final.as_str() => {
                    total
                }
                _ => scores.remove(&row.id).unwrap_or_default().totals(&set).2,
            };
            let rank = set.rank_of(total);
            Some(RankingRow {
                assessment_id: row.id,
                agency_id: agency.id,
                agency_code: agency.code.clone(),
                agency_name: agency.name.clone(),
                agency_kind: agency.kind.clone(),
                parent_id: agency.parent_id,
                total: round(total),
                rank_code: rank.map(|rank| rank.code.clone()),
                rank_label: rank.map(|rank| rank.label.clone()),
                position: 0,
                position_in_kind: 0,
                not_submitted: row.not_submitted,
            })
        })
        .collect();
    lines.sort_by(|a, b| {
        b.total
            .total_cmp(&a.total)
            .then_with(|| a.agency_code.cmp(&b.agency_code))
    });
    positions(&mut lines, |row, position| row.position = position);
    let mut kinds: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, row) in lines.iter().enumerate() {
        kinds
            .entry(row.agency_kind.clone())
            .or_default()
            .push(index);
    }
    for indexes in kinds.values() {
        let mut previous: Option<f64> = None;
        let mut position = 0;
        for (n, index) in indexes.iter().enumerate() {
            let total = lines[*index].total;
            if previous != Some(total) {
                position = n as u32 + 1;
                previous = Some(total);
            }
            lines[*index].position_in_kind = position;
        }
    }
    let by_kind = kinds
        .into_iter()
        .map(|(kind, indexes)| {
            let rows: Vec<RankingRow> = indexes.iter().map(|i| lines[*i].clone()).collect();
            KindGroup {
                kind,
                roll_up: roll_up(&set, &rows),
                rows,
            }
        })
        .collect();
    let mut parents: BTreeMap<Option<String>, (Option<Uuid>, Vec<RankingRow>)> = BTreeMap::new();
    for row in &lines {
        let parent = row.parent_id.and_then(|id| agencies.get(&id));
        parents
            .entry(parent.map(|p| p.code.clone()))
            .or_insert_with(|| (row.parent_id, Vec::new()))
            .1
            .push(row.clone());
    }
    let by_parent = parents
        .into_iter()
        .map(|(code, (parent_id, rows))| ParentGroup {
            parent_name: parent_id
                .and_then(|id| agencies.get(&id))
                .map(|p| p.name.clone()),
            parent_code: code,
            parent_id,
            roll_up: roll_up(&set, &rows),
            rows,
        })
        .collect();
    Ok(Ranking {
        period_id: period.id,
        period_name: period.name.clone(),
        year: period.year,
        status: period.status.clone(),
        provisional,
        max_total: set.max_total,
        ranks: set.ranks.clone(),
        rows: lines,
        by_kind,
        by_parent,
    })
}

/// Positions by total, highest first; equal totals share one.
fn positions(rows: &mut [RankingRow], mut set: impl FnMut(&mut RankingRow, u32)) {
    let mut previous: Option<f64> = None;
    let mut position = 0;
    for (n, row) in rows.iter_mut().enumerate() {
        if previous != Some(row.total) {
            position = n as u32 + 1;
            previous = Some(row.total);
        }
        set(row, position);
    }
}

fn roll_up(set: &CriteriaSet, rows: &[RankingRow]) -> RollUp {
    let mut ranks: BTreeMap<String, u64> = set
        .ranks
        .iter()
        .map(|rank| (rank.code.clone(), 0))
        .collect();
    for row in rows {
        if let Some(code) = &row.rank_code {
            *ranks.entry(code.clone()).or_insert(0) += 1;
        }
    }
    let sum: f64 = rows.iter().map(|row| row.total).sum();
    RollUp {
        agencies: rows.len() as u64,
        ranks,
        average: match rows.len() {
            0 => 0.0,
            n => round(sum / n as f64),
        },
    }
}

/// The published ranking with totals and ranks only (no assessment ids).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicRow {
    pub agency_code: String,
    pub agency_name: String,
    pub agency_kind: String,
    pub total: f64,
    pub rank_code: Option<String>,
    pub rank_label: Option<String>,
    pub position: u32,
    pub position_in_kind: u32,
}

/// `GET /public/periods/{id}/ranking`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicRanking {
    pub period_name: String,
    pub year: i32,
    pub max_total: f64,
    pub ranks: Vec<Rank>,
    pub rows: Vec<PublicRow>,
    /// Per kind of agency: counts per rank and the average.
    pub by_kind: BTreeMap<String, RollUp>,
    /// Per parent (by code): counts per rank and the average of its children.
    pub by_parent: BTreeMap<String, RollUp>,
}

impl From<Ranking> for PublicRanking {
    fn from(ranking: Ranking) -> Self {
        Self {
            period_name: ranking.period_name,
            year: ranking.year,
            max_total: ranking.max_total,
            ranks: ranking.ranks,
            rows: ranking
                .rows
                .into_iter()
                .map(|row| PublicRow {
                    agency_code: row.agency_code,
                    agency_name: row.agency_name,
                    agency_kind: row.agency_kind,
                    total: row.total,
                    rank_code: row.rank_code,
                    rank_label: row.rank_label,
                    position: row.position,
                    position_in_kind: row.position_in_kind,
                })
                .collect(),
            by_kind: ranking
                .by_kind
                .into_iter()
                .map(|group| (group.kind, group.roll_up))
                .collect(),
            by_parent: ranking
                .by_parent
                .into_iter()
                .filter_map(|group| Some((group.parent_code?, group.roll_up)))
                .collect(),
        }
    }
}
