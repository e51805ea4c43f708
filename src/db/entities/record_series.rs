//! `record_series`: an agency's series of records (training lists, handling logs…) with the
//! retention its file list gives them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_series")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    /// The name in NFC and lowercase, unique per agency.
    pub name_key: String,
    pub record_type: String,
    /// Years kept after the record's year; `None` keeps it permanently.
    pub retention_years: Option<i32>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
