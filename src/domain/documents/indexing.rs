//! How documents reach the search index: one entry per version (rejected ones left out), the
//! document being the unit replaced together. Every change to a document or its versions queues
//! an `index` job for the document, in the change's transaction; a file's new text does too,
//! through the document's link to the file.

use std::collections::HashMap;

use chrono::Datelike;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::{VersionStatus, cited_by, versions_of};
use crate::{
    clock::day_number,
    db::entities::document,
    domain::{
        DomainResult, files,
        indexing::{self, Indexer},
    },
    names::Named,
    search::IndexItem,
};

/// The search kind of documents, as `index` jobs and file links name it.
pub const KIND: &str = "document";

/// Queues the re-indexing of a document, inside the caller's transaction.
pub async fn enqueue_index(db: &impl ConnectionTrait, document_id: Uuid) -> DomainResult<()> {
    indexing::enqueue(db, KIND, document_id).await
}

/// Builds the entries of documents from the database.
pub struct DocumentIndexer;

#[async_trait::async_trait]
impl Indexer for DocumentIndexer {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn items(
        &self,
        db: &DatabaseConnection,
        units: &[Uuid],
    ) -> DomainResult<Vec<(Uuid, Vec<IndexItem>)>> {
        index_items(db, units).await
    }

    async fn units(&self, db: &DatabaseConnection) -> DomainResult<Vec<Uuid>> {
        Ok(document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .order_by_asc(document::Column::Id)
            .into_tuple::<Uuid>()
            .all(db)
            .await?)
    }
}

/// The index entries of documents, one per version, by document: a few queries per batch of
/// documents, whatever their number of versions.
pub async fn index_items(
    db: &impl ConnectionTrait,
    document_ids: &[Uuid],
) -> DomainResult<Vec<(Uuid, Vec<IndexItem>)>> {
    let mut entries = Vec::with_capacity(document_ids.len());
    for chunk in document_ids.chunks(500) {
        let documents: HashMap<Uuid, document::Model> = document::Entity::find()
            .filter(document::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        let mut versions = versions_of(db, chunk).await?;
        let mut cited: HashMap<Uuid, Vec<String>> = cited_by(db, chunk)
            .await?
            .into_iter()
            .map(|(document, references)| {
                let numbers = references.into_iter().map(|reference| reference.number);
                (document, numbers.collect())
            })
            .collect();
        let file_ids = versions
            .values()
            .flatten()
            .filter_map(|version| version.file_id);
        let file_ids: Vec<Uuid> = file_ids.collect();
        let file_rows = files::load_many(db, file_ids.iter().copied()).await?;
        let mut texts = files::pages_of_many(db, file_ids).await?;
        for id in chunk {
            let Some(row) = documents.get(id) else {
                // Gone: its entries are removed.
                entries.push((*id, Vec::new()));
                continue;
            };
            let numbers = cited.remove(id).unwrap_or_default();
            let tags: Vec<String> = serde_json::from_str(&row.tags).unwrap_or_default();
            let mut items = Vec::new();
            for version in versions.remove(id).unwrap_or_default() {
                let status = version.status;
                if status == VersionStatus::Rejected {
                    continue;
                }
                let file = version.file_id.and_then(|file| file_rows.get(&file));
                let body = version
                    .file_id
                    .and_then(|file| texts.remove(&file))
                    .unwrap_or_default()
                    .join("\u{000C}");
                let effective_from = version.effective_from.filter(|_| status.is_public());
                items.push(IndexItem {
                    kind: "document_version",
                    id: version.id.to_string(),
                    group: id.to_string(),
                    agency_id: row.agency_id.to_string(),
                    subtype: row.kind.clone(),
                    status: status.as_str().to_owned(),
                    public: status.is_public(),
                    people: [row.owner_id, version.drafted_by]
                        .into_iter()
                        .flatten()
                        .map(|id| id.to_string())
                        .collect(),
                    code: row.code.clone(),
                    identifiers: numbers.clone(),
                    title: row.title.clone(),
                    body,
                    tags: tags.clone(),
                    filename: file
                        .map(|file| file.original_filename.clone())
                        .unwrap_or_default(),
                    effective_from: effective_from.map(day_number),
                    effective_to: version.effective_to.map(day_number),
                    year: effective_from
                        .or(Some(version.created_at.date_naive()))
                        .map(|day| day.year().max(0) as u64),
                });
            }
            entries.push((*id, items));
        }
    }
    Ok(entries)
}
