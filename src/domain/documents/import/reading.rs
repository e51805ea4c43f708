//! Reading the files of an import ahead of their recording: each file's hash (unchanged since
//! the last run?), type, text, title and issue day, and its bytes stored. Nothing here writes to
//! the database.

pub(super) async fn sha256_of(path: &Path) -> std::io::Result<(String, u64)> {
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

use std::{collections::HashMap, path::Path};

use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;
use unicode_normalization::UnicodeNormalization;

use super::{
    PlannedFile, code_from_name,
    folder::{kind_from_folders, title_from_name},
};
use crate::{
    blobs::BlobStore,
    config::Config,
    db::entities::import,
    domain::{
        DomainError, DomainResult,
        documents::{DocumentKind, titles},
        files::{UploadedFile, clean_filename},
    },
    extract, filetype,
    i18n::Message,
};

/// The first heading-like line of the text, for the title of a file that does not read like an
/// administrative document.
pub(super) fn first_heading(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|line| line.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .map(|line| line.chars().take(300).collect())
}

/// A file read from the folder, ready to record.
pub(super) struct ReadFile {
    pub(super) rel_path: String,
    pub(super) sha256: String,
    /// The import record of the same path, when an earlier run imported it.
    pub(super) previous: Option<import::Model>,
    pub(super) stem: String,
    pub(super) title: String,
    pub(super) kind: DocumentKind,
    /// An earlier issue of a document imported in force: its issue day, from its text.
    pub(super) issued_on: Option<chrono::NaiveDate>,
    /// Stored in the blob store (not in a dry run).
    pub(super) uploaded: Option<UploadedFile>,
    pub(super) shares_code: bool,
}

pub(super) enum Read {
    /// The same bytes as when the path was imported last.
    Unchanged,
    Ready(Box<ReadFile>),
}

/// What reading a file needs, shared by the tasks that read.
pub(super) struct Reading {
    /// The import records of earlier runs, by relative path.
    pub(super) imported: HashMap<String, import::Model>,
    pub(super) blobs: BlobStore,
    pub(super) config: Config,
    pub(super) kind: Option<DocumentKind>,
    pub(super) root: std::path::PathBuf,
    pub(super) dry_run: bool,
    pub(super) effective_from: Option<chrono::NaiveDate>,
}

impl Reading {
    /// Reads one file: its hash (unchanged since the last import?), type, text, title and issue
    /// day, and stores its bytes. Writes nothing to the database.
    pub(super) async fn read(&self, planned: &PlannedFile) -> DomainResult<Read> {
        let path = planned.path.as_path();
        let Reading {
            imported,
            blobs,
            config,
            kind,
            root,
            dry_run,
            effective_from,
        } = self;
        let (kind, dry_run, effective_from) = (*kind, *dry_run, *effective_from);
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
        // Only this file writes the import record of its path, so the one read at the start is
        // still the one to compare with.
        let previous = imported.get(&rel_path).cloned();
        if previous.as_ref().is_some_and(|row| row.sha256 == sha256) {
            return Ok(Read::Unchanged);
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
        let content_type =
            filetype::detect(&head, &filename).map_err(DomainError::UnsupportedType)?;
        let stem = Path::new(&filename)
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
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
        let issued_on = if planned.earlier && effective_from.is_some() {
            Some(
                text.as_deref()
                    .and_then(titles::issue_date)
                    .ok_or_else(|| {
                        let code = code_from_name(&stem).unwrap_or_else(|| stem.clone());
                        DomainError::invalid(
                            "file",
                            Message::new("import_no_issue_date").arg("code", code),
                        )
                    })?,
            )
        } else {
            None
        };
        let kind = kind
            .or_else(|| kind_from_folders(&rel_path))
            .unwrap_or(DocumentKind::Other);
        let uploaded = if dry_run {
            None
        } else {
            let body = ReaderStream::new(tokio::fs::File::open(path).await.map_err(io)?);
            let blob = blobs
                .put_stream(body, Some(&sha256), config.max_upload_bytes)
                .await?;
            Some(UploadedFile {
                blob,
                original_filename: filename,
                content_type,
                text: extracted,
            })
        };
        Ok(Read::Ready(Box::new(ReadFile {
            rel_path,
            sha256,
            previous,
            stem,
            title,
            kind,
            issued_on,
            uploaded,
            shares_code: planned.shares_code,
        })))
    }
}
