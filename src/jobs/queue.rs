//! Queue operations on the `jobs` table.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, LockBehavior, LockType},
};
use uuid::Uuid;

use super::Lane;
use crate::db::entities::job;
use crate::names::Named;

/// Where a job is in its life.
pub use crate::db::entities::job::JobStatus;

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Adds a job to run now, inside the caller's transaction (or connection).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    kind: &str,
    payload: &serde_json::Value,
    max_attempts: u32,
) -> Result<Uuid, DbErr> {
    enqueue_at(db, kind, payload, max_attempts, now()).await
}

/// Adds a job that becomes due at `run_at`, in the default lane.
pub async fn enqueue_at(
    db: &impl ConnectionTrait,
    kind: &str,
    payload: &serde_json::Value,
    max_attempts: u32,
    run_at: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    enqueue_in(db, kind, Lane::Default, payload, max_attempts, run_at).await
}

/// Adds a job to a lane, due at `run_at` (typed jobs go through [`super::submit`]).
pub async fn enqueue_in(
    db: &impl ConnectionTrait,
    kind: &str,
    lane: Lane,
    payload: &serde_json::Value,
    max_attempts: u32,
    run_at: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let created = now();
    job::ActiveModel {
        id: Set(id),
        kind: Set(kind.to_owned()),
        lane: Set(lane.as_str().to_owned()),
        payload: Set(payload.to_string()),
        status: Set(JobStatus::Queued),
        attempts: Set(0),
        max_attempts: Set(max_attempts.min(i32::MAX as u32) as i32),
        run_at: Set(run_at.trunc_subsecs(6)),
        locked_at: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        created_at: Set(created),
        updated_at: Set(created),
        finished_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Claims the oldest due job for `worker` (of one lane, or of any with `None`), or `None` when
/// nothing is due.
///
/// The candidate is selected `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers never
/// claim the same job and never wait on each other; on SQLite the write transaction
/// (`BEGIN IMMEDIATE`) makes the claim exclusive.
pub async fn claim_next(
    db: &DatabaseConnection,
    worker: &str,
    lane: Option<Lane>,
) -> Result<Option<job::Model>, DbErr> {
    let condition = match lane {
        None => Condition::all(),
        Some(lane) => Condition::all().add(job::Column::Lane.eq(lane.as_str())),
    };
    Ok(claim(db, worker, condition, 1).await?.pop())
}

/// Claims up to `limit` more due jobs of one `kind` for `worker` (batching handlers), oldest
/// first, with the same locking as [`claim_next`].
pub async fn claim_more(
    db: &DatabaseConnection,
    worker: &str,
    kind: &str,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    claim(
        db,
        worker,
        Condition::all().add(job::Column::Kind.eq(kind)),
        limit,
    )
    .await
}

/// Selects (locked, skipping locked rows) up to `limit` due queued jobs matching `condition`,
/// oldest first, and marks them running for `worker`, in one write transaction.
async fn claim(
    db: &DatabaseConnection,
    worker: &str,
    condition: Condition,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    let at = now();
    let due = job::Entity::find()
        .filter(condition)
        .filter(job::Column::Status.eq(JobStatus::Queued))
        .filter(job::Column::RunAt.lte(at));
    // Most polls find nothing due: a read, which never waits for a writer, says so without
    // taking SQLite's one write lock from whoever is writing (a bulk import, say).
    let any_due = due
        .clone()
        .select_only()
        .column(job::Column::Id)
        .limit(1)
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    if any_due.is_none() {
        return Ok(Vec::new());
    }
    let txn = crate::db::begin_write(db).await?;
    let candidates = due
        .order_by_asc(job::Column::RunAt)
        .order_by_asc(job::Column::Id)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&txn)
        .await?;
    if candidates.is_empty() {
        txn.commit().await?;
        return Ok(candidates);
    }
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(JobStatus::Running))
        .col_expr(
            job::Column::Attempts,
            sea_orm::sea_query::ExprTrait::add(Expr::col(job::Column::Attempts), 1),
        )
        .col_expr(job::Column::LockedAt, Expr::value(Some(at)))
        .col_expr(job::Column::LockedBy, Expr::value(Some(worker.to_owned())))
        .col_expr(job::Column::UpdatedAt, Expr::value(at))
        .filter(job::Column::Id.is_in(candidates.iter().map(|job| job.id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(candidates
        .into_iter()
        .map(|job| job::Model {
            status: JobStatus::Running,
            attempts: job.attempts + 1,
            locked_at: Some(at),
            locked_by: Some(worker.to_owned()),
            updated_at: at,
            ..job
        })
        .collect())
}

/// Marks a claimed job as done.
pub async fn mark_done(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    mark_all_done(db, &[id]).await
}

/// Marks claimed jobs as done, in one statement.
pub async fn mark_all_done(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let at = now();
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(JobStatus::Done))
        .col_expr(job::Column::FinishedAt, Expr::value(at))
        .col_expr(job::Column::UpdatedAt, Expr::value(at))
        .col_expr(
            job::Column::LockedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::LastError, Expr::value(Option::<String>::None))
        .filter(job::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failure: the job is queued again after a backoff, or marked `dead` when it has used
/// its attempts. The error text is kept either way. Returns the new status.
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    claimed: &job::Model,
    error: &str,
) -> Result<JobStatus, DbErr> {
    let at = now();
    let dead = claimed.attempts >= claimed.max_attempts;
    let status = if dead {
        JobStatus::Dead
    } else {
        JobStatus::Queued
    };
    let mut update = job::ActiveModel {
        id: Set(claimed.id),
        status: Set(status),
        last_error: Set(Some(truncate(error, 4000))),
        locked_at: Set(None),
        locked_by: Set(None),
        updated_at: Set(at),
        ..Default::default()
    };
    if dead {
        update.finished_at = Set(Some(at));
    } else {
        update.run_at = Set(at + backoff(claimed.attempts));
    }
    update.update(db).await?;
    Ok(status)
}

/// Waiting time before retry `attempts + 1`: 2 s, 4 s, 8 s… capped at one hour.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(0, 12) as u32;
    Duration::seconds((2i64.pow(exponent)).min(3600))
}

/// Puts back jobs left `running` by a worker that died more than `lease` ago.
pub async fn requeue_stale(db: &impl ConnectionTrait, lease: Duration) -> Result<u64, DbErr> {
    requeue_running(db, job::Column::LockedAt.lt(now() - lease)).await
}

/// Queues again the running jobs claimed by workers whose names start with `prefix` — for a
/// caller that knows those workers are gone (the CLI's import worker, whose index lock it now
/// holds). Returns how many.
pub async fn requeue_claimed_by(db: &impl ConnectionTrait, prefix: &str) -> Result<u64, DbErr> {
    requeue_running(db, job::Column::LockedBy.starts_with(prefix)).await
}

/// Puts the running jobs matching `condition` back in the queue, unlocked.
async fn requeue_running(
    db: &impl ConnectionTrait,
    condition: impl sea_orm::sea_query::IntoCondition,
) -> Result<u64, DbErr> {
    let result = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(JobStatus::Queued))
        .col_expr(
            job::Column::LockedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .filter(job::Column::Status.eq(JobStatus::Running))
        .filter(condition)
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Jobs waiting to run (queued, due or not), of every lane or of one.
pub async fn queue_depth(db: &impl ConnectionTrait, lane: Option<Lane>) -> Result<u64, DbErr> {
    let mut waiting = job::Entity::find().filter(job::Column::Status.eq(JobStatus::Queued));
    if let Some(lane) = lane {
        waiting = waiting.filter(job::Column::Lane.eq(lane.as_str()));
    }
    waiting.count(db).await
}

/// Queued jobs per lane, every lane listed.
pub async fn depth_by_lane(db: &impl ConnectionTrait) -> Result<Vec<(Lane, u64)>, DbErr> {
    let counts: Vec<(String, i64)> = job::Entity::find()
        .select_only()
        .column(job::Column::Lane)
        .column_as(job::Column::Id.count(), "queued")
        .filter(job::Column::Status.eq(JobStatus::Queued))
        .group_by(job::Column::Lane)
        .into_tuple()
        .all(db)
        .await?;
    Ok(Lane::ALL
        .iter()
        .map(|&lane| {
            let queued = counts
                .iter()
                .find(|(name, _)| name == lane.as_str())
                .map_or(0, |(_, count)| (*count).max(0) as u64);
            (lane, queued)
        })
        .collect())
}

/// The newest jobs first, optionally of one status, kind and lane.
pub async fn list(
    db: &impl ConnectionTrait,
    status: Option<JobStatus>,
    kind: Option<&str>,
    lane: Option<Lane>,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    let mut condition = Condition::all();
    if let Some(lane) = lane {
        condition = condition.add(job::Column::Lane.eq(lane.as_str()));
    }
    if let Some(status) = status {
        condition = condition.add(job::Column::Status.eq(status.as_str()));
    }
    if let Some(kind) = kind {
        condition = condition.add(job::Column::Kind.eq(kind));
    }
    job::Entity::find()
        .filter(condition)
        .order_by_desc(job::Column::CreatedAt)
        .order_by_desc(job::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}
