//! `/api/v1/audits`, `/api/v1/findings`: internal audits with their checklists and findings.

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
            audits::{self, AuditChanges, NewAudit},
            findings::{self, ChecklistInput, NewFinding},
        },
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Internal audits the caller may read (`?agency=&year=` is an agency's audit programme).
#[utoipa::path(get, path = "/api/v1/audits", tag = "audits", params(RecordFilter, PageRequest),
    responses((status = 200, body = Page<Record>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_audits(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<RecordFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Record>>> {
    list_of(&state, &current, RecordKind::InternalAudit, filter, &page).await
}

/// Plans an internal audit (an internal auditor of the agency). The lead auditor and the team
/// must be internal auditors holding no other role in the units audited (422).
#[utoipa::path(post, path = "/api/v1/audits", tag = "audits", request_body = NewAudit,
    responses(
        (status = 201, body = Record),
        (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn create_audit(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewAudit>,
) -> AppResult<Response> {
    let record = audits::create_audit(&state.db, &current.actor, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// One audit with its findings and checklist (`children`).
#[utoipa::path(get, path = "/api/v1/audits/{id}", tag = "audits", params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_audit(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    one_of(&state, &current, Some(RecordKind::InternalAudit), id).await
}

/// Changes an audit or moves its status (`planned` → `in_progress` → `reported` → `closed`);
/// requires `If-Match`. Closing needs every nonconformity's corrective actions closed (409).
#[utoipa::path(patch, path = "/api/v1/audits/{id}", tag = "audits", params(("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "the ETag of the audit as read")),
    request_body = AuditChanges,
    responses(
        (status = 200, body = Record),
        (status = 409, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 428, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn update_audit(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(expected): IfMatch,
    ApiJson(changes): ApiJson<AuditChanges>,
) -> AppResult<Response> {
    let record = audits::update_audit(&state.db, &current.actor, id, expected, changes).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// Logs a finding: grade, ISO 9001:2015 clause, description, unit and documents.
#[utoipa::path(post, path = "/api/v1/audits/{id}/findings", tag = "audits",
    params(("id" = Uuid, Path)), request_body = NewFinding,
    responses(
        (status = 201, body = Record),
        (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn create_finding(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewFinding>,
) -> AppResult<Response> {
    let record = findings::create_finding(&state.db, &current.actor, id, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// Adds a question to the audit's checklist, answered or not.
#[utoipa::path(post, path = "/api/v1/audits/{id}/checklist", tag = "audits",
    params(("id" = Uuid, Path)), request_body = ChecklistInput,
    responses((status = 201, body = Record), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn add_checklist_item(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ChecklistInput>,
) -> AppResult<Response> {
    let record = findings::add_checklist_item(&state.db, &current.actor, id, input).await?;
    Ok(with_etag(StatusCode::CREATED, record.revision, record))
}

/// Answers or edits a checklist item.
#[utoipa::path(patch, path = "/api/v1/audits/{id}/checklist/{item_id}", tag = "audits",
    params(("id" = Uuid, Path), ("item_id" = Uuid, Path)), request_body = ChecklistInput,
    responses((status = 200, body = Record), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn update_checklist_item(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, item_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<ChecklistInput>,
) -> AppResult<Response> {
    let record =
        findings::update_checklist_item(&state.db, &current.actor, id, item_id, input).await?;
    Ok(with_etag(StatusCode::OK, record.revision, record))
}

/// One finding, with the corrective actions raised from it (`raised`).
#[utoipa::path(get, path = "/api/v1/findings/{id}", tag = "audits", params(("id" = Uuid, Path)),
    responses((status = 200, body = Record), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_finding(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    one_of(&state, &current, Some(RecordKind::Finding), id).await
}

/// Attaches a file to an audit (its report, its plan…): multipart `file`.
#[utoipa::path(post, path = "/api/v1/audits/{id}/attachments", tag = "audits",
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 201, body = Attachment), (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn attach_to_audit(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    receive_attachment(
        &state,
        &current,
        id,
        Some(RecordKind::InternalAudit),
        multipart,
    )
    .await
}

/// Attaches a file to a finding (photos, copies of what was seen): multipart `file`.
#[utoipa::path(post, path = "/api/v1/findings/{id}/attachments", tag = "audits",
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 201, body = Attachment), (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn attach_to_finding(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    multipart: ApiMultipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    receive_attachment(&state, &current, id, Some(RecordKind::Finding), multipart).await
}
