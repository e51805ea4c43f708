//! Extracting the text of uploaded versions: the `extract_text` and `ocr_version` jobs, the
//! stored text, and re-running failed extractions.
//!
//! A failed extraction never blocks the version: it stays downloadable and usable, and its
//! `extraction` object says what happened. Failures caused by the file itself are final (the job
//! succeeds having recorded them); failures of the database or storage make the job retry.

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::readable_version;
use crate::{
    db::entities::{document_version, version_text},
    domain::{Actor, DomainResult},
    extract::{self, ExtractError, Extracted, ocr},
    jobs::{self, JobContext, JobHandler, JobRegistry},
};

/// Job kind: extract the text of one version.
pub const EXTRACT_TEXT: &str = "extract_text";
/// Job kind: OCR the pages of one version that have no text layer.
pub const OCR_VERSION: &str = "ocr_version";

/// Registers the extraction job handlers.
pub fn register(registry: &mut JobRegistry) {
    registry.register(EXTRACT_TEXT, ExtractText);
    registry.register(OCR_VERSION, OcrVersion);
}

/// Queues extraction of a version, in the caller's transaction.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    version_id: Uuid,
    max_attempts: u32,
) -> DomainResult<()> {
    jobs::enqueue(
        db,
        EXTRACT_TEXT,
        &json!({"version_id": version_id}),
        max_attempts,
    )
    .await?;
    Ok(())
}

/// The extracted text of a version, as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionText {
    pub version_id: Uuid,
    /// `pending`, `running`, `done`, `failed` or `needs_ocr`.
    pub status: String,
    /// The text of each page (one entry for formats without pages).
    pub pages: Vec<String>,
}

/// The stored text of a version the actor may read.
pub async fn version_text(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<VersionText> {
    let (version, _) = readable_version(db, actor, id).await?;
    let stored = version_text::Entity::find_by_id(id).one(db).await?;
    Ok(VersionText {
        version_id: id,
        status: version.extraction_status,
        pages: stored
            .map(|row| row.text.split('\u{000C}').map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

/// Queues extraction again for every version whose extraction failed (and, when OCR is
/// installed now, those waiting for it). Returns how many were queued.
pub async fn retry_failed(
    conn: &DatabaseConnection,
    ocr_available: bool,
    max_attempts: u32,
) -> DomainResult<usize> {
    let mut statuses = vec!["failed"];
    if ocr_available {
        statuses.push("needs_ocr");
    }
    let versions = document_version::Entity::find()
        .filter(document_version::Column::ExtractionStatus.is_in(statuses))
        .all(conn)
        .await?;
    for version in &versions {
        let txn = crate::db::begin_write(conn).await?;
        set_status(&txn, version.id, "pending", None).await?;
        enqueue(&txn, version.id, max_attempts).await?;
        txn.commit().await?;
    }
    Ok(versions.len())
}

fn version_id_of(payload: &serde_json::Value) -> anyhow::Result<Uuid> {
    payload["version_id"]
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(|| anyhow::anyhow!("the job payload has no version_id"))
}

async fn set_status(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: &str,
    error: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    document_version::ActiveModel {
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

async fn save_text(
    db: &impl ConnectionTrait,
    id: Uuid,
    pages: &[String],
) -> Result<(), sea_orm::DbErr> {
    let row = version_text::ActiveModel {
        version_id: Set(id),
        text: Set(pages.join("\u{000C}")),
        pages: Set(i32::try_from(pages.len()).unwrap_or(i32::MAX)),
        updated_at: Set(Utc::now().trunc_subsecs(6)),
    };
    if version_text::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some()
    {
        row.update(db).await?;
    } else {
        row.insert(db).await?;
    }
    Ok(())
}

struct ExtractText;

#[async_trait::async_trait]
impl JobHandler for ExtractText {
    async fn run(&self, context: &JobContext, payload: &serde_json::Value) -> anyhow::Result<()> {
        let id = version_id_of(payload)?;
        let Some(version) = document_version::Entity::find_by_id(id)
            .one(&context.db)
            .await?
        else {
            return Ok(());
        };
        if version.extraction_status == "done" {
            return Ok(());
        }
        set_status(&context.db, id, "running", None).await?;
        let bytes = context.blobs.read_all(&version.blob_sha256).await?;
        let limits = context.config.extract_limits();
        let outcome = extract::extract_async(bytes, version.content_type.clone(), limits).await;
        let wants_ocr = match &outcome {
            Ok(extracted) => !extracted.pages_without_text.is_empty(),
            Err(error) => matches!(error, ExtractError::NeedsOcr),
        };
        let ocr_available = wants_ocr && ocr::available(&context.config.ocr_settings()).await;
        // The text, the status and the follow-up jobs land together: a crash in between would
        // leave a version marked done whose text never reaches the index.
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
                super::indexing::enqueue_index(&txn, version.document_id).await?;
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
                tracing::warn!(version = %id, %error, "text extraction failed");
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
) -> Result<(), sea_orm::DbErr> {
    save_text(db, id, &extracted.pages).await?;
    document_version::ActiveModel {
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

/// Queues OCR when Tesseract is installed; otherwise marks the version `needs_ocr`.
async fn queue_ocr(
    db: &impl ConnectionTrait,
    context: &JobContext,
    available: bool,
    id: Uuid,
) -> anyhow::Result<()> {
    if available {
        jobs::enqueue(
            db,
            OCR_VERSION,
            &json!({"version_id": id}),
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

struct OcrVersion;

#[async_trait::async_trait]
impl JobHandler for OcrVersion {
    async fn run(&self, context: &JobContext, payload: &serde_json::Value) -> anyhow::Result<()> {
        let id = version_id_of(payload)?;
        let Some(version) = document_version::Entity::find_by_id(id)
            .one(&context.db)
            .await?
        else {
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
        let mut pages: Vec<String> = version_text::Entity::find_by_id(id)
            .one(&context.db)
            .await?
            .map(|row| row.text.split('\u{000C}').map(str::to_owned).collect())
            .unwrap_or_else(|| vec![String::new()]);
        let scratch = context.config.data_dir.join("tmp");
        std::fs::create_dir_all(&scratch)?;
        let work = tempfile::Builder::new()
            .prefix("ocr-")
            .tempdir_in(&scratch)?;
        let bytes = context.blobs.read_all(&version.blob_sha256).await?;
        let input = work
            .path()
            .join(if version.content_type == "application/pdf" {
                "input.pdf"
            } else {
                "input.img"
            });
        tokio::fs::write(&input, &bytes).await?;
        let todo: Vec<usize> = pages
            .iter()
            .enumerate()
            .filter(|(_, text)| text.chars().filter(|c| !c.is_whitespace()).count() < 3)
            .map(|(index, _)| index)
            .collect();
        let mut failures = Vec::new();
        for (done, index) in todo.iter().enumerate() {
            let image = if version.content_type == "application/pdf" {
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
            document_version::ActiveModel {
                id: Set(id),
                ocr_pages_done: Set(Some(i32::try_from(done + 1).unwrap_or(i32::MAX))),
                ..Default::default()
            }
            .update(&context.db)
            .await?;
        }
        let txn = crate::db::begin_write(&context.db).await?;
        save_text(&txn, id, &pages).await?;
        let method = if version.content_type == "application/pdf" {
            "pdf+ocr"
        } else {
            "ocr"
        };
        let (status, error) = if failures.is_empty() || failures.len() < todo.len() {
            ("done", (!failures.is_empty()).then(|| failures.join("; ")))
        } else {
            ("failed", Some(failures.join("; ")))
        };
        document_version::ActiveModel {
            id: Set(id),
            extraction_status: Set(status.into()),
            extraction_method: Set(Some(method.into())),
            extraction_error: Set(error),
            updated_at: Set(Utc::now().trunc_subsecs(6)),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        super::indexing::enqueue_index(&txn, version.document_id).await?;
        txn.commit().await?;
        Ok(())
    }
}
