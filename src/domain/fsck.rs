//! `hoso fsck`: the database, the blob store and the search index checked against each other.
//!
//! The database is the truth. Reported: files whose blob is missing (never repaired: the bytes
//! are gone), blobs stored but referenced by no file (left by a crash between storing and
//! committing; removed by `--repair` once older than a grace period, each checked again under
//! its lock just before), and units of every search kind missing from or stale in the index, or
//! index entries of units that no longer exist (re-indexed by `--repair`). A unit whose `index`
//! job is still waiting is reported as waiting, not as lost: the worker will bring it in.

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::Arc,
};

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{
    blobs::BlobStore,
    db::entities::{file, job},
    domain::{
        files,
        indexing::{self, IndexAll, IndexJob, Indexers},
    },
    jobs::Job,
    search::SearchIndex,
};

/// Unreferenced blobs younger than this may belong to an upload still committing.
pub const BLOB_GRACE: Duration = Duration::hours(1);

/// A unit of a search kind, such as `("document", id)`.
pub type Unit = (String, Uuid);

/// What the check found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FsckReport {
    pub files_checked: usize,
    /// Files whose bytes are missing from the blob store.
    pub missing_blobs: Vec<Uuid>,
    /// Stored blobs no file or rendition references, older than the grace period.
    pub unreferenced_blobs: Vec<String>,
    /// Units whose index entries are missing, stale or orphaned, with no index job waiting.
    pub index_out_of_step: Vec<Unit>,
    /// Units out of step in the index whose index job is still waiting: not an error.
    pub index_waiting: Vec<Unit>,
    /// What `--repair` fixed.
    pub repaired_units: usize,
    pub removed_blobs: usize,
}

impl FsckReport {
    /// Nothing is lost or stale (units waiting for their index job are fine).
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
    indexers: &Indexers,
    repair: bool,
) -> anyhow::Result<FsckReport> {
    let mut report = FsckReport::default();
    let rows: Vec<(Uuid, String)> = file::Entity::find()
        .select_only()
        .column(file::Column::Id)
        .column(file::Column::BlobSha256)
        .into_tuple()
        .all(db)
        .await?;
    report.files_checked = rows.len();
    let stored: HashMap<String, chrono::DateTime<Utc>> =
        blobs.list_hashes().await?.into_iter().collect();
    let rendition_pdfs = files::renditions::pdf_hashes(db).await?;
    let referenced: HashSet<&str> = rows
        .iter()
        .map(|(_, hash)| hash.as_str())
        .chain(rendition_pdfs.iter().map(String::as_str))
        .collect();
    for (id, hash) in &rows {
        if !stored.contains_key(hash) {
            report.missing_blobs.push(*id);
        }
    }
    let cutoff = Utc::now() - BLOB_GRACE;
    report.unreferenced_blobs = stored
        .iter()
        .filter(|(hash, modified)| !referenced.contains(hash.as_str()) && **modified < cutoff)
        .map(|(hash, _)| hash.clone())
        .collect();
    report.unreferenced_blobs.sort();

    let out_of_step = index_out_of_step(db, index, indexers).await?;
    let (waiting, all_waiting) = waiting_index_jobs(db).await?;
    for unit in out_of_step {
        if all_waiting || waiting.contains(&unit) {
            report.index_waiting.push(unit);
        } else {
            report.index_out_of_step.push(unit);
        }
    }

    if repair {
        let mut by_kind: HashMap<&str, Vec<Uuid>> = HashMap::new();
        for (kind, unit) in &report.index_out_of_step {
            by_kind.entry(kind.as_str()).or_default().push(*unit);
        }
        for (kind, units) in by_kind {
            for chunk in units.chunks(200) {
                if indexers.get(kind).is_some() {
                    indexing::index_units(db, index, indexers, kind, chunk, true).await?;
                } else {
                    // Entries of a unit nothing indexes any more: removed.
                    let removals = chunk.iter().map(|unit| (unit.to_string(), Vec::new()));
                    let removals: Vec<_> = removals.collect();
                    let writer = Arc::clone(index);
                    let (removed, flushed) = tokio::task::spawn_blocking(move || {
                        let removed = writer.submit_many(removals)?;
                        Ok::<_, crate::search::SearchError>((removed, writer.flush()?))
                    })
                    .await??;
                    flushed.committed().await?;
                    removed.committed().await?;
                }
                report.repaired_units += chunk.len();
            }
        }
        for hash in &report.unreferenced_blobs {
            if files::remove_unreferenced_blob(db, blobs, hash).await? {
                report.removed_blobs += 1;
            }
        }
    }
    Ok(report)
}

/// The units whose entries in the index differ from what the database says they should be.
async fn index_out_of_step(
    db: &DatabaseConnection,
    index: &Arc<SearchIndex>,
    indexers: &Indexers,
) -> anyhow::Result<BTreeSet<Unit>> {
    let reader = Arc::clone(index);
    let entries = tokio::task::spawn_blocking(move || reader.entries()).await??;
    type Entry = (String, String, String, String);
    let mut indexed: HashMap<String, Vec<Entry>> = HashMap::new();
    for entry in entries {
        indexed.entry(entry.group.clone()).or_default().push((
            entry.id,
            entry.status,
            entry.code,
            entry.title,
        ));
    }
    let mut out_of_step = BTreeSet::new();
    for indexer in indexers.iter() {
        let units = indexer.units(db).await?;
        for chunk in units.chunks(500) {
            for (unit, items) in indexer.items(db, chunk).await? {
                let mut expected: Vec<Entry> = items
                    .into_iter()
                    .map(|item| (item.id, item.status, item.code, item.title))
                    .collect();
                let mut actual = indexed.remove(&unit.to_string()).unwrap_or_default();
                expected.sort();
                actual.sort();
                if expected != actual {
                    out_of_step.insert((indexer.kind().to_owned(), unit));
                }
            }
        }
    }
    // Entries of units that no longer exist.
    for unit in indexed.keys() {
        if let Ok(id) = Uuid::parse_str(unit) {
            out_of_step.insert(("unknown".to_owned(), id));
        }
    }
    Ok(out_of_step)
}

/// The units with an `index` job waiting or running, and whether a rebuild of everything is.
async fn waiting_index_jobs(db: &DatabaseConnection) -> anyhow::Result<(HashSet<Unit>, bool)> {
    let jobs = job::Entity::find()
        .filter(job::Column::Kind.is_in([IndexJob::KIND, IndexAll::KIND]))
        .filter(job::Column::Status.is_in([job::JobStatus::Queued, job::JobStatus::Running]))
        .all(db)
        .await?;
    let mut units = HashSet::new();
    let mut all = false;
    for row in jobs {
        if row.kind == IndexAll::KIND {
            all = true;
        } else if let Ok(job) = serde_json::from_str::<IndexJob>(&row.payload) {
            units.insert((job.kind, job.unit));
        }
    }
    Ok((units, all))
}
