//! "Tài liệu cần đọc": the procedures in force a person has not read yet, each acknowledged
//! with one button (which, with scripts, updates its row in place).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use uuid::Uuid;

use super::page::{Chrome, Tr, Viewer};
use crate::{
    AppState,
    domain::{
        PageRequest,
        documents::acknowledgements::{self, ReadingItem},
    },
    web::{
        error::AppResult,
        extract::{ApiPath, ApiQuery},
    },
};

/// A version to read.
pub struct ReadingRow {
    pub version_id: Uuid,
    pub document_id: Uuid,
    pub code: String,
    pub title: String,
    pub label: String,
    pub since: String,
    pub summary: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reading.html")]
struct ReadingPage {
    chrome: Chrome,
    t: Tr,
    rows: Vec<ReadingRow>,
    acknowledged: bool,
    summary: String,
    previous: Option<String>,
    next: Option<String>,
}

/// The row of a version just acknowledged, for htmx to put in place of the button's row.
#[derive(Template, WebTemplate)]
#[template(path = "reading_done.html")]
struct AcknowledgedRow {
    t: Tr,
    when: String,
}

fn row_of(item: ReadingItem, viewer: &Viewer) -> ReadingRow {
    ReadingRow {
        version_id: item.version_id,
        document_id: item.document_id,
        code: item.code,
        title: item.title,
        label: item.label,
        since: item
            .effective_from
            .map(|day| viewer.lang.date(day))
            .unwrap_or_default(),
        summary: item.change_summary.unwrap_or_default(),
    }
}

/// `?page=`, and `done=1` after acknowledging without scripts.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ReadingQuery {
    done: Option<String>,
    page: Option<u64>,
}

/// `GET /reading`
pub async fn reading_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<ReadingQuery>,
) -> AppResult<Response> {
    let request = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let found = acknowledgements::reading_list(&state.db, &viewer.actor, &request).await?;
    let t = viewer.t();
    let acknowledged = query.done.is_some();
    let shown_to = (found.page - 1) * found.per_page + found.items.len() as u64;
    let summary = crate::i18n::Message::new("reading_summary")
        .arg("shown", found.items.len())
        .arg("total", found.total)
        .render(viewer.lang);
    let previous = (found.page > 1).then(|| format!("/reading?page={}", found.page - 1));
    let next = (shown_to < found.total).then(|| format!("/reading?page={}", found.page + 1));
    let items = found.items;
    let page = ReadingPage {
        chrome: viewer.chrome(t.get("reading_title")),
        t,
        rows: items
            .into_iter()
            .map(|item| row_of(item, &viewer))
            .collect(),
        acknowledged,
        summary,
        previous,
        next,
    };
    Ok(page.into_response())
}

/// `POST /reading/{version}`: acknowledges it; back to the list, or (htmx) the row's new state.
pub async fn acknowledge(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    ApiPath(version_id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let entry = acknowledgements::acknowledge(&state.db, &viewer.actor, version_id).await?;
    if headers.contains_key("hx-request") {
        let when = entry
            .acknowledged_at
            .map(|at| viewer.lang.date_time(at))
            .unwrap_or_default();
        return Ok(AcknowledgedRow {
            t: viewer.t(),
            when,
        }
        .into_response());
    }
    Ok(Redirect::to("/reading?done=1").into_response())
}
