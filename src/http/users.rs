//! `/api/v1/users`: accounts and role grants (admin changes them; coordinators read them).

use axum::{Json, extract::State, http::StatusCode};
use uuid::Uuid;

use crate::web::extract::{ApiJson, ApiPath, ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        accounts::{self, PasswordChange, ProfileChange},
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

/// Changes the caller's own password (the current one is asked again). Their other sessions
/// end; this one goes on.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn change_own_password(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(change): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    accounts::change_own_password(&state.db, &current.actor, &current.token, change).await?;
    if let Some(user_id) = current.actor.user_id {
        state.sessions.forget_user(user_id);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A new password, to hand over once.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct NewPassword {
    pub password: String,
}

/// Gives a user a new random password (an administrator), ends their sessions and lifts the
/// lock of failed sign-ins. The password is in this answer only.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "users",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = NewPassword), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn reset_password(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<NewPassword>> {
    let password = accounts::reset_password(&state.db, &current.actor, id).await?;
    state.sessions.forget_user(id);
    Ok(Json(NewPassword { password }))
}

/// Lifts the lock that failed sign-ins put on an account (an administrator).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn unlock_user(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    accounts::unlock(&state.db, &current.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the caller's own display name and language (`vi`, `en`): the pages speak it
/// wherever they sign in.
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", request_body = ProfileChange,
    responses((status = 200, body = User), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn change_own_profile(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(change): ApiJson<ProfileChange>,
) -> AppResult<Json<User>> {
    let saved = accounts::change_own_profile(&state.db, &current.actor, change).await?;
    Ok(Json(
        users::get_user(&state.db, &current.actor, saved.id).await?,
    ))
}
