//! Criteria sets as data: the `hoso-criteria-set/1` format (criteria-sample.json), its
//! validation (every problem at once, each with its path), the normalised tree kept in the
//! database, and importing, listing and reading sets. A set is never edited: a revision is a
//! new set naming the one it supersedes.

use std::collections::{HashMap, HashSet};

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Fact;
use crate::{
    db::entities::criteria_set,
    domain::{Action, Actor, AgencyTree, DomainError, DomainResult, Problem, audit, text},
    i18n::Message,
    names::Named,
};

/// The format's name and version, in the `format` field.
pub const FORMAT: &str = "hoso-criteria-set/1";
/// Deepest nesting of groups accepted.
const MAX_DEPTH: usize = 12;
/// Most criteria in one set.
const MAX_CRITERIA: usize = 2000;
/// Points are compared to a thousandth (sets use halves and quarters).
const EPSILON: f64 = 1e-6;

/// A criteria set as sent: the format of `criteria-sample.json`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CriteriaSetInput {
    /// `hoso-criteria-set/1`.
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    /// The decision that issued it.
    #[serde(default)]
    pub issued_by: Option<String>,
    /// The points of every non-deduction criterion together.
    #[serde(default)]
    pub max_total: Option<f64>,
    /// Highest first; the last may have `min_points: null` (every total below).
    #[serde(default)]
    pub ranks: Vec<RankInput>,
    #[serde(default)]
    pub criteria: Vec<CriterionInput>,
    /// The id or code of the set this one revises.
    #[serde(default)]
    pub supersedes: Option<String>,
}

/// A rank threshold as sent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RankInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub label_en: Option<String>,
    /// The least total of the rank; `null` for the lowest, which takes every total below.
    #[serde(default)]
    pub min_points: Option<f64>,
    /// Where it was read from (`ranks!A3` for a spreadsheet).
    #[serde(skip)]
    pub location: Option<String>,
}

/// A criterion or a group of criteria as sent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CriterionInput {
    #[serde(default)]
    pub code: String,
    /// The group it belongs to, for flat lists (a spreadsheet); nested `children` need none.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub title: String,
    /// A leaf's points (negative for a deduction); a group's, when given, must be its
    /// children's sum.
    #[serde(default)]
    pub max_points: Option<f64>,
    #[serde(default)]
    pub guidance: Option<String>,
    /// The evidence the criterion expects (tài liệu kiểm chứng).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Points taken off (điểm trừ): `max_points` is then the most taken, below 0.
    #[serde(default)]
    pub deduction: bool,
    /// Facts the system knows that this criterion is about (see `GET …/facts`):
    /// `internal_audit_held`, `management_review_held`, `announcement_current`,
    /// `corrective_actions_on_time`, `legal_updates_overdue`, `acknowledgement_coverage`,
    /// `periodic_reports_submitted`, `late_submission`.
    #[serde(default)]
    pub facts: Vec<String>,
    /// With the `late_submission` fact: points taken per day late (default: all of them).
    #[serde(default)]
    pub points_per_day: Option<f64>,
    #[serde(default)]
    #[schema(no_recursion)]
    pub children: Vec<CriterionInput>,
    /// Where it was read from (`criteria!A7` for a spreadsheet).
    #[serde(skip)]
    pub location: Option<String>,
}

/// A rank of a set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Rank {
    pub code: String,
    pub label: String,
    pub label_en: Option<String>,
    pub min_points: Option<f64>,
}

/// A criterion of a set as kept: in order, parents before their children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Criterion {
    pub code: String,
    pub parent: Option<String>,
    /// 0 for a top-level group.
    pub depth: u32,
    pub title: String,
    /// A leaf's points, a group's sum of its children's (deductions left out).
    pub max_points: f64,
    /// The lowest score: a deduction's (negative) most, or a group's deductions together.
    pub min_points: f64,
    pub guidance: Option<String>,
    pub evidence: Vec<String>,
    pub deduction: bool,
    pub facts: Vec<String>,
    pub points_per_day: Option<f64>,
    /// Scored directly (a leaf); groups add up their children.
    pub leaf: bool,
}

impl Criterion {
    /// Whether `score` lies within the leaf's bounds.
    pub fn allows(&self, score: f64) -> bool {
        score.is_finite()
            && score >= self.min_points - EPSILON
            && score <= self.max_points + EPSILON
    }
}

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

/// Problems found so far, each at its path.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, path: impl Into<String>, code: &'static str) {
        self.push(path, Message::new(code));
    }

    fn push(&mut self, path: impl Into<String>, reason: Message) {
        self.0.push(Problem::new(path, reason));
    }
}

/// What validation makes of a set.
struct Checked {
    code: String,
    name: String,
    name_en: Option<String>,
    issued_by: Option<String>,
    max_total: f64,
    ranks: Vec<Rank>,
    criteria: Vec<Criterion>,
}

fn clean(value: &str) -> String {
    value.trim().nfc().collect()
}

fn clean_optional(value: Option<&str>) -> Option<String> {
    value.map(clean).filter(|value| !value.is_empty())
}

/// A criterion in the tree being built: the input and where it sits.
struct Node<'a> {
    input: &'a CriterionInput,
    path: String,
    parent: Option<String>,
}

/// Checks a set and builds its normalised tree, or lists every problem.
fn check(input: &CriteriaSetInput) -> Result<Checked, Vec<Problem>> {
    let mut problems = Problems::default();
    if let Some(format) = &input.format
        && format.trim() != FORMAT
    {
        problems.push(
            "format",
            Message::new("criteria_format_unknown").arg("expected", FORMAT),
        );
    }
    let code = clean(&input.code);
    if code.is_empty() {
        problems.add("code", "criteria_code_missing");
    } else if code.chars().count() > 100 {
        problems.push("code", Message::new("too_long").arg("max", 100));
    }
    let name = clean(&input.name);
    if name.is_empty() {
        problems.add("name", "criteria_name_missing");
    }
    // Flatten: nested children, or a flat list with `parent`.
    let mut nodes: Vec<Node> = Vec::new();
    fn walk<'a>(
        items: &'a [CriterionInput],
        base: &str,
        parent: Option<&str>,
        depth: usize,
        nodes: &mut Vec<Node<'a>>,
        problems: &mut Problems,
    ) {
        for (index, item) in items.iter().enumerate() {
            let path = item
                .location
                .clone()
                .unwrap_or_else(|| format!("{base}[{index}]"));
            if depth >= MAX_DEPTH {
                problems.push(
                    path,
                    Message::new("criteria_too_deep").arg("max", MAX_DEPTH),
                );
                continue;
            }
            let parent = match parent {
                Some(parent) => Some(parent.to_owned()),
                None => clean_optional(item.parent.as_deref()),
            };
            nodes.push(Node {
                input: item,
                path: path.clone(),
                parent,
            });
            let code = clean(&item.code);
            walk(
                &item.children,
                &format!("{path}.children"),
                Some(&code),
                depth + 1,
                nodes,
                problems,
            );
        }
    }
    walk(
        &input.criteria,
        "criteria",
        None,
        0,
        &mut nodes,
        &mut problems,
    );
    if nodes.is_empty() {
        problems.add("criteria", "criteria_empty");
    }
    if nodes.len() > MAX_CRITERIA {
        problems.push(
            "criteria",
            Message::new("criteria_too_many").arg("max", MAX_CRITERIA),
        );
    }
    // Codes: present and unique. Titles are checked with the points, once the tree stands.
    let mut untitled: Vec<String> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for node in &nodes {
        let code = clean(&node.input.code);
        if code.is_empty() {
            problems.add(format!("{}.code", node.path), "criteria_code_missing");
        } else if code.chars().count() > 64 {
            problems.push(
                format!("{}.code", node.path),
                Message::new("too_long").arg("max", 64),
            );
        } else if let Some(first) = seen.get(&code) {
            problems.push(
                format!("{}.code", node.path),
                Message::new("criteria_code_duplicate")
                    .arg("code", code.as_str())
                    .arg("first", first.as_str()),
            );
        } else {
            seen.insert(code, node.path.clone());
        }
        if clean(&node.input.title).is_empty() {
            untitled.push(format!("{}.title", node.path));
        }
    }
    // Parents: known, and no criterion under itself.
    let parent_of: HashMap<String, Option<String>> = nodes
        .iter()
        .map(|node| (clean(&node.input.code), node.parent.clone()))
        .collect();
    for node in &nodes {
        if let Some(parent) = &node.parent
            && !seen.contains_key(parent)
        {
            problems.push(
                format!("{}.parent", node.path),
                Message::new("criteria_parent_unknown").arg("parent", parent.as_str()),
            );
            continue;
        }
        let mut steps = 0;
        let mut at = node.parent.clone();
        while let Some(parent) = at {
            steps += 1;
            if steps > nodes.len() {
                problems.add(format!("{}.parent", node.path), "criteria_parent_cycle");
                break;
            }
            at = parent_of.get(&parent).cloned().flatten();
        }
    }
    if !problems.0.is_empty() {
        return Err(problems.0);
    }
    for path in untitled {
        problems.add(path, "criteria_title_missing");
    }
    // Order the tree: parents before children, children in the order given.
    let mut children: HashMap<Option<String>, Vec<&Node>> = HashMap::new();
    for node in &nodes {
        children.entry(node.parent.clone()).or_default().push(node);
    }
    let mut criteria: Vec<Criterion> = Vec::new();
    let mut paths: Vec<&str> = Vec::new();
    fn order<'a>(
        parent: Option<String>,
        depth: u32,
        children: &HashMap<Option<String>, Vec<&'a Node<'a>>>,
        criteria: &mut Vec<Criterion>,
        paths: &mut Vec<&'a str>,
    ) {
        for node in children.get(&parent).into_iter().flatten() {
            let code = clean(&node.input.code);
            let leaf = !children.contains_key(&Some(code.clone()));
            criteria.push(Criterion {
                code: code.clone(),
                parent: node.parent.clone(),
                depth,
                title: clean(&node.input.title),
                max_points: node.input.max_points.unwrap_or(0.0),
                min_points: 0.0,
                guidance: clean_optional(node.input.guidance.as_deref()),
                evidence: node
                    .input
                    .evidence
                    .iter()
                    .map(|hint| clean(hint))
                    .filter(|hint| !hint.is_empty())
                    .collect(),
                deduction: node.input.deduction,
                facts: node.input.facts.iter().map(|fact| clean(fact)).collect(),
                points_per_day: node.input.points_per_day,
                leaf,
            });
            paths.push(&node.path);
            order(Some(code), depth + 1, children, criteria, paths);
        }
    }
    order(None, 0, &children, &mut criteria, &mut paths);
    // Points, from the leaves up.
    for index in (0..criteria.len()).rev() {
        let path = paths[index];
        let given = nodes
            .iter()
            .find(|node| node.path == path)
            .and_then(|node| node.input.max_points);
        let criterion = &criteria[index];
        for fact in &criterion.facts {
            if Fact::parse(fact).is_none() {
                problems.push(
                    format!("{path}.facts"),
                    Message::new("criteria_fact_unknown")
                        .arg("fact", fact.as_str())
                        .arg("allowed", Fact::names()),
                );
            }
        }
        if let Some(per_day) = criterion.points_per_day
            && (!per_day.is_finite() || per_day <= 0.0)
        {
            problems.add(
                format!("{path}.points_per_day"),
                "criteria_per_day_positive",
            );
        }
        if criterion.leaf {
            match given {
                None => {
                    problems.add(format!("{path}.max_points"), "criteria_points_missing");
                }
                Some(points) if !points.is_finite() => {
                    problems.add(format!("{path}.max_points"), "criteria_points_missing");
                }
                Some(points) if criterion.deduction && points >= 0.0 => {
                    problems.push(
                        format!("{path}.max_points"),
                        Message::new("criteria_deduction_positive").arg("points", points),
                    );
                }
                Some(points) if !criterion.deduction && points <= 0.0 => {
                    problems.push(
                        format!("{path}.max_points"),
                        Message::new("criteria_points_positive").arg("points", points),
                    );
                }
                Some(points) if criterion.deduction => {
                    criteria[index].min_points = points;
                    criteria[index].max_points = 0.0;
                }
                Some(_) => {}
            }
        } else {
            let code = criterion.code.clone();
            let (max, min) = criteria
                .iter()
                .filter(|child| child.parent.as_deref() == Some(code.as_str()))
                .fold((0.0, 0.0), |(max, min), child| {
                    (max + child.max_points, min + child.min_points)
                });
            if let Some(points) = given {
                let expected = if criterion.deduction { min } else { max };
                if (points - expected).abs() > EPSILON {
                    problems.push(
                        format!("{path}.max_points"),
                        Message::new("criteria_group_sum")
                            .arg("points", points)
                            .arg("children", expected),
                    );
                }
            }
            criteria[index].max_points = max;
            criteria[index].min_points = min;
        }
    }
    let total: f64 = criteria
        .iter()
        .filter(|criterion| criterion.parent.is_none())
        .map(|criterion| criterion.max_points)
        .sum();
    let max_total = match input.max_total {
        Some(max_total) if (max_total - total).abs() > EPSILON => {
            problems.push(
                "max_total",
                Message::new("criteria_total_differs")
                    .arg("max_total", max_total)
                    .arg("sum", total),
            );
            max_total
        }
        _ => total,
    };
    let ranks = check_ranks(&input.ranks, max_total, &mut problems);
    if !problems.0.is_empty() {
        return Err(problems.0);
    }
    Ok(Checked {
        code,
        name,
        name_en: clean_optional(input.name_en.as_deref()),
        issued_by: clean_optional(input.issued_by.as_deref()),
        max_total,
        ranks,
        criteria,
    })
}

/// Ranks: named, highest first, thresholds strictly falling and within the total; only the
/// last may be open below.
fn check_ranks(ranks: &[RankInput], max_total: f64, problems: &mut Problems) -> Vec<Rank> {
    if ranks.is_empty() {
        problems.add("ranks", "criteria_ranks_missing");
    }
    let mut codes = HashSet::new();
    let mut above: Option<f64> = None;
    let mut checked = Vec::new();
    for (index, rank) in ranks.iter().enumerate() {
        let path = rank
            .location
            .clone()
            .unwrap_or_else(|| format!("ranks[{index}]"));
        let code = clean(&rank.code);
        if code.is_empty() {
            problems.add(format!("{path}.code"), "criteria_code_missing");
        } else if !codes.insert(code.clone()) {
            problems.push(
                format!("{path}.code"),
                Message::new("criteria_rank_duplicate").arg("code", code.as_str()),
            );
        }
        if clean(&rank.label).is_empty() {
            problems.add(format!("{path}.label"), "criteria_title_missing");
        }
        match rank.min_points {
            None if index + 1 != ranks.len() => {
                problems.add(format!("{path}.min_points"), "criteria_rank_open_not_last");
            }
            None => {}
            Some(min) => {
                if !min.is_finite() || min < 0.0 || min > max_total + EPSILON {
                    problems.push(
                        format!("{path}.min_points"),
                        Message::new("criteria_rank_out_of_range")
                            .arg("points", min)
                            .arg("max_total", max_total),
                    );
                }
                if let Some(above) = above
                    && min >= above - EPSILON
                {
                    problems.push(
                        format!("{path}.min_points"),
                        Message::new("criteria_rank_order")
                            .arg("points", min)
                            .arg("above", above),
                    );
                }
                above = Some(min);
            }
        }
        checked.push(Rank {
            code,
            label: clean(&rank.label),
            label_en: clean_optional(rank.label_en.as_deref()),
            min_points: rank.min_points,
        });
    }
    checked
}

/// Checks a set without keeping it: the problems, if any (an empty list when it would import).
pub fn validate(input: &CriteriaSetInput) -> Vec<Problem> {
    check(input).err().unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CriteriaSetInput {
        let text = include_str!("../../../tests/fixtures/criteria/sample.json");
        serde_json::from_str(text).expect("the sample parses")
    }

    #[test]
    fn the_sample_set_is_valid_and_adds_up_to_its_total() {
        let checked = check(&sample()).expect("valid");
        assert_eq!(checked.max_total, 100.0);
        let group = checked.criteria.iter().find(|c| c.code == "1.3").unwrap();
        assert_eq!(
            (group.max_points, group.leaf, group.depth),
            (10.0, false, 1)
        );
        let late = checked.criteria.iter().find(|c| c.code == "3.1").unwrap();
        assert_eq!((late.min_points, late.max_points), (-5.0, 0.0));
        let deductions = checked.criteria.iter().find(|c| c.code == "3").unwrap();
        assert_eq!((deductions.min_points, deductions.max_points), (-5.0, 0.0));
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let mut set = sample();
        set.max_total = Some(90.0);
        set.criteria[0].children[1].code = "1.1".into();
        set.criteria[0].children[2].max_points = Some(11.0);
        set.criteria[2].children[0].max_points = Some(5.0);
        set.ranks[1].min_points = Some(95.0);
        let problems = check(&set).err().expect("invalid");
        let found: Vec<(String, &str)> = problems
            .iter()
            .map(|problem| (problem.path.clone(), problem.reason.code()))
            .collect();
        assert!(found.contains(&(
            "criteria[0].children[1].code".into(),
            "criteria_code_duplicate"
        )));
        // A duplicate code stops the tree being built; the rest is checked once it is fixed.
        set.criteria[0].children[1].code = "1.2".into();
        let problems = check(&set).err().expect("invalid");
        let found: Vec<(String, &str)> = problems
            .iter()
            .map(|problem| (problem.path.clone(), problem.reason.code()))
            .collect();
        assert!(found.contains(&(
            "criteria[0].children[2].max_points".into(),
            "criteria_group_sum"
        )));
        assert!(found.contains(&(
            "criteria[2].children[0].max_points".into(),
            "criteria_deduction_positive"
        )));
        assert!(found.contains(&("max_total".into(), "criteria_total_differs")));
        assert!(found.contains(&("ranks[1].min_points".into(), "criteria_rank_order")));
    }
}
