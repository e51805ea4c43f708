//! `scoring_periods`: a scoring period (kỳ đánh giá): a criteria set, a year, the agencies taking
//! part, deadlines and a status.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scoring_periods")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub criteria_set_id: Uuid,
    pub year: i32,
    pub name: String,
    /// `draft`, `self_assessment`, `appraisal`, `final` or `published`.
    pub status: String,
    pub self_assessment_due: Date,
    pub appraisal_due: Date,
    /// How the agencies were chosen, as JSON (`{"agency_ids": […]}` or `{"subtree", "kinds"}`).
    pub selection: String,
    /// The seed the on-site sample was drawn with.
    pub sample_seed: Option<i64>,
    pub revision: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
