//! Searching what the actor may read. The index is fed by each kind's indexing jobs
//! (documents: `documents::indexing`).

use std::{sync::Arc, time::Instant};

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult,
    agencies::resolve_field,
    documents::{DocumentKind, VersionStatus},
    records::{self, RecordKind},
};
use crate::names::Named;
use crate::search::{self as index, Facets, SearchFilters, SearchIndex};

use crate::i18n::Message;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most hits per page.
pub const MAX_LIMIT: usize = 200;

/// Query of `GET /api/v1/search`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words, "quoted phrases", -exclusions, OR; with or without diacritics.
    pub q: Option<String>,
    /// Agency id or code: that agency and its sub-agencies.
    pub agency: Option<String>,
    /// Document kind (`procedure`, `form`…) or record kind (`corrective_action`,
    /// `internal_audit`…).
    pub kind: Option<String>,
    /// Version status (`effective`, `superseded`, `draft`…) or record status (`open`…).
    pub status: Option<String>,
    pub year: Option<u64>,
    /// Only versions in force on this day.
    pub as_of: Option<NaiveDate>,
    /// Superseded and withdrawn versions too (left out by default, unless `status` or `as_of`
    /// asks for them).
    pub history: Option<bool>,
    /// Hits per page (default 20, at most 200).
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// One hit as the API shows it: a document version, a record or a record's attachment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    /// `document_version`, `record` or `attachment`.
    pub kind: String,
    /// The id of the item (the version, the record, the attachment).
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The record, for a record or one of its attachments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
    pub agency_id: String,
    /// The document's code, or the record's number.
    pub code: String,
    pub title: String,
    /// The document's kind (`procedure`, `form`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_kind: Option<String>,
    /// The record's kind (`corrective_action`, `internal_audit`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_kind: Option<String>,
    pub status: String,
    /// The file's name (a version's or an attachment's); empty for a record's own fields.
    pub original_filename: String,
    /// HTML-escaped text with `<mark>` around matches (diacritic-folded matches included).
    pub snippet: String,
    /// The page (from 1) the snippet comes from, when the text has pages and a match.
    pub page: Option<u32>,
    pub score: f32,
}

impl From<index::SearchHit> for SearchHit {
    /// A version's group is its document and its subtype the document's kind; a record's entry
    /// and its attachments' are grouped by the record, their subtype the record's kind.
    fn from(hit: index::SearchHit) -> Self {
        let is_document = hit.kind == "document_version";
        let is_attachment = hit.kind == records::indexing::ATTACHMENT;
        Self {
            document_id: is_document.then(|| hit.group.clone()),
            version_id: is_document.then(|| hit.id.clone()),
            record_id: (!is_document).then(|| hit.group.clone()),
            attachment_id: is_attachment.then(|| hit.id.clone()),
            doc_kind: is_document.then(|| hit.subtype.clone()),
            record_kind: (!is_document).then_some(hit.subtype),
            kind: hit.kind,
            id: hit.id,
            agency_id: hit.agency_id,
            code: hit.code,
            title: hit.title,
            status: hit.status,
            original_filename: hit.filename,
            snippet: hit.snippet,
            page: hit.page,
            score: hit.score,
        }
    }
}

/// `{total, took_ms, hits, facets}`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    pub total: usize,
    pub took_ms: u64,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

/// Searches what the actor may read; drafts only where they work on documents.
pub async fn search(
    db: &impl ConnectionTrait,
    index: &Arc<SearchIndex>,
    actor: &Actor,
    params: &SearchParams,
) -> DomainResult<SearchResponse> {
    let started = Instant::now();
    let q = checked_query(params.q.as_deref())?;
    let tree = AgencyTree::load(db).await?;
    let ids = |scope: AgencyScope| match scope {
        AgencyScope::All => None,
        AgencyScope::Only(set) => {
            Some(set.into_iter().map(|id| id.to_string()).collect::<Vec<_>>())
        }
    };
    let readable = ids(actor.scope(Action::ReadRecords, &tree));
    let mut drafts = ids(actor.scope(Action::EditDocuments, &tree));
    if let (Some(edit), Some(approve)) = (
        &mut drafts,
        ids(actor.scope(Action::ApproveDocuments, &tree)),
    ) {
        edit.extend(approve);
    } else {
        drafts = None;
    }
    if readable.as_ref().is_some_and(Vec::is_empty) {
        return Ok(SearchResponse {
            total: 0,
            took_ms: started.elapsed().as_millis() as u64,
            hits: Vec::new(),
            facets: Facets::default(),
        });
    }
    let agencies = match &params.agency {
        None => None,
        Some(agency) => {
            let agency = resolve_field(db, "agency", agency).await?;
            Some(
                tree.covered_by(agency.id)
                    .into_iter()
                    .map(|id| id.to_string())
                    .collect(),
            )
        }
    };
    if let Some(kind) = &params.kind
        && DocumentKind::parse(kind).is_none()
        && RecordKind::parse(kind).is_none()
    {
        return Err(DomainError::invalid(
            "kind",
            Message::new("one_of").arg(
                "allowed",
                format!("{}, {}", DocumentKind::names(), RecordKind::names()),
            ),
        ));
    }
    if let Some(status) = &params.status
        && VersionStatus::parse(status).is_none()
        && !records::is_status(status)
    {
        return Err(DomainError::invalid(
            "status",
            Message::new("one_of").arg(
                "allowed",
                format!(
                    "{}, {}",
                    VersionStatus::names(),
                    records::STATUSES.join(", ")
                ),
            ),
        ));
    }
    let filters = SearchFilters {
        readable,
        drafts_visible: drafts,
        // Owners and drafters see their own drafts wherever they stand (the one draft rule of
        // `documents::access`).
        viewer: actor.user_id.map(|id| id.to_string()),
        agencies,
        subtype: params.kind.clone(),
        status: params.status.clone(),
        // What staff look for is what is in force; history is there when asked for.
        // Among equals, what is in force comes first.
        preferred_status: Some(VersionStatus::Effective.as_str().to_owned()),
        exclude_statuses: if params.history == Some(true)
            || params.status.is_some()
            || params.as_of.is_some()
        {
            Vec::new()
        } else {
            vec![
                VersionStatus::Superseded.as_str().to_owned(),
                VersionStatus::Obsolete.as_str().to_owned(),
            ]
        },
        year: params.year,
        as_of: params.as_of.map(crate::clock::day_number),
        limit: params.limit.unwrap_or(20).clamp(1, MAX_LIMIT),
        offset: params.offset.unwrap_or(0).min(10_000),
        skip_facets: false,
    };
    let outcome = run(index, q, filters).await?;
    Ok(SearchResponse {
        total: outcome.total,
        took_ms: started.elapsed().as_millis() as u64,
        hits: outcome.hits.into_iter().map(SearchHit::from).collect(),
        facets: outcome.facets,
    })
}

/// The query as typed, trimmed: 400 when empty or longer than [`MAX_QUERY_CHARS`].
pub fn checked_query(q: Option<&str>) -> DomainResult<String> {
    let q = q.map(str::trim).unwrap_or_default();
    if q.is_empty() {
        return Err(DomainError::invalid(
            "q",
            Message::new("search_query_empty"),
        ));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(DomainError::invalid(
            "q",
            Message::new("too_long").arg("max", MAX_QUERY_CHARS),
        ));
    }
    Ok(q.to_owned())
}

/// Runs a query with filters the caller built from the actor's rights, off the async threads.
pub(crate) async fn run(
    index: &Arc<SearchIndex>,
    q: String,
    filters: SearchFilters,
) -> DomainResult<index::SearchOutcome> {
    let index = Arc::clone(index);
    tokio::task::spawn_blocking(move || index.search(&q, &filters))
        .await
        .map_err(|error| DomainError::Internal(format!("search task failed: {error}")))?
        .map_err(|error| DomainError::Internal(error.to_string()))
}
