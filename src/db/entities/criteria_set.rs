//! `criteria_sets`: a province's criteria set (bộ tiêu chí), imported once and never edited; a
//! revision is a new set naming the one it supersedes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "criteria_sets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    /// The code in NFC and lowercase, unique.
    pub code_key: String,
    pub name: String,
    pub name_en: Option<String>,
    pub issued_by: Option<String>,
    pub max_total: f64,
    /// The rank thresholds, highest first, as JSON.
    pub ranks: String,
    /// The criteria in order (parents before their children), as JSON.
    pub criteria: String,
    pub supersedes_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
