//! PDF renditions of word-processor files: most agency procedures are DOCX, DOC or ODT, and a
//! browser shows none of them nor can a controlled copy be stamped on them. Each such upload
//! queues a `render_pdf` job (lane `render`) that has LibreOffice make its PDF once per content
//! (`renditions`, by the source's SHA-256); the PDF is stored as a blob of its own and used for
//! the preview in the browser, the viewer and stamped copies. A file stored before renditions
//! existed gets its job the first time its PDF is asked for.

use chrono::{Duration, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};

use crate::{
    db::{
        self,
        entities::{
            blob, file,
            rendition::{self, RenditionStatus},
        },
    },
    domain::{DomainError, DomainResult},
    i18n::Message,
    jobs::{self, Handler, Job, JobContext, JobRegistry, Lane},
    render::{self, RenderError},
};

/// Make the PDF of the word-processor file stored under `sha256`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RenderPdf {
    pub sha256: String,
}

impl Job for RenderPdf {
    const KIND: &'static str = "render_pdf";
    const LANE: Lane = Lane::Render;
    const DEDUPLICATE: bool = true;
}

/// A rendition whose LibreOffice was missing is tried again when asked for after this long
/// (the operator may have installed it since).
const RETRY_UNAVAILABLE_AFTER: Duration = Duration::minutes(10);

/// Registers the rendition job handler.
pub fn register(registry: &mut JobRegistry) {
    registry.add::<RenderPdf>(Render);
}

/// The PDF bytes to show or stamp for a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfBlob {
    pub sha256: String,
    pub size: u64,
    /// True when the PDF was made from the file (not the file itself).
    pub rendition: bool,
}

/// Queues the rendition of a word-processor file unless its content has one (made or
/// waiting), inside the caller's transaction. Other files need none.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    row: &file::Model,
    max_attempts: u32,
) -> DomainResult<()> {
    if !render::is_convertible(&row.content_type) {
        return Ok(());
    }
    let now = Utc::now().trunc_subsecs(6);
    let inserted = rendition::Entity::insert(rendition::ActiveModel {
        source_sha256: Set(row.blob_sha256.clone()),
        status: Set(RenditionStatus::Queued),
        pdf_sha256: Set(None),
        pdf_size: Set(None),
        error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(rendition::Column::SourceSha256)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted > 0 {
        jobs::submit(
            db,
            &RenderPdf {
                sha256: row.blob_sha256.clone(),
            },
            max_attempts,
        )
        .await?;
    }
    Ok(())
}

/// The PDF of a file: the file itself when it is a PDF, else its rendition. When the rendition
/// is not ready the answer says why in the reader's words (being made, LibreOffice missing, the
/// file could not be converted), always offering the original; a file that has no rendition
/// yet (stored before renditions existed) gets its job queued.
pub async fn pdf_of(
    conn: &DatabaseConnection,
    row: &file::Model,
    max_attempts: u32,
) -> DomainResult<PdfBlob> {
    if row.content_type == "application/pdf" {
        return Ok(PdfBlob {
            sha256: row.blob_sha256.clone(),
            size: row.size.max(0) as u64,
            rendition: false,
        });
    }
    if !render::is_convertible(&row.content_type) {
        return Err(DomainError::Conflict(
            Message::new("no_pdf_of_type").arg("content_type", &row.content_type),
        ));
    }
    let found = rendition::Entity::find_by_id(row.blob_sha256.clone())
        .one(conn)
        .await?;
    let Some(found) = found else {
        let txn = db::begin_write(conn).await?;
        enqueue(&txn, row, max_attempts).await?;
        txn.commit().await?;
        return Err(DomainError::Conflict(Message::new("rendition_pending")));
    };
    match (found.status, found.pdf_sha256) {
        (RenditionStatus::Ready, Some(sha256)) => Ok(PdfBlob {
            sha256,
            size: found.pdf_size.unwrap_or(0).max(0) as u64,
            rendition: true,
        }),
        (RenditionStatus::Failed, _) => Err(DomainError::Conflict(
            Message::new("rendition_failed").arg("detail", found.error.unwrap_or_default()),
        )),
        (status @ (RenditionStatus::Unavailable | RenditionStatus::Interrupted), _) => {
            if Utc::now() - found.updated_at > RETRY_UNAVAILABLE_AFTER {
                let txn = db::begin_write(conn).await?;
                set_status(&txn, &row.blob_sha256, RenditionStatus::Queued, None).await?;
                jobs::submit(
                    &txn,
                    &RenderPdf {
                        sha256: row.blob_sha256.clone(),
                    },
                    max_attempts,
                )
                .await?;
                txn.commit().await?;
                return Err(DomainError::Conflict(Message::new("rendition_pending")));
            }
            Err(DomainError::Conflict(match status {
                RenditionStatus::Interrupted => Message::new("rendition_interrupted"),
                _ => Message::new("rendition_unavailable"),
            }))
        }
        _ => Err(DomainError::Conflict(Message::new("rendition_pending"))),
    }
}

/// The PDFs of renditions, which the blob store keeps like the files they were made from.
pub async fn pdf_hashes(db: &impl ConnectionTrait) -> DomainResult<Vec<String>> {
    Ok(rendition::Entity::find()
        .filter(rendition::Column::PdfSha256.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| row.pdf_sha256)
        .collect())
}

/// Whether a rendition's PDF is stored under `sha256`.
pub async fn is_rendition_pdf(db: &impl ConnectionTrait, sha256: &str) -> DomainResult<bool> {
    Ok(rendition::Entity::find()
        .filter(rendition::Column::PdfSha256.eq(sha256))
        .one(db)
        .await?
        .is_some())
}

/// Forgets the rendition made of `sha256` (whose content is being removed); its PDF, then
/// unreferenced, goes at the next clean-up.
pub async fn forget(db: &impl ConnectionTrait, sha256: &str) -> DomainResult<()> {
    rendition::Entity::delete_by_id(sha256.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

async fn set_status(
    db: &impl ConnectionTrait,
    sha256: &str,
    status: RenditionStatus,
    error: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    rendition::ActiveModel {
        source_sha256: Set(sha256.to_owned()),
        status: Set(status),
        error: Set(error),
        updated_at: Set(Utc::now().trunc_subsecs(6)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

struct Render;

#[async_trait::async_trait]
impl Handler<RenderPdf> for Render {
    async fn run(&self, context: &JobContext, job: RenderPdf) -> anyhow::Result<()> {
        let sha256 = job.sha256;
        let Some(found) = rendition::Entity::find_by_id(sha256.clone())
            .one(&context.db)
            .await?
        else {
            return Ok(());
        };
        if found.status == RenditionStatus::Ready {
            return Ok(());
        }
        // Any file of this content tells its type (they all have the same bytes).
        let Some(source) = file::Entity::find()
            .filter(file::Column::BlobSha256.eq(&sha256))
            .one(&context.db)
            .await?
        else {
            forget(&context.db, &sha256).await?;
            return Ok(());
        };
        let settings = context.config.render_settings();
        if !render::available(&settings).await {
            let reason = format!("{} does not answer", settings.soffice);
            set_status(
                &context.db,
                &sha256,
                RenditionStatus::Unavailable,
                Some(reason),
            )
            .await?;
            return Ok(());
        }
        if source.size.max(0) as u64 > settings.max_bytes {
            let reason = format!(
                "the file is too large to convert ({} MB; at most {} MB)",
                source.size / 1_048_576,
                settings.max_bytes / 1_048_576
            );
            set_status(&context.db, &sha256, RenditionStatus::Failed, Some(reason)).await?;
            return Ok(());
        }
        set_status(&context.db, &sha256, RenditionStatus::Running, None).await?;
        match make(context, &sha256, &settings, &source.content_type).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(RenderError::Unavailable(reason))) => {
                set_status(
                    &context.db,
                    &sha256,
                    RenditionStatus::Unavailable,
                    Some(reason),
                )
                .await?;
                Ok(())
            }
            Ok(Err(RenderError::Failed(reason))) => {
                tracing::warn!(%sha256, %reason, "LibreOffice could not make a PDF");
                set_status(&context.db, &sha256, RenditionStatus::Failed, Some(reason)).await?;
                Ok(())
            }
            // The machine, not the file (reading it, storing the PDF): the job is tried again,
            // and meanwhile the rendition says so rather than "being made" — a job out of
            // attempts leaves it so, and asking later queues it again.
            Ok(Err(RenderError::Io(error))) => interrupted(context, &sha256, error.into()).await,
            Err(error) => interrupted(context, &sha256, error).await,
        }
    }
}

async fn interrupted(
    context: &JobContext,
    sha256: &str,
    error: anyhow::Error,
) -> anyhow::Result<()> {
    set_status(
        &context.db,
        sha256,
        RenditionStatus::Interrupted,
        Some(error.to_string()),
    )
    .await?;
    Err(error)
}

/// Converts the blob `sha256` and keeps its PDF as a blob, the rendition ready; what
/// LibreOffice refused is the inner error, what the machine failed the outer one.
async fn make(
    context: &JobContext,
    sha256: &str,
    settings: &render::RenderSettings,
    content_type: &str,
) -> anyhow::Result<Result<(), RenderError>> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("input");
    context.blobs.write_to_file(sha256, &input).await?;
    let pdf = match render::to_pdf(settings, &input, content_type, dir.path()).await {
        Ok(pdf) => pdf,
        Err(refused) => return Ok(Err(refused)),
    };
    let stored = context.blobs.put_bytes(pdf.into()).await?;
    let txn = db::begin_write(&context.db).await?;
    db::lock_blob(&txn, &stored.sha256).await?;
    blob::Entity::insert(blob::ActiveModel {
        sha256: Set(stored.sha256.clone()),
        size: Set(stored.size as i64),
        content_type: Set("application/pdf".to_owned()),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    })
    .on_conflict(
        OnConflict::column(blob::Column::Sha256)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    rendition::ActiveModel {
        source_sha256: Set(sha256.to_owned()),
        status: Set(RenditionStatus::Ready),
        pdf_sha256: Set(Some(stored.sha256)),
        pdf_size: Set(Some(stored.size as i64)),
        error: Set(None),
        updated_at: Set(Utc::now().trunc_subsecs(6)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(Ok(()))
}
