//! `assessment_scores`: what an assessment says of one criterion: the self score and note, the
//! appraised score and comment, and whether the system's fact was accepted or overridden.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment_scores")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub criterion_code: String,
    pub self_score: Option<f64>,
    pub note: Option<String>,
    pub appraised_score: Option<f64>,
    pub appraisal_comment: Option<String>,
    /// `accepted` or `overridden`.
    pub fact_state: Option<String>,
    pub fact_note: Option<String>,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
