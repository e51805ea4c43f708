//! `/api/v1/users`: accounts and role grants (admin changes them; coordinators read them).

use axum::{Json, extract::State, http::StatusCode};
use uuid::Uuid;

use crate::web::extract::{ApiJson, ApiPath, ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        users::{self, NewRoleGrant, NewUser, RoleGrant, User, UserChanges, UserFilter},
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Users, by username.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserFilter, PageRequest),
    responses((status = 200, body = Page<User>), (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<UserFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<User>>> {
    Ok(Json(
        users::list_users(&state.db, &current.actor, &filter, &page).await?,
    ))
}

/// Creates a user (without roles; grant them next).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses(
        (status = 201, body = User),
        (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<User>)> {
    let created = users::create_user(&state.db, &current.actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One user with roles.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_user(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<User>> {
    Ok(Json(users::get_user(&state.db, &current.actor, id).await?))
}

/// Changes a user; deactivating or setting a password ends their sessions.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    request_body = UserChanges,
    responses((status = 200, body = User), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn update_user(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(changes): ApiJson<UserChanges>,
) -> AppResult<Json<User>> {
    Ok(Json({
        let updated = users::update_user(&state.db, &current.actor, id, changes).await?;
        // Deactivated, renamed or re-roled: their signed-in tokens are read afresh.
        state.sessions.forget_user(id);
        updated
    }))
}

/// Grants a role over an agency subtree (or, for admin and coordinator, everywhere).
#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "users", params(("id" = Uuid, Path)),
    request_body = NewRoleGrant,
    responses((status = 201, body = RoleGrant), (status = 400, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn grant_role(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewRoleGrant>,
) -> AppResult<(StatusCode, Json<RoleGrant>)> {
    let grant = users::grant_role(&state.db, &current.actor, id, input).await?;
    state.sessions.forget_user(id);
    Ok((StatusCode::CREATED, Json(grant)))
}

/// Removes a role grant.
#[utoipa::path(delete, path = "/api/v1/users/{id}/roles/{grant_id}", tag = "users",
    params(("id" = Uuid, Path), ("grant_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn revoke_role(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath((id, grant_id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<StatusCode> {
    users::revoke_role(&state.db, &current.actor, id, grant_id).await?;
    state.sessions.forget_user(id);
    Ok(StatusCode::NO_CONTENT)
}
