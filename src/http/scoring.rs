//! `/api/v1/criteria-sets`, `/api/v1/periods` and `/public/periods`: criteria sets, scoring
//! periods, appraisers, the on-site sample, ranking and results.

use axum::{
    Json,
    body::Body,
    extract::{FromRequest, Request, State},
    http::{StatusCode, header},
    response::Response,
};
use uuid::Uuid;

use crate::web::extract::{ApiJson, ApiPath, CurrentActor};
use crate::{
    AppState,
    domain::scoring::{
        appraisal::{self, AssignInput, Assignment, Sample, SampleInput, SwapInput},
        finalize::{self, FinalizeInput},
        periods::{self, NewPeriod, Period},
        ranking::{self, PublicRanking, Ranking},
        results,
        sets::{self, CriteriaSet, CriteriaSetInput, CriteriaSetSummary},
    },
    web::{
        criteria_form,
        error::{AppResult, ErrorEnvelope},
        files,
        multipart::ApiMultipart,
    },
};

/// Whether the request is a multipart form (an upload) rather than JSON.
pub(super) fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Imports a criteria set: a JSON body in the format of `criteria-sample.json`
/// (`hoso-criteria-set/1`), or a multipart form with `file` = an XLSX workbook (sheets
/// `criteria`, `ranks`, optionally `set`) and the set's `code`, `name`, `max_total`… as fields.
/// Every problem is listed at once with its path (422).
#[utoipa::path(post, path = "/api/v1/criteria-sets", tag = "scoring",
    request_body(content(
        (CriteriaSetInput = "application/json"),
        ("multipart/form-data"),
    )),
    responses(
        (status = 201, body = CriteriaSet),
        (status = 403, body = ErrorEnvelope),
        (status = 409, description = "the code is taken", body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, description = "`details.problems`: every problem with its path", body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn import_criteria_set(
    State(state): State<AppState>,
    current: CurrentActor,
    request: Request,
) -> AppResult<(StatusCode, Json<CriteriaSet>)> {
    let (input, problems) = if is_multipart(&request) {
        let multipart = ApiMultipart::from_request(request, &state).await?;
        criteria_form::read(multipart).await?
    } else {
        let ApiJson(input) = ApiJson::<CriteriaSetInput>::from_request(request, &state).await?;
        (input, Vec::new())
    };
    let set = sets::import(&state.db, &current.actor, input, problems).await?;
    Ok((StatusCode::CREATED, Json(set)))
}

/// Every criteria set, newest first.
#[utoipa::path(get, path = "/api/v1/criteria-sets", tag = "scoring",
    responses((status = 200, body = Vec<CriteriaSetSummary>)),
    security(("bearer" = [])))]
pub async fn list_criteria_sets(
    State(state): State<AppState>,
    _current: CurrentActor,
) -> AppResult<Json<Vec<CriteriaSetSummary>>> {
    Ok(Json(sets::list(&state.db).await?))
}

/// A criteria set with its criteria (in order, parents first) and ranks, by id or code.
#[utoipa::path(get, path = "/api/v1/criteria-sets/{id}", tag = "scoring",
    params(("id" = String, Path, description = "id or code")),
    responses((status = 200, body = CriteriaSet), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_criteria_set(
    State(state): State<AppState>,
    _current: CurrentActor,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<CriteriaSet>> {
    Ok(Json(sets::get(&state.db, &id).await?))
}

/// Creates a scoring period in `draft` over agencies chosen by id (`agency_ids`) or by
/// `subtree` and `kinds`.
#[utoipa::path(post, path = "/api/v1/periods", tag = "scoring", request_body = NewPeriod,
    responses((status = 201, body = Period), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_period(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewPeriod>,
) -> AppResult<(StatusCode, Json<Period>)> {
    Ok((
        StatusCode::CREATED,
        Json(periods::create(&state.db, &current.actor, input).await?),
    ))
}

/// The periods the caller takes part in, newest first.
#[utoipa::path(get, path = "/api/v1/periods", tag = "scoring",
    responses((status = 200, body = Vec<Period>)),
    security(("bearer" = [])))]
pub async fn list_periods(
    State(state): State<AppState>,
    current: CurrentActor,
) -> AppResult<Json<Vec<Period>>> {
    Ok(Json(periods::list(&state.db, &current.actor).await?))
}

/// One period, with its assessments counted by status.
#[utoipa::path(get, path = "/api/v1/periods/{id}", tag = "scoring",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Period), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_period(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Period>> {
    Ok(Json(periods::get(&state.db, &current.actor, id).await?))
}

/// Opens a draft period: one assessment per agency taking part.
#[utoipa::path(post, path = "/api/v1/periods/{id}/open", tag = "scoring",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Period), (status = 400, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn open_period(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Period>> {
    Ok(Json(periods::open(&state.db, &current.actor, id).await?))
}

/// Moves a period from self-assessment to appraisal.
#[utoipa::path(post, path = "/api/v1/periods/{id}/start-appraisal", tag = "scoring",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Period), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn start_appraisal(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Period>> {
    Ok(Json(
        periods::start_appraisal(&state.db, &current.actor, id).await?,
    ))
}

/// Finalises a period: totals (appraised scores where given) and ranks. 409 lists the
/// assessments not submitted, unless `force: true` finalises them at zero points, flagged.
#[utoipa::path(post, path = "/api/v1/periods/{id}/finalize", tag = "scoring",
    params(("id" = Uuid, Path)), request_body = FinalizeInput,
    responses((status = 200, body = Period), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn finalize_period(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<FinalizeInput>,
) -> AppResult<Json<Period>> {
    Ok(Json(
        finalize::finalize(&state.db, &current.actor, id, input).await?,
    ))
}

/// Publishes a final period: its ranking becomes readable without signing in.
#[utoipa::path(post, path = "/api/v1/periods/{id}/publish", tag = "scoring",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Period), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn publish_period(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Period>> {
    Ok(Json(periods::publish(&state.db, &current.actor, id).await?))
}

/// Assigns an appraiser (a user with the `appraiser` role) to an assessment of the period;
/// never to their own agency, its ancestors or descendants (422).
#[utoipa::path(post, path = "/api/v1/periods/{id}/appraisers", tag = "scoring",
    params(("id" = Uuid, Path)), request_body = AssignInput,
    responses((status = 201, body = Assignment), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn assign_appraiser(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<AssignInput>,
) -> AppResult<(StatusCode, Json<Assignment>)> {
    Ok((
        StatusCode::CREATED,
        Json(appraisal::assign(&state.db, &current.actor, id, input).await?),
    ))
}

/// The appraisers of the period's assessments.
#[utoipa::path(get, path = "/api/v1/periods/{id}/appraisers", tag = "scoring",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Assignment>), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_appraisers(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Vec<Assignment>>> {
    Ok(Json(
        appraisal::assignments(&state.db, &current.actor, id).await?,
    ))
}

/// Withdraws an appraiser from an assessment (before the period is final).
#[utoipa::path(delete, path = "/api/v1/periods/{id}/appraisers/{assignment_id}", tag = "scoring",
    params(("id" = Uuid, Path), ("assignment_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn unassign_appraiser(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, assignment_id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<StatusCode> {
    appraisal::unassign(&state.db, &current.actor, id, assignment_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Draws the on-site sample: at least a third of the provincial agencies and a tenth of the
/// communes (rounded up), reproducibly from `seed` (drawn and recorded when absent).
#[utoipa::path(post, path = "/api/v1/periods/{id}/sample", tag = "scoring",
    params(("id" = Uuid, Path)), request_body = SampleInput,
    responses((status = 200, body = Sample), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn draw_sample(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SampleInput>,
) -> AppResult<Json<Sample>> {
    Ok(Json(
        appraisal::draw_sample(&state.db, &current.actor, id, input).await?,
    ))
}

/// The on-site sample as it stands, with its seed.
#[utoipa::path(get, path = "/api/v1/periods/{id}/sample", tag = "scoring",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Sample), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_sample(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Sample>> {
    Ok(Json(
        appraisal::sample(&state.db, &current.actor, id).await?,
    ))
}

/// Swaps a sampled agency for another of the same group (provincial or commune), with a reason.
#[utoipa::path(post, path = "/api/v1/periods/{id}/sample/swap", tag = "scoring",
    params(("id" = Uuid, Path)), request_body = SwapInput,
    responses((status = 200, body = Sample), (status = 409, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn swap_sample(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SwapInput>,
) -> AppResult<Json<Sample>> {
    Ok(Json(
        appraisal::swap(&state.db, &current.actor, id, input).await?,
    ))
}

/// The ranking: totals, ranks, positions, by kind of agency and by parent with each parent's
/// roll-up. Before the period is final, a provisional ranking for its coordinator.
#[utoipa::path(get, path = "/api/v1/periods/{id}/ranking", tag = "scoring",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Ranking), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn period_ranking(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Ranking>> {
    Ok(Json(ranking::ranking(&state.db, &current.actor, id).await?))
}

/// The results as a workbook: a sheet of every agency and one per kind of agency, a column per
/// group of criteria, the total, the rank and the position.
#[utoipa::path(get, path = "/api/v1/periods/{id}/results.xlsx", tag = "scoring",
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn period_results(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let (bytes, filename) = results::results(&state.db, &current.actor, id).await?;
    Ok(files::attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &filename,
    ))
}

/// A published period's ranking, for anyone: totals and ranks only.
#[utoipa::path(get, path = "/public/periods/{id}/ranking", tag = "scoring",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = PublicRanking), (status = 404, body = ErrorEnvelope)))]
pub async fn public_ranking(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<PublicRanking>> {
    Ok(Json(ranking::public_ranking(&state.db, id).await?.into()))
}

/// A body streamed from `stream`.
pub(super) fn body_of(
    stream: impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static,
) -> Body {
    Body::from_stream(stream)
}
