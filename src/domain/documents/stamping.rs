//! Stamped copies: effective versions carry "BẢN CÓ KIỂM SOÁT" (controlled copy), superseded and
//! obsolete ones "HẾT HIỆU LỰC" (no longer in force), on every page of the PDF.

use chrono::{Duration, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::VersionStatus;
use crate::{
    blobs::BlobStore,
    clock::day_of,
    db::entities::{document, document_version},
    domain::{DomainError, DomainResult, files},
    i18n::Message,
    pdf_stamp,
};

/// PDFs larger than this are not stamped in memory.
pub const MAX_STAMP_BYTES: i64 = 200 * 1024 * 1024;

fn vn_date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// The stamp line of a version, or why it has none.
pub async fn stamp_line(
    db: &impl ConnectionTrait,
    version: &document_version::Model,
    document: &document::Model,
) -> DomainResult<String> {
    let status = version.status;
    let issue = format!("{} · Lần ban hành {}", document.code, version.label);
    match status {
        VersionStatus::Effective => Ok(format!(
            "BẢN CÓ KIỂM SOÁT · {issue} · Hiệu lực từ {}",
            version.effective_from.map(vn_date).unwrap_or_default()
        )),
        VersionStatus::Superseded => {
            let next = document_version::Entity::find()
                .filter(document_version::Column::DocumentId.eq(document.id))
                .filter(document_version::Column::Seq.gt(version.seq))
                .filter(document_version::Column::EffectiveFrom.is_not_null())
                .order_by_asc(document_version::Column::Seq)
                .one(db)
                .await?;
            // Out of force from its successor's first day (the day after its last, unless the
            // successor took over on the day it began).
            let ended = next
                .as_ref()
                .and_then(|next| next.effective_from)
                .or(version.effective_to.map(|day| day + Duration::days(1)))
                .map(vn_date)
                .unwrap_or_default();
            let replaced = next
                .map(|next| format!(" · Thay thế bởi lần ban hành {}", next.label))
                .unwrap_or_default();
            Ok(format!("HẾT HIỆU LỰC từ {ended} · {issue}{replaced}"))
        }
        VersionStatus::Obsolete => {
            // Out of force from the day after its last day, or from the day it was withdrawn
            // when that came first (withdrawn on the day it took effect).
            let withdrawn_on = day_of(version.updated_at);
            let ended = version
                .effective_to
                .map(|day| vn_date((day + Duration::days(1)).min(withdrawn_on)))
                .unwrap_or_default();
            Ok(format!("HẾT HIỆU LỰC từ {ended} · {issue} · Đã hủy bỏ"))
        }
        _ => Err(DomainError::Conflict(Message::new("not_issued"))),
    }
}

/// A stamped PDF copy of a version: of its file when that is a PDF, of the file's PDF rendition
/// when it is a text document (DOCX, DOC, ODT).
pub async fn stamped_copy(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    version: &document_version::Model,
    document: &document::Model,
    max_attempts: u32,
) -> DomainResult<Vec<u8>> {
    let file = files::get(db, version.file_id.ok_or(DomainError::NotFound("file"))?).await?;
    let line = stamp_line(db, version, document).await?;
    let pdf = files::renditions::pdf_of(db, &file, max_attempts).await?;
    if pdf.size > MAX_STAMP_BYTES as u64 {
        return Err(DomainError::Conflict(Message::new("too_large_to_stamp")));
    }
    let bytes = blobs
        .read_capped(&pdf.sha256, MAX_STAMP_BYTES as u64)
        .await?;
    tokio::task::spawn_blocking(move || pdf_stamp::stamp_pdf(&bytes, &line))
        .await
        .map_err(|error| DomainError::Internal(format!("stamping task failed: {error}")))?
        .map_err(|error| {
            DomainError::Conflict(Message::new("cannot_stamp").arg("detail", error.to_string()))
        })
}
