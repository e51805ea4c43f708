//! `legal_refs`: the register of legal documents (văn bản quy phạm pháp luật).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a legal document stands, stored as its snake_case name.
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
pub enum LegalRefStatus {
    /// Còn hiệu lực.
    #[sea_orm(string_value = "in_force")]
    InForce,
    /// Sửa đổi, bổ sung.
    #[sea_orm(string_value = "amended")]
    Amended,
    /// Thay thế.
    #[sea_orm(string_value = "replaced")]
    Replaced,
    /// Bãi bỏ.
    #[sea_orm(string_value = "repealed")]
    Repealed,
    /// Hết hiệu lực (by its own term).
    #[sea_orm(string_value = "expired")]
    Expired,
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
