//! `/api/v1/management-reviews`: management reviews with their prefilled inputs, decisions and
//! sign-off; `/api/v1/agencies/{id}/qms-status`: an agency's QMS year at a glance.

use axum::{Json, extract::State, http::StatusCode, response::Response};
use serde::Deserialize;
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
            corrective::CompleteAction,
            reviews::{self, NewDecision, NewReview, ReviewChanges},
            status::{self, QmsStatus},
        },
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Management reviews the caller may read.
#[utoipa::path(get, path = "/api/v1/management-reviews", tag = "management-reviews",
    params(RecordFilter, PageRequest),
    responses((status = 200, body = Page<Record>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_reviews(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<RecordFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Record>>> {
    list_of(
        &state,
        &current,
        RecordKind::ManagementReview,
        filter,
        &page,
    )
    .await
}

/// Prepares a management review chaired by an agency head; its inputs (ISO 9001 9.3.2) are
/// prefilled from the agency's records, each with the figures used.
#[utoipa::path(post, path = "/api/v1/management-reviews", tag = "management-reviews",
    request_body = NewReview,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_review(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewReview>,
) -> AppResult<Response> {
    let record = reviews::create(&state.db, &current.actor, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// One management review with its inputs (`details.inputs`) and decisions (`actions`).
#[utoipa::path(get, path = "/api/v1/management-reviews/{id}", tag = "management-reviews",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_review(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    one_of(&state, &current, Some(RecordKind::ManagementReview), id).await
}

/// Edits a review before sign-off (409 after); requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/management-reviews/{id}", tag = "management-reviews",
    params(("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "the ETag of the review as read")),
    request_body = ReviewChanges,
    responses((status = 200, body = Record), (status = 409, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope), (status = 428, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn update_review(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(expected): IfMatch,
    ApiJson(changes): ApiJson<ReviewChanges>,
) -> AppResult<Response> {
    let record = reviews::update(&state.db, &current.actor, id, expected, changes).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Records a decision (`improvement`, `system_change`, `resource_need`), with an action when it
/// names an owner and a due day.
#[utoipa::path(post, path = "/api/v1/management-reviews/{id}/decisions", tag = "management-reviews",
    params(("id" = Uuid, Path)), request_body = NewDecision,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn add_decision(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewDecision>,
) -> AppResult<Response> {
    let record = reviews::decide(&state.db, &current.actor, id, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// Marks a decision's action done (its owner or the ISO officer), also after sign-off.
#[utoipa::path(post, path = "/api/v1/management-reviews/{id}/decisions/{decision_id}/complete",
    tag = "management-reviews",
    params(("id" = Uuid, Path), ("decision_id" = Uuid, Path)), request_body = CompleteAction,
    responses((status = 200, body = Record), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn complete_decision(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, decision_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<CompleteAction>,
) -> AppResult<Response> {
    let record =
        reviews::complete_decision(&state.db, &current.actor, id, decision_id, input.note).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// The chair signs the review off; it is locked from then on.
#[utoipa::path(post, path = "/api/v1/management-reviews/{id}/sign-off", tag = "management-reviews",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn sign_off_review(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let record = reviews::sign_off(&state.db, &current.actor, id).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Attaches the minutes or other files to a review (before sign-off): multipart `file`.
#[utoipa::path(post, path = "/api/v1/management-reviews/{id}/attachments", tag = "management-reviews",
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 201, body = Attachment), (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn attach_to_review(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    receive_attachment(
        &state,
        &current,
        id,
        Some(RecordKind::ManagementReview),
        multipart,
    )
    .await
}

/// `?year=YYYY`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year (default: this year).
    pub year: Option<i32>,
}

/// An agency's QMS year at a glance: internal audit and management review held, announcement
/// current, corrective actions, objectives, legal updates, acknowledgement coverage.
#[utoipa::path(get, path = "/api/v1/agencies/{id}/qms-status", tag = "management-reviews",
    params(("id" = String, Path, description = "agency id or code"), YearQuery),
    responses((status = 200, body = QmsStatus), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn qms_status(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<YearQuery>,
) -> AppResult<Json<QmsStatus>> {
    Ok(Json(
        status::qms_status(&state.db, &current.actor, &id, query.year).await?,
    ))
}
