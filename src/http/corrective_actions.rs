//! `/api/v1/corrective-actions`: nonconformities and their corrective actions, actions with
//! owners and due days, and the verification of effectiveness.

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
            corrective::{
                self, CompleteAction, CorrectiveChanges, NewAction, NewCorrectiveAction,
                Verification,
            },
        },
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Corrective actions the caller may read: `?agency=&status=&overdue=true`.
#[utoipa::path(get, path = "/api/v1/corrective-actions", tag = "corrective-actions",
    params(RecordFilter, PageRequest),
    responses((status = 200, body = Page<Record>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_corrective_actions(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<RecordFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Record>>> {
    list_of(
        &state,
        &current,
        RecordKind::CorrectiveAction,
        filter,
        &page,
    )
    .await
}

/// Raises a corrective action (phiếu yêu cầu hành động khắc phục).
#[utoipa::path(post, path = "/api/v1/corrective-actions", tag = "corrective-actions",
    request_body = NewCorrectiveAction,
    responses(
        (status = 201, body = Record),
        (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn create_corrective_action(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewCorrectiveAction>,
) -> AppResult<Response> {
    let record = corrective::create(&state.db, &current.actor, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// One corrective action with its actions, verifications (`details`) and attachments.
#[utoipa::path(get, path = "/api/v1/corrective-actions/{id}", tag = "corrective-actions",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_corrective_action(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    one_of(&state, &current, Some(RecordKind::CorrectiveAction), id).await
}

/// Changes the nonconformity, correction or root cause; requires `If-Match`; 409 once closed.
#[utoipa::path(patch, path = "/api/v1/corrective-actions/{id}", tag = "corrective-actions",
    params(("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "the ETag of the corrective action as read")),
    request_body = CorrectiveChanges,
    responses((status = 200, body = Record), (status = 409, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope), (status = 428, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn update_corrective_action(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(expected): IfMatch,
    ApiJson(changes): ApiJson<CorrectiveChanges>,
) -> AppResult<Response> {
    let record = corrective::update(&state.db, &current.actor, id, expected, changes).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Plans an action with its owner and due day (not before the day the nonconformity was found).
#[utoipa::path(post, path = "/api/v1/corrective-actions/{id}/actions", tag = "corrective-actions",
    params(("id" = Uuid, Path)), request_body = NewAction,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn add_action(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewAction>,
) -> AppResult<Response> {
    let record = corrective::add_action(&state.db, &current.actor, id, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// Marks an action done (its owner or an ISO officer).
#[utoipa::path(post, path = "/api/v1/corrective-actions/{id}/actions/{action_id}/complete",
    tag = "corrective-actions",
    params(("id" = Uuid, Path), ("action_id" = Uuid, Path)), request_body = CompleteAction,
    responses((status = 200, body = Record), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn complete_action(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, action_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<CompleteAction>,
) -> AppResult<Response> {
    let record =
        corrective::complete_action(&state.db, &current.actor, id, action_id, input).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Records the verification of effectiveness, by someone who owns none of its actions (422).
#[utoipa::path(post, path = "/api/v1/corrective-actions/{id}/verify", tag = "corrective-actions",
    params(("id" = Uuid, Path)), request_body = Verification,
    responses((status = 200, body = Record), (status = 409, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn verify_corrective_action(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<Verification>,
) -> AppResult<Response> {
    let record = corrective::verify(&state.db, &current.actor, id, input).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Attaches a file (evidence of an action done, the signed request): multipart `file`.
#[utoipa::path(post, path = "/api/v1/corrective-actions/{id}/attachments", tag = "corrective-actions",
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 201, body = Attachment), (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn attach_to_corrective_action(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    receive_attachment(
        &state,
        &current,
        id,
        Some(RecordKind::CorrectiveAction),
        multipart,
    )
    .await
}
