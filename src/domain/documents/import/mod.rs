//! Bulk import of an agency's existing folder (`hoso import DIR --agency CODE`): one document
//! with one draft version per file, through the same domain code as the API.
//!
//! Each file is stored in the blob store first, then its document, version and import record are
//! committed together (many files per transaction, one savepoint each), so an import killed at any
//! moment resumes without duplicates: a file already imported from the same relative path with the
//! same hash is skipped, a changed one becomes a new draft version of its document. Files are read
//! ahead (hashed, typed, their text extracted, stored) while earlier ones are recorded.
//!
//! Imported in force (`--effective-from`), the files of one document code are its issues: a
//! `QT-01 … (lần 1).doc` in a "Hết hiệu lực" folder and the `QT-01 ….docx` in use become one
//! document with its history, oldest first, each earlier issue in force from the day its text
//! says it was issued until the next one began.

use std::{collections::HashMap, path::Path, sync::Arc};

use chrono::{SubsecRound, Utc};
use futures::StreamExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

mod folder;
mod reading;

pub use folder::{PlannedFile, code_from_name, files_under, import_plan, kind_from_folders};
use reading::{Read, ReadFile, Reading};

use super::{
    DocumentKind, VersionStatus, indexing, publication, refresh_document,
    register::{NewDocument, code_key, insert_document},
    versions::{VersionForm, insert_version},
};
use crate::{
    blobs::BlobStore,
    config::Config,
    db::{
        self,
        entities::{document, document_version, import},
    },
    domain::{
        Actor, DomainError, DomainResult, Trail, agencies,
        files::{self, UploadedFile},
    },
    i18n::Message,
    jobs,
    names::Named,
};

/// What to import and how.
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    /// Agency code or id.
    pub agency: &'a str,
    /// The kind of every document; otherwise from folder names, else `other`.
    pub kind: Option<DocumentKind>,
    /// The folder imported; paths are recorded relative to it.
    pub root: &'a Path,
    pub dry_run: bool,
    /// Import the files in force from this day (an agency's procedures already in use), instead
    /// of as drafts; recorded in the audit log as imported in force, by whom.
    pub effective_from: Option<chrono::NaiveDate>,
    /// A job worker of this process indexes what the import records: keep pace with it, pausing
    /// between transactions while 256 index jobs or more wait for it (at most 10 s a pause).
    /// Without a worker running, the import never waits.
    pub pace_with_index: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    Imported {
        code: String,
    },
    NewVersion {
        code: String,
    },
    Skipped,
    WouldImport {
        code: String,
        kind: DocumentKind,
        title: String,
        /// The day it would be in force from, when imported in force.
        effective_from: Option<chrono::NaiveDate>,
    },
    Failed(String),
}

/// Files read ahead of the one being recorded: hashing, reading, extracting and storing run
/// while the database records the files before them.
const READ_AHEAD: usize = 8;
/// At most this many files are recorded in one transaction (each in its own savepoint, so a
/// file that fails loses nothing of the others).
const FILES_PER_TRANSACTION: usize = 128;
/// Keeping pace with the index, recording pauses between transactions while this many index
/// jobs wait. The index worker needs SQLite's write lock twice a round (to claim jobs and to mark
/// them done), and a writer that commits and begins again at once starves it: SQLite lets a
/// waiting writer poll, sleeping between tries, so the import won the lock nearly every time
/// and its files were indexed only after the last was recorded (10,000 files: 49 s of
/// recording, then 20 s of indexing). Pausing lets the worker in, and the index of one core
/// runs beside the recording of the other.
const INDEX_BACKLOG: u64 = 2 * FILES_PER_TRANSACTION as u64;
/// How often a paused import looks at the index backlog again, and for how long at most.
const PACE_POLL: std::time::Duration = std::time::Duration::from_millis(10);
const PACE_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Imports the request's files, in the order given, into the agency and tells `each` what
/// happened to every file as soon as it is committed.
///
/// Reading a file (hashing, type, text, title, storing its bytes) runs ahead, several files at
/// a time; recording them runs in order, many files per write transaction, one savepoint per
/// file. A file that fails is rolled back alone and reported; an import killed at any moment
/// resumes without duplicates (blobs stored for files not yet committed are cleaned up as
/// unreferenced). Fails only when the agency is unknown or the database refuses a transaction.
pub async fn import_files(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    config: &Config,
    actor: &Actor,
    request: ImportRequest<'_>,
    files: &[PlannedFile],
    mut each: impl FnMut(&PlannedFile, ImportOutcome),
) -> DomainResult<()> {
    let agency = &agencies::resolve(conn, request.agency).await?;
    // What earlier runs imported, by path: read once, so the files read ahead ask the database
    // nothing (a folder of 100,000 files: about 20 MB).
    let imported: HashMap<String, import::Model> = import::Entity::find()
        .filter(import::Column::AgencyId.eq(agency.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| (row.rel_path.clone(), row))
        .collect();
    let (ready, mut received) = tokio::sync::mpsc::channel(FILES_PER_TRANSACTION * 2);
    // Each file is read by a task of its own, so reading runs on other threads than recording.
    let reading = Arc::new(Reading {
        imported,
        blobs: blobs.clone(),
        config: config.clone(),
        kind: request.kind,
        root: request.root.to_path_buf(),
        dry_run: request.dry_run,
        effective_from: request.effective_from,
    });
    let reader = async {
        let mut reads = futures::stream::iter(files)
            .map(|planned| {
                let reading = Arc::clone(&reading);
                let owned = planned.clone();
                let task = tokio::spawn(async move { reading.read(&owned).await });
                async move {
                    let read = task.await.unwrap_or_else(|error| {
                        Err(DomainError::invalid(
                            "file",
                            Message::new("file_unreadable").arg("detail", error.to_string()),
                        ))
                    });
                    (planned, read)
                }
            })
            .buffered(READ_AHEAD);
        while let Some(read) = reads.next().await {
            if ready.send(read).await.is_err() {
                break; // the writer stopped on an error of its own
            }
        }
        drop(ready);
    };
    let writer = async {
        let mut batch = Vec::with_capacity(FILES_PER_TRANSACTION);
        while received.recv_many(&mut batch, FILES_PER_TRANSACTION).await > 0 {
            let outcomes = if request.dry_run {
                let mut outcomes = Vec::with_capacity(batch.len());
                for (planned, read) in batch.drain(..) {
                    let outcome = match read {
                        Ok(Read::Unchanged) => ImportOutcome::Skipped,
                        Ok(Read::Ready(file)) => would_import(conn, agency, request, *file)
                            .await
                            .unwrap_or_else(|error| ImportOutcome::Failed(error.to_string())),
                        Err(error) => ImportOutcome::Failed(error.to_string()),
                    };
                    outcomes.push((planned, outcome));
                }
                outcomes
            } else {
                record_batch(conn, blobs, config, actor, agency, request, &mut batch).await?
            };
            for (planned, outcome) in outcomes {
                each(planned, outcome);
            }
            if request.pace_with_index {
                keep_pace_with_index(conn).await?;
            }
        }
        DomainResult::Ok(())
    };
    let ((), written) = tokio::join!(reader, writer);
    written
}

/// Waits while the index worker has [`INDEX_BACKLOG`] jobs or more to take, at most
/// [`PACE_LIMIT`] (a worker that stopped taking them must not stop the import).
async fn keep_pace_with_index(conn: &DatabaseConnection) -> DomainResult<()> {
    let started = std::time::Instant::now();
    while jobs::queue_depth(conn, Some(jobs::Lane::Index)).await? >= INDEX_BACKLOG
        && started.elapsed() < PACE_LIMIT
    {
        tokio::time::sleep(PACE_POLL).await;
    }
    Ok(())
}

/// Records a batch of read files in one write transaction, one savepoint per file.
async fn record_batch<'p>(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    config: &Config,
    actor: &Actor,
    agency: &crate::db::entities::agency::Model,
    request: ImportRequest<'_>,
    batch: &mut Vec<(&'p PlannedFile, DomainResult<Read>)>,
) -> DomainResult<Vec<(&'p PlannedFile, ImportOutcome)>> {
    let txn = db::begin_write(conn).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    // The audit rows of the files recorded, written together before the commit.
    let mut recorded = Trail::kept();
    for (planned, read) in batch.drain(..) {
        let outcome = match read {
            Ok(Read::Unchanged) => ImportOutcome::Skipped,
            Err(error) => ImportOutcome::Failed(error.to_string()),
            Ok(Read::Ready(file)) => {
                let savepoint = txn.begin().await?;
                let mut trail = Trail::kept();
                let recorded_file = record(
                    &savepoint, &mut trail, blobs, config, actor, agency, request, *file,
                )
                .await;
                match recorded_file {
                    Ok(outcome) => {
                        savepoint.commit().await?;
                        trail.append_to(&mut recorded);
                        outcome
                    }
                    Err(error) => {
                        savepoint.rollback().await?;
                        ImportOutcome::Failed(error.to_string())
                    }
                }
            }
        };
        outcomes.push((planned, outcome));
    }
    recorded.write(&txn).await?;
    txn.commit().await?;
    Ok(outcomes)
}

/// The document a read file belongs to, when it is a later version or issue of one, and the
/// code it has or will have.
async fn document_and_code(
    conn: &impl ConnectionTrait,
    agency: &crate::db::entities::agency::Model,
    request: ImportRequest<'_>,
    file: &ReadFile,
) -> DomainResult<(Option<document::Model>, String)> {
    let existing = match &file.previous {
        Some(row) => {
            document::Entity::find_by_id(row.document_id)
                .one(conn)
                .await?
        }
        // A later issue of a document this import brought in from another file.
        None if file.shares_code && request.effective_from.is_some() => {
            imported_document_with_code(conn, agency.id, &file.stem).await?
        }
        None => None,
    };
    let code = match &existing {
        Some(row) => row.code.clone(),
        None => unique_code(conn, agency.id, &file.stem, &file.sha256).await?,
    };
    Ok((existing, code))
}

/// What a dry run says of a read file.
async fn would_import(
    conn: &DatabaseConnection,
    agency: &crate::db::entities::agency::Model,
    request: ImportRequest<'_>,
    file: ReadFile,
) -> DomainResult<ImportOutcome> {
    let (existing, code) = document_and_code(conn, agency, request, &file).await?;
    let (kind, title) = match existing {
        Some(row) => (
            DocumentKind::parse(&row.kind).unwrap_or(file.kind),
            row.title,
        ),
        None => (file.kind, file.title),
    };
    Ok(ImportOutcome::WouldImport {
        code,
        kind,
        title,
        effective_from: file.issued_on.or(request.effective_from),
    })
}

/// Records one read file: its document (new, or the one it is a version or issue of), its
/// version (or the replaced file of a draft nobody submitted), in force when asked, and its
/// import record. Its audit rows go to `trail`.
#[allow(clippy::too_many_arguments)] // the import's settings, the transaction and the trail
async fn record(
    txn: &DatabaseTransaction,
    trail: &mut Trail,
    blobs: &BlobStore,
    config: &Config,
    actor: &Actor,
    agency: &crate::db::entities::agency::Model,
    request: ImportRequest<'_>,
    file: ReadFile,
) -> DomainResult<ImportOutcome> {
    let (existing_document, code) = document_and_code(txn, agency, request, &file).await?;
    let ReadFile {
        rel_path,
        sha256,
        previous,
        title,
        kind,
        issued_on,
        uploaded,
        ..
    } = file;
    // Stored whenever the run records (only a dry run reads without storing).
    let uploaded = uploaded.ok_or(DomainError::NotFound("file"))?;
    let (document_id, new_document) = match &existing_document {
        Some(row) => (row.id, false),
        None => {
            let row = insert_document(
                txn,
                trail,
                actor,
                NewDocument {
                    agency_id: agency.id.to_string(),
                    code: code.clone(),
                    title,
                    kind,
                    owner_id: None,
                    review_interval_months: None,
                    tags: vec!["import".to_owned()],
                    legal_ref_ids: Vec::new(),
                },
            )
            .await?;
            (row.id, true)
        }
    };
    // A changed file becomes a new draft version, or replaces the draft nobody submitted yet.
    let open_draft = match &previous {
        Some(row) if !new_document => document_version::Entity::find_by_id(row.version_id)
            .one(txn)
            .await?
            .filter(|version| version.status == VersionStatus::Draft),
        _ => None,
    };
    // The document of a new version, refreshed below once it is in force or not (a replaced
    // draft file refreshes its own).
    let (version, to_refresh) = match open_draft {
        Some(draft) => {
            let version = replace_draft_file(
                txn,
                trail,
                blobs,
                config.job_max_attempts,
                actor,
                draft,
                uploaded,
            )
            .await?;
            (version, None)
        }
        None => {
            let change_summary = match &previous {
                _ if new_document => None,
                Some(_) => Some(format!("imported again: {rel_path} changed")),
                None => Some(format!("imported issue: {rel_path}")),
            };
            let form = VersionForm {
                change_summary,
                label: None,
            };
            let (version, document) = insert_version(
                txn,
                trail,
                blobs,
                config.job_max_attempts,
                actor,
                document_id,
                uploaded,
                form,
            )
            .await?;
            (version, Some(document))
        }
    };
    let version = match issued_on.or(request.effective_from) {
        // Putting it in force refreshes the document.
        Some(day) => publication::put_in_force_on_import(txn, trail, actor, version, day).await?,
        None => {
            if let Some(document) = &to_refresh {
                refresh_document(txn, document).await?;
            }
            version
        }
    };
    let now = Utc::now().trunc_subsecs(6);
    match previous {
        Some(row) => {
            let mut active: import::ActiveModel = row.into();
            active.sha256 = Set(sha256);
            active.version_id = Set(version.id);
            active.imported_at = Set(now);
            active.update(txn).await?;
        }
        None => {
            import::ActiveModel {
                id: Set(Uuid::now_v7()),
                agency_id: Set(agency.id),
                rel_path: Set(rel_path),
                sha256: Set(sha256),
                document_id: Set(document_id),
                version_id: Set(version.id),
                imported_at: Set(now),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(if new_document {
        ImportOutcome::Imported { code }
    } else {
        ImportOutcome::NewVersion { code }
    })
}

/// The document this import made for the code in `stem`, when another file of the folder
/// brought it in: a document of the agency with that code and an import record.
async fn imported_document_with_code(
    conn: &impl ConnectionTrait,
    agency_id: Uuid,
    stem: &str,
) -> DomainResult<Option<document::Model>> {
    let Some(code) = code_from_name(stem) else {
        return Ok(None);
    };
    let Some(row) = document::Entity::find()
        .filter(document::Column::AgencyId.eq(agency_id))
        .filter(document::Column::CodeKey.eq(code_key(&code)))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let imported = import::Entity::find()
        .filter(import::Column::AgencyId.eq(agency_id))
        .filter(import::Column::DocumentId.eq(row.id))
        .one(conn)
        .await?
        .is_some();
    Ok(imported.then_some(row))
}

/// The code from the file name, or one made from the hash; suffixed until free in the agency.
async fn unique_code(
    conn: &impl ConnectionTrait,
    agency_id: Uuid,
    stem: &str,
    sha256: &str,
) -> DomainResult<String> {
    let base =
        code_from_name(stem).unwrap_or_else(|| format!("NHAP-{}", &sha256[..8].to_uppercase()));
    for attempt in 1..100 {
        let candidate = if attempt == 1 {
            base.clone()
        } else {
            format!("{base}-{attempt}")
        };
        let taken = document::Entity::find()
            .filter(document::Column::AgencyId.eq(agency_id))
            .filter(document::Column::CodeKey.eq(code_key(&candidate)))
            .one(conn)
            .await?
            .is_some();
        if !taken {
            return Ok(candidate);
        }
    }
    Err(DomainError::Conflict(
        Message::new("code_exhausted").arg("base", base),
    ))
}

/// Replaces the file of a version that is still a draft (the bulk import's "the file changed"
/// when nobody has submitted the draft yet), inside the caller's transaction.
async fn replace_draft_file(
    txn: &DatabaseTransaction,
    trail: &mut Trail,
    blobs: &BlobStore,
    max_attempts: u32,
    actor: &Actor,
    version: document_version::Model,
    file: UploadedFile,
) -> DomainResult<document_version::Model> {
    if version.status != VersionStatus::Draft {
        return Err(DomainError::Conflict(
            Message::new("revision_in_progress")
                .arg("label", &version.label)
                .arg("status", version.status.as_str()),
        ));
    }
    let now = Utc::now().trunc_subsecs(6);
    let stored = files::record_file(txn, blobs, actor, &file, max_attempts).await?;
    let previous_sha = version.blob_sha256.clone();
    let previous_file = version.file_id;
    let document_id = version.document_id;
    let mut active: document_version::ActiveModel = version.into();
    active.file_id = Set(Some(stored.id));
    active.blob_sha256 = Set(stored.blob_sha256.clone());
    active.updated_at = Set(now);
    let updated = active.update(txn).await?;
    if let Some(previous) = previous_file {
        files::unlink(txn, indexing::KIND, document_id, previous).await?;
    }
    files::link(txn, indexing::KIND, document_id, stored.id).await?;
    let row = document::Entity::find_by_id(document_id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound("document"))?;
    refresh_document(txn, &row).await?;
    trail
        .audit(
            txn,
            actor,
            "version.replace_file",
            "document_version",
            updated.id,
            Some(row.agency_id),
            json!({"from_sha256": previous_sha, "sha256": updated.blob_sha256,
               "file_id": stored.id, "original_filename": stored.original_filename}),
        )
        .await?;
    Ok(updated)
}
