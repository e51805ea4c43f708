//! The stylesheet and scripts (`assets/`), embedded in the binary at build time, compressed
//! (brotli, gzip) and served under names that carry their content's hash, so browsers keep them
//! for a year and fetch them again only when they change.

use std::sync::LazyLock;

use axum::Router;
use memory_serve::{CacheControl, Manifest, MemoryServe};

use crate::AppState;

/// Where the assets are served.
const PREFIX: &str = "/static";

fn assets() -> MemoryServe {
    memory_serve::load!()
        .index_file(None)
        .enable_hashed_routes(true)
        .enable_gzip(true)
        // Brotli at its best takes seconds over pdf.js, which a debug build would spend at every
        // start (a release build compresses when it is built): debug builds offer gzip only.
        .enable_brotli(!cfg!(debug_assertions))
        .cache_control(CacheControl::Medium)
}

static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| assets().manifest());

/// The assets' routes, made once per process: a debug build compresses the assets when it
/// makes them, which takes a while for pdf.js.
static ROUTER: LazyLock<Router<AppState>> = LazyLock::new(|| assets().into_router());

/// The embedded assets, on their plain and their hashed routes.
pub fn router() -> Router<AppState> {
    ROUTER.clone()
}

/// The address of an asset by its file name (`app.css`): the hashed route.
fn url(name: &str) -> String {
    let plain = format!("/{name}");
    let route = MANIFEST.get(&plain).unwrap_or(&plain);
    format!("{PREFIX}{route}")
}

/// The addresses every page links to.
pub struct Urls {
    pub css: String,
    pub js: String,
    pub htmx: String,
    /// pdf.js and its worker (pdfjs-dist, vendored), and the viewer built on them: loaded by
    /// the pages that show a PDF, and only when they do.
    pub pdfjs: String,
    pub pdfjs_worker: String,
    pub viewer: String,
}

static URLS: LazyLock<Urls> = LazyLock::new(|| Urls {
    css: url("app.css"),
    js: url("app.js"),
    htmx: url("htmx-2.0.11.min.js"),
    pdfjs: url("pdf-5.6.205.min.mjs"),
    pdfjs_worker: url("pdf.worker-5.6.205.min.mjs"),
    viewer: url("viewer.mjs"),
});

pub fn urls() -> &'static Urls {
    &URLS
}
