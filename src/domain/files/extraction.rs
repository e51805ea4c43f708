//! Extracting the text of files: the `extract_file` and `ocr_file` jobs, and re-running failed
//! extractions. The text is stored page by page; each owner linked to the file is then queued
//! for re-indexing.
//!
//! A failed extraction never blocks the file's owner: the file stays downloadable and usable,
//! and its `extraction` object says what happened. Failures caused by the file itself are final (the job
//! succeeds having recorded them); failures of the database or storage make the job retry.

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{owners, pages, save_pages};
use crate::{
    db::entities::file,
    domain::{DomainResult, indexing},
    extract::{self, ExtractError, Extracted, ocr},
    jobs::{self, JobContext, JobHandler, JobRegistry},
};

/// Job kind: extract the text of one file.
pub const EXTRACT_FILE: &str = "extract_file";
/// Job kind: OCR the pages of one file that have no text layer.
pub const OCR_FILE: &str = "ocr_file";

/// Registers the extraction job handlers.
pub fn register(registry: &mut JobRegistry) {
    registry.register(EXTRACT_FILE, ExtractFile);
    registry.register(OCR_FILE, OcrFile);
}

/// Queues extraction of a file, in the caller's transaction.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    file_id: Uuid,
    max_attempts: u32,
) -> DomainResult<()> {
    jobs::enqueue(db, EXTRACT_FILE, &json!({"file_id": file_id}), max_attempts).await?;
    Ok(())
}

/// Queues extraction again for every file whose extraction failed (and, when OCR is installed
/// now, those waiting for it). Returns how many were queued.
pub async fn retry_failed(
    conn: &DatabaseConnection,
    ocr_available: bool,
    max_attempts: u32,
) -> DomainResult<usize> {
    let mut statuses = vec!["failed"];
    if ocr_available {
        statuses.push("needs_ocr");
    }
    let files = file::Entity::find()
        .filter(file::Column::ExtractionStatus.is_in(statuses))
        .all(conn)
        .await?;
    for row in &files {
        let txn = crate::db::begin_write(conn).await?;
        set_status(&txn, row.id, "pending", None).await?;
        enqueue(&txn, row.id, max_attempts).await?;
        txn.commit().await?;
    }
    Ok(files.len())
}

fn file_id_of(payload: &serde_json::Value) -> anyhow::Result<Uuid> {
    payload["file_id"]
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(|| anyhow::anyhow!("the job payload has no file_id"))
}

/// Queues the re-indexing of every owner of a file, whose text just changed.
async fn reindex_owners(db: &impl ConnectionTrait, file_id: Uuid) -> DomainResult<()> {
    for (kind, unit) in owners(db, file_id).await? {
        indexing::enqueue(db, &kind, unit).await?;
    }
    Ok(())
}

async fn set_status(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: &str,
    error: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    file::ActiveModel {
        id: Set(id),
        extraction_status: Set(status.to_owned()),
        extraction_error: Set(error),
        updated_at: Set(Utc::now().trunc_subsecs(6)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

struct ExtractFile;

#[async_trait::async_trait]
impl JobHandler for ExtractFile {
    async fn run(&self, context: &JobContext, payload: &serde_json::Value) -> anyhow::Result<()> {
        let id = file_id_of(payload)?;
        let Some(row) = file::Entity::find_by_id(id).one(&context.db).await? else {
            return Ok(());
        };
        if row.extraction_status == "done" {
            return Ok(());
        }
        let limits = context.config.extract_limits();
        if row.size.max(0) as u64 > limits.max_input_bytes {
            let reason = format!(
                "the file is too large to read its text ({} MB; at most {} MB)",
                row.size / 1_048_576,
                limits.max_input_bytes / 1_048_576
            );
            set_status(&context.db, id, "failed", Some(reason)).await?;
            return Ok(());
        }
        set_status(&context.db, id, "running", None).await?;
        let bytes = context
            .blobs
            .read_capped(&row.blob_sha256, limits.max_input_bytes)
            .await?;
        let outcome = extract::extract_async(bytes, row.content_type.clone(), limits).await;
        let wants_ocr = match &outcome {
            Ok(extracted) => !extracted.pages_without_text.is_empty(),
            Err(error) => matches!(error, ExtractError::NeedsOcr),
        };
        let ocr_available = wants_ocr && ocr::available(&context.config.ocr_settings()).await;
        // The text, the status and the follow-up jobs land together: a crash in between would
        // leave a file marked done whose text never reaches the index.
        let txn = crate::db::begin_write(&context.db).await?;
        match outcome {
            Ok(extracted) => {
                let needs_ocr = !extracted.pages_without_text.is_empty();
                record(
                    &txn,
                    id,
                    &extracted,
                    if needs_ocr { "running" } else { "done" },
                )
                .await?;
                reindex_owners(&txn, id).await?;
                if needs_ocr {
                    queue_ocr(&txn, context, ocr_available, id).await?;
                }
            }
            Err(ExtractError::NeedsOcr) => {
                let empty = Extracted {
                    pages: vec![String::new()],
                    method: "ocr",
                    legacy_encoding: None,
                    pages_without_text: vec![1],
                    warnings: Vec::new(),
                };
                record(&txn, id, &empty, "running").await?;
                queue_ocr(&txn, context, ocr_available, id).await?;
            }
            Err(error) => {
                tracing::warn!(file = %id, %error, "text extraction failed");
                set_status(&txn, id, "failed", Some(error.to_string())).await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }
}

async fn record(
    db: &impl ConnectionTrait,
    id: Uuid,
    extracted: &Extracted,
    status: &str,
) -> DomainResult<()> {
    save_pages(db, id, &extracted.pages).await?;
    file::ActiveModel {
        id: Set(id),
        extraction_status: Set(status.to_owned()),
        extraction_method: Set(Some(extracted.method.to_owned())),
        extraction_pages: Set(Some(
            i32::try_from(extracted.pages.len()).unwrap_or(i32::MAX),
        )),
        extraction_legacy_encoding: Set(extracted
            .legacy_encoding
            .map(|encoding| encoding.as_str().to_owned())),
        extraction_error: Set(None),
        ocr_pages_done: Set(None),
        updated_at: Set(Utc::now().trunc_subsecs(6)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Queues OCR when Tesseract is installed; otherwise marks the file `needs_ocr`.
async fn queue_ocr(
    db: &impl ConnectionTrait,
    context: &JobContext,
    available: bool,
    id: Uuid,
) -> anyhow::Result<()> {
    if available {
        jobs::enqueue(
            db,
            OCR_FILE,
            &json!({"file_id": id}),
            context.config.job_max_attempts,
        )
        .await?;
    } else {
        let settings = context.config.ocr_settings();
        set_status(
            db,
            id,
            "needs_ocr",
            Some(format!(
                "scanned pages need OCR, but {} with the languages {} is not installed",
                settings.tesseract, settings.languages
            )),
        )
        .await?;
    }
    Ok(())
}

struct OcrFile;

#[async_trait::async_trait]
impl JobHandler for OcrFile {
    async fn run(&self, context: &JobContext, payload: &serde_json::Value) -> anyhow::Result<()> {
        let id = file_id_of(payload)?;
        let Some(row) = file::Entity::find_by_id(id).one(&context.db).await? else {
            return Ok(());
        };
        let settings = context.config.ocr_settings();
        if !ocr::available(&settings).await {
            set_status(
                &context.db,
                id,
                "needs_ocr",
                Some("OCR is not installed".into()),
            )
            .await?;
            return Ok(());
        }
        let mut pages: Vec<String> = pages(&context.db, id).await?;
        if pages.is_empty() {
            pages.push(String::new());
        }
        let scratch = context.config.data_dir.join("tmp");
        std::fs::create_dir_all(&scratch)?;
        let work = tempfile::Builder::new()
            .prefix("ocr-")
            .tempdir_in(&scratch)?;
        let input = work.path().join(if row.content_type == "application/pdf" {
            "input.pdf"
        } else {
            "input.img"
        });
        context
            .blobs
            .write_to_file(&row.blob_sha256, &input)
            .await?;
        let todo: Vec<usize> = pages
            .iter()
            .enumerate()
            .filter(|(_, text)| text.chars().filter(|c| !c.is_whitespace()).count() < 3)
            .map(|(index, _)| index)
            .collect();
        let mut failures = Vec::new();
        for (done, index) in todo.iter().enumerate() {
            let image = if row.content_type == "application/pdf" {
                match ocr::render_pdf_page(&settings, &input, *index as u32 + 1, work.path()).await
                {
                    Ok(image) => image,
                    Err(error) => {
                        failures.push(format!("page {}: {error}", index + 1));
                        continue;
                    }
                }
            } else {
                input.clone()
            };
            match ocr::image_text(&settings, &image).await {
                Ok(text) => pages[*index] = extract::legacy_vn::repair(&text).0,
                Err(error) => failures.push(format!("page {}: {error}", index + 1)),
            }
            file::ActiveModel {
                id: Set(id),
                ocr_pages_done: Set(Some(i32::try_from(done + 1).unwrap_or(i32::MAX))),
                ..Default::default()
            }
            .update(&context.db)
            .await?;
        }
        let txn = crate::db::begin_write(&context.db).await?;
        save_pages(&txn, id, &pages).await?;
        let method = if row.content_type == "application/pdf" {
            "pdf+ocr"
        } else {
            "ocr"
        };
        let (status, error) = if failures.is_empty() || failures.len() < todo.len() {
            ("done", (!failures.is_empty()).then(|| failures.join("; ")))
        } else {
            ("failed", Some(failures.join("; ")))
        };
        file::ActiveModel {
            id: Set(id),
            extraction_status: Set(status.into()),
            extraction_method: Set(Some(method.into())),
            extraction_error: Set(error),
            updated_at: Set(Utc::now().trunc_subsecs(6)),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        reindex_owners(&txn, id).await?;
        txn.commit().await?;
        Ok(())
    }
}
