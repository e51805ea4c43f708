//! The coordinator's work on scoring: criteria sets imported from a workbook or JSON file (every
//! problem listed with its row), periods created and moved through their stages, appraisers
//! assigned to each agency's assessment, the on-site sample drawn.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use chrono::Datelike;
use uuid::Uuid;

use crate::{
    AppState,
    clock::today,
    domain::{
        DomainError, DomainResult, PageRequest, Problem, Role,
        agencies::{self, AgencyFilter},
        scoring::{
            appraisal::{self, AssignInput, SampleInput},
            finalize::{self, FinalizeInput},
            periods::{self, NewPeriod},
            sets,
        },
    },
    i18n::{Lang, Message},
    ui::{
        form::{Fields, day, one},
        page::{Chrome, DoneQuery, Tr, Viewer},
    },
    web::{
        criteria_form,
        error::{AppError, AppResult},
        extract::{ApiPath, ApiQuery, UiForm},
        multipart::ApiMultipart,
    },
};

/// A criteria set in the list.
pub struct SetRow {
    pub code: String,
    pub name: String,
    pub criteria: usize,
    pub max_total: String,
    pub created: String,
}

/// A problem of an import: where (a sheet's row and column, or a JSON path) and why.
pub struct ProblemRow {
    pub place: String,
    pub reason: String,
}

/// A choice of a list.
pub struct Pick {
    pub value: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "criteria_sets.html")]
struct SetsPage {
    chrome: Chrome,
    t: Tr,
    sets: Vec<SetRow>,
    coordinator: bool,
    agencies: Vec<Pick>,
    year: i32,
    notice: Option<String>,
    import_error: Option<String>,
    problems: Vec<ProblemRow>,
    period_error: Option<String>,
    typed: Fields,
}

impl SetsPage {
    fn typed(&self, key: &str) -> String {
        one(&self.typed, key)
    }
}

/// `GET /criteria-sets`: the sets, and for the coordinator the import and new period forms.
pub async fn criteria_sets_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<DoneQuery>,
) -> AppResult<Response> {
    let notice = query.notice(viewer.lang, &[("imported", "done_criteria_imported")]);
    let page = sets_page(&state, &viewer, notice, Vec::new()).await?;
    Ok(page.into_response())
}

async fn sets_page(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<String>,
    typed: Fields,
) -> AppResult<SetsPage> {
    let t = viewer.t();
    let lang = viewer.lang;
    let coordinator = viewer.actor.has_role(Role::Coordinator);
    let agencies = if coordinator {
        agencies::list_agencies(
            &state.db,
            &viewer.actor,
            &AgencyFilter {
                active: Some(true),
                ..AgencyFilter::default()
            },
            &PageRequest {
                page: None,
                per_page: Some(200),
            },
        )
        .await?
        .items
        .into_iter()
        .map(|agency| Pick {
            value: agency.code,
            label: agency.name,
        })
        .collect()
    } else {
        Vec::new()
    };
    Ok(SetsPage {
        chrome: viewer.chrome(t.get("criteria_sets_title")),
        t,
        sets: sets::list(&state.db)
            .await?
            .into_iter()
            .map(|set| SetRow {
                code: set.code,
                name: set.name,
                criteria: set.criteria,
                max_total: lang.decimal(set.max_total, 0),
                created: lang.date(set.created_at.date_naive()),
            })
            .collect(),
        coordinator,
        agencies,
        year: today().year(),
        notice,
        import_error: None,
        problems: Vec::new(),
        period_error: None,
        typed,
    })
}

/// A problem's place in words: `criteria!row7.parent` is the sheet, row and column.
fn place(path: &str, lang: Lang) -> String {
    let Some((sheet, rest)) = path.split_once('!') else {
        return path.to_owned();
    };
    let Some(rest) = rest.strip_prefix("row") else {
        return format!("{sheet} · {rest}");
    };
    let (row, column) = rest.split_once('.').unwrap_or((rest, ""));
    Message::new("criteria_place")
        .arg("sheet", sheet)
        .arg("row", row)
        .arg("column", column)
        .render(lang)
}

/// `POST /criteria-sets` (multipart): imports a set; its problems come back listed by row.
pub async fn import_criteria_set(
    State(state): State<AppState>,
    viewer: Viewer,
    form: ApiMultipart,
) -> AppResult<Response> {
    let (error, problems): (AppError, Vec<Problem>) = match criteria_form::read(form).await {
        Ok((input, problems)) => {
            match sets::import(&state.db, &viewer.actor, input, problems).await {
                Ok(_) => return Ok(Redirect::to("/criteria-sets?done=imported").into_response()),
                Err(DomainError::Problems(message, problems)) => (
                    DomainError::Problems(message, problems.clone()).into(),
                    problems,
                ),
                Err(error) => (error.into(), Vec::new()),
            }
        }
        Err(error) => (error, Vec::new()),
    };
    let (status, message) = crate::ui::errors::refusal(error, viewer.lang)?;
    let mut page = sets_page(&state, &viewer, None, Vec::new()).await?;
    page.import_error = Some(message);
    page.problems = problems
        .iter()
        .map(|problem| ProblemRow {
            place: place(&problem.path, viewer.lang),
            reason: problem.reason.render(viewer.lang),
        })
        .collect();
    Ok((status, page).into_response())
}

/// `POST /periods`: a new period in draft over an agency's tree (of the kinds ticked).
pub async fn create_period(
    State(state): State<AppState>,
    viewer: Viewer,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let input = (|| -> DomainResult<NewPeriod> {
        let kinds: Vec<String> = fields
            .iter()
            .filter(|(name, _)| name == "kinds")
            .map(|(_, value)| value.clone())
            .collect();
        Ok(NewPeriod {
            criteria_set_id: one(&fields, "criteria_set_id"),
            year: one(&fields, "year")
                .parse()
                .map_err(|_| DomainError::invalid("year", Message::new("not_a_number")))?,
            name: one(&fields, "name"),
            agency_ids: None,
            subtree: Some(one(&fields, "subtree")).filter(|code| !code.is_empty()),
            kinds: (!kinds.is_empty()).then_some(kinds),
            self_assessment_due: day(&fields, "self_assessment_due")?,
            appraisal_due: day(&fields, "appraisal_due")?,
        })
    })();
    let outcome = match input {
        Ok(input) => periods::create(&state.db, &viewer.actor, input).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(period) => {
            Ok(Redirect::to(&format!("/periods/{}?done=created", period.id)).into_response())
        }
        Err(error) => {
            let (status, message) = crate::ui::errors::refusal(error, viewer.lang)?;
            let mut page = sets_page(&state, &viewer, None, fields).await?;
            page.period_error = Some(message);
            Ok((status, page).into_response())
        }
    }
}

/// `POST /periods/{id}/{open|appraisal|finalize|publish|sample|appraisers}`: the coordinator
/// moves the period on, draws the sample or assigns an appraiser; back on the period's page,
/// with the refusal there when there is one.
pub async fn period_step(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, step)): ApiPath<(Uuid, String)>,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let (db, actor) = (&state.db, &viewer.actor);
    let outcome = match step.as_str() {
        "open" => periods::open(db, actor, id).await.map(|_| ()),
        "appraisal" => periods::start_appraisal(db, actor, id).await.map(|_| ()),
        "finalize" => {
            let input = FinalizeInput {
                force: one(&fields, "force") == "yes",
            };
            finalize::finalize(db, actor, id, input).await.map(|_| ())
        }
        "publish" => periods::publish(db, actor, id).await.map(|_| ()),
        "sample" => appraisal::draw_sample(db, actor, id, SampleInput { seed: None })
            .await
            .map(|_| ()),
        "appraisers" => {
            match (
                one(&fields, "assessment_id").parse::<Uuid>(),
                one(&fields, "user_id").parse::<Uuid>(),
            ) {
                (Ok(assessment_id), Ok(user_id)) => {
                    let input = AssignInput {
                        assessment_id,
                        user_id,
                    };
                    appraisal::assign(db, actor, id, input).await.map(|_| ())
                }
                _ => Err(DomainError::invalid(
                    "user_id",
                    Message::new("choose_a_person"),
                )),
            }
        }
        _ => return Err(AppError::not_found()),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/periods/{id}?done={step}")).into_response()),
        Err(error) => {
            let (status, message) = crate::ui::errors::refusal(error, viewer.lang)?;
            let page = super::build(&state, &viewer, id, None, Some(message)).await?;
            Ok((status, page).into_response())
        }
    }
}

/// The people the coordinator may assign to appraise in the period.
pub async fn appraisers(state: &AppState, viewer: &Viewer, period: Uuid) -> AppResult<Vec<Pick>> {
    Ok(appraisal::candidates(&state.db, &viewer.actor, period)
        .await?
        .into_iter()
        .map(|person| Pick {
            value: person.user_id.to_string(),
            label: person.display_name,
        })
        .collect())
}
