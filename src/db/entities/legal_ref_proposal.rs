//! `legal_ref_proposals`: changes to the shared legal register proposed by an agency, accepted
//! or declined by the coordinating office.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "legal_ref_proposals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub legal_ref_id: Uuid,
    /// The proposed `LegalRefChanges`, as JSON.
    pub changes: String,
    pub note: String,
    /// `open`, `accepted` or `declined`.
    pub status: String,
    pub proposed_by: Option<Uuid>,
    pub proposer_name: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
