//! `documents`: the register of controlled documents (tài liệu).

use sea_orm::entity::prelude::*;

crate::stored_enum! {
    /// A document's status, derived from its versions and flags; stored as its snake_case name.
    pub enum DocumentStatus {
        /// No version has been in force yet.
        Draft,
        /// A version is in force.
        Effective,
        /// In force, but a legal change it cites must be brought in by a deadline.
        NeedsUpdate,
        /// In force, with its next version on the way.
        UnderRevision,
        /// Withdrawn, nothing in force.
        Obsolete,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agency_id: Uuid,
    pub code: String,
    /// The code in NFC and lowercase, unique per agency.
    pub code_key: String,
    pub title: String,
    pub kind: String,
    pub owner_id: Option<Uuid>,
    pub review_interval_months: i32,
    pub next_review_on: Option<Date>,
    /// JSON array of strings.
    pub tags: String,
    /// Derived from the versions and flags; kept for filtering.
    pub status: DocumentStatus,
    pub update_required_by: Option<Date>,
    pub update_reason: Option<String>,
    pub obsolete_reason: Option<String>,
    /// Incremented on every change; the ETag.
    pub revision: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
