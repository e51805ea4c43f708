//! "Tài khoản": who I am, my roles, my name and language, and changing my own password.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::page::{Chrome, DoneQuery, Tr, Viewer};
use crate::{
    AppState,
    domain::{
        DomainError,
        accounts::{self, PasswordChange, ProfileChange},
        agencies, users,
    },
    i18n::Lang,
    web::{
        error::{AppError, AppResult},
        extract::{ApiQuery, SESSION_COOKIE, UiForm},
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    t: Tr,
    name: String,
    display_name: String,
    language: &'static str,
    roles: Vec<String>,
    notice: Option<String>,
    name_error: Option<String>,
    current_error: Option<String>,
    new_error: Option<String>,
    repeat_error: Option<String>,
}

fn role_key(role: crate::domain::Role) -> &'static str {
    use crate::domain::Role;
    match role {
        Role::Admin => "role_admin",
        Role::Coordinator => "role_coordinator",
        Role::AgencyHead => "role_agency_head",
        Role::IsoOfficer => "role_iso_officer",
        Role::InternalAuditor => "role_internal_auditor",
        Role::Staff => "role_staff",
        Role::Appraiser => "role_appraiser",
    }
}

async fn page(state: &AppState, viewer: &Viewer) -> AppResult<AccountPage> {
    let t = viewer.t();
    let names = agencies::names_of(
        &state.db,
        viewer
            .actor
            .grants
            .iter()
            .filter_map(|grant| grant.agency_id),
    )
    .await?;
    let roles = viewer
        .actor
        .grants
        .iter()
        .map(|grant| {
            let role = t.get(role_key(grant.role));
            match grant.agency_id.and_then(|id| names.get(&id)) {
                Some(agency) => format!("{role} — {agency}"),
                None => format!("{role} — {}", t.get("role_everywhere")),
            }
        })
        .collect();
    let me = match viewer.actor.user_id {
        Some(id) => Some(users::get_user(&state.db, &viewer.actor, id).await?),
        None => None,
    };
    Ok(AccountPage {
        chrome: viewer.chrome(t.get("account_title")),
        t,
        name: viewer.actor.name.clone(),
        display_name: me
            .as_ref()
            .map(|me| me.display_name.clone())
            .unwrap_or_default(),
        language: viewer.lang.tag(),
        roles,
        notice: None,
        name_error: None,
        current_error: None,
        new_error: None,
        repeat_error: None,
    })
}

/// `GET /account`
pub async fn account_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<DoneQuery>,
) -> AppResult<Response> {
    let mut shown = page(&state, &viewer).await?;
    shown.notice = query.notice(
        viewer.lang,
        &[
            ("password", "done_password_changed"),
            ("profile", "done_profile_saved"),
        ],
    );
    Ok(shown.into_response())
}

/// The profile form's fields.
#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    display_name: String,
    language: String,
}

/// `POST /account/profile`: one's name and language; the pages speak it from the next one on.
pub async fn change_profile(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    UiForm(form): UiForm<ProfileForm>,
) -> AppResult<Response> {
    let change = ProfileChange {
        display_name: Some(form.display_name.clone()),
        language: Some(form.language),
    };
    match accounts::change_own_profile(&state.db, &viewer.actor, change).await {
        Ok(saved) => {
            let jar = match saved.language.as_deref().and_then(Lang::from_tag) {
                Some(lang) => jar.add(super::auth::language_cookie(lang)),
                None => jar,
            };
            Ok((jar, Redirect::to("/account?done=profile")).into_response())
        }
        Err(DomainError::Invalid { reason, .. }) => {
            let mut shown = page(&state, &viewer).await?;
            shown.display_name = form.display_name;
            shown.name_error = Some(reason.render(viewer.lang));
            Ok((StatusCode::BAD_REQUEST, shown).into_response())
        }
        Err(error) => Err(AppError::from(error)),
    }
}

/// The password form's fields.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    repeat_password: String,
}

/// `POST /account/password`: errors beside their fields; nothing typed is sent back.
pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    UiForm(form): UiForm<PasswordForm>,
) -> AppResult<Response> {
    let t = viewer.t();
    let mut shown = page(&state, &viewer).await?;
    if form.new_password != form.repeat_password {
        shown.repeat_error = Some(t.get("passwords_differ"));
        return Ok((StatusCode::BAD_REQUEST, shown).into_response());
    }
    let token = jar
        .get(SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .unwrap_or_default();
    let change = PasswordChange {
        current_password: form.current_password,
        new_password: form.new_password,
    };
    match accounts::change_own_password(&state.db, &viewer.actor, &token, change).await {
        Ok(()) => {
            if let Some(user_id) = viewer.actor.user_id {
                state.sessions.forget_user(user_id);
            }
            Ok(Redirect::to("/account?done=password").into_response())
        }
        Err(DomainError::Invalid { field, reason }) => {
            let text = reason.render(viewer.lang);
            if field == "current_password" {
                shown.current_error = Some(text);
            } else {
                shown.new_error = Some(text);
            }
            Ok((StatusCode::BAD_REQUEST, shown).into_response())
        }
        Err(error) => Err(AppError::from(error)),
    }
}
