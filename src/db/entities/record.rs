//! `records`: every QMS record (hồ sơ) of every kind, the fields all kinds share as columns and
//! each kind's own fields as a JSON object (`details`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agency_id: Uuid,
    /// The record's kind (`internal_audit`, `corrective_action`…), by its snake_case name.
    pub kind: String,
    /// The record it belongs to: a finding's or checklist item's audit, minutes' inspection.
    pub parent_id: Option<Uuid>,
    /// The record it was raised from: a corrective action's finding, complaint, review…
    pub source_id: Option<Uuid>,
    pub series_id: Option<Uuid>,
    pub number: String,
    /// The number in NFC and lowercase, unique per agency and kind.
    pub number_key: String,
    pub title: String,
    /// A kind's own classifier, kept for filtering: a finding's grade, a corrective action's
    /// source, a complaint's channel.
    pub category: Option<String>,
    pub status: String,
    /// The record's day: an audit's planned start, the day a nonconformity was found, a
    /// review's meeting, a complaint's receipt.
    pub occurred_on: Date,
    pub due_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub year: i32,
    /// The kind's own fields, as a JSON object.
    pub details: String,
    pub retention_until: Option<Date>,
    pub legal_hold: bool,
    /// Incremented on every change; the ETag.
    pub revision: i32,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
