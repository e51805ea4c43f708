//! `/api/v1/assessments`: an agency's self-assessment and its appraisal: scores, evidence
//! (linked, uploaded, suggested, carried forward, proposed from facts), submission, search
//! inside it, history and the dossier.

use axum::{
    Json,
    extract::{FromRequest, Request, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use uuid::Uuid;

use super::scoring::{body_of, is_multipart};
use crate::web::extract::{ApiJson, ApiPath, ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        audit_trail::AuditRecord,
        scoring::{
            assessments::{self, AppraisalInput, Assessment, ScoreInput},
            carry_forward::{self, CarryForward},
            dossier,
            evidence::{self, Evidence, EvidenceInput},
            evidence_files::{self, EvidenceText},
            facts::{self, FactProposal, OverrideInput},
            history,
            listing::{self, AssessmentFilter, AssessmentSummary},
            scoped_search::{self, ScopedSearch, ScopedSearchParams},
            submission::{self, ReopenInput},
            suggestions::{self, SuggestionParams, Suggestions},
        },
    },
    export::zip_stream,
    web::{
        error::{AppResult, ErrorEnvelope},
        files,
        multipart::{self, ApiMultipart},
    },
};

/// The assessments the caller may read: their agency's, those they coordinate or appraise.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessments",
    params(AssessmentFilter, PageRequest),
    responses((status = 200, body = Page<AssessmentSummary>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_assessments(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<AssessmentFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<AssessmentSummary>>> {
    Ok(Json(
        listing::list(&state.db, &current.actor, &filter, &page).await?,
    ))
}

/// An assessment: the criteria tree with scores, notes, evidence and progress.
#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Assessment), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_assessment(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Assessment>> {
    Ok(Json(assessments::get(&state.db, &current.actor, id).await?))
}

/// Sets the self score and note of a criterion (400 outside its bounds or for a group; 409
/// once submitted).
#[utoipa::path(put, path = "/api/v1/assessments/{id}/criteria/{code}", tag = "assessments",
    params(("id" = Uuid, Path), ("code" = String, Path)), request_body = ScoreInput,
    responses((status = 200, body = Assessment), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn score_criterion(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, code)): ApiPath<(Uuid, String)>,
    ApiJson(input): ApiJson<ScoreInput>,
) -> AppResult<Json<Assessment>> {
    Ok(Json(
        assessments::set_score(&state.db, &current.actor, id, &code, input).await?,
    ))
}

/// Sets the appraised score and comment of a criterion (an appraiser assigned to it, 403
/// otherwise).
#[utoipa::path(put, path = "/api/v1/assessments/{id}/criteria/{code}/appraisal", tag = "assessments",
    params(("id" = Uuid, Path), ("code" = String, Path)), request_body = AppraisalInput,
    responses((status = 200, body = Assessment), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn appraise_criterion(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, code)): ApiPath<(Uuid, String)>,
    ApiJson(input): ApiJson<AppraisalInput>,
) -> AppResult<Json<Assessment>> {
    Ok(Json(
        assessments::appraise(&state.db, &current.actor, id, &code, input).await?,
    ))
}

/// Links evidence to a criterion: JSON `{kind, id, page?, note?}` (a document version, pinned;
/// a document, pinned to its version in force; a record; an attachment), or a multipart `file`
/// uploaded on the spot (kept as an evidence record, extracted and searchable) with optional
/// `title` and `note`.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/criteria/{code}/evidence", tag = "assessments",
    params(("id" = Uuid, Path), ("code" = String, Path)),
    request_body(content(
        (EvidenceInput = "application/json"),
        ("multipart/form-data"),
    )),
    responses((status = 201, body = Evidence), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn link_evidence(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, code)): ApiPath<(Uuid, String)>,
    request: Request,
) -> AppResult<(StatusCode, Json<Evidence>)> {
    let evidence = if is_multipart(&request) {
        evidence::authorize_upload(&state.db, &current.actor, id, &code).await?;
        let form = ApiMultipart::from_request(request, &state).await?;
        let mut form = multipart::receive_upload(
            form,
            &state.blobs,
            state.config.max_upload_bytes,
            &["title", "note"],
        )
        .await?;
        let (title, note) = (form.take("title"), form.take("note"));
        evidence::upload(
            &state.db,
            &state.blobs,
            state.config.job_max_attempts,
            &current.actor,
            id,
            &code,
            form.file,
            title,
            note,
        )
        .await?
    } else {
        let ApiJson(input) = ApiJson::<EvidenceInput>::from_request(request, &state).await?;
        evidence::link(&state.db, &current.actor, id, &code, input).await?
    };
    Ok((StatusCode::CREATED, Json(evidence)))
}

/// Removes a piece of evidence from a criterion (what it pointed at stays).
#[utoipa::path(delete, path = "/api/v1/assessments/{id}/criteria/{code}/evidence/{link_id}",
    tag = "assessments",
    params(("id" = Uuid, Path), ("code" = String, Path), ("link_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn unlink_evidence(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, code, link_id)): ApiPath<(Uuid, String, Uuid)>,
) -> AppResult<StatusCode> {
    evidence::unlink(&state.db, &current.actor, id, &code, link_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the agency has that matches the criterion, best first: its own versions in force,
/// records and attachments, with snippets and whether each is linked already.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/criteria/{code}/suggestions",
    tag = "assessments",
    params(("id" = Uuid, Path), ("code" = String, Path), SuggestionParams),
    responses((status = 200, body = Suggestions), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn suggest_evidence(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, code)): ApiPath<(Uuid, String)>,
    ApiQuery(params): ApiQuery<SuggestionParams>,
) -> AppResult<Json<Suggestions>> {
    Ok(Json(
        suggestions::suggest(&state.db, &state.search, &current.actor, id, &code, &params).await?,
    ))
}

/// Every change to the criterion (scores, links, comments, fact decisions) and to the
/// assessment, oldest first, with who, when, and before and after.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/criteria/{code}/history", tag = "assessments",
    params(("id" = Uuid, Path), ("code" = String, Path)),
    responses((status = 200, body = Vec<AuditRecord>), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn criterion_history(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, code)): ApiPath<(Uuid, String)>,
) -> AppResult<Json<Vec<AuditRecord>>> {
    Ok(Json(
        history::history(&state.db, &current.actor, id, &code).await?,
    ))
}

/// Submits the assessment (an ISO officer or the head): every scorable criterion scored; late,
/// the set's late deduction applies.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/submit", tag = "assessments",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Assessment), (status = 409, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn submit_assessment(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Assessment>> {
    Ok(Json(
        submission::submit(&state.db, &current.actor, id).await?,
    ))
}

/// Reopens a submitted assessment (the coordinator), with a reason.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/reopen", tag = "assessments",
    params(("id" = Uuid, Path)), request_body = ReopenInput,
    responses((status = 200, body = Assessment), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn reopen_assessment(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ReopenInput>,
) -> AppResult<Json<Assessment>> {
    Ok(Json(
        submission::reopen(&state.db, &current.actor, id, input).await?,
    ))
}

/// Copies last period's evidence for criteria with the same code, re-pointed to the versions in
/// force today; lists what could not be carried.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/carry-forward", tag = "assessments",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = CarryForward), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn carry_forward(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<CarryForward>> {
    Ok(Json(
        carry_forward::carry_forward(&state.db, &current.actor, id).await?,
    ))
}

/// What the system knows of the agency's year, per criterion that maps to a fact: the
/// findings, a proposed score and the records that prove it.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/facts", tag = "assessments",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<FactProposal>), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn assessment_facts(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Vec<FactProposal>>> {
    Ok(Json(facts::proposals(&state.db, &current.actor, id).await?))
}

/// Accepts a criterion's fact proposal: its records are linked and its score set.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/facts/{code}/accept", tag = "assessments",
    params(("id" = Uuid, Path), ("code" = String, Path)),
    responses((status = 200, body = FactProposal), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn accept_fact(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, code)): ApiPath<(Uuid, String)>,
) -> AppResult<Json<FactProposal>> {
    Ok(Json(
        facts::accept(&state.db, &current.actor, id, &code).await?,
    ))
}

/// Overrides a criterion's fact proposal with a note saying why.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/facts/{code}/override", tag = "assessments",
    params(("id" = Uuid, Path), ("code" = String, Path)), request_body = OverrideInput,
    responses((status = 200, body = FactProposal), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn override_fact(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, code)): ApiPath<(Uuid, String)>,
    ApiJson(input): ApiJson<OverrideInput>,
) -> AppResult<Json<FactProposal>> {
    Ok(Json(
        facts::override_fact(&state.db, &current.actor, id, &code, input).await?,
    ))
}

/// Searches only this assessment's agency: its documents and records, its evidence marked.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/search", tag = "assessments",
    params(("id" = Uuid, Path), ScopedSearchParams),
    responses((status = 200, body = ScopedSearch), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn search_assessment(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<ScopedSearchParams>,
) -> AppResult<Json<ScopedSearch>> {
    Ok(Json(
        scoped_search::search(&state.db, &state.search, &current.actor, id, &params).await?,
    ))
}

/// The file of a piece of evidence (a version's or an attachment's), for whoever reads the
/// assessment: ranges, `ETag`, a safe name.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/evidence/{link_id}/file", tag = "assessments",
    params(("id" = Uuid, Path), ("link_id" = Uuid, Path), files::FileQuery),
    responses(
        (status = 200, description = "the file"),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "no PDF of this file (yet)", body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn evidence_file(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, link_id)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(query): ApiQuery<files::FileQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (_, file) = evidence_files::readable_file(&state.db, &current.actor, id, link_id).await?;
    files::serve_file(&state, &headers, &file, &query).await
}

/// The text of a piece of evidence, page by page, for a preview.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/evidence/{link_id}/text", tag = "assessments",
    params(("id" = Uuid, Path), ("link_id" = Uuid, Path)),
    responses((status = 200, body = EvidenceText), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn evidence_text(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, link_id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<EvidenceText>> {
    Ok(Json(
        evidence_files::text_of(&state.db, &current.actor, id, link_id).await?,
    ))
}

/// The dossier: `manifest.json`, `manifest.csv` and the evidence files, one folder per
/// criterion, streamed as a ZIP.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/dossier.zip", tag = "assessments",
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/zip"), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn assessment_dossier(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let dossier = dossier::dossier(&state.db, &current.actor, id).await?;
    let stream = zip_stream::stream(state.blobs.clone(), dossier.entries);
    Ok(files::streamed(
        body_of(stream),
        "application/zip",
        &dossier.filename,
    ))
}
