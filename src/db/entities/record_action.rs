//! `record_actions`: the actions of a record, each with an owner, a due day and a done day (a
//! corrective action's actions, a management review's decisions).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub record_id: Uuid,
    /// 1, 2, 3… in the order added.
    pub position: i32,
    /// A management review decision's output (`improvement`, `system_change`, `resource_need`).
    pub category: Option<String>,
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<Date>,
    pub done_on: Option<Date>,
    pub done_note: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
