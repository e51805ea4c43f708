//! Extracted text of document versions, and OCR progress.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VersionTexts {
    Table,
    VersionId,
    Text,
    Pages,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DocumentVersions {
    Table,
    Id,
    OcrPagesDone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VersionTexts::Table)
                    .col(uuid(VersionTexts::VersionId).primary_key())
                    .col(text(VersionTexts::Text))
                    .col(integer(VersionTexts::Pages))
                    .col(timestamp_with_time_zone(VersionTexts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_version_texts_version")
                            .from(VersionTexts::Table, VersionTexts::VersionId)
                            .to(DocumentVersions::Table, DocumentVersions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentVersions::Table)
                    .add_column(integer_null(DocumentVersions::OcrPagesDone))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentVersions::Table)
                    .drop_column(DocumentVersions::OcrPagesDone)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(VersionTexts::Table).to_owned())
            .await
    }
}
