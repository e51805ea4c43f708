//! Extracting the text of files: the `extract_file` job (lane `extract`), OCR of the pages
//! without a text layer by `ocr_file` jobs (lane `ocr`), and re-running failed extractions. The
//! text is stored page by page; each owner linked to the file is then queued for re-indexing.
//!
//! OCR reads one page per job and queues the next page at the back of the lane, so the pages of
//! several scans take turns: a long scan does not hold every other scan behind it, and a file's
//! status says `queued` while it waits and `running` (with pages done of total) while read.
//!
//! A failed extraction never blocks the file's owner: the file stays downloadable and usable,
//! and its `extraction` object says what happened. Failures caused by the file itself are final (the job
//! succeeds having recorded them); failures of the database or storage make the job retry.

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{owners, pages, save_page, save_pages};
use crate::{
    db::entities::file::{self, ExtractionStatus},
    domain::{DomainResult, indexing},
    extract::{self, ExtractError, Extracted, ocr},
    jobs::{self, Handler, Job, JobContext, JobRegistry, Lane},
};

/// Extract the text of one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExtractFile {
    pub file_id: Uuid,
}

impl Job for ExtractFile {
    const KIND: &'static str = "extract_file";
    const LANE: Lane = Lane::Extract;
}

/// OCR the next of a file's pages without a text layer; the rest follow in a job of their own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OcrFile {
    pub file_id: Uuid,
    /// The pages still to read (1-based), the next first.
    #[serde(default)]
    pub pages: Vec<u32>,
    /// Pages read so far that OCR could not read, with why.
    #[serde(default)]
    pub failures: Vec<String>,
}

impl Job for OcrFile {
    const KIND: &'static str = "ocr_file";
    const LANE: Lane = Lane::Ocr;
}

/// Registers the extraction job handlers.
pub fn register(registry: &mut JobRegistry) {
    registry.add::<ExtractFile>(Extract);
    registry.add::<OcrFile>(Ocr);
}

/// Queues extraction of a file, in the caller's transaction.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    file_id: Uuid,
    max_attempts: u32,
) -> DomainResult<()> {
    jobs::submit(db, &ExtractFile { file_id }, max_attempts).await?;
    Ok(())
}

/// Queues extraction again for every file whose extraction failed (and, when OCR is installed
/// now, those waiting for it). Returns how many were queued.
pub async fn retry_failed(
    conn: &DatabaseConnection,
    ocr_available: bool,
    max_attempts: u32,
) -> DomainResult<usize> {
    let mut statuses = vec![ExtractionStatus::Failed];
    if ocr_available {
        statuses.push(ExtractionStatus::NeedsOcr);
    }
    let files = file::Entity::find()
        .filter(file::Column::ExtractionStatus.is_in(statuses))
        .all(conn)
        .await?;
    for row in &files {
        let txn = crate::db::begin_write(conn).await?;
        set_status(&txn, row.id, ExtractionStatus::Queued, None).await?;
        enqueue(&txn, row.id, max_attempts).await?;
        txn.commit().await?;
    }
    Ok(files.len())
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
    status: ExtractionStatus,
    error: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    file::ActiveModel {
        id: Set(id),
        extraction_status: Set(status),
        extraction_error: Set(error),
        updated_at: Set(Utc::now().trunc_subsecs(6)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

struct Extract;

#[async_trait::async_trait]
impl Handler<ExtractFile> for Extract {
    async fn run(&self, context: &JobContext, job: ExtractFile) -> anyhow::Result<()> {
        let id = job.file_id;
        let Some(row) = file::Entity::find_by_id(id).one(&context.db).await? else {
            return Ok(());
        };
        if row.extraction_status == ExtractionStatus::Done {
            return Ok(());
        }
        let limits = context.config.extract_limits();
        if row.size.max(0) as u64 > limits.max_input_bytes {
            let reason = format!(
                "the file is too large to read its text ({} MB; at most {} MB)",
                row.size / 1_048_576,
                limits.max_input_bytes / 1_048_576
            );
            set_status(&context.db, id, ExtractionStatus::Failed, Some(reason)).await?;
            return Ok(());
        }
        set_status(&context.db, id, ExtractionStatus::Running, None).await?;
        let bytes = context
            .blobs
            .read_capped(&row.blob_sha256, limits.max_input_bytes)
            .await?;
        let outcome = extract::extract_async(bytes, row.content_type.clone(), limits).await;
        let ocr_pages = match &outcome {
            Ok(extracted) => extracted.pages_without_text.clone(),
            Err(ExtractError::NeedsOcr) => vec![1],
            Err(_) => Vec::new(),
        };
        let wants_ocr = !ocr_pages.is_empty();
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
                    if needs_ocr {
                        ExtractionStatus::Queued
                    } else {
                        ExtractionStatus::Done
                    },
                )
                .await?;
                // The pages with text are searchable at once; the scanned ones follow.
                reindex_owners(&txn, id).await?;
                if needs_ocr {
                    queue_ocr(&txn, context, ocr_available, id, ocr_pages).await?;
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
                record(&txn, id, &empty, ExtractionStatus::Queued).await?;
                queue_ocr(&txn, context, ocr_available, id, ocr_pages).await?;
            }
            Err(error) => {
                tracing::warn!(file = %id, %error, "text extraction failed");
                set_status(&txn, id, ExtractionStatus::Failed, Some(error.to_string())).await?;
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
    status: ExtractionStatus,
) -> DomainResult<()> {
    save_pages(db, id, &extracted.pages).await?;
    file::ActiveModel {
        id: Set(id),
        extraction_status: Set(status),
        extraction_method: Set(Some(extracted.method.to_owned())),
        extraction_pages: Set(Some(
            i32::try_from(extracted.pages.len()).unwrap_or(i32::MAX),
        )),
        extraction_legacy_encoding: Set(extracted
            .legacy_encoding
            .map(|encoding| encoding.as_str().to_owned())),
        extraction_error: Set(None),
        ocr_pages_done: Set(None),
        ocr_pages_total: Set(None),
        updated_at: Set(Utc::now().trunc_subsecs(6)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Queues OCR of `pages` when Tesseract is installed; otherwise marks the file `needs_ocr`.
async fn queue_ocr(
    db: &impl ConnectionTrait,
    context: &JobContext,
    available: bool,
    id: Uuid,
    pages: Vec<u32>,
) -> anyhow::Result<()> {
    if available {
        file::ActiveModel {
            id: Set(id),
            ocr_pages_done: Set(Some(0)),
            ocr_pages_total: Set(Some(i32::try_from(pages.len()).unwrap_or(i32::MAX))),
            ..Default::default()
        }
        .update(db)
        .await?;
        let job = OcrFile {
            file_id: id,
            pages,
            failures: Vec::new(),
        };
        jobs::submit(db, &job, context.config.job_max_attempts).await?;
    } else {
        let settings = context.config.ocr_settings();
        set_status(
            db,
            id,
            ExtractionStatus::NeedsOcr,
            Some(format!(
                "scanned pages need OCR, but {} with the languages {} is not installed",
                settings.tesseract, settings.languages
            )),
        )
        .await?;
    }
    Ok(())
}

struct Ocr;

#[async_trait::async_trait]
impl Handler<OcrFile> for Ocr {
    async fn run(&self, context: &JobContext, job: OcrFile) -> anyhow::Result<()> {
        let id = job.file_id;
        let Some(row) = file::Entity::find_by_id(id).one(&context.db).await? else {
            return Ok(());
        };
        let settings = context.config.ocr_settings();
        if !ocr::available(&settings).await {
            set_status(
                &context.db,
                id,
                ExtractionStatus::NeedsOcr,
                Some("OCR is not installed".into()),
            )
            .await?;
            return Ok(());
        }
        let mut remaining = job.pages.clone();
        if remaining.is_empty() {
            // A job queued before OCR went page by page: every page without text.
            remaining = pages(&context.db, id)
                .await?
                .iter()
                .enumerate()
                .filter(|(_, text)| text.chars().filter(|c| !c.is_whitespace()).count() < 3)
                .map(|(index, _)| index as u32 + 1)
                .collect();
            if remaining.is_empty() {
                remaining.push(1);
            }
        }
        let page = remaining.remove(0);
        set_status(&context.db, id, ExtractionStatus::Running, None).await?;
        let mut failures = job.failures;
        match read_page(context, &row, page).await {
            Ok(text) => {
                let txn = crate::db::begin_write(&context.db).await?;
                save_page(&txn, id, page, &text).await?;
                txn.commit().await?;
            }
            Err(error) => failures.push(format!("page {page}: {error}")),
        }
        let txn = crate::db::begin_write(&context.db).await?;
        let done = row.ocr_pages_done.unwrap_or(0) + 1;
        if remaining.is_empty() {
            let method = if row.content_type == "application/pdf" {
                "pdf+ocr"
            } else {
                "ocr"
            };
            let read = row.ocr_pages_total.unwrap_or(done) as usize;
            let (status, error) = if failures.len() < read.max(1) {
                (
                    ExtractionStatus::Done,
                    (!failures.is_empty()).then(|| failures.join("; ")),
                )
            } else {
                (ExtractionStatus::Failed, Some(failures.join("; ")))
            };
            file::ActiveModel {
                id: Set(id),
                extraction_status: Set(status),
                extraction_method: Set(Some(method.into())),
                extraction_error: Set(error),
                ocr_pages_done: Set(Some(done)),
                updated_at: Set(Utc::now().trunc_subsecs(6)),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            reindex_owners(&txn, id).await?;
            if let Err(error) = tokio::fs::remove_file(ocr_input(context, &row)).await {
                tracing::debug!(file = %id, %error, "no local copy to remove after OCR");
            }
        } else {
            file::ActiveModel {
                id: Set(id),
                extraction_status: Set(ExtractionStatus::Queued),
                ocr_pages_done: Set(Some(done)),
                updated_at: Set(Utc::now().trunc_subsecs(6)),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            // The next page waits at the back of the lane: other scans' pages take their turn.
            let next = OcrFile {
                file_id: id,
                pages: remaining,
                failures,
            };
            jobs::submit(&txn, &next, context.config.job_max_attempts).await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

/// The local copy OCR reads a file from, kept while its pages are read (streamed from the blob
/// store once, not once per page).
fn ocr_input(context: &JobContext, row: &file::Model) -> std::path::PathBuf {
    let extension = if row.content_type == "application/pdf" {
        "pdf"
    } else {
        "img"
    };
    context
        .config
        .data_dir
        .join("tmp")
        .join(format!("ocr-{}.{extension}", row.id))
}

/// Reads one page of a file by OCR: a PDF page rendered by pdftoppm, or the image itself.
async fn read_page(context: &JobContext, row: &file::Model, page: u32) -> anyhow::Result<String> {
    let settings = context.config.ocr_settings();
    let input = ocr_input(context, row);
    let scratch = input
        .parent()
        .unwrap_or(&context.config.data_dir)
        .to_path_buf();
    tokio::fs::create_dir_all(&scratch).await?;
    if !tokio::fs::try_exists(&input).await.unwrap_or(false) {
        // Written under another name first: a crash midway never leaves half a file to read.
        let partial = input.with_extension("part");
        context
            .blobs
            .write_to_file(&row.blob_sha256, &partial)
            .await?;
        tokio::fs::rename(&partial, &input).await?;
    }
    let work = tempfile::Builder::new()
        .prefix("ocr-page-")
        .tempdir_in(&scratch)?;
    let is_pdf = row.content_type == "application/pdf";
    let image = if is_pdf {
        ocr::render_pdf_page(&settings, &input, page, work.path())
            .await
            .map_err(anyhow::Error::msg)?
    } else {
        input
    };
    let text = ocr::image_text(&settings, &image)
        .await
        .map_err(anyhow::Error::msg)?;
    Ok(extract::legacy_vn::repair(&text).0)
}
