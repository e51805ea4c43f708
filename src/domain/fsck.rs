//! `hoso fsck`: the database, the blob store and the search index checked against each other.
//!
//! The database is the truth. Reported: versions whose blob is missing (never repaired: the bytes
//! are gone), blobs stored but referenced by no version (left by a crash between storing and
//! committing; removed by `--repair` once older than a grace period), and documents missing from or
//! stale in the index, or index entries of versions that no longer exist (re-indexed by
//! `--repair`).

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::Arc,
};

use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use crate::{
    blobs::BlobStore,
    db::entities::{document, document_version},
    domain::documents::indexing::{index_documents, index_items},
    search::SearchIndex,
};

/// Unreferenced blobs younger than this may belong to an upload still committing.
pub const BLOB_GRACE: Duration = Duration::hours(1);

/// What the check found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FsckReport {
    pub versions_checked: usize,
    /// Versions whose file is missing from the blob store.
    pub missing_blobs: Vec<Uuid>,
    /// Stored blobs no version references, older than the grace period.
    pub unreferenced_blobs: Vec<String>,
    /// Documents whose index entries are missing, stale or orphaned.
    pub index_out_of_step: Vec<Uuid>,
    /// What `--repair` fixed.
    pub repaired_documents: usize,
    pub removed_blobs: usize,
}

impl FsckReport {
    pub fn is_clean(&self) -> bool {
        self.missing_blobs.is_empty()
            && self.unreferenced_blobs.is_empty()
            && self.index_out_of_step.is_empty()
    }
}

/// Checks, and with `repair` fixes what can be fixed.
pub async fn fsck(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    index: &Arc<SearchIndex>,
    repair: bool,
) -> anyhow::Result<FsckReport> {
    let mut report = FsckReport::default();
    let versions = document_version::Entity::find().all(db).await?;
    report.versions_checked = versions.len();
    let stored: HashMap<String, chrono::DateTime<Utc>> =
        blobs.list_hashes().await?.into_iter().collect();
    let referenced: HashSet<&str> = versions
        .iter()
        .map(|version| version.blob_sha256.as_str())
        .collect();
    for version in &versions {
        if !stored.contains_key(&version.blob_sha256) {
            report.missing_blobs.push(version.id);
        }
    }
    let cutoff = Utc::now() - BLOB_GRACE;
    report.unreferenced_blobs = stored
        .iter()
        .filter(|(hash, modified)| !referenced.contains(hash.as_str()) && **modified < cutoff)
        .map(|(hash, _)| hash.clone())
        .collect();
    report.unreferenced_blobs.sort();

    // The index against what the database says it should hold.
    let reader = Arc::clone(index);
    let entries = tokio::task::spawn_blocking(move || reader.entries()).await??;
    let mut indexed: HashMap<String, Vec<(String, String, String, String)>> = HashMap::new();
    for entry in entries {
        indexed.entry(entry.document_id.clone()).or_default().push((
            entry.id,
            entry.status,
            entry.code,
            entry.title,
        ));
    }
    let mut out_of_step = BTreeSet::new();
    let documents = document::Entity::find().all(db).await?;
    let known: HashSet<String> = documents.iter().map(|row| row.id.to_string()).collect();
    for row in &documents {
        let mut expected: Vec<(String, String, String, String)> = index_items(db, row.id)
            .await?
            .into_iter()
            .map(|item| (item.id, item.status, item.code, item.title))
            .collect();
        let mut actual = indexed.remove(&row.id.to_string()).unwrap_or_default();
        expected.sort();
        actual.sort();
        if expected != actual {
            out_of_step.insert(row.id);
        }
    }
    // Entries of documents that no longer exist.
    for document_id in indexed.keys().filter(|id| !known.contains(*id)) {
        if let Ok(id) = Uuid::parse_str(document_id) {
            out_of_step.insert(id);
        }
    }
    report.index_out_of_step = out_of_step.into_iter().collect();

    if repair {
        for chunk in report.index_out_of_step.chunks(200) {
            index_documents(db, index, chunk, true).await?;
            report.repaired_documents += chunk.len();
        }
        for hash in &report.unreferenced_blobs {
            blobs.delete(hash).await?;
            report.removed_blobs += 1;
        }
    }
    Ok(report)
}
