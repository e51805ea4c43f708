//! Files, whoever owns them: one pipeline from the upload to the search index. A file is
//! streamed into the content-addressed blob store and typed by its bytes (`uploads`), recorded
//! as a `files` row (its identity immutable, so a version, an attachment or a piece of evidence
//! can pin it), its text extracted page by page and OCR'd where needed (`extraction`), and each
//! owner linked to it is re-indexed when its text changes. This module knows no owner: owners
//! name themselves in `file_links` by their search kind.

pub mod citations;
pub mod extraction;
pub mod renditions;
pub mod uploads;

use std::collections::HashMap;

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set, sea_query::OnConflict,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Actor, DomainError, DomainResult};
use crate::{
    blobs::BlobStore,
    db::{
        self,
        entities::{
            blob,
            file::{self, ExtractionStatus},
            file_link, file_text,
        },
    },
    i18n::Message,
};
pub use uploads::{UploadedFile, clean_filename, store_file};

/// Text extraction state of a file (filled by the extraction jobs).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Extraction {
    pub status: ExtractionStatus,
    pub method: Option<String>,
    pub pages: Option<i32>,
    pub legacy_encoding: Option<String>,
    pub error: Option<String>,
    /// Pages read by OCR so far, of `ocr_pages_total`.
    pub ocr_pages_done: Option<i32>,
    /// Pages without a text layer that OCR reads.
    pub ocr_pages_total: Option<i32>,
}

impl Extraction {
    pub fn of(row: &file::Model) -> Self {
        Self {
            status: row.extraction_status,
            method: row.extraction_method.clone(),
            pages: row.extraction_pages,
            legacy_encoding: row.extraction_legacy_encoding.clone(),
            error: row.extraction_error.clone(),
            ocr_pages_done: row.ocr_pages_done,
            ocr_pages_total: row.ocr_pages_total,
        }
    }
}

/// Records a stored upload as a file uploaded by `actor` and queues the extraction of its
/// text (or records the text the upload brings) and, for a word-processor file, the making of
/// its PDF, inside the caller's transaction.
pub async fn record_file(
    txn: &DatabaseTransaction,
    blobs: &BlobStore,
    actor: &Actor,
    upload: &UploadedFile,
    max_attempts: u32,
) -> DomainResult<file::Model> {
    let now = Utc::now().trunc_subsecs(6);
    record_blob(txn, blobs, upload).await?;
    // Read whole already, with no page to OCR: the text is recorded with the file, done.
    let read = upload
        .text
        .as_ref()
        .filter(|text| text.pages_without_text.is_empty());
    let row = file::ActiveModel {
        id: Set(Uuid::now_v7()),
        blob_sha256: Set(upload.blob.sha256.clone()),
        original_filename: Set(upload.original_filename.clone()),
        size: Set(upload.blob.size as i64),
        content_type: Set(upload.content_type.to_owned()),
        extraction_status: Set(match read {
            Some(_) => ExtractionStatus::Done,
            None => ExtractionStatus::Queued,
        }),
        extraction_method: Set(read.map(|text| text.method.to_owned())),
        extraction_pages: Set(read.map(|text| i32::try_from(text.pages.len()).unwrap_or(i32::MAX))),
        extraction_legacy_encoding: Set(read
            .and_then(|text| text.legacy_encoding)
            .map(|encoding| encoding.as_str().to_owned())),
        extraction_error: Set(None),
        ocr_pages_done: Set(None),
        ocr_pages_total: Set(None),
        uploaded_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    match read {
        Some(text) => insert_pages(txn, row.id, &text.pages).await?,
        None => extraction::enqueue(txn, row.id, max_attempts).await?,
    }
    renditions::enqueue(txn, &row, max_attempts).await?;
    Ok(row)
}

/// Records the blob row of a stored upload (once per content). An upload whose bytes were
/// already stored re-used a blob that clean-up may have removed since, while nothing referred
/// to it: under the blob's lock (which clean-up takes too) it must still be there.
async fn record_blob(
    txn: &DatabaseTransaction,
    blobs: &BlobStore,
    upload: &UploadedFile,
) -> DomainResult<()> {
    let sha256 = &upload.blob.sha256;
    db::lock_blob(txn, sha256).await?;
    if upload.blob.already_present && !blobs.exists(sha256).await? {
        return Err(DomainError::Conflict(Message::new("upload_lost")));
    }
    let row = blob::ActiveModel {
        sha256: Set(upload.blob.sha256.clone()),
        size: Set(upload.blob.size as i64),
        content_type: Set(upload.content_type.to_owned()),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    };
    blob::Entity::insert(row)
        .on_conflict(
            OnConflict::column(blob::Column::Sha256)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Removes a stored blob that no file and no rendition refers to (clean-up after interrupted
/// uploads), with the record of the PDF made of it. Under the
/// blob's lock, which recording a file takes too, it checks again that nothing refers to it just
/// before deleting: an identical upload recorded meanwhile keeps it. Returns whether it was
/// removed.
pub async fn remove_unreferenced_blob(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    sha256: &str,
) -> DomainResult<bool> {
    let txn = db::begin_write(conn).await?;
    db::lock_blob(&txn, sha256).await?;
    let referenced = file::Entity::find()
        .filter(file::Column::BlobSha256.eq(sha256))
        .one(&txn)
        .await?
        .is_some()
        || renditions::is_rendition_pdf(&txn, sha256).await?;
    if referenced {
        txn.rollback().await?;
        return Ok(false);
    }
    renditions::forget(&txn, sha256).await?;
    blob::Entity::delete_by_id(sha256.to_owned())
        .exec(&txn)
        .await?;
    blobs.delete(sha256).await?;
    txn.commit().await?;
    Ok(true)
}

/// Links a file to an owner: the owner's search entries (kind `owner_kind`, unit `owner_id`)
/// are rebuilt whenever the file's text changes.
pub async fn link(
    db: &impl ConnectionTrait,
    owner_kind: &str,
    owner_id: Uuid,
    file_id: Uuid,
) -> DomainResult<()> {
    let row = file_link::ActiveModel {
        owner_kind: Set(owner_kind.to_owned()),
        owner_id: Set(owner_id),
        file_id: Set(file_id),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    };
    file_link::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                file_link::Column::OwnerKind,
                file_link::Column::OwnerId,
                file_link::Column::FileId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Removes a file's link to an owner (the file itself stays: something may pin it).
pub async fn unlink(
    db: &impl ConnectionTrait,
    owner_kind: &str,
    owner_id: Uuid,
    file_id: Uuid,
) -> DomainResult<()> {
    file_link::Entity::delete_by_id((owner_kind.to_owned(), owner_id, file_id))
        .exec(db)
        .await?;
    Ok(())
}

/// One file row.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<file::Model> {
    file::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("file"))
}

/// File rows by id, in one query.
pub async fn load_many(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, file::Model>> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut found = HashMap::with_capacity(ids.len());
    // Bounded IN lists: SQLite and PostgreSQL both cap the parameters of one statement.
    for chunk in ids.chunks(500) {
        for row in file::Entity::find()
            .filter(file::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            found.insert(row.id, row);
        }
    }
    Ok(found)
}

/// The stored text of a file, one string per page (empty before extraction).
pub async fn pages(db: &impl ConnectionTrait, file_id: Uuid) -> DomainResult<Vec<String>> {
    Ok(pages_of_many(db, [file_id])
        .await?
        .remove(&file_id)
        .unwrap_or_default())
}

/// The stored texts of several files, by file, each one string per page, in one query per
/// 500 files.
pub async fn pages_of_many(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, Vec<String>>> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut texts: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in file_text::Entity::find()
            .filter(file_text::Column::FileId.is_in(chunk.to_vec()))
            .order_by_asc(file_text::Column::FileId)
            .order_by_asc(file_text::Column::Page)
            .all(db)
            .await?
        {
            texts.entry(row.file_id).or_default().push(row.text);
        }
    }
    Ok(texts)
}

/// Replaces the stored text of a file with `pages` (page 1 first).
pub(crate) async fn save_pages(
    db: &impl ConnectionTrait,
    file_id: Uuid,
    pages: &[String],
) -> DomainResult<()> {
    file_text::Entity::delete_many()
        .filter(file_text::Column::FileId.eq(file_id))
        .exec(db)
        .await?;
    citations::clear(db, file_id, None).await?;
    insert_pages(db, file_id, pages).await
}

/// Stores the pages of a file that has no stored text yet.
async fn insert_pages(
    db: &impl ConnectionTrait,
    file_id: Uuid,
    pages: &[String],
) -> DomainResult<()> {
    // A few rows per statement: pages can be long, and statements have size limits.
    for (chunk_index, chunk) in pages.chunks(50).enumerate() {
        let rows = chunk.iter().enumerate().map(|(index, text)| {
            let page = chunk_index * 50 + index + 1;
            file_text::ActiveModel {
                file_id: Set(file_id),
                page: Set(i32::try_from(page).unwrap_or(i32::MAX)),
                text: Set(text.clone()),
            }
        });
        file_text::Entity::insert_many(rows).exec(db).await?;
    }
    // The legal numbers it cites are kept with the text.
    citations::insert(db, file_id, 1, pages).await
}

/// Replaces the stored text of one page of a file (OCR fills the scanned pages one by one).
pub(crate) async fn save_page(
    db: &impl ConnectionTrait,
    file_id: Uuid,
    page: u32,
    text: &str,
) -> DomainResult<()> {
    let page = i32::try_from(page).unwrap_or(i32::MAX);
    file_text::Entity::delete_by_id((file_id, page))
        .exec(db)
        .await?;
    file_text::ActiveModel {
        file_id: Set(file_id),
        page: Set(page),
        text: Set(text.to_owned()),
    }
    .insert(db)
    .await?;
    citations::clear(db, file_id, Some(page)).await?;
    citations::insert(
        db,
        file_id,
        u32::try_from(page).unwrap_or(1),
        &[text.to_owned()],
    )
    .await
}

/// The owners linked to a file: (search kind, unit id).
pub(crate) async fn owners(
    db: &impl ConnectionTrait,
    file_id: Uuid,
) -> DomainResult<Vec<(String, Uuid)>> {
    Ok(file_link::Entity::find()
        .filter(file_link::Column::FileId.eq(file_id))
        .all(db)
        .await?
        .into_iter()
        .map(|link| (link.owner_kind, link.owner_id))
        .collect())
}
