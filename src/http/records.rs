//! `/api/v1/records`, `/api/v1/attachments`, `/api/v1/iso-clauses`: every QMS record in one
//! list, any record by id, attachments of every kind (uploaded under each kind's path) and
//! their files.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::web::extract::{ApiJson, ApiPath, ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        records::{
            self, Attachment, Record, RecordFilter, RecordKind, attachments,
            clauses::{CLAUSES, Clause},
            deadlines::{self, Deadline, DeadlineFilter},
            disposal::{self, Disposal, DisposalReason, LegalHold},
            retention::{self, RetentionRule, RetentionRuleInput},
            series::{self, NewSeries, NewSeriesRecord, Series},
        },
    },
    web::{
        error::{AppResult, ErrorEnvelope},
        files,
        multipart::{self, ApiMultipart},
    },
};

/// Records of every kind the caller may read, filtered and paginated (newest first).
#[utoipa::path(get, path = "/api/v1/records", tag = "records",
    params(RecordFilter, PageRequest),
    responses((status = 200, body = Page<Record>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_records(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<RecordFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Record>>> {
    Ok(Json(
        records::list_records(&state.db, &current.actor, &filter, &page).await?,
    ))
}

/// Adds a record to one of the agency's series (the ISO officer); attach its files next.
#[utoipa::path(post, path = "/api/v1/records", tag = "records", request_body = NewSeriesRecord,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_record(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewSeriesRecord>,
) -> AppResult<Response> {
    let record = series::create_record(&state.db, &current.actor, input).await?;
    Ok(crate::web::etag::with_etag(
        StatusCode::CREATED,
        record.revision,
        record,
    ))
}

/// `?agency=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesFilter {
    /// Agency id or code.
    pub agency: Option<String>,
}

/// The record series of the agencies the caller reads.
#[utoipa::path(get, path = "/api/v1/record-series", tag = "records", params(SeriesFilter),
    responses((status = 200, body = Vec<Series>)),
    security(("bearer" = [])))]
pub async fn list_series(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<SeriesFilter>,
) -> AppResult<Json<Vec<Series>>> {
    Ok(Json(
        series::list(&state.db, &current.actor, filter.agency.as_deref()).await?,
    ))
}

/// Opens a record series with its retention (default: the agency's retention of records).
#[utoipa::path(post, path = "/api/v1/record-series", tag = "records", request_body = NewSeries,
    responses((status = 201, body = Series), (status = 400, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_series(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewSeries>,
) -> AppResult<(StatusCode, Json<Series>)> {
    Ok((
        StatusCode::CREATED,
        Json(series::create(&state.db, &current.actor, input).await?),
    ))
}

/// One record of any kind, with its actions, attachments, links and related records. The
/// `ETag` header is what its kind's `PATCH` expects in `If-Match`.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "records", params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_record(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    one_of(&state, &current, None, id).await
}

/// The records of one kind the caller may read: a kind's own list (`/audits`, `/complaints`…).
pub(super) async fn list_of(
    state: &AppState,
    current: &CurrentActor,
    kind: RecordKind,
    filter: RecordFilter,
    page: &PageRequest,
) -> AppResult<Json<Page<Record>>> {
    let filter = RecordFilter {
        kind: Some(kind.what().to_owned()),
        ..filter
    };
    Ok(Json(
        records::list_records(&state.db, &current.actor, &filter, page).await?,
    ))
}

/// One record of `kind` (any kind when `None`) with its revision as `ETag`; another kind's id
/// is not found.
pub(super) async fn one_of(
    state: &AppState,
    current: &CurrentActor,
    kind: Option<RecordKind>,
    id: Uuid,
) -> AppResult<Response> {
    let record = records::get_record(&state.db, &current.actor, id, kind).await?;
    Ok(crate::web::etag::with_etag(
        StatusCode::OK,
        record.revision,
        record,
    ))
}

/// Receives one attachment for a record (of `kind` when the path names one): access is checked
/// before any byte is stored; the file is streamed, typed by its bytes and size-limited.
pub(super) async fn receive_attachment(
    state: &AppState,
    current: &CurrentActor,
    id: Uuid,
    kind: Option<RecordKind>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    attachments::authorize(&state.db, &current.actor, id, kind).await?;
    let form =
        multipart::receive_upload(multipart, &state.blobs, state.config.max_upload_bytes, &[])
            .await?;
    let attachment = attachments::attach(
        &state.db,
        &state.blobs,
        state.config.job_max_attempts,
        &current.actor,
        id,
        kind,
        form.file,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Attaches a file to a record of any kind (multipart `file`).
#[utoipa::path(post, path = "/api/v1/records/{id}/attachments", tag = "records",
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses(
        (status = 201, body = Attachment),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "the record is closed or signed off", body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn attach_to_record(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    receive_attachment(&state, &current, id, None, multipart).await
}

/// An attachment's bytes (ranges supported; `ETag` is the SHA-256; a safe file name).
#[utoipa::path(get, path = "/api/v1/attachments/{id}/file", tag = "records",
    params(("id" = Uuid, Path), files::FileQuery),
    responses(
        (status = 200, description = "the file"),
        (status = 206, description = "a byte range of the file"),
        (status = 304, description = "the file has the ETag sent in If-None-Match"),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "no PDF of this file (yet)", body = ErrorEnvelope),
        (status = 416, description = "the range cannot be served"),
    ),
    security(("bearer" = [])))]
pub async fn download_attachment(
    State(state): State<AppState>,
    current: CurrentActor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<files::FileQuery>,
) -> AppResult<Response> {
    let (file, _) = attachments::readable_attachment(&state.db, &current.actor, id).await?;
    files::serve_file(&state, &headers, &file, &query).await
}

/// The clauses of ISO 9001:2015 that findings and checklists name, with their Vietnamese titles.
#[utoipa::path(get, path = "/api/v1/iso-clauses", tag = "records",
    responses((status = 200, body = Vec<Clause>)),
    security(("bearer" = [])))]
pub async fn list_clauses(_current: CurrentActor) -> Json<&'static [Clause]> {
    Json(CLAUSES)
}

/// Everything due or overdue in the caller's agencies, soonest first: corrective actions'
/// actions and reports, management review decisions, document reviews and legal-change updates,
/// and the yearly internal audit and management review not held yet.
#[utoipa::path(get, path = "/api/v1/deadlines", tag = "records", params(DeadlineFilter),
    responses((status = 200, body = Vec<Deadline>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_deadlines(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<DeadlineFilter>,
) -> AppResult<Json<Vec<Deadline>>> {
    Ok(Json(
        deadlines::deadlines(
            &state.db,
            &current.actor,
            &filter,
            state.config.qms_duties_due,
        )
        .await?,
    ))
}

/// Top-level records past their retention and not on legal hold, oldest first.
#[utoipa::path(get, path = "/api/v1/records/disposition-due", tag = "retention",
    params(RecordFilter, PageRequest),
    responses((status = 200, body = Page<Record>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn disposition_due(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<RecordFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Record>>> {
    Ok(Json(
        disposal::disposition_due(&state.db, &current.actor, &filter, &page).await?,
    ))
}

/// Puts a record under legal hold (no disposal while held), or lifts it, with a reason.
#[utoipa::path(put, path = "/api/v1/records/{id}/legal-hold", tag = "retention",
    params(("id" = Uuid, Path)), request_body = LegalHold,
    responses((status = 200, body = Record), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn set_legal_hold(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<LegalHold>,
) -> AppResult<Response> {
    let record = disposal::set_legal_hold(&state.db, &current.actor, id, input).await?;
    Ok(crate::web::etag::with_etag(
        StatusCode::OK,
        record.revision,
        record,
    ))
}

/// Asks the agency head to dispose of a record whose retention has run out (ISO officer).
#[utoipa::path(post, path = "/api/v1/records/{id}/disposal", tag = "retention",
    params(("id" = Uuid, Path)), request_body = DisposalReason,
    responses((status = 201, body = Disposal), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn request_disposal(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DisposalReason>,
) -> AppResult<(StatusCode, Json<Disposal>)> {
    Ok((
        StatusCode::CREATED,
        Json(disposal::request(&state.db, &current.actor, id, input).await?),
    ))
}

/// `?agency=&status=requested`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisposalFilter {
    pub agency: Option<String>,
    /// `requested`, `approved` or `refused`.
    pub status: Option<String>,
}

/// Disposal requests and decisions.
#[utoipa::path(get, path = "/api/v1/disposals", tag = "retention",
    params(DisposalFilter, PageRequest),
    responses((status = 200, body = Page<Disposal>)),
    security(("bearer" = [])))]
pub async fn list_disposals(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<DisposalFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Disposal>>> {
    Ok(Json(
        disposal::list(
            &state.db,
            &current.actor,
            filter.agency.as_deref(),
            filter.status.as_deref(),
            &page,
        )
        .await?,
    ))
}

/// `{note}`
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionNote {
    #[serde(default)]
    pub note: Option<String>,
}

/// Approves a disposal (the agency head, not the person who asked): the record, those under
/// it and their files go, leaving a tombstone in the audit log.
#[utoipa::path(post, path = "/api/v1/disposals/{id}/approve", tag = "retention",
    params(("id" = Uuid, Path)), request_body = DecisionNote,
    responses((status = 200, body = Disposal), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn approve_disposal(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionNote>,
) -> AppResult<Json<Disposal>> {
    Ok(Json(
        disposal::decide(
            &state.db,
            &state.blobs,
            &current.actor,
            id,
            true,
            input.note,
        )
        .await?,
    ))
}

/// Refuses a disposal, with a note saying why; the record stays.
#[utoipa::path(post, path = "/api/v1/disposals/{id}/refuse", tag = "retention",
    params(("id" = Uuid, Path)), request_body = DecisionNote,
    responses((status = 200, body = Disposal), (status = 400, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn refuse_disposal(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionNote>,
) -> AppResult<Json<Disposal>> {
    Ok(Json(
        disposal::decide(
            &state.db,
            &state.blobs,
            &current.actor,
            id,
            false,
            input.note,
        )
        .await?,
    ))
}

/// `?agency=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyQuery {
    /// Agency id or code.
    pub agency: String,
}

/// How long each kind of record is kept for an agency, and whose rule says so.
#[utoipa::path(get, path = "/api/v1/retention-rules", tag = "retention", params(AgencyQuery),
    responses((status = 200, body = Vec<RetentionRule>), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_retention_rules(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(query): ApiQuery<AgencyQuery>,
) -> AppResult<Json<Vec<RetentionRule>>> {
    Ok(Json(
        retention::rules_of(&state.db, &current.actor, &query.agency).await?,
    ))
}

/// Sets how long a kind of record is kept for an agency and those under it (`years: null`:
/// permanently); the records it governs get their new `retention_until`.
#[utoipa::path(put, path = "/api/v1/retention-rules", tag = "retention",
    request_body = RetentionRuleInput,
    responses((status = 200, body = Vec<RetentionRule>), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn set_retention_rule(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<RetentionRuleInput>,
) -> AppResult<Json<Vec<RetentionRule>>> {
    Ok(Json(
        retention::set_rule(&state.db, &current.actor, input).await?,
    ))
}

/// The legal numbers the record's attachments cite, with their pages and register entries.
#[utoipa::path(get, path = "/api/v1/records/{id}/citations", tag = "records",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<crate::domain::files::citations::Citation>),
        (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn record_citations(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Vec<crate::domain::files::citations::Citation>>> {
    Ok(Json(
        attachments::citations(&state.db, &current.actor, id).await?,
    ))
}
