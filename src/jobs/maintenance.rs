//! Housekeeping jobs: purging expired sessions and old login attempts.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::{JobContext, JobHandler, JobRegistry, queue};
use crate::db::entities::{job, login_attempt, session};

/// Kind of the job that purges expired sessions and old login attempts, then reschedules itself.
pub const PURGE_SESSIONS: &str = "purge_sessions";

/// How often the purge runs.
const PURGE_EVERY: Duration = Duration::hours(1);

/// Registers the housekeeping handlers.
pub fn register(registry: &mut JobRegistry) {
    registry.register(PURGE_SESSIONS, PurgeSessions);
}

/// Makes sure a purge is queued (called when the worker starts; idempotent).
pub async fn schedule(
    db: &impl sea_orm::ConnectionTrait,
    max_attempts: u32,
) -> Result<(), sea_orm::DbErr> {
    let pending = job::Entity::find()
        .filter(job::Column::Kind.eq(PURGE_SESSIONS))
        .filter(job::Column::Status.is_in(["queued", "running"]))
        .one(db)
        .await?;
    if pending.is_none() {
        queue::enqueue(db, PURGE_SESSIONS, &serde_json::json!({}), max_attempts).await?;
    }
    Ok(())
}

struct PurgeSessions;

#[async_trait::async_trait]
impl JobHandler for PurgeSessions {
    async fn run(&self, context: &JobContext, _payload: &serde_json::Value) -> anyhow::Result<()> {
        let cutoff = Utc::now() - Duration::days(1);
        let sessions = session::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(session::Column::ExpiresAt.lt(cutoff))
                    .add(session::Column::RevokedAt.lt(cutoff)),
            )
            .exec(&context.db)
            .await?;
        let attempts = login_attempt::Entity::delete_many()
            .filter(login_attempt::Column::AttemptedAt.lt(cutoff))
            .exec(&context.db)
            .await?;
        tracing::info!(
            sessions = sessions.rows_affected,
            login_attempts = attempts.rows_affected,
            "purged expired sessions and old login attempts"
        );
        queue::enqueue_at(
            &context.db,
            PURGE_SESSIONS,
            &serde_json::json!({}),
            context.config.job_max_attempts,
            Utc::now() + PURGE_EVERY,
        )
        .await?;
        Ok(())
    }
}
