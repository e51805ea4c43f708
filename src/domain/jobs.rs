//! The job queue as administrators see it.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Action, Actor, AgencyTree, DomainError, DomainResult, Page, PageRequest, paginate};
use crate::{
    db::entities::job,
    i18n::Message,
    jobs::{JobStatus, Lane},
    names::Named,
};

/// A job as the API and `hoso jobs` show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobView {
    pub id: Uuid,
    pub kind: String,
    /// The lane whose workers run it: `ocr`, `extract`, `index`, `render` or `default`.
    pub lane: String,
    /// What the job works on (an OCR job lists the pages it has left).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Filters of `GET /api/v1/jobs`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    /// `ocr`, `extract`, `index`, `render` or `default`.
    pub lane: Option<String>,
}

/// Jobs, newest first (`ViewJobs`, system-wide).
pub async fn list_jobs(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &JobFilter,
    page: &PageRequest,
) -> DomainResult<Page<JobView>> {
    let tree = AgencyTree::load(db).await?;
    actor.require(Action::ViewJobs, None, &tree)?;
    let mut query = job::Entity::find();
    if let Some(status) = filter.status.as_deref() {
        let status = JobStatus::parse(status).ok_or_else(|| {
            DomainError::invalid(
                "status",
                Message::new("one_of").arg("allowed", JobStatus::names()),
            )
        })?;
        query = query.filter(job::Column::Status.eq(status));
    }
    if let Some(kind) = filter.kind.as_deref() {
        query = query.filter(job::Column::Kind.eq(kind));
    }
    if let Some(lane) = filter.lane.as_deref() {
        let lane = Lane::parse(lane).ok_or_else(|| {
            DomainError::invalid("lane", Message::new("one_of").arg("allowed", Lane::names()))
        })?;
        query = query.filter(job::Column::Lane.eq(lane.as_str()));
    }
    let query = query
        .order_by_desc(job::Column::CreatedAt)
        .order_by_desc(job::Column::Id);
    Ok(paginate(db, query, page).await?.map(to_view))
}

/// The view of one job row.
pub fn to_view(row: job::Model) -> JobView {
    JobView {
        id: row.id,
        kind: row.kind,
        lane: row.lane,
        payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
        status: row.status,
        attempts: row.attempts,
        max_attempts: row.max_attempts,
        run_at: row.run_at,
        last_error: row.last_error,
        created_at: row.created_at,
        finished_at: row.finished_at,
    }
}
