//! Cross-site request forgery: a browser tells where a request comes from (`Sec-Fetch-Site`,
//! or at least `Origin`), and a change asked by another site's page is refused before any
//! handler runs. Programs (curl, scripts) send neither header and are judged by their token
//! alone. With the session cookie's `SameSite=Lax`, this is the check every form relies on.

use axum::{
    extract::Request,
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{i18n::Message, web::error::AppError};

/// Refuses a state-changing request (anything but GET, HEAD, OPTIONS, TRACE) that a browser
/// says comes from another site.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if request.method().is_safe() || same_origin(request.headers()) {
        return next.run(request).await;
    }
    AppError::new(
        StatusCode::FORBIDDEN,
        "cross_site_request",
        Message::new("cross_site_request"),
    )
    .into_response()
}

fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        // `none`: the person typed the address or used a bookmark.
        return site == "same-origin" || site == "none";
    }
    match text(header::ORIGIN.as_str()) {
        // Older browsers: the origin must name this very host.
        Some(origin) => text(header::HOST.as_str()).is_some_and(|host| {
            origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                == Some(host)
        }),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_page_of_this_site_may_post_and_another_site_may_not() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_this_host() {
        assert!(same_origin(&headers(&[
            ("origin", "https://hoso.example.vn"),
            ("host", "hoso.example.vn")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "hoso.example.vn")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "hoso.example.vn")
        ])));
        assert!(same_origin(&headers(&[])), "a program without a browser");
    }
}
