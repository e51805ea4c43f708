//! `/api/v1/objectives`, `/api/v1/announcements`, `/api/v1/complaints`: the agency's quality
//! objectives with their results, its announcements of conformity, and the complaints it
//! receives.

use axum::{Json, extract::State, http::StatusCode, response::Response};
use uuid::Uuid;

use super::records::{list_of, one_of, receive_attachment};
use crate::web::{
    etag::{IfMatch, with_etag},
    extract::{ApiJson, ApiPath, ApiQuery, CurrentActor},
    multipart::ApiMultipart,
};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        records::{
            Attachment, Record, RecordFilter, RecordKind,
            announcements::{self, NewAnnouncement},
            complaints::{self, ComplaintChanges, NewComplaint},
            objectives::{self, NewObjective, ObjectiveChanges, ObjectiveResult},
        },
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Quality objectives the caller may read (`?agency=&year=`).
#[utoipa::path(get, path = "/api/v1/objectives", tag = "objectives",
    params(RecordFilter, PageRequest),
    responses((status = 200, body = Page<Record>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_objectives(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<RecordFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Record>>> {
    list_of(
        &state,
        &current,
        RecordKind::QualityObjective,
        filter,
        &page,
    )
    .await
}

/// Sets a quality objective for an agency's year (its ISO officer).
#[utoipa::path(post, path = "/api/v1/objectives", tag = "objectives", request_body = NewObjective,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_objective(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewObjective>,
) -> AppResult<Response> {
    let record = objectives::create(&state.db, &current.actor, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// One quality objective with its results (`details.results`).
#[utoipa::path(get, path = "/api/v1/objectives/{id}", tag = "objectives",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_objective(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    one_of(&state, &current, Some(RecordKind::QualityObjective), id).await
}

/// Changes an objective; requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/objectives/{id}", tag = "objectives",
    params(("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "the ETag of the objective as read")),
    request_body = ObjectiveChanges,
    responses((status = 200, body = Record), (status = 412, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn update_objective(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(expected): IfMatch,
    ApiJson(changes): ApiJson<ObjectiveChanges>,
) -> AppResult<Response> {
    let record = objectives::update(&state.db, &current.actor, id, expected, changes).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Records a period's result (the latest result makes the objective achieved or missed).
#[utoipa::path(post, path = "/api/v1/objectives/{id}/results", tag = "objectives",
    params(("id" = Uuid, Path)), request_body = ObjectiveResult,
    responses((status = 200, body = Record), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn record_objective_result(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ObjectiveResult>,
) -> AppResult<Response> {
    let record = objectives::record_result(&state.db, &current.actor, id, input).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Announcements the caller may read (`?agency=&status=current` for the current one).
#[utoipa::path(get, path = "/api/v1/announcements", tag = "objectives",
    params(RecordFilter, PageRequest),
    responses((status = 200, body = Page<Record>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_announcements(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<RecordFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Record>>> {
    list_of(&state, &current, RecordKind::Announcement, filter, &page).await
}

/// Records an announcement of conformity; it becomes the agency's current one (a
/// re-announcement names the one it replaces in `previous_id`, with a reason).
#[utoipa::path(post, path = "/api/v1/announcements", tag = "objectives",
    request_body = NewAnnouncement,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_announcement(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewAnnouncement>,
) -> AppResult<Response> {
    let record = announcements::create(&state.db, &current.actor, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// One announcement.
#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "objectives",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_announcement(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    one_of(&state, &current, Some(RecordKind::Announcement), id).await
}

/// Attaches the signed decision or the notification: multipart `file`.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/attachments", tag = "objectives",
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 201, body = Attachment), (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn attach_to_announcement(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    receive_attachment(
        &state,
        &current,
        id,
        Some(RecordKind::Announcement),
        multipart,
    )
    .await
}

/// Complaints the caller may read (`?agency=&status=&category=` for the channel).
#[utoipa::path(get, path = "/api/v1/complaints", tag = "objectives",
    params(RecordFilter, PageRequest),
    responses((status = 200, body = Page<Record>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_complaints(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<RecordFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Record>>> {
    list_of(&state, &current, RecordKind::Complaint, filter, &page).await
}

/// Registers a complaint or feedback received.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "objectives", request_body = NewComplaint,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_complaint(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewComplaint>,
) -> AppResult<Response> {
    let record = complaints::create(&state.db, &current.actor, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// One complaint.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "objectives",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_complaint(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    one_of(&state, &current, Some(RecordKind::Complaint), id).await
}

/// Records its handling and result; `status` moves it to `in_progress` or `closed`.
#[utoipa::path(patch, path = "/api/v1/complaints/{id}", tag = "objectives",
    params(("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "the ETag of the complaint as read")),
    request_body = ComplaintChanges,
    responses((status = 200, body = Record), (status = 409, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope), (status = 428, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn update_complaint(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(expected): IfMatch,
    ApiJson(changes): ApiJson<ComplaintChanges>,
) -> AppResult<Response> {
    let record = complaints::update(&state.db, &current.actor, id, expected, changes).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Attaches a file to a complaint (the letter, the reply): multipart `file`.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/attachments", tag = "objectives",
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 201, body = Attachment), (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn attach_to_complaint(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    receive_attachment(&state, &current, id, Some(RecordKind::Complaint), multipart).await
}
