//! Test harness: a fresh hoso per test on SQLite or PostgreSQL (`app`), builders of the agencies,
//! people and documents tests start from (`builders`), and files to upload (`files`).

mod app;
mod builders;
mod files;

pub use app::*;
pub use builders::*;
pub use files::*;

pub const ADMIN_PASSWORD: &str = "quan-tri-mat-khau-1";
pub const PASSWORD: &str = "mat-khau-du-dai-1";

/// Declares a test that runs once on SQLite and once on PostgreSQL. The PostgreSQL variant is
/// ignored, with a reason `cargo test` prints, unless `HOSO_TEST_DATABASE_URL` was set at build.
macro_rules! db_test {
    ($(#[$meta:meta])* $name:ident, |$app:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::support::TestApp::start($crate::support::Engine::Sqlite).await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(hoso_pg_tests),
                ignore = "PostgreSQL variant: set HOSO_TEST_DATABASE_URL to run it"
            )]
            async fn postgres() {
                let $app = $crate::support::TestApp::start($crate::support::Engine::Postgres).await;
                $body
                $app.finish().await;
            }
        }
    };
}
pub(crate) use db_test;
