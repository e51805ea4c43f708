//! `jobs`: the durable background job queue.

use sea_orm::entity::prelude::*;

crate::stored_enum! {
    /// Where a job is in its life; stored as its snake_case name.
    pub enum JobStatus {
        /// Waiting for its turn (or for its `run_at`).
        Queued,
        /// Claimed by a worker.
        Running,
        /// Finished.
        Done,
        /// Failed on every attempt; kept with its last error.
        Dead,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    /// The lane whose workers run it (`ocr`, `extract`, `index`, `default`).
    pub lane: String,
    pub payload: String,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTimeUtc,
    pub locked_at: Option<DateTimeUtc>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
