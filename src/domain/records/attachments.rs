//! Files attached to records, through the one file pipeline: streamed to the blob store, typed
//! by their bytes, recorded as `files` rows, their text extracted (and OCR'd) by the file jobs
//! and indexed with the record. An attachment's id is its file's.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    Attachment, RecordKind, ensure_open, finals, indexing::KIND, kind_of, readable, store,
};
use crate::{
    blobs::BlobStore,
    db::{
        self,
        entities::{file, file_link, record},
    },
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult,
        files::{self, UploadedFile},
    },
};

/// Whether the actor may attach files to the record: those who keep records of its kind, and
/// the agency's ISO officers. Checked before any byte is stored.
pub async fn authorize(
    db: &impl ConnectionTrait,
    actor: &Actor,
    record_id: Uuid,
    kind: Option<RecordKind>,
) -> DomainResult<record::Model> {
    let tree = AgencyTree::load(db).await?;
    let row = readable(db, actor, &tree, record_id, kind).await?;
    let record_kind = kind_of(&row)?;
    if !actor.can(record_kind.editor(), Some(row.agency_id), &tree)
        && !actor.can(Action::ManageRecords, Some(row.agency_id), &tree)
    {
        return Err(DomainError::Forbidden);
    }
    ensure_open(&row, finals(record_kind))?;
    Ok(row)
}

/// Attaches a stored upload to a record: the file row, its link, the record's new revision and
/// audit row, its extraction and re-indexing, in one transaction.
pub async fn attach(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    max_attempts: u32,
    actor: &Actor,
    record_id: Uuid,
    kind: Option<RecordKind>,
    upload: UploadedFile,
) -> DomainResult<Attachment> {
    attach_all(
        conn,
        blobs,
        max_attempts,
        actor,
        record_id,
        kind,
        std::slice::from_ref(&upload),
    )
    .await?
    .pop()
    .ok_or(DomainError::NotFound("attachment"))
}

/// Attaches several stored uploads to a record, all or none, in one transaction.
pub async fn attach_all(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    max_attempts: u32,
    actor: &Actor,
    record_id: Uuid,
    kind: Option<RecordKind>,
    uploads: &[UploadedFile],
) -> DomainResult<Vec<Attachment>> {
    let txn = db::begin_write(conn).await?;
    let row = authorize(&txn, actor, record_id, kind).await?;
    let mut attached = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let file = attach_in(&txn, blobs, max_attempts, actor, &row, upload).await?;
        attached.push(Attachment::of(row.id, &file));
    }
    txn.commit().await?;
    Ok(attached)
}

/// Attaches a stored upload to a record the caller checked, in the caller's transaction.
pub(crate) async fn attach_in(
    txn: &DatabaseTransaction,
    blobs: &BlobStore,
    max_attempts: u32,
    actor: &Actor,
    row: &record::Model,
    upload: &UploadedFile,
) -> DomainResult<file::Model> {
    let file = files::record_file(txn, blobs, actor, upload, max_attempts).await?;
    files::link(txn, KIND, row.id, file.id).await?;
    store::touch(
        txn,
        actor,
        row,
        "attach",
        json!({
            "file_id": file.id,
            "filename": file.original_filename,
            "sha256": file.blob_sha256,
            "size": file.size,
        }),
    )
    .await?;
    Ok(file)
}

/// An attachment the actor may read, with its record; anything else is "not found".
pub async fn readable_attachment(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<(file::Model, record::Model)> {
    let tree = AgencyTree::load(db).await?;
    let links = file_link::Entity::find()
        .filter(file_link::Column::FileId.eq(id))
        .filter(file_link::Column::OwnerKind.eq(KIND))
        .all(db)
        .await?;
    for link in links {
        if let Ok(row) = readable(db, actor, &tree, link.owner_id, None).await {
            let file = files::get(db, id)
                .await
                .map_err(|_| DomainError::NotFound("attachment"))?;
            return Ok((file, row));
        }
    }
    Err(DomainError::NotFound("attachment"))
}

/// The legal numbers the record's attachments cite, with their pages and register entries.
pub async fn citations(
    db: &impl ConnectionTrait,
    actor: &Actor,
    record_id: Uuid,
) -> DomainResult<Vec<files::citations::Citation>> {
    let tree = AgencyTree::load(db).await?;
    let row = readable(db, actor, &tree, record_id, None).await?;
    let attached: Vec<Uuid> = file_link::Entity::find()
        .filter(file_link::Column::OwnerKind.eq(KIND))
        .filter(file_link::Column::OwnerId.eq(row.id))
        .all(db)
        .await?
        .into_iter()
        .map(|link| link.file_id)
        .collect();
    files::citations::of_files(db, &attached).await
}
