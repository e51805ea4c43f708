//! Errors as pages: what went wrong in the reader's language, without revealing what they may
//! not see. A page that needs a session sends the visitor to sign in and back.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::Request,
    http::{HeaderMap, StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::page::{Chrome, Tr, lang_of, to_sign_in};
use crate::{
    i18n::{Lang, Message},
    web::{
        REQUEST_ID_HEADER,
        error::{AppError, ErrorReply},
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    t: Tr,
    status: u16,
    message: String,
    request_id: Option<String>,
}

/// Turns the API's error envelope, when a page's handler answers with one, into a page.
pub async fn html_errors(request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers());
    let here = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |path| path.as_str().to_owned());
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let response = next.run(request).await;
    let Some(reply) = response.extensions().get::<ErrorReply>().cloned() else {
        return response;
    };
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        return to_sign_in(&here);
    }
    let internal = status.is_server_error();
    error_page(
        lang,
        status,
        &reply.message,
        &here,
        internal.then_some(request_id).flatten(),
    )
}

fn error_page(
    lang: Lang,
    status: StatusCode,
    message: &Message,
    here: &str,
    request_id: Option<String>,
) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "error_not_found_title",
        StatusCode::FORBIDDEN => "error_forbidden_title",
        status if status.is_server_error() => "error_internal_title",
        _ => "error_title",
    };
    let page = ErrorPage {
        chrome: Chrome::visitor(lang, lang.text(title), here),
        t: Tr(lang),
        status: status.as_u16(),
        message: message.render(lang),
        request_id,
    };
    (status, page).into_response()
}

/// A refusal to show on the page the person is on: its status and its sentence in their
/// language. What the page itself cannot survive (not found, not signed in, a server fault)
/// stays an error, for the error page.
pub fn refusal(error: impl Into<AppError>, lang: Lang) -> Result<(StatusCode, String), AppError> {
    let reply = error.into();
    if reply.status.is_server_error()
        || reply.status == StatusCode::NOT_FOUND
        || reply.status == StatusCode::UNAUTHORIZED
    {
        return Err(reply);
    }
    // A form sent over a newer state: the page shows the state as it is now, the form what
    // was typed, and this says why.
    let message = if reply.message.code() == "precondition_failed" {
        Message::new("form_stale").render(lang)
    } else {
        reply.message.render(lang)
    };
    Ok((reply.status, message))
}

/// The page of an address that leads nowhere.
pub fn not_found_page(headers: &HeaderMap, uri: &Uri) -> Response {
    let lang = lang_of(headers);
    error_page(
        lang,
        StatusCode::NOT_FOUND,
        &Message::new("page_not_found"),
        uri.path(),
        None,
    )
}
