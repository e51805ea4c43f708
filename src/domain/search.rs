//! Searching documents, and feeding the index: every change to a document queues an
//! `index_document` job, which rebuilds that document's index entries from the database.

use std::{sync::Arc, time::Instant};

use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult,
    agencies::resolve_field,
    documents::{DocumentKind, VersionStatus},
};
use crate::{
    db::entities::{document, document_legal_ref, document_version, job, legal_ref, version_text},
    jobs::{self, JobContext, JobHandler, JobRegistry},
    search::{Facets, IndexItem, SearchFilters, SearchHit, SearchIndex, Ticket},
};

/// Job kind: rebuild the index entries of one document.
pub const INDEX_DOCUMENT: &str = "index_document";
/// Job kind: rebuild the whole index from the database.
pub const INDEX_ALL: &str = "index_all";

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
    /// Document kind (`procedure`, `form`…).
    pub kind: Option<String>,
    /// Version status (`effective`, `superseded`, `draft`…).
    pub status: Option<String>,
    pub year: Option<u64>,
    /// Only versions in force on this day.
    pub as_of: Option<NaiveDate>,
    /// Hits per page (default 20, at most 200).
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// `{total, took_ms, hits, facets}`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    pub total: usize,
    pub took_ms: u64,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

fn day_number(day: NaiveDate) -> i64 {
    i64::from(day.num_days_from_ce())
}

/// Searches what the actor may read; drafts only where they work on documents.
pub async fn search(
    db: &impl ConnectionTrait,
    index: &Arc<SearchIndex>,
    actor: &Actor,
    params: &SearchParams,
) -> DomainResult<SearchResponse> {
    let started = Instant::now();
    let q = params.q.as_deref().map(str::trim).unwrap_or_default();
    if q.is_empty() {
        return Err(DomainError::invalid(
            "q",
            "type something to search for, e.g. q=quy trình or q=QT-01",
        ));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(DomainError::invalid(
            "q",
            format!("the query is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
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
    {
        return Err(DomainError::invalid(
            "kind",
            format!("unknown document kind {kind:?}"),
        ));
    }
    if let Some(status) = &params.status
        && VersionStatus::parse(status).is_none()
    {
        return Err(DomainError::invalid(
            "status",
            format!("unknown status {status:?}"),
        ));
    }
    let filters = SearchFilters {
        readable,
        drafts_visible: drafts,
        agencies,
        doc_kind: params.kind.clone(),
        status: params.status.clone(),
        year: params.year,
        as_of: params.as_of.map(day_number),
        limit: params.limit.unwrap_or(20).clamp(1, MAX_LIMIT),
        offset: params.offset.unwrap_or(0).min(10_000),
    };
    let index = Arc::clone(index);
    let q = q.to_owned();
    let outcome = tokio::task::spawn_blocking(move || index.search(&q, &filters))
        .await
        .map_err(|error| DomainError::Internal(format!("search task failed: {error}")))?
        .map_err(|error| DomainError::Internal(error.to_string()))?;
    Ok(SearchResponse {
        total: outcome.total,
        took_ms: started.elapsed().as_millis() as u64,
        hits: outcome.hits,
        facets: outcome.facets,
    })
}

/// Queues the re-indexing of a document, inside the caller's transaction (once per pending job).
pub async fn enqueue_index(db: &impl ConnectionTrait, document_id: Uuid) -> DomainResult<()> {
    let payload = json!({"document_id": document_id});
    let pending = job::Entity::find()
        .filter(job::Column::Kind.eq(INDEX_DOCUMENT))
        .filter(job::Column::Status.eq("queued"))
        .filter(job::Column::Payload.eq(payload.to_string()))
        .one(db)
        .await?;
    if pending.is_none() {
        jobs::enqueue(db, INDEX_DOCUMENT, &payload, 5).await?;
    }
    Ok(())
}

/// The index entries of one document, one per version, from the database.
pub async fn index_items(
    db: &impl ConnectionTrait,
    document_id: Uuid,
) -> DomainResult<Vec<IndexItem>> {
    let Some(row) = document::Entity::find_by_id(document_id).one(db).await? else {
        return Ok(Vec::new());
    };
    let versions = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(document_id))
        .order_by_asc(document_version::Column::Seq)
        .all(db)
        .await?;
    let ref_ids: Vec<Uuid> = document_legal_ref::Entity::find()
        .filter(document_legal_ref::Column::DocumentId.eq(document_id))
        .all(db)
        .await?
        .into_iter()
        .map(|link| link.legal_ref_id)
        .collect();
    let numbers: Vec<String> = if ref_ids.is_empty() {
        Vec::new()
    } else {
        legal_ref::Entity::find()
            .filter(legal_ref::Column::Id.is_in(ref_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|reference| reference.number)
            .collect()
    };
    let tags: Vec<String> = serde_json::from_str(&row.tags).unwrap_or_default();
    let mut items = Vec::with_capacity(versions.len());
    for version in versions {
        let status = VersionStatus::parse(&version.status).unwrap_or(VersionStatus::Draft);
        if status == VersionStatus::Rejected {
            continue;
        }
        let body = version_text::Entity::find_by_id(version.id)
            .one(db)
            .await?
            .map(|text| text.text.replace('\u{000C}', "\n"))
            .unwrap_or_default();
        let effective_from = version.effective_from.filter(|_| status.is_public());
        items.push(IndexItem {
            kind: "document_version",
            id: version.id.to_string(),
            document_id: document_id.to_string(),
            agency_id: row.agency_id.to_string(),
            doc_kind: row.kind.clone(),
            status: version.status.clone(),
            public: status.is_public(),
            code: row.code.clone(),
            identifiers: numbers.clone(),
            title: row.title.clone(),
            body,
            tags: tags.clone(),
            filename: version.original_filename.clone(),
            effective_from: effective_from.map(day_number),
            effective_to: version.effective_to.map(day_number),
            year: effective_from
                .or(Some(version.created_at.date_naive()))
                .map(|day| day.year().max(0) as u64),
        });
    }
    Ok(items)
}

/// Rebuilds the entries of one document and waits until the change is committed (on the
/// writer's count or time trigger, or at once with `flush`).
pub async fn index_document(
    db: &impl ConnectionTrait,
    index: &Arc<SearchIndex>,
    document_id: Uuid,
) -> anyhow::Result<()> {
    index_documents(db, index, &[document_id], false).await
}

/// Rebuilds the entries of several documents and waits until the change is committed.
pub async fn index_documents(
    db: &impl ConnectionTrait,
    index: &Arc<SearchIndex>,
    document_ids: &[Uuid],
    flush: bool,
) -> anyhow::Result<()> {
    let ticket = submit_documents(db, index, document_ids).await?;
    if flush {
        index.flush()?.committed().await?;
    }
    ticket.committed().await?;
    Ok(())
}

/// Sends the entries of `document_ids` to the writer without waiting for the commit.
async fn submit_documents(
    db: &impl ConnectionTrait,
    index: &Arc<SearchIndex>,
    document_ids: &[Uuid],
) -> anyhow::Result<Ticket> {
    let mut changes = Vec::with_capacity(document_ids.len());
    for id in document_ids {
        changes.push((id.to_string(), index_items(db, *id).await?));
    }
    Ok(index.submit_many(changes)?)
}

/// Documents sent to the writer per change while rebuilding.
const REINDEX_CHUNK: usize = 200;
/// Uncommitted chunks allowed in flight while rebuilding (bounds memory).
const REINDEX_IN_FLIGHT: usize = 16;

/// Rebuilds the whole index from the database; `progress(done, total)` as documents are sent.
/// Returns once everything is committed.
pub async fn reindex_all(
    db: &DatabaseConnection,
    index: &Arc<SearchIndex>,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<u64> {
    let ids: Vec<Uuid> = document::Entity::find()
        .order_by_asc(document::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    let total = ids.len() as u64;
    let mut in_flight = std::collections::VecDeque::new();
    in_flight.push_back(index.clear()?);
    let mut done = 0;
    for chunk in ids.chunks(REINDEX_CHUNK) {
        in_flight.push_back(submit_documents(db, index, chunk).await?);
        while in_flight.len() > REINDEX_IN_FLIGHT {
            if let Some(ticket) = in_flight.pop_front() {
                ticket.committed().await?;
            }
        }
        done += chunk.len() as u64;
        progress(done, total);
    }
    index.flush()?.committed().await?;
    for ticket in in_flight {
        ticket.committed().await?;
    }
    Ok(total)
}

/// Registers the indexing job handlers.
pub fn register(registry: &mut JobRegistry) {
    registry.register(INDEX_DOCUMENT, IndexDocument);
    registry.register(INDEX_ALL, IndexAll);
}

/// Index jobs run in batches: one commit covers many documents during a bulk import.
struct IndexDocument;

fn payload_document(payload: &serde_json::Value) -> anyhow::Result<Uuid> {
    payload["document_id"]
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(|| anyhow::anyhow!("the job payload has no document_id"))
}

#[async_trait::async_trait]
impl JobHandler for IndexDocument {
    async fn run(&self, context: &JobContext, payload: &serde_json::Value) -> anyhow::Result<()> {
        index_document(&context.db, &context.search, payload_document(payload)?).await
    }

    fn batch_size(&self) -> usize {
        INDEX_BATCH
    }

    async fn run_batch(
        &self,
        context: &JobContext,
        payloads: &[serde_json::Value],
    ) -> Vec<anyhow::Result<()>> {
        let parsed: Vec<anyhow::Result<Uuid>> = payloads.iter().map(payload_document).collect();
        let mut ids: Vec<Uuid> = parsed
            .iter()
            .filter_map(|id| id.as_ref().ok())
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let outcome = index_documents(&context.db, &context.search, &ids, false)
            .await
            .map_err(|error| format!("{error:#}"));
        parsed
            .into_iter()
            .map(|id| match (id, &outcome) {
                (Err(error), _) => Err(error),
                (Ok(_), Ok(())) => Ok(()),
                (Ok(_), Err(error)) => Err(anyhow::anyhow!("{error}")),
            })
            .collect()
    }
}

/// Index jobs claimed and committed together.
const INDEX_BATCH: usize = 500;

struct IndexAll;

#[async_trait::async_trait]
impl JobHandler for IndexAll {
    async fn run(&self, context: &JobContext, _payload: &serde_json::Value) -> anyhow::Result<()> {
        let total = reindex_all(&context.db, &context.search, |_, _| {}).await?;
        tracing::info!(documents = total, "search index rebuilt");
        Ok(())
    }
}
