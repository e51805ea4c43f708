//! `record_imports`: files brought in as records by `hoso import --records`, by agency and
//! relative path, so a run resumes and repeats without duplicates.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RecordImports {
    Table,
    AgencyId,
    RelPath,
    Sha256,
    RecordId,
    FileId,
    ImportedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RecordImports::Table)
                    .col(uuid(RecordImports::AgencyId))
                    .col(string_len(RecordImports::RelPath, 2000))
                    .col(string_len(RecordImports::Sha256, 64))
                    .col(uuid(RecordImports::RecordId))
                    .col(uuid(RecordImports::FileId))
                    .col(timestamp_with_time_zone(RecordImports::ImportedAt))
                    .primary_key(
                        Index::create()
                            .col(RecordImports::AgencyId)
                            .col(RecordImports::RelPath),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecordImports::Table).to_owned())
            .await
    }
}
