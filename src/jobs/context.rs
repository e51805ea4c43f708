//! What every job handler may use: the process's handles.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{blobs::BlobStore, config::Config, search::SearchIndex};

/// What a handler may use.
#[derive(Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub blobs: BlobStore,
    pub config: Arc<Config>,
    pub search: Arc<SearchIndex>,
}
