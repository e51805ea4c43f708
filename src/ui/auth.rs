//! Signing in and out, and choosing the language, on the same sessions as the API.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    http::{Extensions, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::{
    CookieJar,
    cookie::{Cookie, SameSite},
};
use serde::Deserialize;

use super::page::{Chrome, LANG_COOKIE, Tr, lang_of, safe_next};
use crate::{
    AppState,
    domain::{
        DomainError,
        accounts::{self, ProfileChange},
        auth,
    },
    i18n::Lang,
    web::{
        error::{AppError, AppResult},
        extract::{SESSION_COOKIE, UiForm, client_info, session_cookie, session_cookie_removal},
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    t: Tr,
    next: String,
    username: String,
    error: Option<String>,
}

/// `?next=/documents/…`
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn sign_in_form(lang: Lang, next: &str, username: String, error: Option<String>) -> SignInPage {
    SignInPage {
        chrome: Chrome::visitor(lang, lang.text("sign_in_title"), "/sign-in"),
        t: Tr(lang),
        next: safe_next(next).to_owned(),
        username,
        error,
    }
}

/// `GET /sign-in`
pub async fn sign_in_page(headers: HeaderMap, Query(query): Query<NextQuery>) -> impl IntoResponse {
    let next = query.next.unwrap_or_else(|| "/".to_owned());
    sign_in_form(lang_of(&headers), &next, String::new(), None)
}

/// The sign-in form's fields.
#[derive(Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /sign-in`: on success to where the visitor was going; otherwise the form again with
/// the reason and the username as typed.
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    jar: CookieJar,
    UiForm(form): UiForm<SignInForm>,
) -> AppResult<Response> {
    let lang = lang_of(&headers);
    let client = client_info(&headers, &extensions);
    match auth::login(
        &state.db,
        &state.config,
        form.username.trim(),
        &form.password,
        &client,
    )
    .await
    {
        Ok(outcome) => {
            // Their own language, wherever they sign in.
            let jar = match outcome.user.language.as_deref().and_then(Lang::from_tag) {
                Some(chosen) => jar.add(language_cookie(chosen)),
                None => jar,
            };
            let cookie = session_cookie(outcome.token, outcome.expires_at, &headers);
            Ok((jar.add(cookie), Redirect::to(safe_next(&form.next))).into_response())
        }
        Err(error @ (DomainError::BadCredentials | DomainError::Throttled { .. })) => {
            let reply = AppError::from(error);
            let page = sign_in_form(
                lang,
                &form.next,
                form.username,
                Some(reply.message.render(lang)),
            );
            Ok((reply.status, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /sign-out`: ends the session (if any) and shows the sign-in form.
pub async fn sign_out(State(state): State<AppState>, jar: CookieJar) -> Response {
    if let Some(token) = jar
        .get(SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned())
    {
        if let Ok(actor) = auth::authenticate(&state.db, &state.sessions, &token).await
            && let Err(error) = auth::logout(&state.db, &actor, &token).await
        {
            tracing::warn!(%error, "signing out failed");
        }
        state.sessions.forget_token(&token);
    }
    (
        jar.remove(session_cookie_removal()),
        Redirect::to("/sign-in"),
    )
        .into_response()
}

/// The language switch's fields.
#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    next: String,
}

/// `POST /language`: remembers the chosen language for a year and returns to the page.
pub async fn choose_language(
    State(state): State<AppState>,
    jar: CookieJar,
    UiForm(form): UiForm<LanguageForm>,
) -> AppResult<Response> {
    let lang = Lang::from_tag(&form.lang).ok_or_else(|| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            crate::i18n::Message::new("unknown_language"),
        )
    })?;
    // Someone signed in keeps the choice on their account too.
    if let Some(token) = jar
        .get(SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        && let Ok(actor) = auth::authenticate(&state.db, &state.sessions, &token).await
    {
        let change = ProfileChange {
            language: Some(lang.tag().to_owned()),
            ..ProfileChange::default()
        };
        accounts::change_own_profile(&state.db, &actor, change).await?;
    }
    Ok((
        jar.add(language_cookie(lang)),
        Redirect::to(safe_next(&form.next)),
    )
        .into_response())
}

/// The cookie that keeps a language for a year.
pub fn language_cookie(lang: Lang) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, lang.tag()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build()
}
