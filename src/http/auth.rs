//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/me`.

use axum::{
    Json,
    extract::State,
    http::{Extensions, HeaderMap, StatusCode},
    response::IntoResponse,
};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::web::extract::{
    ApiJson, CurrentActor, client_info, session_cookie, session_cookie_removal,
};
use crate::{
    AppState,
    domain::{
        auth,
        users::{self, User},
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A new session.
#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; the same value is set as the session cookie.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// Signs in with a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong username or password", body = ErrorEnvelope),
        (status = 429, description = "too many failed attempts", body = ErrorEnvelope),
    ))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    jar: CookieJar,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<impl IntoResponse> {
    let client = client_info(&headers, &extensions);
    let outcome = auth::login(
        &state.db,
        &state.config,
        &body.username,
        &body.password,
        &client,
    )
    .await?;
    let cookie = session_cookie(outcome.token.clone(), outcome.expires_at, &headers);
    Ok((
        jar.add(cookie),
        Json(LoginResponse {
            token: outcome.token,
            expires_at: outcome.expires_at,
            user: outcome.user,
        }),
    ))
}

/// Ends the current session; the token stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    current: CurrentActor,
    jar: CookieJar,
) -> AppResult<impl IntoResponse> {
    auth::logout(&state.db, &current.actor, &current.token).await?;
    state.sessions.forget_token(&current.token);
    Ok((jar.remove(session_cookie_removal()), StatusCode::NO_CONTENT))
}

/// The signed-in user with their roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = User), (status = 401, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, current: CurrentActor) -> AppResult<Json<User>> {
    let user_id = current
        .actor
        .user_id
        .ok_or(crate::domain::DomainError::Unauthenticated)?;
    Ok(Json(
        users::get_user(&state.db, &current.actor, user_id).await?,
    ))
}
