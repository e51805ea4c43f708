//! `GET /api/v1/audit-log`: the audit trail, newest first (admin, coordinator).

use axum::{Json, extract::State};

use crate::web::extract::{ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        audit_trail::{self, AuditFilter, AuditRecord},
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// Audit rows the caller may read, with filters.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(AuditFilter, PageRequest),
    responses((status = 200, body = Page<AuditRecord>), (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_audit_log(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<AuditFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<AuditRecord>>> {
    Ok(Json(
        audit_trail::list_audit_log(&state.db, &current.actor, &filter, &page).await?,
    ))
}
