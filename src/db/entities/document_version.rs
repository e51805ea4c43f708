//! `document_versions`: the issues (lần ban hành) of a document, one file each (`files`).

use sea_orm::entity::prelude::*;

crate::stored_enum! {
    /// Where a version is in its life, stored as its snake_case name.
    pub enum VersionStatus {
        /// Dự thảo.
        Draft,
        /// Chờ duyệt.
        InReview,
        /// Đã duyệt (possibly published with a future effective date).
        Approved,
        /// Hiệu lực.
        Effective,
        /// Replaced by the next version.
        Superseded,
        /// Withdrawn.
        Obsolete,
        /// Sent back with a reason; the next step is a new draft.
        Rejected,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub document_id: Uuid,
    /// The document's agency, kept here so an agency's versions by status are one index range
    /// (`idx_versions_agency_status`); a document never changes agency.
    pub agency_id: Uuid,
    pub seq: i32,
    pub label: String,
    pub status: VersionStatus,
    pub change_summary: Option<String>,
    pub drafted_by: Option<Uuid>,
    pub submitted_at: Option<DateTimeUtc>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
    pub rejected_by: Option<Uuid>,
    pub rejected_at: Option<DateTimeUtc>,
    pub reject_reason: Option<String>,
    pub published_by: Option<Uuid>,
    pub published_at: Option<DateTimeUtc>,
    pub effective_from: Option<Date>,
    pub effective_to: Option<Date>,
    pub obsolete_reason: Option<String>,
    /// The version's file (`files`); set for every version.
    pub file_id: Option<Uuid>,
    /// The file's content hash, kept beside `file_id` for the foreign key to `blobs` that
    /// SQLite cannot drop; always the file's own `blob_sha256`.
    pub blob_sha256: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
