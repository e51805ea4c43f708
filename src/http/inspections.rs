//! `/api/v1/inspections`: the coordinating office's inspection plans, decisions and minutes.

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
            inspections::{self, InspectionChanges, NewInspection, NewMinutes},
        },
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Inspection plans the caller may read (`?year=`).
#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections",
    params(RecordFilter, PageRequest),
    responses((status = 200, body = Page<Record>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_inspections(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<RecordFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Record>>> {
    list_of(&state, &current, RecordKind::Inspection, filter, &page).await
}

/// Plans a year's inspections (Mẫu 19): the agencies inspected, which on site; the decision
/// (Mẫu 20) with it or later.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "inspections",
    request_body = NewInspection,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_inspection(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewInspection>,
) -> AppResult<Response> {
    let record = inspections::create(&state.db, &current.actor, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// One inspection plan with its minutes (`children`).
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "inspections",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_inspection(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    one_of(&state, &current, Some(RecordKind::Inspection), id).await
}

/// Changes a plan's agencies or decision; requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/inspections/{id}", tag = "inspections",
    params(("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "the ETag of the plan as read")),
    request_body = InspectionChanges,
    responses((status = 200, body = Record), (status = 412, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn update_inspection(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(expected): IfMatch,
    ApiJson(changes): ApiJson<InspectionChanges>,
) -> AppResult<Response> {
    let record = inspections::update(&state.db, &current.actor, id, expected, changes).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Records an agency's minutes (Mẫu 21); each issue opens a corrective action in that agency,
/// its report due two months later.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/minutes", tag = "inspections",
    params(("id" = Uuid, Path)), request_body = NewMinutes,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn record_minutes(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewMinutes>,
) -> AppResult<Response> {
    let record = inspections::record_minutes(&state.db, &current.actor, id, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// Attaches the signed plan, decision or report: multipart `file`.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/attachments", tag = "inspections",
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 201, body = Attachment), (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn attach_to_inspection(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    receive_attachment(
        &state,
        &current,
        id,
        Some(RecordKind::Inspection),
        multipart,
    )
    .await
}
