//! Housekeeping jobs: purging expired sessions and old login attempts.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use super::{Handler, Job, JobContext, JobRegistry, submit, submit_at};
use crate::db::entities::{job, login_attempt, session};

/// Purges expired sessions and old login attempts, then reschedules itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeSessions {}

impl Job for PurgeSessions {
    const KIND: &'static str = "purge_sessions";
}

/// How often the purge runs.
const PURGE_EVERY: Duration = Duration::hours(1);

/// Registers the housekeeping handlers.
pub fn register(registry: &mut JobRegistry) {
    registry.add::<PurgeSessions>(Purge);
}

/// Makes sure a purge is queued (called when the worker starts; idempotent).
pub async fn schedule(
    db: &impl sea_orm::ConnectionTrait,
    max_attempts: u32,
) -> Result<(), sea_orm::DbErr> {
    let pending = job::Entity::find()
        .filter(job::Column::Kind.eq(PurgeSessions::KIND))
        .filter(job::Column::Status.is_in([job::JobStatus::Queued, job::JobStatus::Running]))
        .one(db)
        .await?;
    if pending.is_none() {
        submit(db, &PurgeSessions {}, max_attempts).await?;
    }
    Ok(())
}

struct Purge;

#[async_trait::async_trait]
impl Handler<PurgeSessions> for Purge {
    async fn run(&self, context: &JobContext, _job: PurgeSessions) -> anyhow::Result<()> {
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
        submit_at(
            &context.db,
            &PurgeSessions {},
            context.config.job_max_attempts,
            Utc::now() + PURGE_EVERY,
        )
        .await?;
        Ok(())
    }
}
