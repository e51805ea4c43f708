//! `legal_refs`: the register of legal documents (văn bản quy phạm pháp luật).

use sea_orm::entity::prelude::*;

crate::stored_enum! {
    /// Where a legal document stands, stored as its snake_case name.
    pub enum LegalRefStatus {
        /// Còn hiệu lực.
        InForce,
        /// Sửa đổi, bổ sung.
        Amended,
        /// Thay thế.
        Replaced,
        /// Bãi bỏ.
        Repealed,
        /// Hết hiệu lực (by its own term).
        Expired,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "legal_refs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    /// The number normalised for matching (NFC, case, spacing, Đ/D).
    pub number_key: String,
    pub title: String,
    pub issued_on: Option<Date>,
    pub effective_on: Option<Date>,
    pub status: LegalRefStatus,
    pub status_effective_on: Option<Date>,
    pub replaced_by: Option<Uuid>,
    pub revision: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
