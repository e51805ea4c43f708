//! Evidence uploaded on the spot while scoring (minh chứng): a record of kind `evidence` in the
//! agency, holding the file through the one file pipeline, so it is extracted, OCR'd, indexed
//! and kept like any other record.

use chrono::NaiveDate;
use sea_orm::DatabaseTransaction;
use serde_json::Value;
use uuid::Uuid;

use super::{NewRecord, RecordKind, attachments, series::KEPT, store};
use crate::{
    blobs::BlobStore,
    db::entities::{file, record},
    domain::{Actor, DomainResult, files::UploadedFile},
};

/// Creates the evidence record of an upload and attaches the file, in the caller's transaction
/// (the caller checked that the actor may keep the agency's records).
#[allow(clippy::too_many_arguments)] // the record's fields and the pipeline's
pub(crate) async fn file_evidence(
    txn: &DatabaseTransaction,
    blobs: &BlobStore,
    max_attempts: u32,
    actor: &Actor,
    agency_id: Uuid,
    title: String,
    day: NaiveDate,
    details: Value,
    upload: &UploadedFile,
) -> DomainResult<(record::Model, file::Model)> {
    let row = store::insert(
        txn,
        actor,
        NewRecord::new(RecordKind::Evidence, agency_id, title, KEPT, day, details),
    )
    .await?;
    let file = attachments::attach_in(txn, blobs, max_attempts, actor, &row, upload).await?;
    Ok((row, file))
}
