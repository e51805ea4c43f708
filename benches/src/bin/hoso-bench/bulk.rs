//! Shared by the harnesses that need a big province: documents written straight into the
//! database (what uploads and extraction jobs would have left), the machine's description,
//! and latency percentiles.

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use hoso::{
    db::entities::{blob, document, document_version, file, file_text},
    domain::documents::{DocumentStatus, VersionStatus},
};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use uuid::Uuid;

/// Rows per multi-row insert (well under either engine's bound-parameter limit).
pub const ROWS_PER_INSERT: usize = 300;

/// The CPU and cores, for a report's heading.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "Machine: {cpu}, {} cores; release build",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    )
}

/// A document to write: one version, in force or a draft, with its text.
pub struct Generated {
    pub agency: Uuid,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub body: String,
    pub effective: bool,
}

/// Writes documents with one version each (in force or a draft), their files and texts,
/// straight into the database: what the upload and extraction jobs would have left.
pub async fn insert_documents(db: &DatabaseConnection, docs: Vec<Generated>) -> anyhow::Result<()> {
    let now = Utc::now().trunc_subsecs(6);
    let today = now.date_naive();
    for chunk in docs.chunks(ROWS_PER_INSERT) {
        let mut blobs = Vec::new();
        let mut file_rows = Vec::new();
        let mut texts = Vec::new();
        let mut documents = Vec::new();
        let mut versions = Vec::new();
        for doc in chunk {
            let sha256 = format!("{:064x}", Uuid::now_v7().as_u128());
            let file_id = Uuid::now_v7();
            let document_id = Uuid::now_v7();
            blobs.push(blob::ActiveModel {
                sha256: Set(sha256.clone()),
                size: Set(doc.body.len() as i64),
                content_type: Set("application/pdf".into()),
                created_at: Set(now),
            });
            file_rows.push(file::ActiveModel {
                id: Set(file_id),
                blob_sha256: Set(sha256.clone()),
                original_filename: Set(format!("{}.pdf", doc.code)),
                size: Set(doc.body.len() as i64),
                content_type: Set("application/pdf".into()),
                extraction_status: Set(file::ExtractionStatus::Done),
                extraction_method: Set(Some("pdf".into())),
                extraction_pages: Set(Some(1)),
                extraction_legacy_encoding: Set(None),
                extraction_error: Set(None),
                ocr_pages_done: Set(None),
                ocr_pages_total: Set(None),
                uploaded_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            texts.push(file_text::ActiveModel {
                file_id: Set(file_id),
                page: Set(1),
                text: Set(doc.body.clone()),
            });
            documents.push(document::ActiveModel {
                id: Set(document_id),
                agency_id: Set(doc.agency),
                code: Set(doc.code.clone()),
                code_key: Set(doc.code.to_lowercase()),
                title: Set(doc.title.clone()),
                kind: Set(doc.kind.clone()),
                owner_id: Set(None),
                review_interval_months: Set(12),
                next_review_on: Set(None),
                tags: Set("[]".into()),
                status: Set(match doc.effective {
                    true => DocumentStatus::Effective,
                    false => DocumentStatus::Draft,
                }),
                update_required_by: Set(None),
                update_reason: Set(None),
                obsolete_reason: Set(None),
                revision: Set(1),
                created_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            versions.push(document_version::ActiveModel {
                id: Set(Uuid::now_v7()),
                document_id: Set(document_id),
                agency_id: Set(doc.agency),
                seq: Set(1),
                label: Set("01".into()),
                status: Set(match doc.effective {
                    true => VersionStatus::Effective,
                    false => VersionStatus::Draft,
                }),
                change_summary: Set(None),
                drafted_by: Set(None),
                submitted_at: Set(None),
                approved_by: Set(None),
                approved_at: Set(None),
                rejected_by: Set(None),
                rejected_at: Set(None),
                reject_reason: Set(None),
                published_by: Set(None),
                published_at: Set(doc.effective.then_some(now)),
                effective_from: Set(doc.effective.then_some(today)),
                effective_to: Set(None),
                obsolete_reason: Set(None),
                file_id: Set(Some(file_id)),
                blob_sha256: Set(sha256),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        blob::Entity::insert_many(blobs).exec(db).await?;
        file::Entity::insert_many(file_rows).exec(db).await?;
        file_text::Entity::insert_many(texts).exec(db).await?;
        document::Entity::insert_many(documents).exec(db).await?;
        document_version::Entity::insert_many(versions)
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The median, 95th and 99th percentiles in milliseconds.
pub fn percentiles(times: &mut [Duration]) -> (f64, f64, f64) {
    times.sort();
    let at = |q: f64| {
        let index = ((times.len() as f64 - 1.0) * q).round() as usize;
        times[index].as_secs_f64() * 1000.0
    };
    (at(0.5), at(0.95), at(0.99))
}
