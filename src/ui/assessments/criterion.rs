//! One criterion of an assessment: guidance, evidence, the suggestions beside it, and the
//! score (the agency) or the appraisal (its appraiser).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{is_own, points};
use crate::{
    AppState,
    domain::{
        DomainError,
        scoring::{
            assessments::{self, AppraisalInput, ScoreInput},
            evidence::{self, EvidenceInput},
            suggestions::{self, SuggestionParams},
        },
    },
    i18n::Message,
    ui::{
        page::{Chrome, DoneQuery, Tr, Viewer},
        view::Badge,
    },
    web::{
        error::{AppError, AppResult},
        extract::{ApiPath, ApiQuery, UiForm},
    },
};

/// A piece of evidence linked.
pub struct EvidenceRow {
    pub title: String,
    pub code: String,
    pub href: Option<String>,
    /// The file in the viewer, at the page the evidence points to.
    pub view: Option<String>,
    pub filename: String,
}

/// A suggested piece of evidence.
pub struct SuggestionRow {
    pub kind: String,
    pub id: String,
    pub title: String,
    pub code: String,
    pub snippet: String,
    pub linked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "criterion.html")]
struct CriterionPage {
    chrome: Chrome,
    t: Tr,
    id: Uuid,
    agency: String,
    status: Badge,
    code: String,
    title: String,
    guidance: String,
    hints: Vec<String>,
    max: String,
    min: f64,
    max_value: f64,
    self_score: String,
    note: String,
    appraised: String,
    comment: String,
    evidence: Vec<EvidenceRow>,
    suggestions: Vec<SuggestionRow>,
    can_score: bool,
    can_appraise: bool,
    score_error: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

/// What a refused form had typed, to show again.
#[derive(Default)]
struct Typed {
    score: Option<String>,
    text: Option<String>,
    score_error: Option<String>,
    error: Option<String>,
}

async fn build(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    code: &str,
    notice: Option<String>,
    typed: Typed,
) -> AppResult<CriterionPage> {
    let t = viewer.t();
    let lang = viewer.lang;
    let assessment = assessments::get(&state.db, &viewer.actor, id).await?;
    let criterion = assessment
        .criteria
        .iter()
        .find(|criterion| criterion.criterion.code == code && criterion.criterion.leaf)
        .ok_or_else(AppError::not_found)?;
    let own = is_own(viewer, &assessment);
    let can_score =
        own && assessment.status == "open" && assessment.period_status == "self_assessment";
    let can_appraise = assessment.period_status == "appraisal"
        && viewer
            .actor
            .user_id
            .is_some_and(|me| assessment.appraisers.contains(&me));
    let suggestions = if can_score {
        suggestions::suggest(
            &state.db,
            &state.search,
            &viewer.actor,
            id,
            code,
            &SuggestionParams { limit: Some(6) },
        )
        .await?
        .items
        .into_iter()
        .map(|item| SuggestionRow {
            kind: item.hit.kind.clone(),
            id: item.hit.id.clone(),
            title: item.hit.title.clone(),
            code: item.hit.code.clone(),
            snippet: item.hit.snippet.clone(),
            linked: item.linked,
        })
        .collect()
    } else {
        Vec::new()
    };
    let score_text =
        |score: Option<f64>| score.map(|score| points(lang, score)).unwrap_or_default();
    Ok(CriterionPage {
        chrome: viewer.chrome(format!(
            "{} {}",
            criterion.criterion.code, criterion.criterion.title
        )),
        t,
        id,
        agency: assessment.agency_name.clone(),
        status: Badge::of_assessment(&assessment.status, t),
        code: criterion.criterion.code.clone(),
        title: criterion.criterion.title.clone(),
        guidance: criterion.criterion.guidance.clone().unwrap_or_default(),
        hints: criterion.criterion.evidence.clone(),
        max: points(lang, criterion.criterion.max_points),
        min: criterion.criterion.min_points,
        max_value: criterion.criterion.max_points,
        self_score: typed
            .score
            .clone()
            .filter(|_| can_score)
            .unwrap_or_else(|| score_text(criterion.self_score)),
        note: typed
            .text
            .clone()
            .filter(|_| can_score)
            .unwrap_or_else(|| criterion.note.clone().unwrap_or_default()),
        appraised: typed
            .score
            .clone()
            .filter(|_| can_appraise)
            .unwrap_or_else(|| score_text(criterion.appraised_score)),
        comment: typed
            .text
            .filter(|_| can_appraise)
            .unwrap_or_else(|| criterion.appraisal_comment.clone().unwrap_or_default()),
        evidence: criterion
            .evidence
            .iter()
            .map(|item| EvidenceRow {
                title: item.title.clone(),
                code: item.code.clone(),
                href: item
                    .filename
                    .as_ref()
                    .map(|_| format!("/api/v1/assessments/{id}/evidence/{}/file", item.id)),
                view: item
                    .content_type
                    .as_deref()
                    .filter(|kind| super::super::viewer::viewable_type(kind))
                    .map(|_| {
                        super::super::viewer::address(
                            &format!("/assessments/{id}/evidence/{}/view", item.id),
                            item.page.and_then(|page| u32::try_from(page).ok()),
                            "",
                        )
                    }),
                filename: item.filename.clone().unwrap_or_default(),
            })
            .collect(),
        suggestions,
        can_score,
        can_appraise,
        score_error: typed.score_error,
        notice,
        error: typed.error,
    })
}

/// `GET /assessments/{id}/criteria/{code}`
pub async fn criterion_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, code)): ApiPath<(Uuid, String)>,
    ApiQuery(query): ApiQuery<DoneQuery>,
) -> AppResult<Response> {
    let notice = query.notice(
        viewer.lang,
        &[
            ("score", "done_scored"),
            ("appraise", "done_appraised"),
            ("link", "done_linked"),
        ],
    );
    let page = build(&state, &viewer, id, &code, notice, Typed::default()).await?;
    Ok(page.into_response())
}

/// The fields of the criterion's forms.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target: String,
}

/// A score as typed: `8`, `8.5` or `8,5`; empty clears it.
fn parse_score(typed: &str) -> Result<Option<f64>, DomainError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    typed
        .replace(',', ".")
        .parse::<f64>()
        .map(Some)
        .map_err(|_| DomainError::invalid("score", Message::new("not_a_number")))
}

/// `POST /assessments/{id}/criteria/{code}/{score|appraise|link}`
pub async fn criterion_step(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, code, step)): ApiPath<(Uuid, String, String)>,
    UiForm(form): UiForm<StepForm>,
) -> AppResult<Response> {
    let actor = &viewer.actor;
    let text = Some(form.text.clone()).filter(|text| !text.trim().is_empty());
    let outcome = match step.as_str() {
        "score" => match parse_score(&form.score) {
            Ok(score) => {
                let input = ScoreInput { score, note: text };
                assessments::set_score(&state.db, actor, id, &code, input)
                    .await
                    .map(|_| ())
            }
            Err(error) => Err(error),
        },
        "appraise" => match parse_score(&form.score) {
            Ok(score) => {
                let input = AppraisalInput {
                    score,
                    comment: text,
                };
                assessments::appraise(&state.db, actor, id, &code, input)
                    .await
                    .map(|_| ())
            }
            Err(error) => Err(error),
        },
        "link" => match form.target.parse::<Uuid>() {
            Ok(target) => {
                let input = EvidenceInput {
                    kind: form.kind.clone(),
                    id: target,
                    page: None,
                    note: None,
                };
                evidence::link(&state.db, actor, id, &code, input)
                    .await
                    .map(|_| ())
            }
            Err(_) => Err(DomainError::NotFound("evidence")),
        },
        _ => return Err(AppError::not_found()),
    };
    match outcome {
        Ok(()) => Ok(
            Redirect::to(&format!("/assessments/{id}/criteria/{code}?done={step}")).into_response(),
        ),
        Err(error) => {
            let (status, message) = crate::ui::errors::refusal(error, viewer.lang)?;
            let typed = if step == "link" {
                Typed {
                    error: Some(message),
                    ..Typed::default()
                }
            } else {
                Typed {
                    score: Some(form.score),
                    text: Some(form.text),
                    score_error: Some(message),
                    error: None,
                }
            };
            let page = build(&state, &viewer, id, &code, None, typed).await?;
            Ok((status, page).into_response())
        }
    }
}
