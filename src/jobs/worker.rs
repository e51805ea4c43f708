//! The workers inside `hoso serve`: each claims due jobs of its lane and runs their handlers;
//! a lane has as many workers as its configured concurrency.

use std::{collections::HashMap, marker::PhantomData, sync::Arc, time::Duration};

use futures::FutureExt;
use sea_orm::DbErr;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub use super::context::JobContext;
use super::{
    queue::{self, JobStatus},
    typed::{Handler, Job, Lane},
};
use crate::names::Named;

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

/// The handlers by job kind, with the lane of each kind.
#[derive(Clone, Default)]
pub struct JobRegistry {
    handlers: HashMap<String, (Arc<dyn JobHandler>, Lane)>,
}

impl JobRegistry {
    /// Registers the typed handler of a kind of job, in the kind's lane.
    pub fn add<J: Job>(&mut self, handler: impl Handler<J>) -> &mut Self {
        self.handlers.insert(
            J::KIND.to_owned(),
            (Arc::new(Typed::<J, _>::new(handler)), J::LANE),
        );
        self
    }

    /// Registers a handler of raw payloads for `kind`, in the default lane (tests of the queue
    /// itself; the service's jobs are typed).
    pub fn register(&mut self, kind: &str, handler: impl JobHandler) -> &mut Self {
        self.handlers
            .insert(kind.to_owned(), (Arc::new(handler), Lane::Default));
        self
    }

    /// The kinds registered in `lane`.
    pub fn kinds_in(&self, lane: Lane) -> Vec<&str> {
        let mut kinds: Vec<&str> = self
            .handlers
            .iter()
            .filter(|(_, (_, of))| *of == lane)
            .map(|(kind, _)| kind.as_str())
            .collect();
        kinds.sort_unstable();
        kinds
    }
}

/// Claims and runs jobs until told to stop.
pub struct Worker {
    context: JobContext,
    registry: JobRegistry,
    name: String,
    poll_interval: Duration,
    lane: Option<Lane>,
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
            lane: None,
        }
    }

    /// Names the worker `{prefix}-{pid}-{uuid}` (the name is kept on the jobs it claims).
    pub fn named(mut self, prefix: &str) -> Self {
        self.name = format!("{prefix}-{}-{}", std::process::id(), Uuid::now_v7());
        self
    }

    /// Restricts the worker to the jobs of one lane.
    pub fn in_lane(mut self, lane: Lane) -> Self {
        self.lane = Some(lane);
        self
    }

    /// Runs until `shutdown` is cancelled; a job already running is finished first.
    pub async fn run(self, shutdown: CancellationToken) {
        let lane = self.lane.map_or("all", Lane::as_str);
        tracing::info!(worker = %self.name, lane, "job worker started");
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
        let Some(first) = queue::claim_next(&self.context.db, &self.name, self.lane).await? else {
            return Ok(Vec::new());
        };
        let handler = self
            .registry
            .handlers
            .get(&first.kind)
            .map(|(handler, _)| Arc::clone(handler));
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

/// A typed handler behind the queue's payload-level interface.
struct Typed<J, H> {
    handler: H,
    job: PhantomData<fn() -> J>,
}

impl<J, H> Typed<J, H> {
    fn new(handler: H) -> Self {
        Self {
            handler,
            job: PhantomData,
        }
    }
}

fn parse<J: Job>(payload: &serde_json::Value) -> anyhow::Result<J> {
    serde_json::from_value(payload.clone())
        .map_err(|error| anyhow::anyhow!("not a {} job payload: {error}", J::KIND))
}

#[async_trait::async_trait]
impl<J: Job, H: Handler<J>> JobHandler for Typed<J, H> {
    async fn run(&self, context: &JobContext, payload: &serde_json::Value) -> anyhow::Result<()> {
        self.handler.run(context, parse::<J>(payload)?).await
    }

    fn batch_size(&self) -> usize {
        self.handler.batch_size()
    }

    async fn run_batch(
        &self,
        context: &JobContext,
        payloads: &[serde_json::Value],
    ) -> Vec<anyhow::Result<()>> {
        let mut jobs = Vec::with_capacity(payloads.len());
        let mut unreadable = Vec::with_capacity(payloads.len());
        for payload in payloads {
            match parse::<J>(payload) {
                Ok(job) => {
                    jobs.push(job);
                    unreadable.push(None);
                }
                Err(error) => unreadable.push(Some(error)),
            }
        }
        let mut outcomes = self.handler.run_batch(context, jobs).await.into_iter();
        unreadable
            .into_iter()
            .map(|error| match error {
                Some(error) => Err(error),
                None => outcomes.next().unwrap_or_else(|| {
                    Err(anyhow::anyhow!(
                        "the batch handler gave no outcome for this job"
                    ))
                }),
            })
            .collect()
    }
}
