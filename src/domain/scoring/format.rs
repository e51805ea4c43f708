//! The `hoso-criteria-set/1` format (criteria-sample.json): a set as sent, and its criteria and
//! ranks as kept once checked.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The format's name and version, in the `format` field.
pub const FORMAT: &str = "hoso-criteria-set/1";
/// Deepest nesting of groups accepted.
pub(super) const MAX_DEPTH: usize = 12;
/// Most criteria in one set.
pub(super) const MAX_CRITERIA: usize = 2000;
/// Points are compared to a thousandth (sets use halves and quarters).
pub(super) const EPSILON: f64 = 1e-6;

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
