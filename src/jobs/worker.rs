//! The worker inside `hoso serve`: claims due jobs one at a time and runs their handlers.

use std::{collections::HashMap, sync::Arc, time::Duration};

use futures::FutureExt;
use sea_orm::{DatabaseConnection, DbErr};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::queue::{self, JobStatus, KindFilter};
use crate::{blobs::BlobStore, config::Config, search::SearchIndex};

/// What a handler may use.
#[derive(Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub blobs: BlobStore,
    pub config: Arc<Config>,
    pub search: Arc<SearchIndex>,
}

/// Runs one kind of job. Must be idempotent: it may run again after a crash or a retry.
#[async_trait::async_trait]
pub trait JobHandler: Send + Sync + 'static {
    async fn run(&self, context: &JobContext, payload: &serde_json::Value) -> anyhow::Result<()>;
}

/// The handlers by job kind.
#[derive(Clone, Default)]
pub struct JobRegistry {
    handlers: HashMap<String, Arc<dyn JobHandler>>,
}

impl JobRegistry {
    pub fn register(&mut self, kind: &str, handler: impl JobHandler) -> &mut Self {
        self.handlers.insert(kind.to_owned(), Arc::new(handler));
        self
    }

    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.handlers.keys().map(String::as_str)
    }
}

/// Claims and runs jobs until told to stop.
pub struct Worker {
    context: JobContext,
    registry: JobRegistry,
    name: String,
    poll_interval: Duration,
    kinds: KindFilter,
}

/// A job whose worker has been silent this long is considered abandoned and queued again.
const LEASE: chrono::Duration = chrono::Duration::minutes(30);

impl Worker {
    pub fn new(context: JobContext, registry: JobRegistry) -> Self {
        let poll_interval = Duration::from_millis(context.config.job_poll_interval_ms.max(10));
        Self {
            context,
            registry,
            name: format!("worker-{}-{}", std::process::id(), Uuid::now_v7()),
            poll_interval,
            kinds: KindFilter::All,
        }
    }

    /// Restricts the worker to some job kinds (or to all but some).
    pub fn with_kinds(mut self, kinds: KindFilter) -> Self {
        self.kinds = kinds;
        self
    }

    /// Runs until `shutdown` is cancelled; a job already running is finished first.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(worker = %self.name, kinds = ?self.registry.kinds().collect::<Vec<_>>(), "job worker started");
        let mut since_stale_check = Duration::MAX;
        while !shutdown.is_cancelled() {
            if since_stale_check >= Duration::from_secs(60) {
                since_stale_check = Duration::ZERO;
                match queue::requeue_stale(&self.context.db, LEASE).await {
                    Ok(0) => {}
                    Ok(count) => tracing::warn!(count, "requeued jobs abandoned by a dead worker"),
                    Err(error) => tracing::error!(%error, "could not requeue abandoned jobs"),
                }
            }
            let ran = match self.run_next().await {
                Ok(ran) => ran.is_some(),
                Err(error) => {
                    tracing::error!(%error, "could not claim a job");
                    false
                }
            };
            if !ran {
                since_stale_check = since_stale_check.saturating_add(self.poll_interval);
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(self.poll_interval) => {}
                }
            }
        }
        tracing::info!(worker = %self.name, "job worker stopped");
    }

    /// Claims the next due job and runs it; `None` when nothing was due.
    pub async fn run_next(&self) -> Result<Option<(Uuid, JobStatus)>, DbErr> {
        let Some(claimed) = queue::claim_next(&self.context.db, &self.name, &self.kinds).await?
        else {
            return Ok(None);
        };
        let outcome = match self.registry.handlers.get(&claimed.kind) {
            None => Err(format!("no handler for job kind {:?}", claimed.kind)),
            Some(handler) => {
                let handler = Arc::clone(handler);
                let context = self.context.clone();
                let payload =
                    serde_json::from_str(&claimed.payload).unwrap_or(serde_json::Value::Null);
                // A panicking parser must not take the worker down: catch it at the job boundary.
                let run = async move { handler.run(&context, &payload).await };
                match std::panic::AssertUnwindSafe(run).catch_unwind().await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(error)) => Err(format!("{error:#}")),
                    Err(_) => Err("the job handler panicked".to_owned()),
                }
            }
        };
        let status = match outcome {
            Ok(()) => {
                queue::mark_done(&self.context.db, claimed.id).await?;
                JobStatus::Done
            }
            Err(error) => {
                let status = queue::mark_failed(&self.context.db, &claimed, &error).await?;
                tracing::warn!(job = %claimed.id, kind = %claimed.kind, attempt = claimed.attempts, %error, ?status, "job failed");
                status
            }
        };
        Ok(Some((claimed.id, status)))
    }

    /// Runs due jobs until none is left (tests and the CLI use this).
    pub async fn drain(&self) -> Result<Vec<(Uuid, JobStatus)>, DbErr> {
        let mut ran = Vec::new();
        while let Some(outcome) = self.run_next().await? {
            ran.push(outcome);
        }
        Ok(ran)
    }
}
