//! `/api/v1/documents`, `/api/v1/reviews/due`: the document register and periodic review.

use axum::{Json, extract::State, http::StatusCode, response::Response};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use crate::web::{
    etag::{IfMatch, with_etag},
    extract::{ApiJson, ApiPath, ApiQuery, CurrentActor},
    multipart::{self, ApiMultipart},
};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        documents::{
            Document, Version,
            acknowledgements::{self, ReadingItem},
            citations::{self, CitationChoice},
            register::{self, DocumentChanges, DocumentFilter, NewDocument},
            reviews::{self, DueFilter, DueReview, ReviewVerdict},
            versions::{self, VersionForm},
        },
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Documents the caller may read.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents",
    params(DocumentFilter, PageRequest),
    responses((status = 200, body = Page<Document>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_documents(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<DocumentFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Document>>> {
    Ok(Json(
        register::list_documents(&state.db, &current.actor, &filter, &page).await?,
    ))
}

/// Registers a document (an ISO officer of the agency); upload its first version next.
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents", request_body = NewDocument,
    responses(
        (status = 201, body = Document),
        (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn create_document(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewDocument>,
) -> AppResult<Response> {
    let document = register::create_document(&state.db, &current.actor, input).await?;
    Ok(with_etag(StatusCode::CREATED, document.revision, document))
}

/// One document with its versions (drafts only for those who work on it) and legal bases.
/// The `ETag` header is what `PATCH` expects in `If-Match`.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = Uuid, Path)),
    responses((status = 200, body = Document), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_document(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let document = register::get_document(&state.db, &current.actor, id).await?;
    Ok(with_etag(StatusCode::OK, document.revision, document))
}

/// Changes register fields; requires `If-Match` with the document's current `ETag`.
#[utoipa::path(patch, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "the ETag of the document as read")),
    request_body = DocumentChanges,
    responses(
        (status = 200, body = Document),
        (status = 412, description = "the document changed since it was read", body = ErrorEnvelope),
        (status = 428, description = "If-Match is missing", body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn update_document(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(expected): IfMatch,
    ApiJson(changes): ApiJson<DocumentChanges>,
) -> AppResult<Response> {
    let document =
        register::update_document(&state.db, &current.actor, id, expected, changes).await?;
    Ok(with_etag(StatusCode::OK, document.revision, document))
}

/// Uploads a new draft version: multipart with `file`, `change_summary` (required from the
/// second version) and an optional `label`. The file is streamed to storage, never held whole.
#[utoipa::path(post, path = "/api/v1/documents/{id}/versions", tag = "documents",
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "file, change_summary, label"),
    responses(
        (status = 201, body = Version),
        (status = 400, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn upload_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Version>)> {
    // Nobody may store bytes against a document they cannot add a version to.
    versions::authorize_upload(&state.db, &current.actor, id).await?;
    let mut form = multipart::receive_upload(
        multipart,
        &state.blobs,
        state.config.max_upload_bytes,
        &["change_summary", "label"],
    )
    .await?;
    let fields = VersionForm {
        change_summary: form.take("change_summary"),
        label: form.take("label"),
    };
    let version = versions::create_version(
        &state.db,
        &state.blobs,
        state.config.job_max_attempts,
        &current.actor,
        id,
        form.file,
        fields,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(version)))
}

/// `?on=YYYY-MM-DD`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnDate {
    /// The day (default: today).
    pub on: Option<NaiveDate>,
}

/// The version in force on a day; 404 when none was.
#[utoipa::path(get, path = "/api/v1/documents/{id}/effective", tag = "documents",
    params(("id" = Uuid, Path), OnDate),
    responses((status = 200, body = Version), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn effective_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<OnDate>,
) -> AppResult<Json<Version>> {
    let on = query.on.unwrap_or_else(crate::clock::today);
    Ok(Json(
        versions::effective_on(&state.db, &current.actor, id, on).await?,
    ))
}

/// Records a periodic review verdict: keep, revise or obsolete.
#[utoipa::path(post, path = "/api/v1/documents/{id}/reviews", tag = "documents",
    params(("id" = Uuid, Path)), request_body = ReviewVerdict,
    responses((status = 200, body = Document), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn review_document(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ReviewVerdict>,
) -> AppResult<Response> {
    let document = reviews::record_review(&state.db, &current.actor, id, input).await?;
    Ok(with_etag(StatusCode::OK, document.revision, document))
}

/// Periodic reviews and legal updates due in the caller's agencies, soonest first.
#[utoipa::path(get, path = "/api/v1/reviews/due", tag = "documents", params(DueFilter),
    responses((status = 200, body = Vec<DueReview>)),
    security(("bearer" = [])))]
pub async fn reviews_due(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<DueFilter>,
) -> AppResult<Json<Vec<DueReview>>> {
    Ok(Json(
        reviews::reviews_due(&state.db, &current.actor, &filter).await?,
    ))
}

/// Accepts a legal number the document's text cites as one of its legal bases.
#[utoipa::path(post, path = "/api/v1/documents/{id}/citations/accept", tag = "documents",
    params(("id" = Uuid, Path)), request_body = CitationChoice,
    responses((status = 200, body = Document), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn accept_citation(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(choice): ApiJson<CitationChoice>,
) -> AppResult<Response> {
    let document = citations::accept(&state.db, &current.actor, id, choice).await?;
    Ok(with_etag(StatusCode::OK, document.revision, document))
}

/// Dismisses a cited legal number as a legal basis of the document: no longer proposed.
#[utoipa::path(post, path = "/api/v1/documents/{id}/citations/dismiss", tag = "documents",
    params(("id" = Uuid, Path)), request_body = CitationChoice,
    responses((status = 204), (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn dismiss_citation(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(choice): ApiJson<CitationChoice>,
) -> AppResult<StatusCode> {
    citations::dismiss(&state.db, &current.actor, id, choice).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Tài liệu cần đọc": the versions in force of the caller's agencies they have not
/// acknowledged yet, newest first.
#[utoipa::path(get, path = "/api/v1/me/reading-list", tag = "documents", params(PageRequest),
    responses((status = 200, body = Page<ReadingItem>), (status = 401, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn reading_list(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<ReadingItem>>> {
    Ok(Json(
        acknowledgements::reading_list(&state.db, &current.actor, &page).await?,
    ))
}
