//! What every page shares: the viewer (signed in, in their language), the frame around the
//! content (header, navigation, search box, language switch) and the texts of the catalogues.

use axum::{
    extract::{FromRequestParts, OriginalUri},
    http::{HeaderMap, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;

use super::assets;
use crate::{
    AppState,
    domain::{Actor, DomainError, Role, auth},
    i18n::Lang,
    web::{error::AppError, extract::SESSION_COOKIE},
};

/// The cookie remembering the language a visitor chose.
pub const LANG_COOKIE: &str = "hoso_lang";

/// The language of a request: the visitor's choice, else their browser's, else Vietnamese.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    CookieJar::from_headers(headers)
        .get(LANG_COOKIE)
        .and_then(|cookie| Lang::from_tag(cookie.value()))
        .or_else(|| {
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Vi)
}

/// Texts of the catalogues in one language, for templates: `{{ t.get("nav_documents") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &'static str) -> String {
        self.0.text(key)
    }
}

/// The signed-in person looking at a page. Without a valid session the page answers with the
/// sign-in form, which then comes back here.
pub struct Viewer {
    pub actor: Actor,
    pub lang: Lang,
    /// The path and query of this page, to come back to.
    pub here: String,
    /// The name the header shows: the person's display name, else their username.
    pub shown_name: String,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        let here = here(parts);
        let Some(token) = CookieJar::from_headers(&parts.headers)
            .get(SESSION_COOKIE)
            .map(|cookie| cookie.value().to_owned())
        else {
            return Err(to_sign_in(&here));
        };
        match auth::authenticate(&state.db, &state.sessions, &token).await {
            Ok(actor) => {
                let shown_name = shown_name(&state.db, &actor)
                    .await
                    .map_err(|error| AppError::from(DomainError::from(error)).into_response())?;
                Ok(Self {
                    actor,
                    lang,
                    here,
                    shown_name,
                })
            }
            Err(DomainError::Unauthenticated | DomainError::SessionEnded) => Err(to_sign_in(&here)),
            Err(error) => Err(AppError::from(error).into_response()),
        }
    }
}

/// The display name of a signed-in person (their username when they have none).
async fn shown_name(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
) -> Result<String, sea_orm::DbErr> {
    use sea_orm::EntityTrait;
    let Some(id) = actor.user_id else {
        return Ok(actor.name.clone());
    };
    let account = crate::db::entities::user::Entity::find_by_id(id)
        .one(db)
        .await?;
    Ok(account
        .map(|account| account.display_name)
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| actor.name.clone()))
}

fn here(parts: &Parts) -> String {
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    uri.path_and_query()
        .map_or_else(|| "/".to_owned(), |path| path.as_str().to_owned())
}

/// The sign-in page, which returns to `next` afterwards.
pub fn to_sign_in(next: &str) -> Response {
    let next = safe_next(next);
    if next == "/" {
        return Redirect::to("/sign-in").into_response();
    }
    let encoded =
        percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC).to_string();
    Redirect::to(&format!("/sign-in?next={encoded}")).into_response()
}

/// A place on this site to go back to; anything else (another site, `//host`) is the home page.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

/// `?done=…`: the step a page reports after the redirect that followed it.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

impl DoneQuery {
    /// The sentence for the step done, from the page's `(step, catalogue key)` pairs.
    pub fn notice(&self, lang: Lang, steps: &[(&str, &'static str)]) -> Option<String> {
        let done = self.done.as_deref()?;
        steps
            .iter()
            .find(|(step, _)| *step == done)
            .map(|(_, key)| lang.text(key))
    }
}

/// A link of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The frame around every page.
pub struct Chrome {
    pub lang: &'static str,
    pub title: String,
    /// The signed-in person's name; `None` on the sign-in page and error pages of visitors.
    pub user: Option<String>,
    pub nav: Vec<NavItem>,
    /// The search box's text.
    pub q: String,
    pub here: String,
    pub other_lang: &'static str,
    pub other_lang_label: String,
    pub css: &'static str,
    pub js: &'static str,
    pub htmx: &'static str,
}

impl Chrome {
    /// The frame for a visitor who is not signed in.
    pub fn visitor(lang: Lang, title: String, here: &str) -> Self {
        let urls = assets::urls();
        Self {
            lang: lang.tag(),
            title,
            user: None,
            nav: Vec::new(),
            q: String::new(),
            here: here.to_owned(),
            other_lang: lang.other().tag(),
            other_lang_label: lang.text("language_switch"),
            css: &urls.css,
            js: &urls.js,
            htmx: &urls.htmx,
        }
    }
}

impl Viewer {
    pub fn t(&self) -> Tr {
        Tr(self.lang)
    }

    /// The frame of a page titled `title`, with the navigation this person's roles call for.
    pub fn chrome(&self, title: String) -> Chrome {
        let mut chrome = Chrome::visitor(self.lang, title, &self.here);
        chrome.user = Some(self.shown_name.clone());
        let path = self.here.split('?').next().unwrap_or("/");
        let mut nav = vec![("/", "nav_todo"), ("/documents", "nav_documents")];
        if self.actor.has_role(Role::AgencyHead) {
            nav.push(("/approvals", "nav_approvals"));
        }
        if [
            Role::IsoOfficer,
            Role::AgencyHead,
            Role::Appraiser,
            Role::Coordinator,
        ]
        .iter()
        .any(|role| self.actor.has_role(*role))
        {
            nav.push(("/assessments", "nav_assessments"));
        }
        if self.actor.has_role(Role::Coordinator) {
            nav.push(("/criteria-sets", "nav_criteria_sets"));
        }
        if [Role::InternalAuditor, Role::IsoOfficer, Role::AgencyHead]
            .iter()
            .any(|role| self.actor.has_role(*role))
        {
            nav.push(("/audits", "nav_audits"));
        }
        if self.is_member() {
            nav.push(("/reading", "nav_reading"));
        }
        nav.push(("/search", "nav_search"));
        chrome.nav = nav
            .into_iter()
            .map(|(href, key)| NavItem {
                href,
                label: self.lang.text(key),
                current: if href == "/" {
                    path == "/"
                } else {
                    path.starts_with(href)
                },
            })
            .collect();
        chrome
    }

    /// Whether the person works in an agency (and so has procedures to read).
    pub fn is_member(&self) -> bool {
        !self.actor.own_agencies().is_empty()
    }
}
