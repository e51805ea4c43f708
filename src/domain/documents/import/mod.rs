//! Bulk import of an agency's existing folder (`hoso import DIR --agency CODE`): one document
//! with one draft version per file, through the same domain code as the API.
//!
//! Each file is stored in the blob store first, then its document, version and import record are
//! committed in one transaction, so an import killed at any moment resumes without duplicates: a
//! file already imported from the same relative path with the same hash is skipped, a changed one
//! becomes a new draft version of its document.
//!
//! Imported in force (`--effective-from`), the files of one document code are its issues: a
//! `QT-01 … (lần 1).doc` in a "Hết hiệu lực" folder and the `QT-01 ….docx` in use become one
//! document with its history, oldest first, each earlier issue in force from the day its text
//! says it was issued until the next one began.

use std::path::Path;

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

mod folder;

use folder::title_from_name;
pub use folder::{PlannedFile, code_from_name, files_under, import_plan, kind_from_folders};

use super::{
    DocumentKind, VersionStatus, indexing, publication, refresh_document,
    register::{NewDocument, code_key, insert_document},
    titles,
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
        Actor, DomainError, DomainResult, agencies, audit,
        files::{self, UploadedFile, clean_filename},
    },
    extract, filetype,
    i18n::Message,
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

async fn sha256_of(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// The first heading-like line of the text, for the title of a file that does not read like an
/// administrative document.
fn first_heading(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|line| line.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .map(|line| line.chars().take(300).collect())
}

/// Imports one file of the request's folder into the agency.
pub async fn import_file(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    config: &Config,
    actor: &Actor,
    request: ImportRequest<'_>,
    planned: &PlannedFile,
) -> ImportOutcome {
    match try_import(conn, blobs, config, actor, request, planned).await {
        Ok(outcome) => outcome,
        Err(error) => ImportOutcome::Failed(error.to_string()),
    }
}

async fn try_import(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    config: &Config,
    actor: &Actor,
    request: ImportRequest<'_>,
    planned: &PlannedFile,
) -> DomainResult<ImportOutcome> {
    let path = planned.path.as_path();
    let ImportRequest {
        agency: agency_code,
        kind,
        root,
        dry_run,
        effective_from,
    } = request;
    let agency = agencies::resolve(conn, agency_code).await?;
    let rel_path: String = path
        .strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
        .nfc()
        .collect();
    let io = |error: std::io::Error| {
        DomainError::invalid(
            "file",
            Message::new("file_unreadable").arg("detail", error.to_string()),
        )
    };
    let (sha256, size) = sha256_of(path).await.map_err(io)?;
    let previous = import::Entity::find()
        .filter(import::Column::AgencyId.eq(agency.id))
        .filter(import::Column::RelPath.eq(&rel_path))
        .one(conn)
        .await?;
    if previous.as_ref().is_some_and(|row| row.sha256 == sha256) {
        return Ok(ImportOutcome::Skipped);
    }
    if size == 0 {
        return Err(DomainError::invalid("file", Message::new("file_empty")));
    }
    if size > config.max_upload_bytes {
        return Err(DomainError::invalid(
            "file",
            Message::new("file_too_large").arg("limit", config.max_upload_bytes),
        ));
    }
    let filename = clean_filename(
        &path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    let mut head = vec![0u8; filetype::SNIFF_BYTES];
    let mut file = tokio::fs::File::open(path).await.map_err(io)?;
    let mut filled = 0;
    while filled < head.len() {
        let read = file.read(&mut head[filled..]).await.map_err(io)?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    head.truncate(filled);
    let content_type = filetype::detect(&head, &filename).map_err(DomainError::UnsupportedType)?;
    let stem = Path::new(&filename)
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();

    let existing_document = match &previous {
        Some(row) => {
            document::Entity::find_by_id(row.document_id)
                .one(conn)
                .await?
        }
        // A later issue of a document this import brought in from another file.
        None if planned.shares_code && effective_from.is_some() => {
            imported_document_with_code(conn, agency.id, &stem).await?
        }
        None => None,
    };
    let code = match &existing_document {
        Some(row) => row.code.clone(),
        None => unique_code(conn, agency.id, &stem, &sha256).await?,
    };
    let earlier_issue = planned.earlier && effective_from.is_some();
    // Read once: for the title and issue day, and as the text recorded with the file (no
    // extraction job reads it again).
    let extracted = if size
        <= config
            .extract_limits()
            .max_input_bytes
            .min(50 * 1024 * 1024)
    {
        let bytes = tokio::fs::read(path).await.map_err(io)?;
        extract::extract_async(bytes, content_type.to_owned(), config.extract_limits())
            .await
            .ok()
    } else {
        None
    };
    let text = extracted.as_ref().map(extract::Extracted::text);
    let title = text
        .as_deref()
        .and_then(|text| titles::administrative_title(text).or_else(|| first_heading(text)))
        .unwrap_or_else(|| title_from_name(&stem));
    // An earlier issue was in force from the day it was issued; the newest from the day given.
    let effective_from = match effective_from {
        Some(_) if earlier_issue => Some(text.as_deref().and_then(titles::issue_date).ok_or_else(
            || {
                DomainError::invalid(
                    "file",
                    Message::new("import_no_issue_date").arg("code", &code),
                )
            },
        )?),
        day => day,
    };
    let kind = kind
        .or_else(|| kind_from_folders(&rel_path))
        .unwrap_or(DocumentKind::Other);
    if dry_run {
        let (kind, title) = match &existing_document {
            Some(row) => (
                DocumentKind::parse(&row.kind).unwrap_or(kind),
                row.title.clone(),
            ),
            None => (kind, title),
        };
        return Ok(ImportOutcome::WouldImport {
            code,
            kind,
            title,
            effective_from,
        });
    }

    let body = ReaderStream::new(tokio::fs::File::open(path).await.map_err(io)?);
    let blob = blobs
        .put_stream(body, Some(&sha256), config.max_upload_bytes)
        .await?;
    let uploaded = UploadedFile {
        blob,
        original_filename: filename,
        content_type,
        text: extracted,
    };
    let txn = db::begin_write(conn).await?;
    let (document_id, new_document) = match &existing_document {
        Some(row) => (row.id, false),
        None => {
            let row = insert_document(
                &txn,
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
            .one(&txn)
            .await?
            .filter(|version| version.status == VersionStatus::Draft),
        _ => None,
    };
    let version = match open_draft {
        Some(draft) => {
            replace_draft_file(&txn, blobs, config.job_max_attempts, actor, draft, uploaded).await?
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
            insert_version(
                &txn,
                blobs,
                config.job_max_attempts,
                actor,
                document_id,
                uploaded,
                form,
            )
            .await?
        }
    };
    let version = match effective_from {
        Some(day) => publication::put_in_force_on_import(&txn, actor, version, day).await?,
        None => version,
    };
    let now = Utc::now().trunc_subsecs(6);
    match previous {
        Some(row) => {
            let mut active: import::ActiveModel = row.into();
            active.sha256 = Set(sha256);
            active.version_id = Set(version.id);
            active.imported_at = Set(now);
            active.update(&txn).await?;
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
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(if new_document {
        ImportOutcome::Imported { code }
    } else {
        ImportOutcome::NewVersion { code }
    })
}

/// The document this import made for the code in `stem`, when another file of the folder
/// brought it in: a document of the agency with that code and an import record.
async fn imported_document_with_code(
    conn: &DatabaseConnection,
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
    conn: &DatabaseConnection,
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
    audit(
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
