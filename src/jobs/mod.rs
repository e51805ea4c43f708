//! The durable job queue: jobs are rows, enqueued in the caller's transaction, run by a worker.
//!
//! Handlers must be idempotent: a job whose worker died is claimed again after its lease ends,
//! and a failed job is retried with exponential backoff until it is marked `dead`.

mod context;
mod queue;
mod typed;
mod worker;

pub mod maintenance;

pub use queue::{
    JobStatus, claim_more, claim_next, depth_by_lane, enqueue, enqueue_at, enqueue_in, list,
    mark_all_done, mark_done, mark_failed, queue_depth, requeue_claimed_by, requeue_stale,
};
pub use typed::{Handler, Job, Lane, submit, submit_at};
pub use worker::{JobContext, JobHandler, JobRegistry, Worker};
