//! `legal_refs`: the register of legal documents (văn bản quy phạm pháp luật).

use sea_orm::entity::prelude::*;

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
    pub status: String,
    pub status_effective_on: Option<Date>,
    pub replaced_by: Option<Uuid>,
    pub revision: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
