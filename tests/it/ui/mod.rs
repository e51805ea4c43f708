//! The web UI in a real browser: each journey of UI.md signed in as its role, done through the
//! pages, asserting what the person sees, every page checked with axe-core.

mod audits;
mod browser;
mod coordinating;
mod journeys;
mod languages;
mod pages;
mod records;
mod scoring;

/// Declares a browser test, run once on SQLite and once on PostgreSQL. Without Chromium and
/// chromedriver (Debian's `chromium`, `chromium-driver`) it is ignored, visibly; CI installs
/// them and fails when it cannot.
macro_rules! browser_test {
    ($(#[$meta:meta])* $name:ident, |$app:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(hoso_browser_tests),
                ignore = "browser test: install chromium and chromium-driver to run it"
            )]
            async fn sqlite() {
                let $app = $crate::support::TestApp::start($crate::support::Engine::Sqlite).await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                any(not(hoso_pg_tests), not(hoso_browser_tests)),
                ignore = "browser test on PostgreSQL: needs HOSO_TEST_DATABASE_URL and chromium"
            )]
            async fn postgres() {
                let $app = $crate::support::TestApp::start($crate::support::Engine::Postgres).await;
                $body
                $app.finish().await;
            }
        }
    };
}
pub(crate) use browser_test;
