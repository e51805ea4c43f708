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

    /// How many due jobs of this kind one run may take together (1: no batching).
    fn batch_size(&self) -> usize {
        1
    }

    /// Runs several jobs of this kind, one outcome per payload in order. The default runs them
    /// one after another.
    async fn run_batch(
        &self,
        context: &JobContext,
        payloads: &[serde_json::Value],
    ) -> Vec<anyhow::Result<()>> {
        let mut outcomes = Vec::with_capacity(payloads.len());
        for payload in payloads {
            outcomes.push(self.run(context, payload).await);
        }
        outcomes
    }
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

    /// Names the worker `{prefix}-{pid}-{uuid}` (the name is kept on the jobs it claims).
    pub fn named(mut self, prefix: &str) -> Self {
        self.name = format!("{prefix}-{}-{}", std::process::id(), Uuid::now_v7());
        self
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

    /// Claims the next due job and runs it; `None` when nothing was due. For a kind whose
    /// handler batches, more due jobs of that kind are claimed and run with it; the first job's
    /// outcome is returned.
    pub async fn run_next(&self) -> Result<Option<(Uuid, JobStatus)>, DbErr> {
        Ok(self.run_next_batch().await?.into_iter().next())
    }

    /// Like [`Worker::run_next`], with the outcome of every job run.
    async fn run_next_batch(&self) -> Result<Vec<(Uuid, JobStatus)>, DbErr> {
        let Some(first) = queue::claim_next(&self.context.db, &self.name, &self.kinds).await?
        else {
            return Ok(Vec::new());
        };
        let handler = self.registry.handlers.get(&first.kind).cloned();
        let mut claimed = vec![first];
        if let Some(handler) = &handler {
            let more = handler.batch_size().saturating_sub(1) as u64;
            let kind = claimed[0].kind.clone();
            claimed.extend(queue::claim_more(&self.context.db, &self.name, &kind, more).await?);
        }
        let outcomes: Vec<Result<(), String>> = match handler {
            None => vec![Err(format!(
                "no handler for job kind {:?}",
                claimed[0].kind
            ))],
            Some(handler) => {
                let context = self.context.clone();
                let payloads: Vec<serde_json::Value> = claimed
                    .iter()
                    .map(|job| {
                        serde_json::from_str(&job.payload).unwrap_or(serde_json::Value::Null)
                    })
                    .collect();
                let count = payloads.len();
                // A panicking parser must not take the worker down: catch it at the job boundary.
                let run = async move {
                    if count == 1 {
                        vec![handler.run(&context, &payloads[0]).await]
                    } else {
                        handler.run_batch(&context, &payloads).await
                    }
                };
                match std::panic::AssertUnwindSafe(run).catch_unwind().await {
                    Ok(outcomes) => outcomes
                        .into_iter()
                        .map(|outcome| outcome.map_err(|error| format!("{error:#}")))
                        .collect(),
                    Err(_) => vec![Err("the job handler panicked".to_owned()); count],
                }
            }
        };
        let mut ran = Vec::with_capacity(claimed.len());
        let mut done = Vec::new();
        for (index, job) in claimed.iter().enumerate() {
            let outcome = outcomes.get(index).cloned().unwrap_or_else(|| {
                Err("the batch handler gave no outcome for this job".to_owned())
            });
            let status = match outcome {
                Ok(()) => {
                    done.push(job.id);
                    JobStatus::Done
                }
                Err(error) => {
                    let status = queue::mark_failed(&self.context.db, job, &error).await?;
                    tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %error, ?status, "job failed");
                    status
                }
            };
            ran.push((job.id, status));
        }
        queue::mark_all_done(&self.context.db, &done).await?;
        Ok(ran)
    }

    /// Runs due jobs until none is left (tests and the CLI use this).
    pub async fn drain(&self) -> Result<Vec<(Uuid, JobStatus)>, DbErr> {
        self.drain_with(|_| {}).await
    }

    /// Like [`Worker::drain`], calling `progress` with the outcomes of each run.
    pub async fn drain_with(
        &self,
        mut progress: impl FnMut(&[(Uuid, JobStatus)]),
    ) -> Result<Vec<(Uuid, JobStatus)>, DbErr> {
        let mut ran = Vec::new();
        loop {
            let batch = self.run_next_batch().await?;
            if batch.is_empty() {
                return Ok(ran);
            }
            progress(&batch);
            ran.extend(batch);
        }
    }
}
