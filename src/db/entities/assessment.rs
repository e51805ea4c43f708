//! `assessments`: one agency's self-assessment and appraisal in a scoring period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assessments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub period_id: Uuid,
    pub agency_id: Uuid,
    /// `open`, `submitted` or `final`.
    pub status: String,
    pub submitted_at: Option<DateTimeUtc>,
    pub submitted_by: Option<Uuid>,
    /// Days after the deadline the (last) submission came.
    pub late_days: Option<i32>,
    /// Picked for the on-site appraisal.
    pub sampled: bool,
    /// Why the coordinator swapped it into or out of the sample.
    pub sample_note: Option<String>,
    /// Finalised without ever being submitted.
    pub not_submitted: bool,
    /// The final total, once the period is final.
    pub total: Option<f64>,
    pub rank_code: Option<String>,
    pub revision: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
