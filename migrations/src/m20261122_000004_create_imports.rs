//! Files brought in by `hoso import`, so a re-run skips them or adds a new version.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    AgencyId,
    RelPath,
    Sha256,
    DocumentId,
    VersionId,
    ImportedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Imports::Table)
                    .col(pk_uuid(Imports::Id))
                    .col(uuid(Imports::AgencyId))
                    .col(string_len(Imports::RelPath, 1000))
                    .col(string_len(Imports::Sha256, 64))
                    .col(uuid(Imports::DocumentId))
                    .col(uuid(Imports::VersionId))
                    .col(timestamp_with_time_zone(Imports::ImportedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_imports_agency_path")
                    .table(Imports::Table)
                    .col(Imports::AgencyId)
                    .col(Imports::RelPath)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Imports::Table).to_owned())
            .await
    }
}
