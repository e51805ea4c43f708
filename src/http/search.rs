//! `GET /api/v1/search`: full-text search over what the caller may read.

use axum::{Json, extract::State};

use crate::web::extract::{ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::search::{self, SearchParams, SearchResponse},
    web::error::{AppResult, ErrorEnvelope},
};

/// Searches documents with or without diacritics; codes and legal numbers match whole.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchResponse), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn search_documents(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> AppResult<Json<SearchResponse>> {
    Ok(Json(
        search::search(&state.db, &state.search, &current.actor, &params).await?,
    ))
}
