//! `/api/v1/versions/{id}`: the approval workflow, acknowledgements and file downloads.

use axum::{Json, extract::State, http::HeaderMap, response::Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::web::extract::{ApiJson, ApiPath, ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::documents::{
        Version,
        acknowledgements::{self, AcknowledgementCoverage, AcknowledgementEntry},
        citations::{self, VersionCitation},
        publication::{self, PublishRequest},
        stamping,
        versions::{self, VersionText},
        workflow::{self, ReasonRequest},
    },
    web::{
        error::{AppResult, ErrorEnvelope},
        files,
    },
};

/// One version.
#[utoipa::path(get, path = "/api/v1/versions/{id}", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Version), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        versions::get_version(&state.db, &current.actor, id).await?,
    ))
}

/// Sends a draft for approval.
#[utoipa::path(post, path = "/api/v1/versions/{id}/submit", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Version), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn submit_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Version>> {
    Ok(Json(workflow::submit(&state.db, &current.actor, id).await?))
}

/// Approves a version in review (agency head; never one's own draft: 422).
#[utoipa::path(post, path = "/api/v1/versions/{id}/approve", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Version), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn approve_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        workflow::approve(&state.db, &current.actor, id).await?,
    ))
}

/// Rejects a version in review with a reason.
#[utoipa::path(post, path = "/api/v1/versions/{id}/reject", tag = "versions", params(("id" = Uuid, Path)),
    request_body = ReasonRequest,
    responses((status = 200, body = Version), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn reject_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ReasonRequest>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        workflow::reject(&state.db, &current.actor, id, request).await?,
    ))
}

/// Publishes an approved version from `effective_from` (today or later).
#[utoipa::path(post, path = "/api/v1/versions/{id}/publish", tag = "versions", params(("id" = Uuid, Path)),
    request_body = PublishRequest,
    responses((status = 200, body = Version), (status = 400, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn publish_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<PublishRequest>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        publication::publish(
            &state.db,
            state.config.job_max_attempts,
            &current.actor,
            id,
            request,
        )
        .await?,
    ))
}

/// Withdraws the document: the version becomes obsolete, with a reason.
#[utoipa::path(post, path = "/api/v1/versions/{id}/obsolete", tag = "versions", params(("id" = Uuid, Path)),
    request_body = ReasonRequest,
    responses((status = 200, body = Version), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn obsolete_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ReasonRequest>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        workflow::obsolete(&state.db, &current.actor, id, request).await?,
    ))
}

/// Acknowledges having read the version in force.
#[utoipa::path(post, path = "/api/v1/versions/{id}/acknowledge", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = AcknowledgementEntry), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn acknowledge_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<AcknowledgementEntry>> {
    Ok(Json(
        acknowledgements::acknowledge(&state.db, &current.actor, id).await?,
    ))
}

/// Who of the agency has and has not acknowledged the version.
#[utoipa::path(get, path = "/api/v1/versions/{id}/acknowledgements", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = AcknowledgementCoverage), (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_acknowledgements(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<AcknowledgementCoverage>> {
    Ok(Json(
        acknowledgements::coverage(&state.db, &current.actor, id).await?,
    ))
}

/// The text extracted from the version's file, page by page, with the extraction status.
#[utoipa::path(get, path = "/api/v1/versions/{id}/text", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = VersionText), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn version_text(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<VersionText>> {
    Ok(Json(
        versions::version_text(&state.db, &current.actor, id).await?,
    ))
}

/// The legal numbers the version's text cites, with their pages; those of the register that are
/// not legal bases of the document yet are proposed (`proposed: true`).
#[utoipa::path(get, path = "/api/v1/versions/{id}/citations", tag = "versions",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<VersionCitation>), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn version_citations(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Vec<VersionCitation>>> {
    Ok(Json(
        citations::version_citations(&state.db, &current.actor, id).await?,
    ))
}

/// `?stamped=true`, `?inline=true`, `?pdf=true`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// A PDF copy marked "BẢN CÓ KIỂM SOÁT" or "HẾT HIỆU LỰC" on every page.
    pub stamped: Option<bool>,
    /// Show a PDF in the browser instead of offering it for saving.
    pub inline: Option<bool>,
    /// The file as a PDF: itself when it is one, the PDF LibreOffice made of it when it is a
    /// text document (DOCX, DOC, ODT).
    pub pdf: Option<bool>,
}

/// The original bytes (ranges supported; `ETag` is the SHA-256), its PDF, or a stamped PDF copy
/// (of the file, or of its PDF when it is a text document).
#[utoipa::path(get, path = "/api/v1/versions/{id}/file", tag = "versions",
    params(("id" = Uuid, Path), FileQuery),
    responses(
        (status = 200, description = "the file"),
        (status = 206, description = "a byte range of the file"),
        (status = 304, description = "the file has the ETag sent in If-None-Match"),
        (status = 409, description = "no PDF of this file (yet), or a draft to stamp", body = ErrorEnvelope),
        (status = 416, description = "the range cannot be served"),
    ),
    security(("bearer" = [])))]
pub async fn download_file(
    State(state): State<AppState>,
    current: CurrentActor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<FileQuery>,
) -> AppResult<Response> {
    let (version, document, file) =
        versions::readable_version_file(&state.db, &current.actor, id).await?;
    if query.stamped == Some(true) {
        let stamped = stamping::stamped_copy(
            &state.db,
            &state.blobs,
            &version,
            &document,
            state.config.job_max_attempts,
        )
        .await?;
        let name = format!("{}-ban-kiem-soat.pdf", files::stem(&file.original_filename));
        return Ok(files::attachment(stamped, "application/pdf", &name));
    }
    let asked = files::FileQuery {
        inline: query.inline,
        pdf: query.pdf,
    };
    files::serve_file(&state, &headers, &file, &asked).await
}
