//! `evidence_links`: a criterion's evidence, pinned to a document version, a record or an
//! attachment (file) as it was when linked.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub criterion_code: String,
    /// `document_version`, `record` or `attachment`.
    pub target_kind: String,
    pub document_id: Option<Uuid>,
    pub version_id: Option<Uuid>,
    /// The record, or the attachment's record.
    pub record_id: Option<Uuid>,
    /// The attachment's file.
    pub file_id: Option<Uuid>,
    pub page: Option<i32>,
    pub note: Option<String>,
    /// The link of last period this one was carried from.
    pub carried_from: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
