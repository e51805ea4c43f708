//! PDF renditions of word-processor files (DOCX, DOC, ODT), made by LibreOffice in the
//! `render` job lane and kept by the source's SHA-256: the same bytes uploaded twice are
//! converted once. The PDF is a blob like any other (`blobs`), referenced from here.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Renditions {
    Table,
    SourceSha256,
    Status,
    PdfSha256,
    PdfSize,
    Error,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Renditions::Table)
                    .col(string_len(Renditions::SourceSha256, 64).primary_key())
                    .col(string_len(Renditions::Status, 16))
                    .col(string_len_null(Renditions::PdfSha256, 64))
                    .col(big_integer_null(Renditions::PdfSize))
                    .col(text_null(Renditions::Error))
                    .col(timestamp_with_time_zone(Renditions::CreatedAt))
                    .col(timestamp_with_time_zone(Renditions::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_renditions_pdf")
                    .table(Renditions::Table)
                    .col(Renditions::PdfSha256)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Renditions::Table).to_owned())
            .await
    }
}
