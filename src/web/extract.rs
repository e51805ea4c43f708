//! Request extractors: JSON and query strings with enveloped errors, and the signed-in actor.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, FromRequest, FromRequestParts},
    http::{HeaderMap, header, request::Parts},
};
use axum_extra::extract::{
    CookieJar,
    cookie::{Cookie, SameSite},
};

use crate::{
    AppState,
    domain::{Actor, DomainError, auth},
    web::error::AppError,
};

/// Name of the session cookie set at login.
pub const SESSION_COOKIE: &str = "hoso_session";

/// A JSON body; malformed or unknown fields answer 400 in the error envelope, oversize 413.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// A form posted by a page (`application/x-www-form-urlencoded`); bad fields answer 400.
#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct UiForm<T>(pub T);

/// Query parameters; bad values answer 400 in the error envelope.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters; an unparseable id answers 404.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// The signed-in user, from `Authorization: Bearer …` or the session cookie.
pub struct CurrentActor {
    pub actor: Actor,
    pub token: String,
}

impl FromRequestParts<AppState> for CurrentActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer_token(&parts.headers)
            .or_else(|| {
                CookieJar::from_headers(&parts.headers)
                    .get(SESSION_COOKIE)
                    .map(|cookie| cookie.value().to_owned())
            })
            .ok_or(DomainError::Unauthenticated)?;
        let actor = auth::authenticate(&state.db, &state.sessions, &token).await?;
        Ok(Self { actor, token })
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|token| !token.is_empty())
}

/// The session cookie carrying `token` until `expires_at`: never readable by scripts, not sent
/// along with another site's requests, and over TLS only when the client came over TLS.
pub fn session_cookie(
    token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
    headers: &HeaderMap,
) -> Cookie<'static> {
    let max_age = (expires_at - chrono::Utc::now()).num_seconds().max(0);
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(is_tls(headers))
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
}

/// What removes the session cookie from the browser.
pub fn session_cookie_removal() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, "")).path("/").build()
}

/// Who is signing in from where, for the sign-in log.
pub fn client_info(headers: &HeaderMap, extensions: &axum::http::Extensions) -> auth::ClientInfo {
    auth::ClientInfo {
        ip: client_ip(extensions),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
    }
}

/// The client's address (the TCP peer; a reverse proxy's own address when behind one).
pub fn client_ip(parts_extensions: &axum::http::Extensions) -> String {
    parts_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string())
}

/// Whether the client reached us over TLS (directly or through a proxy that says so).
pub fn is_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}
