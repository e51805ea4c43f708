//! Operational endpoints: liveness, readiness, metrics and the job queue.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::web::extract::{ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        jobs::{self, JobFilter, JobView},
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// A status report.
#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    /// Each readiness check and its outcome (`ok` or the reason it failed).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, String>,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        checks: BTreeMap::new(),
    })
}

/// The process can serve: the database answers and the data directories accept writes.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let mut checks = BTreeMap::new();
    let mut ready = true;
    let mut check = |name: &str, outcome: Result<(), String>| {
        ready &= outcome.is_ok();
        checks.insert(
            name.to_owned(),
            outcome.err().unwrap_or_else(|| "ok".into()),
        );
    };
    check(
        "database",
        state.db.ping().await.map_err(|error| {
            tracing::warn!(%error, "readiness: database unreachable");
            "unreachable".to_owned()
        }),
    );
    let data_dir = state.config.data_dir.clone();
    let index_dir = state.config.index_dir.clone();
    let dirs = tokio::task::spawn_blocking(move || {
        let data = crate::state::check_writable(&data_dir);
        let index = std::fs::create_dir_all(&index_dir)
            .map_err(|error| error.to_string())
            .and_then(|()| crate::state::check_writable(&index_dir));
        (data, index)
    })
    .await
    .unwrap_or_else(|_| (Err("check failed".into()), Err("check failed".into())));
    check("data_dir", dirs.0);
    check("index_dir", dirs.1);
    check(
        "blob_store",
        state.blobs.check_writable().await.map_err(|error| {
            tracing::warn!(%error, "readiness: blob store not writable");
            "not writable".to_owned()
        }),
    );
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Health {
        status: if ready { "ready" } else { "not_ready" },
        checks,
    };
    (status, Json(body))
}

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, content_type = "application/openmetrics-text")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    match crate::jobs::queue_depth(&state.db, None).await {
        Ok(depth) => state.metrics.set_queue_depth(depth),
        Err(error) => tracing::warn!(%error, "could not read the job queue depth"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// Background jobs, newest first (admin).
#[utoipa::path(get, path = "/api/v1/jobs", tag = "system", params(JobFilter, PageRequest),
    responses((status = 200, body = Page<JobView>), (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_jobs(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<JobFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<JobView>>> {
    Ok(Json(
        jobs::list_jobs(&state.db, &current.actor, &filter, &page).await?,
    ))
}
