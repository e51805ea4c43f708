//! `files`: one row per stored upload, whoever owns it. Its identity (blob, name, size, type,
//! uploader) never changes, so anything can pin it; its extraction state does.

use sea_orm::entity::prelude::*;

crate::stored_enum! {
    /// Where reading a file's text stands; stored as its snake_case name.
    pub enum ExtractionStatus {
        /// Waiting for its extraction or OCR job.
        Queued,
        /// Being read.
        Running,
        /// Its text is stored (an empty text included).
        Done,
        /// It could not be read; the error says why.
        Failed,
        /// Scanned, and OCR is not installed.
        NeedsOcr,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub blob_sha256: String,
    pub original_filename: String,
    pub size: i64,
    pub content_type: String,
    pub extraction_status: ExtractionStatus,
    pub extraction_method: Option<String>,
    pub extraction_pages: Option<i32>,
    pub extraction_legacy_encoding: Option<String>,
    pub extraction_error: Option<String>,
    pub ocr_pages_done: Option<i32>,
    /// Pages OCR reads, once it is queued.
    pub ocr_pages_total: Option<i32>,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
