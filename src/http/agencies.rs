//! `/api/v1/agencies`: the agency tree (admin changes it; coordinators and members read it).

use axum::{Json, extract::State, http::StatusCode};

use crate::web::extract::{ApiJson, ApiPath, ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        agencies::{self, Agency, AgencyChanges, AgencyDetail, AgencyFilter, NewAgency},
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Agencies the caller may see, by code.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies",
    params(AgencyFilter, PageRequest),
    responses((status = 200, body = Page<Agency>), (status = 401, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_agencies(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<AgencyFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Agency>>> {
    Ok(Json(
        agencies::list_agencies(&state.db, &current.actor, &filter, &page).await?,
    ))
}

/// Creates an agency.
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies", request_body = NewAgency,
    responses(
        (status = 201, body = Agency),
        (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 409, description = "the code is taken", body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn create_agency(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewAgency>,
) -> AppResult<(StatusCode, Json<Agency>)> {
    let created = agencies::create_agency(&state.db, &current.actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One agency (by id or code) with its former names and the agencies merged into it.
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "agencies",
    params(("id" = String, Path, description = "agency id or code")),
    responses((status = 200, body = AgencyDetail), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_agency(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<AgencyDetail>> {
    Ok(Json(
        agencies::get_agency(&state.db, &current.actor, &id).await?,
    ))
}

/// Renames, moves, merges (`successor_id`) or deactivates an agency.
#[utoipa::path(patch, path = "/api/v1/agencies/{id}", tag = "agencies",
    params(("id" = String, Path, description = "agency id or code")), request_body = AgencyChanges,
    responses(
        (status = 200, body = Agency),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn update_agency(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(changes): ApiJson<AgencyChanges>,
) -> AppResult<Json<Agency>> {
    Ok(Json(
        agencies::update_agency(&state.db, &current.actor, &id, changes).await?,
    ))
}
