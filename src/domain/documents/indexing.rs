//! Feeding the search index with documents: every change to a document queues an
//! `index_document` job, which rebuilds that document's index entries from the database.

use std::sync::Arc;

use chrono::Datelike;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::VersionStatus;
use crate::{
    clock::day_number,
    db::entities::{document, document_legal_ref, document_version, job, legal_ref, version_text},
    domain::DomainResult,
    jobs::{self, JobContext, JobHandler, JobRegistry},
    search::{IndexItem, SearchIndex, Ticket},
};

/// Job kind: rebuild the index entries of one document.
pub const INDEX_DOCUMENT: &str = "index_document";
/// Job kind: rebuild the whole index from the database.
pub const INDEX_ALL: &str = "index_all";

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
