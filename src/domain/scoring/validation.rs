//! Checking a criteria set: every problem at once, each with its path
//! (`criteria[0].children[2].max_points`, `criteria!row7.parent`), and the normalised tree of a
//! set that passes.

use std::collections::{HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

use super::{
    Fact,
    format::{
        CriteriaSetInput, Criterion, CriterionInput, EPSILON, FORMAT, MAX_CRITERIA, MAX_DEPTH,
        Rank, RankInput,
    },
};
use crate::{domain::Problem, i18n::Message, names::Named};

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
pub(super) struct Checked {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) name_en: Option<String>,
    pub(super) issued_by: Option<String>,
    pub(super) max_total: f64,
    pub(super) ranks: Vec<Rank>,
    pub(super) criteria: Vec<Criterion>,
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
pub(super) fn check(input: &CriteriaSetInput) -> Result<Checked, Vec<Problem>> {
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
