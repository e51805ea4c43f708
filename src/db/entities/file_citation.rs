//! `file_citations`: the legal numbers a file's text cites, by page.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "file_citations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub file_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub page: i32,
    /// The number as the legal register matches it (`30/2020/ND-CP`; `26/2014/TT` when the
    /// text leaves the issuer out).
    #[sea_orm(primary_key, auto_increment = false)]
    pub number_key: String,
    /// The number as cited.
    pub number: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
