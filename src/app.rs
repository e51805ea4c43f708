//! Assembling a running hoso: configuration, database, blob store, jobs, router and server.

use std::{net::SocketAddr, path::Path, sync::Arc};

use axum::{
    Router,
    http::{HeaderMap, StatusCode, Uri},
    response::IntoResponse,
};
use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{
    AppState,
    blobs::{BlobStore, S3Settings},
    config::Config,
    db,
    domain::{
        auth::{self, BootstrapAdmin},
        documents, files,
        indexing::{self, Indexers},
        records,
    },
    http,
    i18n::Message,
    jobs::{self, JobContext, JobRegistry, Lane, Worker},
    metrics::Metrics,
    names::Named,
    search::SearchIndex,
    ui,
    web::{self, error::AppError},
};

/// Why hoso could not start; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("data directory {path} is not usable: {cause}")]
    DataDir { path: String, cause: String },
    #[error("cannot connect to the database {url}: {cause}")]
    Database { url: String, cause: String },
    #[error("database migrations failed: {0}")]
    Migration(String),
    #[error("blob store {url} is not usable: {cause}")]
    Blobs { url: String, cause: String },
    #[error("search index {path} is not usable: {cause}")]
    Search { path: String, cause: String },
    #[error("creating the first administrator failed: {0}")]
    Bootstrap(String),
}

/// Which parts of the service a process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServeRole {
    /// HTTP and the job worker.
    All,
    /// HTTP only.
    Web,
    /// The job worker only.
    Worker,
}

/// A hoso instance, ready to serve.
pub struct App {
    pub state: AppState,
    pub jobs: JobRegistry,
    /// Set when this start created the first administrator.
    pub bootstrap: Option<BootstrapAdmin>,
}

impl App {
    /// Prepares the data directory, connects to the database and migrates it, opens the blob
    /// store and creates the first administrator when there is no user.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        prepare_data_dir(&config.data_dir)?;
        let db = connect(&config.database_url, config.slow_query_ms).await?;
        Self::assemble(config, db).await
    }

    /// Like [`App::build`] on an existing connection (tests use one schema per test).
    pub async fn assemble(config: Config, db: DatabaseConnection) -> Result<Self, StartError> {
        db::migrate_up(&db)
            .await
            .map_err(|error| StartError::Migration(error.to_string()))?;
        let blobs = open_blobs(&config)?;
        let policy = crate::search::CommitPolicy {
            max_docs: config.search_commit_docs,
            max_delay: std::time::Duration::from_millis(config.search_commit_interval_ms),
        };
        let search_error = |error: crate::search::SearchError| StartError::Search {
            path: config.index_dir.display().to_string(),
            cause: error.to_string(),
        };
        let mut search = SearchIndex::open(&config.index_dir, policy).map_err(search_error)?;
        search
            .set_search_threads(config.search_threads)
            .map_err(search_error)?;
        if search.created
            && crate::db::entities::document::Entity::find()
                .one(&db)
                .await
                .map_err(|error| StartError::Migration(error.to_string()))?
                .is_some()
        {
            // A new or rebuilt index is filled from the database by the worker.
            indexing::enqueue_all(&db, config.job_max_attempts)
                .await
                .map_err(|error| StartError::Migration(error.to_string()))?;
        }
        let bootstrap = auth::ensure_bootstrap_admin(&db, &config)
            .await
            .map_err(|error| StartError::Bootstrap(error.to_string()))?;
        let indexers = search_kinds();
        let session_cache_secs = config.session_cache_secs;
        let mut registry = JobRegistry::default();
        jobs::maintenance::register(&mut registry);
        documents::publication::register(&mut registry);
        documents::legal_impact::register(&mut registry);
        files::extraction::register(&mut registry);
        files::renditions::register(&mut registry);
        indexing::register(&mut registry, &indexers);
        Ok(Self {
            state: AppState {
                config: Arc::new(config),
                db,
                blobs,
                metrics: Arc::new(Metrics::default()),
                search: Arc::new(search),
                indexers,
                sessions: Arc::new(auth::SessionCache::new(std::time::Duration::from_secs(
                    session_cache_secs,
                ))),
            },
            jobs: registry,
            bootstrap,
        })
    }

    /// The HTTP router: the edges' routes tables merged, wrapped in the layers every request
    /// passes through.
    pub fn router(&self) -> Router {
        let max_upload_bytes = self.state.config.max_upload_bytes;
        let edges = Router::new()
            .merge(http::router(max_upload_bytes))
            .merge(ui::router(max_upload_bytes))
            .fallback(|headers: HeaderMap, uri: Uri| async move {
                // The API answers in its envelope; a person's browser gets a page.
                if uri.path().starts_with("/api/") {
                    AppError::not_found().into_response()
                } else {
                    ui::not_found_page(&headers, &uri)
                }
            })
            .method_not_allowed_fallback(|| async {
                AppError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    Message::new("method_not_allowed"),
                )
            });
        web::around_every_request(edges, &self.state).with_state(self.state.clone())
    }

    /// A worker that runs this app's job kinds.
    pub fn worker(&self) -> Worker {
        Worker::new(
            JobContext {
                db: self.state.db.clone(),
                blobs: self.state.blobs.clone(),
                config: Arc::clone(&self.state.config),
                search: Arc::clone(&self.state.search),
            },
            self.jobs.clone(),
        )
    }

    /// Serves HTTP on `listener` and runs the worker until `shutdown` is cancelled; then stops
    /// accepting, finishes in-flight requests and the running job, and returns.
    pub async fn serve(
        self,
        listener: TcpListener,
        role: ServeRole,
        shutdown: CancellationToken,
    ) -> std::io::Result<()> {
        let worker_task = if role == ServeRole::Web {
            None
        } else {
            // The index writer is taken now: one indexing process per index, and `hoso import`
            // can tell a server is running.
            self.state
                .search
                .start_writer()
                .map_err(|error| std::io::Error::other(error.to_string()))?;
            if let Err(error) =
                jobs::maintenance::schedule(&self.state.db, self.state.config.job_max_attempts)
                    .await
            {
                tracing::error!(%error, "could not schedule housekeeping jobs");
            }
            // Each lane has its own workers: a long OCR never holds back extraction or
            // indexing, and several extractions run side by side.
            let mut workers = tokio::task::JoinSet::new();
            for &lane in Lane::ALL {
                for _ in 0..self.state.config.workers_of(lane) {
                    let worker = self.worker().in_lane(lane).named(lane.as_str());
                    workers.spawn(worker.run(shutdown.clone()));
                }
            }
            Some(async move {
                let mut outcome = Ok(());
                while let Some(joined) = workers.join_next().await {
                    outcome = outcome.and(joined);
                }
                outcome
            })
        };
        if role == ServeRole::Worker {
            shutdown.cancelled().await;
        } else {
            let service = self
                .router()
                .into_make_service_with_connect_info::<SocketAddr>();
            let stop = shutdown.clone();
            axum::serve(listener, service)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await?;
        }
        shutdown.cancel();
        if let Some(workers) = worker_task
            && let Err(error) = workers.await
        {
            tracing::error!(%error, "the job worker ended abnormally");
        }
        Ok(())
    }
}

/// Every kind of thing in the search index, with how it gets there.
pub fn search_kinds() -> Indexers {
    Indexers::new(vec![
        Arc::new(documents::indexing::DocumentIndexer),
        Arc::new(records::indexing::RecordIndexer),
    ])
}

fn prepare_data_dir(path: &Path) -> Result<(), StartError> {
    let fail = |cause: String| StartError::DataDir {
        path: path.display().to_string(),
        cause,
    };
    std::fs::create_dir_all(path).map_err(|error| fail(error.to_string()))?;
    crate::state::check_writable(path).map_err(fail)
}

async fn connect(url: &str, slow_query_ms: u64) -> Result<DatabaseConnection, StartError> {
    db::connect(url, slow_query_ms)
        .await
        .map_err(|error| StartError::Database {
            url: crate::config::redact_url(url),
            cause: error.to_string(),
        })
}

fn open_blobs(config: &Config) -> Result<BlobStore, StartError> {
    BlobStore::open(
        &config.storage_url,
        &S3Settings {
            endpoint: config.s3_endpoint.clone(),
            region: config.s3_region.clone(),
        },
    )
    .map_err(|error| StartError::Blobs {
        url: crate::config::redact_url(&config.storage_url),
        cause: error.to_string(),
    })
}
