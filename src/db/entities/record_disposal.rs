//! `record_disposals`: requests to dispose of records whose retention has run out, and the
//! agency head's decision. Kept after the record is gone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_disposals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub record_id: Uuid,
    pub agency_id: Uuid,
    pub kind: String,
    pub number: String,
    pub title: String,
    /// `requested`, `approved` or `refused`.
    pub status: String,
    pub reason: String,
    pub requested_by: Option<Uuid>,
    pub requested_at: DateTimeUtc,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
