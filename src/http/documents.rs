//! `/api/v1/documents`, `/api/v1/reviews/due`: the document register and periodic review.

use axum::{
    Json,
    extract::{Multipart, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use futures::TryStreamExt;
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::{
        DomainError, Page, PageRequest,
        documents::{
            Document, Version,
            register::{self, DocumentChanges, DocumentFilter, NewDocument},
            reviews::{self, DueFilter, DueReview, ReviewVerdict},
            uploads,
            versions::{self, VersionForm},
        },
    },
    error::{AppError, AppResult, ErrorEnvelope},
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
    Ok(with_etag(StatusCode::CREATED, document))
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
    Ok(with_etag(StatusCode::OK, document))
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
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(changes): ApiJson<DocumentChanges>,
) -> AppResult<Response> {
    let expected = match headers.get(header::IF_MATCH) {
        None => {
            return Err(AppError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                "send If-Match with the ETag of the document you read",
            ));
        }
        Some(value) => parse_etag(value).ok_or(DomainError::StaleRevision)?,
    };
    let document =
        register::update_document(&state.db, &current.actor, id, expected, changes).await?;
    Ok(with_etag(StatusCode::OK, document))
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
    mut multipart: Multipart,
) -> AppResult<(StatusCode, Json<Version>)> {
    versions::authorize_upload(&state.db, &current.actor, id).await?;
    let mut form = VersionForm::default();
    let mut uploaded = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" if uploaded.is_none() => {
                let filename = field.file_name().unwrap_or("file").to_owned();
                let body = field.map_err(|error| error.body_text());
                uploaded = Some(
                    uploads::store_file(
                        &state.blobs,
                        body,
                        &filename,
                        state.config.max_upload_bytes,
                    )
                    .await?,
                );
            }
            "change_summary" => {
                form.change_summary = Some(field.text().await.map_err(multipart_error)?);
            }
            "label" => form.label = Some(field.text().await.map_err(multipart_error)?),
            other => {
                return Err(AppError::bad_request(format!(
                    "unexpected form field {other:?}; send file, change_summary and label"
                )));
            }
        }
    }
    let file = uploaded.ok_or_else(|| AppError::bad_request("file: the form has no file"))?;
    let version = versions::create_version(
        &state.db,
        state.config.job_max_attempts,
        &current.actor,
        id,
        file,
        form,
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
    Ok(with_etag(StatusCode::OK, document))
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

fn with_etag(status: StatusCode, document: Document) -> Response {
    let etag = format!("\"{}\"", document.revision);
    let mut response = (status, Json(document)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

fn parse_etag(value: &HeaderValue) -> Option<i32> {
    let text = value.to_str().ok()?.trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.trim_matches('"').parse().ok()
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> AppError {
    let status = error.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(status, "too_large", error.body_text())
    } else {
        AppError::bad_request(format!("the form could not be read: {}", error.body_text()))
    }
}
