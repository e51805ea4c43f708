//! Typed jobs: each kind of job is a payload type that names its kind, its lane and whether
//! identical waiting jobs collapse into one; its handler receives the payload typed. Lanes have
//! their own workers, so a slow kind never holds up a quick one.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use super::{
    context::JobContext,
    queue::{self, JobStatus},
};
use crate::db::entities::job;

/// Where a job waits: each lane has its own workers and its own number of them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Lane {
    /// Reading scanned pages: minutes of CPU per file.
    Ocr,
    /// Reading the text of uploaded files.
    Extract,
    /// Feeding the search index (batched: many items per commit).
    Index,
    /// Making PDFs of word-processor files with LibreOffice: seconds to minutes each.
    Render,
    /// Everything else: activations, housekeeping.
    Default,
}

/// A kind of background job: its payload, its kind name, its lane.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The kind stored with each job (never renamed without a migration of waiting jobs).
    const KIND: &'static str;
    /// The lane whose workers run it.
    const LANE: Lane = Lane::Default;
    /// Submitting a job identical (same kind, same payload) to one still waiting adds nothing.
    const DEDUPLICATE: bool = false;
}

/// Queues a job to run now, inside the caller's transaction (or connection). Returns its id,
/// or `None` when an identical job of a deduplicating kind already waits.
pub async fn submit<J: Job>(
    db: &impl ConnectionTrait,
    job: &J,
    max_attempts: u32,
) -> Result<Option<Uuid>, DbErr> {
    submit_at(db, job, max_attempts, Utc::now()).await
}

/// Queues a job that becomes due at `run_at`.
pub async fn submit_at<J: Job>(
    db: &impl ConnectionTrait,
    job: &J,
    max_attempts: u32,
    run_at: DateTime<Utc>,
) -> Result<Option<Uuid>, DbErr> {
    let payload = serde_json::to_value(job)
        .map_err(|error| DbErr::Custom(format!("a {} job payload: {error}", J::KIND)))?;
    if J::DEDUPLICATE {
        let waiting = job::Entity::find()
            .filter(job::Column::Kind.eq(J::KIND))
            .filter(job::Column::Status.eq(JobStatus::Queued))
            .filter(job::Column::Payload.eq(payload.to_string()))
            .one(db)
            .await?;
        if waiting.is_some() {
            return Ok(None);
        }
    }
    queue::enqueue_in(db, J::KIND, J::LANE, &payload, max_attempts, run_at)
        .await
        .map(Some)
}

/// Runs the jobs of one kind, typed.
#[async_trait::async_trait]
pub trait Handler<J: Job>: Send + Sync + 'static {
    async fn run(&self, context: &JobContext, job: J) -> anyhow::Result<()>;

    /// How many due jobs of this kind one run may take together (1: no batching).
    fn batch_size(&self) -> usize {
        1
    }

    /// Runs several jobs of this kind, one outcome per job in order. The default runs them
    /// one after another.
    async fn run_batch(&self, context: &JobContext, jobs: Vec<J>) -> Vec<anyhow::Result<()>> {
        let mut outcomes = Vec::with_capacity(jobs.len());
        for job in jobs {
            outcomes.push(self.run(context, job).await);
        }
        outcomes
    }
}
