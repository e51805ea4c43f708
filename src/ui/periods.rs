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
    page::{Chrome, DoneQuery, Tr, Viewer},
    view::Badge,
};
use crate::{
    AppState,
    domain::{
        DomainError, PageRequest,
        scoring::{
            appraisal,
            listing::{self, AssessmentFilter},
            periods, ranking,
        },
    },
    web::{
        error::AppResult,
        extract::{ApiPath, ApiQuery},
    },
};

mod manage;

pub use manage::{create_period, criteria_sets_page, import_criteria_set, period_step};

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
    /// The coordinator's work: the next stage, the agencies with their appraisers, the sample.
    stage: Option<(&'static str, String)>,
    taking_part: Vec<TakingPart>,
    appraisers: Vec<manage::Pick>,
    sample: Option<String>,
    can_sample: bool,
    notice: Option<String>,
    error: Option<String>,
}

/// An agency taking part, as the coordinator manages it.
pub struct TakingPart {
    pub assessment_id: Uuid,
    pub agency: String,
    pub status: Badge,
    pub progress: String,
    pub sampled: bool,
    pub appraisers: String,
}

/// The stage a period moves to next, and the words of its button.
fn next_stage(status: &str) -> Option<(&'static str, &'static str)> {
    Some(match status {
        "draft" => ("open", "period_step_open"),
        "self_assessment" => ("appraisal", "period_step_appraisal"),
        "appraisal" => ("finalize", "period_step_finalize"),
        "final" => ("publish", "period_step_publish"),
        _ => return None,
    })
}

/// `GET /periods/{id}`
pub async fn period_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<DoneQuery>,
) -> AppResult<Response> {
    let notice = query.notice(
        viewer.lang,
        &[
            ("created", "done_period_created"),
            ("open", "done_period_opened"),
            ("appraisal", "done_period_appraisal"),
            ("finalize", "done_period_finalized"),
            ("publish", "done_period_published"),
            ("sample", "done_sample_drawn"),
            ("appraisers", "done_appraiser_assigned"),
        ],
    );
    Ok(build(&state, &viewer, id, notice, None)
        .await?
        .into_response())
}

async fn build(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<PeriodPage> {
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
        coordinator: coordinator || viewer.actor.has_role(crate::domain::Role::Coordinator),
        published: period.status == "published",
        stage: None,
        taking_part: Vec::new(),
        appraisers: Vec::new(),
        sample: None,
        can_sample: false,
        notice,
        error,
    };
    if viewer.actor.has_role(crate::domain::Role::Coordinator) {
        manage_view(state, viewer, &period, &mut page).await?;
    }
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
    Ok(page)
}

/// What the coordinator sees to manage the period: its next stage, the agencies taking part
/// with their progress and appraisers, and the on-site sample.
async fn manage_view(
    state: &AppState,
    viewer: &Viewer,
    period: &periods::Period,
    page: &mut PeriodPage,
) -> AppResult<()> {
    let t = viewer.t();
    let lang = viewer.lang;
    page.stage = next_stage(&period.status).map(|(step, key)| (step, t.get(key)));
    if period.status == "draft" {
        return Ok(());
    }
    let filter = AssessmentFilter {
        period: Some(period.id),
        ..AssessmentFilter::default()
    };
    let request = PageRequest {
        page: None,
        per_page: Some(200),
    };
    let found = listing::list(&state.db, &viewer.actor, &filter, &request).await?;
    let assignments = appraisal::assignments(&state.db, &viewer.actor, period.id).await?;
    page.taking_part = found
        .items
        .iter()
        .map(|item| TakingPart {
            assessment_id: item.id,
            agency: item.agency_name.clone(),
            status: Badge::of_assessment(&item.status, t),
            progress: if item.progress.total == 0 {
                String::new()
            } else {
                lang.percent(item.progress.scored as f64 / item.progress.total as f64)
            },
            sampled: item.sampled,
            appraisers: assignments
                .iter()
                .filter(|assignment| assignment.assessment_id == item.id)
                .map(|assignment| assignment.display_name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    if !matches!(period.status.as_str(), "final" | "published") {
        page.appraisers = manage::appraisers(state, viewer, period.id).await?;
        page.can_sample = true;
    }
    if period.sampled > 0 {
        page.sample = Some(
            crate::i18n::Message::new("period_sample_summary")
                .arg("count", period.sampled)
                .arg("seed", period.sample_seed.unwrap_or_default())
                .render(lang),
        );
    }
    Ok(())
}
