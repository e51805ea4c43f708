//! Self-assessment and appraisal: the assessments a person may open, an assessment's criteria
//! tree with its progress, and one criterion with its evidence, the suggestions beside it
//! (one click links one) and the forms to score it (the agency) or appraise it (an assigned
//! appraiser). The domain decides who may do what; the page shows the forms that apply.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::page::{Chrome, DoneQuery, Tr, Viewer};
use crate::{
    AppState,
    domain::{
        PageRequest,
        scoring::{
            assessments::{self, Assessment},
            facts,
            listing::{self, AssessmentFilter},
            scoped_search::{self, ScopedSearchParams},
        },
    },
    i18n::Lang,
    names::Named,
    web::{
        error::AppResult,
        extract::{ApiPath, ApiQuery},
    },
};

mod criterion;
pub use criterion::{criterion_page, criterion_step};

/// A line of the list of assessments.
pub struct AssessmentRow {
    pub href: String,
    pub agency: String,
    pub status: super::view::Badge,
    pub progress: String,
    pub total: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessments.html")]
struct ListPage {
    chrome: Chrome,
    t: Tr,
    rows: Vec<AssessmentRow>,
    periods: Vec<super::periods::PeriodRow>,
}

fn points(lang: Lang, value: f64) -> String {
    lang.decimal(value, 2)
}

/// `GET /assessments`
pub async fn assessments_page(
    State(state): State<AppState>,
    viewer: Viewer,
) -> AppResult<Response> {
    let t = viewer.t();
    let lang = viewer.lang;
    let request = PageRequest {
        page: Some(1),
        per_page: Some(200),
    };
    let found = listing::list(
        &state.db,
        &viewer.actor,
        &AssessmentFilter::default(),
        &request,
    )
    .await?;
    let rows = found
        .items
        .into_iter()
        .map(|item| AssessmentRow {
            href: format!("/assessments/{}", item.id),
            agency: item.agency_name,
            status: super::view::Badge::of_assessment(&item.status, t),
            progress: format!("{}/{}", item.progress.scored, item.progress.total),
            total: points(lang, item.appraised_total),
        })
        .collect();
    let periods = super::periods::period_rows(&state, &viewer).await?;
    let page = ListPage {
        chrome: viewer.chrome(t.get("assessments_title")),
        t,
        rows,
        periods,
    };
    Ok(page.into_response())
}

/// A criterion on the tree.
pub struct TreeRow {
    pub code: String,
    pub title: String,
    pub depth: u32,
    pub leaf: bool,
    pub href: String,
    pub max: String,
    pub self_score: String,
    pub appraised: String,
    pub evidence: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment.html")]
struct TreePage {
    chrome: Chrome,
    t: Tr,
    id: Uuid,
    agency: String,
    period: String,
    status: super::view::Badge,
    due: String,
    scored: u64,
    total: u64,
    self_total: String,
    appraised_total: String,
    max_total: String,
    rows: Vec<TreeRow>,
    can_submit: bool,
    /// The agency may still score: carry forward, accept what the system knows.
    can_score: bool,
    facts: Vec<FactRow>,
    /// The search inside this assessment's agency.
    q: String,
    hits: Vec<(super::search::HitRow, String)>,
    searched: bool,
    notice: Option<String>,
    error: Option<String>,
}

/// What the system knows of a criterion, as the page proposes it.
pub struct FactRow {
    pub code: String,
    pub title: String,
    pub proposed: String,
    pub findings: Vec<(String, bool)>,
    pub evidence: Vec<String>,
    pub state: super::view::Badge,
    pub pending: bool,
}

/// Whether the viewer works in the assessed agency (the ISO officer or the head submit).
pub fn is_own(viewer: &Viewer, assessment: &Assessment) -> bool {
    viewer.actor.own_agencies().contains(&assessment.agency_id)
}

async fn tree_page(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<TreePage> {
    let t = viewer.t();
    let lang = viewer.lang;
    let assessment = assessments::get(&state.db, &viewer.actor, id).await?;
    let can_score = assessment.status == "open"
        && assessment.period_status == "self_assessment"
        && is_own(viewer, &assessment);
    let facts = facts::proposals(&state.db, &viewer.actor, id)
        .await?
        .into_iter()
        .map(|proposal| FactRow {
            pending: proposal.state == "pending",
            state: match proposal.state.as_str() {
                "accepted" => super::view::Badge {
                    text: t.get("fact_accepted"),
                    tone: "ok",
                },
                "overridden" => super::view::Badge {
                    text: t.get("fact_overridden"),
                    tone: "off",
                },
                _ => super::view::Badge {
                    text: t.get("fact_pending"),
                    tone: "review",
                },
            },
            proposed: points(lang, proposal.proposed_score),
            findings: proposal
                .findings
                .iter()
                .map(|finding| (fact_label(finding.fact.as_str(), t), finding.holds))
                .collect(),
            evidence: proposal
                .evidence
                .iter()
                .map(|item| format!("{} {}", item.number, item.title))
                .collect(),
            code: proposal.criterion_code,
            title: proposal.criterion_title,
        })
        .collect();
    let rows = assessment
        .criteria
        .iter()
        .map(|criterion| TreeRow {
            code: criterion.criterion.code.clone(),
            title: criterion.criterion.title.clone(),
            depth: criterion.criterion.depth,
            leaf: criterion.criterion.leaf,
            href: format!("/assessments/{id}/criteria/{}", criterion.criterion.code),
            max: points(lang, criterion.criterion.max_points),
            self_score: criterion
                .self_score
                .map(|score| points(lang, score))
                .unwrap_or_default(),
            appraised: criterion
                .appraised_score
                .map(|score| points(lang, score))
                .unwrap_or_default(),
            evidence: criterion.evidence.len(),
        })
        .collect();
    Ok(TreePage {
        chrome: viewer.chrome(format!(
            "{} — {}",
            assessment.agency_name, assessment.period_name
        )),
        t,
        id,
        agency: assessment.agency_name.clone(),
        period: assessment.period_name.clone(),
        status: super::view::Badge::of_assessment(&assessment.status, t),
        due: lang.date(assessment.self_assessment_due),
        scored: assessment.progress.scored,
        total: assessment.progress.total,
        self_total: points(lang, assessment.self_total),
        appraised_total: points(lang, assessment.appraised_total),
        max_total: points(lang, assessment.max_total),
        rows,
        can_submit: can_score,
        can_score,
        facts,
        q: String::new(),
        hits: Vec::new(),
        searched: false,
        notice,
        error,
    })
}

/// A fact's name in words.
fn fact_label(fact: &str, t: Tr) -> String {
    let key = match fact {
        "internal_audit_held" => "figure_internal_audit",
        "management_review_held" => "figure_management_review",
        "announcement_current" => "figure_announcement",
        "corrective_actions_on_time" => "figure_corrective_actions",
        "legal_updates_overdue" => "figure_legal_updates",
        "acknowledgement_coverage" => "figure_acknowledgements",
        "periodic_reports_submitted" => "fact_periodic_reports",
        _ => return fact.replace('_', " "),
    };
    t.get(key)
}

/// `?done=`, the counts of a carry forward, and `q` to search the agency's documents.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AssessmentQuery {
    done: Option<String>,
    carried: Option<u64>,
    skipped: Option<u64>,
    #[serde(default)]
    q: String,
}

/// `GET /assessments/{id}`
pub async fn assessment_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<AssessmentQuery>,
) -> AppResult<Response> {
    let notice = match query.done.as_deref() {
        Some("carried") => Some(
            crate::i18n::Message::new("done_carried_forward")
                .arg("carried", query.carried.unwrap_or(0))
                .arg("skipped", query.skipped.unwrap_or(0))
                .render(viewer.lang),
        ),
        _ => DoneQuery {
            done: query.done.clone(),
        }
        .notice(
            viewer.lang,
            &[
                ("submitted", "done_assessment_submitted"),
                ("accepted", "done_fact_accepted"),
            ],
        ),
    };
    let mut page = tree_page(&state, &viewer, id, notice, None).await?;
    let q = query.q.trim();
    if !q.is_empty() {
        let params = ScopedSearchParams {
            q: Some(q.to_owned()),
            limit: Some(20),
            offset: None,
        };
        let found =
            scoped_search::search(&state.db, &state.search, &viewer.actor, id, &params).await?;
        page.hits = found
            .hits
            .iter()
            .map(|hit| {
                (
                    super::search::hit_row(&hit.hit, &page.agency, q, viewer.t()),
                    hit.evidence_of.join(", "),
                )
            })
            .collect();
        page.q = q.to_owned();
        page.searched = true;
    }
    Ok(page.into_response())
}

/// `POST /assessments/{id}/carry-forward`: last year's evidence brought over where it still
/// applies; the page says how much came and how much could not.
pub async fn carry_forward(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    use crate::domain::scoring::carry_forward;
    match carry_forward::carry_forward(&state.db, &viewer.actor, id).await {
        Ok(done) => Ok(axum::response::Redirect::to(&format!(
            "/assessments/{id}?done=carried&carried={}&skipped={}",
            done.carried.len(),
            done.not_carried.len()
        ))
        .into_response()),
        Err(error) => {
            let (status, message) = super::errors::refusal(error, viewer.lang)?;
            let page = tree_page(&state, &viewer, id, None, Some(message)).await?;
            Ok((status, page).into_response())
        }
    }
}

/// `POST /assessments/{id}/facts/{code}/accept`: what the system knows becomes the score and
/// its records the evidence.
pub async fn accept_fact(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, code)): ApiPath<(Uuid, String)>,
) -> AppResult<Response> {
    match facts::accept(&state.db, &viewer.actor, id, &code).await {
        Ok(_) => Ok(
            axum::response::Redirect::to(&format!("/assessments/{id}?done=accepted"))
                .into_response(),
        ),
        Err(error) => {
            let (status, message) = super::errors::refusal(error, viewer.lang)?;
            let page = tree_page(&state, &viewer, id, None, Some(message)).await?;
            Ok((status, page).into_response())
        }
    }
}

/// `POST /assessments/{id}/submit`
pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    use crate::domain::scoring::submission;
    match submission::submit(&state.db, &viewer.actor, id).await {
        Ok(_) => Ok(
            axum::response::Redirect::to(&format!("/assessments/{id}?done=submitted"))
                .into_response(),
        ),
        Err(error) => {
            let (status, message) = super::errors::refusal(error, viewer.lang)?;
            let page = tree_page(&state, &viewer, id, None, Some(message)).await?;
            Ok((status, page).into_response())
        }
    }
}
