//! Search: the box on every page leads here. Hits with their snippets, file, agency and
//! status; facets to narrow by; an "as of" day; a hit in a PDF opens at the page it matched.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    documents::kind_key,
    page::{Chrome, Tr, Viewer},
    view::{Badge, record_kind_key},
};
use crate::{
    AppState,
    domain::{
        DomainError, agencies,
        documents::DocumentKind,
        search::{self, SearchHit, SearchParams},
    },
    search::FacetCount,
    web::{
        error::{AppError, AppResult},
        extract::ApiQuery,
    },
};

/// Hits to a page.
const PER_PAGE: usize = 20;

/// The search form's fields (empty means "any").
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    as_of: String,
    page: Option<usize>,
}

/// A facet's field, its title's key, its counts and how its values read.
type FacetSource<'a> = (
    &'a str,
    &'static str,
    &'a [FacetCount],
    &'a dyn Fn(&str) -> String,
);

/// A hit as the page shows it.
pub struct HitRow {
    pub title: String,
    pub code: String,
    /// Where the hit opens: the document's page, or the file at the page it matched.
    pub href: Option<String>,
    pub file_href: Option<String>,
    pub file: String,
    pub kind: String,
    pub agency: String,
    pub status: Badge,
    /// HTML-escaped text with `<mark>` around the matches (escaped by the search index).
    pub snippet: String,
    pub page: Option<String>,
}

/// A facet's value: a link that narrows the search (or widens it again when chosen).
pub struct FacetLink {
    pub label: String,
    pub count: String,
    pub href: String,
    pub chosen: bool,
}

/// A group of facet values.
pub struct FacetGroup {
    pub title: String,
    pub links: Vec<FacetLink>,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    t: Tr,
    q: String,
    as_of: String,
    as_of_error: Option<String>,
    error: Option<String>,
    searched: bool,
    summary: String,
    hits: Vec<HitRow>,
    facets: Vec<FacetGroup>,
    hidden: Vec<(&'static str, String)>,
    previous: Option<String>,
    next: Option<String>,
}

impl SearchQuery {
    /// This search's address with one field changed (`None` removes it), from page 1.
    fn with(&self, field: &str, value: Option<&str>, page: Option<usize>) -> String {
        let mut params = url::form_urlencoded::Serializer::new(String::new());
        for (name, current) in self.fields() {
            let value = if name == field { value } else { Some(current) };
            if let Some(value) = value.filter(|value| !value.is_empty()) {
                params.append_pair(name, value);
            }
        }
        if let Some(page) = page.filter(|page| *page > 1) {
            params.append_pair("page", &page.to_string());
        }
        format!("/search?{}", params.finish())
    }

    fn fields(&self) -> [(&'static str, &str); 6] {
        [
            ("q", &self.q),
            ("kind", &self.kind),
            ("status", &self.status),
            ("agency", &self.agency),
            ("year", &self.year),
            ("as_of", &self.as_of),
        ]
    }
}

/// `GET /search?q=…`
pub async fn search_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> AppResult<Response> {
    let t = viewer.t();
    let lang = viewer.lang;
    let mut chrome = viewer.chrome(t.get("search_title"));
    chrome.q = query.q.clone();
    let mut page = SearchPage {
        chrome,
        t,
        q: query.q.clone(),
        as_of: query.as_of.clone(),
        as_of_error: None,
        error: None,
        searched: false,
        summary: String::new(),
        hits: Vec::new(),
        facets: Vec::new(),
        hidden: query
            .fields()
            .into_iter()
            .filter(|(name, value)| !value.is_empty() && !matches!(*name, "q" | "as_of"))
            .map(|(name, value)| (name, value.to_owned()))
            .collect(),
        previous: None,
        next: None,
    };
    let as_of = match query.as_of.trim() {
        "" => None,
        day => match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(day) => Some(day),
            Err(_) => {
                page.as_of_error = Some(t.get("not_a_date"));
                return Ok((StatusCode::BAD_REQUEST, page).into_response());
            }
        },
    };
    if query.q.trim().is_empty() {
        return Ok(page.into_response());
    }
    let number = query.page.unwrap_or(1).clamp(1, 500);
    let filled = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    let params = SearchParams {
        q: Some(query.q.clone()),
        kind: filled(&query.kind),
        status: filled(&query.status),
        agency: filled(&query.agency),
        year: query.year.parse().ok(),
        as_of,
        history: None,
        limit: Some(PER_PAGE),
        offset: Some((number - 1) * PER_PAGE),
    };
    let found = match search::search(&state.db, &state.search, &viewer.actor, &params).await {
        Ok(found) => found,
        Err(error @ DomainError::Invalid { .. }) => {
            let reply = AppError::from(error);
            page.error = Some(reply.message.render(lang));
            return Ok((reply.status, page).into_response());
        }
        Err(error) => return Err(error.into()),
    };
    let agency_ids = found
        .hits
        .iter()
        .map(|hit| hit.agency_id.as_str())
        .chain(found.facets.agency.iter().map(|facet| facet.value.as_str()))
        .filter_map(|id| id.parse::<Uuid>().ok());
    let names = agencies::names_of(&state.db, agency_ids).await?;
    let agency_name = |id: &str| {
        id.parse::<Uuid>()
            .ok()
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_default()
    };
    page.searched = true;
    page.summary = crate::i18n::Message::new("search_summary")
        .arg("total", found.total)
        .arg("ms", found.took_ms)
        .render(lang);
    page.hits = found
        .hits
        .iter()
        .map(|hit| hit_row(hit, &agency_name(&hit.agency_id), &query.q, t))
        .collect();
    let kind_label = |value: &str| kind_label(value, t);
    let status_label = |value: &str| Badge::of_status(value, t).text;
    let year_label = |value: &str| value.to_owned();
    let groups: [FacetSource; 4] = [
        ("kind", "facet_kind", &found.facets.kind, &kind_label),
        (
            "status",
            "facet_status",
            &found.facets.status,
            &status_label,
        ),
        ("agency", "facet_agency", &found.facets.agency, &agency_name),
        ("year", "facet_year", &found.facets.year, &year_label),
    ];
    page.facets = groups
        .into_iter()
        .filter(|(_, _, counts, _)| !counts.is_empty())
        .map(|(field, title, counts, label)| FacetGroup {
            title: t.get(title),
            links: counts
                .iter()
                .take(12)
                .map(|facet| {
                    let chosen = query
                        .fields()
                        .iter()
                        .any(|(name, value)| *name == field && *value == facet.value);
                    FacetLink {
                        label: label(&facet.value),
                        count: lang.integer(i64::try_from(facet.count).unwrap_or(i64::MAX)),
                        href: query.with(field, (!chosen).then_some(facet.value.as_str()), None),
                        chosen,
                    }
                })
                .collect(),
        })
        .collect();
    let shown_to = (number - 1) * PER_PAGE + found.hits.len();
    page.previous = (number > 1).then(|| query.with("", None, Some(number - 1)));
    page.next = (shown_to < found.total).then(|| query.with("", None, Some(number + 1)));
    Ok(page.into_response())
}

fn kind_label(value: &str, t: Tr) -> String {
    if let Ok(kind) = value.parse::<DocumentKind>() {
        return t.get(kind_key(kind));
    }
    match record_kind_key(value) {
        Some(key) => t.get(key),
        None => value.replace('_', " "),
    }
}

/// A hit as listed; `q` (the words searched for) is highlighted where its file opens.
pub(super) fn hit_row(hit: &SearchHit, agency: &str, q: &str, t: Tr) -> HitRow {
    let kind = hit
        .doc_kind
        .as_deref()
        .or(hit.record_kind.as_deref())
        .map(|value| kind_label(value, t))
        .unwrap_or_default();
    // A PDF or a text document opens in the viewer at the page it matched; another file
    // (a spreadsheet, an image) is offered as it is.
    let opens =
        |viewer: String, original: String| match super::viewer::viewable(&hit.original_filename) {
            true => super::viewer::address(&viewer, hit.page, q),
            false => original,
        };
    let (href, file_href) = match (&hit.document_id, &hit.version_id, &hit.record_id) {
        (Some(document), Some(version), _) => (
            Some(format!("/documents/{document}")),
            Some(opens(
                format!("/versions/{version}/view"),
                format!("/api/v1/versions/{version}/file"),
            )),
        ),
        (_, _, Some(record)) => (
            Some(format!("/records/{record}")),
            hit.attachment_id.as_ref().map(|attachment| {
                opens(
                    format!("/attachments/{attachment}/view"),
                    format!("/api/v1/attachments/{attachment}/file"),
                )
            }),
        ),
        _ => (None, None),
    };
    HitRow {
        title: hit.title.clone(),
        code: hit.code.clone(),
        href,
        file_href,
        file: hit.original_filename.clone(),
        kind,
        agency: agency.to_owned(),
        status: Badge::of_status(&hit.status, t),
        snippet: hit.snippet.clone(),
        page: hit.page.map(|page| {
            crate::i18n::Message::new("search_hit_page")
                .arg("page", i64::from(page))
                .render(t.0)
        }),
    }
}
