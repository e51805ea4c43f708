//! Scoring periods: the list, and a period's page with its progress, the ranking table and
//! charts by rank and by parent (server-side SVG), and the exports.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::{
    charts,
    page::{Chrome, Tr, Viewer},
    view::Badge,
};
use crate::{
    AppState,
    domain::{
        DomainError,
        scoring::{periods, ranking},
    },
    web::{error::AppResult, extract::ApiPath},
};

/// The word and colour of a period's status.
pub fn period_badge(status: &str, t: Tr) -> Badge {
    let (key, tone) = match status {
        "draft" => ("period_draft", "draft"),
        "self_assessment" => ("period_self_assessment", "review"),
        "appraisal" => ("period_appraisal", "warn"),
        "final" => ("period_final", "ok"),
        _ => ("period_published", "ok"),
    };
    Badge {
        text: t.get(key),
        tone,
    }
}

/// A period in the list.
pub struct PeriodRow {
    pub href: String,
    pub name: String,
    pub status: Badge,
    pub agencies: usize,
    pub due: String,
}

/// The periods the viewer may read, newest first.
pub async fn period_rows(state: &AppState, viewer: &Viewer) -> AppResult<Vec<PeriodRow>> {
    let t = viewer.t();
    Ok(periods::list(&state.db, &viewer.actor)
        .await?
        .into_iter()
        .map(|period| PeriodRow {
            href: format!("/periods/{}", period.id),
            name: period.name,
            status: period_badge(&period.status, t),
            agencies: period.agencies,
            due: viewer.lang.date(period.self_assessment_due),
        })
        .collect())
}

/// A line of the ranking.
pub struct RankRow {
    pub position: u32,
    pub agency: String,
    pub total: String,
    pub rank: String,
    pub not_submitted: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "period.html")]
struct PeriodPage {
    chrome: Chrome,
    t: Tr,
    id: Uuid,
    name: String,
    status: Badge,
    facts: Vec<(String, String)>,
    provisional: bool,
    rows: Vec<RankRow>,
    by_rank: Option<String>,
    by_parent: Option<String>,
    rank_counts: Vec<(String, u64)>,
    parent_averages: Vec<(String, String)>,
    coordinator: bool,
    published: bool,
}

/// `GET /periods/{id}`
pub async fn period_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let t = viewer.t();
    let lang = viewer.lang;
    let period = periods::get(&state.db, &viewer.actor, id).await?;
    let mut facts = vec![
        (t.get("period_year"), period.year.to_string()),
        (
            t.get("period_agencies"),
            lang.integer(period.agencies as i64),
        ),
        (
            t.get("period_self_due"),
            lang.date(period.self_assessment_due),
        ),
        (
            t.get("period_appraisal_due"),
            lang.date(period.appraisal_due),
        ),
    ];
    for (status, count) in &period.assessments {
        let key = match status.as_str() {
            "open" => "assessment_open",
            "submitted" => "assessment_submitted",
            _ => "assessment_final",
        };
        facts.push((t.get(key), lang.integer(i64::try_from(*count).unwrap_or(0))));
    }
    // The ranking is the coordinator's working view until the period is final.
    let (ranked, coordinator) = match ranking::ranking(&state.db, &viewer.actor, id).await {
        Ok(ranked) => {
            let coordinator = ranked.provisional;
            (Some(ranked), coordinator)
        }
        Err(DomainError::Forbidden | DomainError::NotFound(_) | DomainError::NotAllowed(_)) => {
            (None, false)
        }
        Err(error) => return Err(error.into()),
    };
    let mut page = PeriodPage {
        chrome: viewer.chrome(period.name.clone()),
        t,
        id,
        name: period.name.clone(),
        status: period_badge(&period.status, t),
        facts,
        provisional: false,
        rows: Vec::new(),
        by_rank: None,
        by_parent: None,
        rank_counts: Vec::new(),
        parent_averages: Vec::new(),
        coordinator,
        published: period.status == "published",
    };
    if let Some(ranked) = ranked {
        page.provisional = ranked.provisional;
        page.rows = ranked
            .rows
            .iter()
            .map(|row| RankRow {
                position: row.position,
                agency: row.agency_name.clone(),
                total: lang.decimal(row.total, 2),
                rank: row.rank_label.clone().unwrap_or_default(),
                not_submitted: row.not_submitted,
            })
            .collect();
        let label_of = |code: &str| {
            ranked
                .ranks
                .iter()
                .find(|rank| rank.code == code)
                .map_or_else(|| code.to_owned(), |rank| rank.label.clone())
        };
        let mut counts: Vec<(String, u64)> = ranked
            .ranks
            .iter()
            .map(|rank| (rank.label.clone(), 0))
            .collect();
        for row in &ranked.rows {
            if let Some(code) = &row.rank_code {
                let label = label_of(code);
                match counts.iter_mut().find(|(name, _)| *name == label) {
                    Some((_, count)) => *count += 1,
                    None => counts.push((label, 1)),
                }
            }
        }
        let most = counts.iter().map(|(_, count)| *count).max().unwrap_or(0) as f64;
        page.by_rank = charts::bars(
            &counts
                .iter()
                .map(|(label, count)| (label.clone(), *count as f64))
                .collect::<Vec<_>>(),
            most,
            &t.get("chart_by_rank"),
        );
        page.rank_counts = counts;
        let averages: Vec<(String, f64)> = ranked
            .by_parent
            .iter()
            .map(|group| {
                (
                    group
                        .parent_name
                        .clone()
                        .unwrap_or_else(|| t.get("chart_no_parent")),
                    group.roll_up.average,
                )
            })
            .collect();
        page.by_parent = charts::bars(&averages, ranked.max_total, &t.get("chart_by_parent"));
        page.parent_averages = averages
            .into_iter()
            .map(|(name, average)| (name, lang.decimal(average, 2)))
            .collect();
    }
    Ok(page.into_response())
}
