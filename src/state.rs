//! What every request handler and job can reach: configuration and the process's handles.

use std::{path::Path, sync::Arc};

use sea_orm::DatabaseConnection;

use crate::{
    blobs::BlobStore,
    config::Config,
    domain::{auth::SessionCache, indexing::Indexers},
    metrics::Metrics,
    search::SearchIndex,
};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub blobs: BlobStore,
    pub metrics: Arc<Metrics>,
    pub search: Arc<SearchIndex>,
    /// How each kind of thing reaches the search index.
    pub indexers: Indexers,
    /// Signed-in tokens remembered for `session_cache_secs`.
    pub sessions: Arc<SessionCache>,
}

/// Proves a directory accepts new files by creating and removing one.
pub fn check_writable(path: &Path) -> Result<(), String> {
    let probe = path.join(format!(".write-probe-{}", uuid::Uuid::now_v7()));
    std::fs::write(&probe, b"ok").map_err(|error| format!("cannot write there: {error}"))?;
    std::fs::remove_file(&probe).map_err(|error| format!("cannot remove a file there: {error}"))
}
