//! `document_versions`: the issues (lần ban hành) of a document, one file each (`files`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a version is in its life, stored as its snake_case name.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum VersionStatus {
    /// Dự thảo.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Chờ duyệt.
    #[sea_orm(string_value = "in_review")]
    InReview,
    /// Đã duyệt (possibly published with a future effective date).
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Hiệu lực.
    #[sea_orm(string_value = "effective")]
    Effective,
    /// Replaced by the next version.
    #[sea_orm(string_value = "superseded")]
    Superseded,
    /// Withdrawn.
    #[sea_orm(string_value = "obsolete")]
    Obsolete,
    /// Sent back with a reason; the next step is a new draft.
    #[sea_orm(string_value = "rejected")]
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub document_id: Uuid,
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
