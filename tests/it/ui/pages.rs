//! What every page answers without a browser: the language, the security headers, the
//! cached assets, the cross-site check, sign-in for a page that needs it, pages for lost paths.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};

use crate::support::db_test;

fn get(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}

db_test!(
    pages_speak_vietnamese_first_and_carry_their_protections,
    |app| {
        let page = app.send(get("/sign-in", &[])).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("<html lang=\"vi\">") && page.text.contains("Đăng nhập"));
        let policy = page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            policy.contains("default-src 'self'") && !policy.contains("unsafe-inline"),
            "{policy}"
        );
        let english = app
            .send(get("/sign-in", &[("accept-language", "en-GB,en;q=0.9")]))
            .await;
        assert!(english.text.contains("<html lang=\"en\">") && english.text.contains("Sign in"));

        // The stylesheet under its hashed name, compressed and kept for a year.
        let css = page
            .text
            .split('"')
            .find(|piece| piece.starts_with("/static/app.") && piece.ends_with(".css"))
            .expect("a hashed stylesheet")
            .to_owned();
        // Brotli where the build compressed the assets (release), gzip in a debug build.
        let asset = app
            .send(get(&css, &[("accept-encoding", "br, gzip")]))
            .await;
        assert_eq!(asset.status, StatusCode::OK);
        let expected = if cfg!(debug_assertions) { "gzip" } else { "br" };
        assert_eq!(asset.headers[header::CONTENT_ENCODING], expected);
        assert!(
            asset.headers[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
    }
);

db_test!(a_page_needs_a_session_and_another_site_cannot_post, |app| {
    let asked = app.send(get("/documents", &[])).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        asked.headers[header::LOCATION],
        "/sign-in?next=%2Fdocuments"
    );

    let post = |site: &'static str| {
        Request::post("/sign-out")
            .header("sec-fetch-site", site)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        app.send(post("cross-site")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.send(post("same-origin")).await.status,
        StatusCode::SEE_OTHER
    );

    let lost = app.send(get("/khong-co-trang-nay", &[])).await;
    assert_eq!(lost.status, StatusCode::NOT_FOUND);
    assert!(
        lost.text.contains("Không có trang nào ở địa chỉ này."),
        "{}",
        lost.text
    );
    let api = app.send(get("/api/v1/khong-co", &[])).await;
    assert_eq!(api.json["error"]["code"], "not_found");
});
