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

use std::path::{Path, PathBuf};

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

/// The files under `root`, depth first in name order; hidden files and links are left out.
pub fn files_under(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
            .map(|entry| entry.path())
            .collect();
        entries.sort();
        for path in entries.into_iter().rev() {
            let meta = std::fs::symlink_metadata(&path)?;
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// A file to import, and where it stands among the files of its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: PathBuf,
    /// Another file of the folder has the same document code: they are one document's issues.
    pub shares_code: bool,
    /// An earlier issue: in force from the day its text gives until the next issue began.
    pub earlier: bool,
}

/// The order to import `files` in. With `history` (an import in force), the files of one
/// document code come oldest first — those in a folder of withdrawn papers ("Hết hiệu lực",
/// "Cũ", "old"), then by the issue number in the name ("lần 2", "v2", "(2)"), then by path — and
/// all but the newest are marked earlier issues. Otherwise, and for files without a code, the
/// folder's order.
pub fn import_plan(root: &Path, files: Vec<PathBuf>, history: bool) -> Vec<PlannedFile> {
    let code_of = |path: &Path| {
        path.file_stem()
            .and_then(|stem| code_from_name(&stem.to_string_lossy()))
            .map(|code| code_key(&code))
    };
    let mut groups: std::collections::HashMap<String, Vec<usize>> = Default::default();
    if history {
        for (index, path) in files.iter().enumerate() {
            if let Some(code) = code_of(path) {
                groups.entry(code).or_default().push(index);
            }
        }
    }
    // Each group takes the place of its first file; inside it, oldest issue first.
    let mut keyed: Vec<((usize, bool, u32, PathBuf), PlannedFile)> = Vec::new();
    for (index, path) in files.iter().enumerate() {
        let group = code_of(path).and_then(|code| groups.get(&code));
        let (place, shares_code, earlier) = match group {
            Some(members) if members.len() > 1 => {
                let newest = members
                    .iter()
                    .max_by_key(|&&member| issue_key(root, &files[member]))
                    .copied();
                (members[0], true, newest != Some(index))
            }
            _ => (index, false, false),
        };
        let (withdrawn, number, _) = issue_key(root, path);
        keyed.push((
            (place, withdrawn, number, path.clone()),
            PlannedFile {
                path: path.clone(),
                shares_code,
                earlier,
            },
        ));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, planned)| planned).collect()
}

/// How old an issue looks from where it is kept and how it is named: a file in a folder of
/// withdrawn papers is older (`false` sorts first), then the issue number, then the path.
fn issue_key(root: &Path, path: &Path) -> (bool, u32, PathBuf) {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let folded = crate::domain::text::fold_diacritics(&rel.to_string_lossy().to_lowercase());
    let folders: Vec<&str> = folded.split('/').collect();
    let withdrawn = folders[..folders.len().saturating_sub(1)]
        .iter()
        .any(|folder| {
            let folder = folder.replace(['-', '_'], " ");
            [
                "het hieu luc",
                "cu",
                "ban cu",
                "old",
                "archive",
                "luu tru",
                "thu hoi",
            ]
            .iter()
            .any(|name| folder == *name || folder.starts_with(&format!("{name} ")))
        });
    let stem = path
        .file_stem()
        .map(|stem| crate::domain::text::fold_diacritics(&stem.to_string_lossy().to_lowercase()))
        .unwrap_or_default();
    (!withdrawn, issue_number(&stem), path.to_path_buf())
}

/// The issue number a (folded, lowercase) file name gives: "lan 2", "lan ban hanh 2", "v2",
/// "(2)"; 0 when it gives none.
fn issue_number(stem: &str) -> u32 {
    let words: Vec<&str> = stem
        .split(|c: char| c.is_whitespace() || matches!(c, '_' | '-'))
        .filter(|word| !word.is_empty())
        .collect();
    for (index, word) in words.iter().enumerate() {
        let after_lan = (*word == "lan")
            .then(|| {
                words[index + 1..]
                    .iter()
                    .find(|next| !matches!(**next, "ban" | "hanh" | "thu"))
            })
            .flatten()
            .and_then(|next| next.trim_matches(['(', ')', '.']).parse().ok());
        let tagged = word
            .strip_prefix('v')
            .or_else(|| word.strip_prefix("(v"))
            .map(|rest| rest.trim_start_matches('.').trim_end_matches(')'))
            .and_then(|number| number.parse().ok());
        let bracketed = word
            .strip_prefix('(')
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|number| number.parse().ok());
        if let Some(number) = after_lan.or(tagged).or(bracketed) {
            return number;
        }
    }
    0
}

/// A document kind from the folder names a file sits in (`quy-trinh`, `bieu-mau`…).
pub fn kind_from_folders(rel_path: &str) -> Option<DocumentKind> {
    let folded = crate::domain::text::fold_diacritics(&rel_path.to_lowercase());
    let folders: Vec<&str> = folded.split('/').collect();
    let folders = &folders[..folders.len().saturating_sub(1)];
    folders.iter().rev().find_map(|folder| {
        let folder = folder.replace([' ', '_'], "-");
        Some(match () {
            _ if folder.contains("quy-trinh") || folder.contains("procedure") => {
                DocumentKind::Procedure
            }
            _ if folder.contains("bieu-mau") || folder.contains("form") => DocumentKind::Form,
            _ if folder.contains("huong-dan") => DocumentKind::WorkInstruction,
            _ if folder.contains("chinh-sach") => DocumentKind::Policy,
            _ if folder.contains("muc-tieu") => DocumentKind::Objectives,
            _ if folder.contains("so-tay") => DocumentKind::Manual,
            _ if folder.contains("phap-ly") || folder.contains("van-ban") => DocumentKind::Legal,
            _ if folder.contains("ben-ngoai") => DocumentKind::External,
            _ => return None,
        })
    })
}

/// A document code from a file name when it looks like one (`QT-01`, `BM-02-QT05`, `QT.TTHC-05`).
pub fn code_from_name(stem: &str) -> Option<String> {
    let candidate = stem
        .split_whitespace()
        .next()?
        .trim_matches(['_', '-', '.']);
    let looks_like_code = candidate.len() <= 40
        && candidate.chars().any(|c| c.is_ascii_digit())
        && candidate.chars().any(|c| c.is_ascii_alphabetic())
        && candidate.contains(['-', '.'])
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    looks_like_code.then(|| candidate.to_uppercase())
}

fn title_from_name(stem: &str) -> String {
    let title: String = stem
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if title.is_empty() {
        stem.to_owned()
    } else {
        title
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_file_names_that_look_like_codes() {
        assert_eq!(
            code_from_name("QT-01 Quy trinh kiem soat").as_deref(),
            Some("QT-01")
        );
        assert_eq!(code_from_name("bm-02-qt05").as_deref(), Some("BM-02-QT05"));
        assert_eq!(code_from_name("QT.TTHC-05").as_deref(), Some("QT.TTHC-05"));
        assert_eq!(code_from_name("Báo cáo năm 2024"), None);
        assert_eq!(code_from_name("scan0001"), None);
    }

    #[test]
    fn folder_names_give_the_kind() {
        assert_eq!(
            kind_from_folders("Quy trình/QT-01.pdf"),
            Some(DocumentKind::Procedure)
        );
        assert_eq!(
            kind_from_folders("2024/bieu-mau/BM-01.docx"),
            Some(DocumentKind::Form)
        );
        assert_eq!(kind_from_folders("QT-01.pdf"), None);
    }

    fn plan(paths: &[&str]) -> Vec<(String, bool, bool)> {
        let root = Path::new("/kho");
        let files = paths.iter().map(|path| root.join(path)).collect();
        import_plan(root, files, true)
            .into_iter()
            .map(|planned| {
                let rel = planned
                    .path
                    .strip_prefix(root)
                    .unwrap()
                    .display()
                    .to_string();
                (rel, planned.shares_code, planned.earlier)
            })
            .collect()
    }

    #[test]
    fn a_documents_issues_are_imported_oldest_first_and_the_newest_last() {
        assert_eq!(
            plan(&[
                "BM-01 Phiếu.docx",
                "QT-01 Kiểm soát tài liệu.docx",
                "QT-01 Kiểm soát tài liệu lần 2.doc",
                "Hết hiệu lực/QT-01 Kiểm soát tài liệu.doc",
                "Thông báo.pdf",
            ]),
            [
                ("BM-01 Phiếu.docx".into(), false, false),
                (
                    "Hết hiệu lực/QT-01 Kiểm soát tài liệu.doc".into(),
                    true,
                    true
                ),
                ("QT-01 Kiểm soát tài liệu.docx".into(), true, true),
                ("QT-01 Kiểm soát tài liệu lần 2.doc".into(), true, false),
                ("Thông báo.pdf".into(), false, false),
            ]
        );
    }

    #[test]
    fn issue_numbers_are_read_as_people_write_them() {
        for (name, number) in [
            ("qt 01 lan 2", 2),
            ("qt 01 lan ban hanh 3", 3),
            ("qt 01 v4", 4),
            ("qt 01 (5)", 5),
            ("qt 01 kiem soat", 0),
        ] {
            assert_eq!(issue_number(name), number, "{name}");
        }
    }
}
