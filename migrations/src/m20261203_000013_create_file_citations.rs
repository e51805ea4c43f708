//! Legal numbers cited in the text of files (`file_citations`: by file, page and normalised
//! number, kept with the text), and the citations an ISO officer dismissed as a document's
//! legal basis (`citation_dismissals`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FileCitations {
    Table,
    FileId,
    Page,
    NumberKey,
    Number,
}

#[derive(DeriveIden)]
enum CitationDismissals {
    Table,
    DocumentId,
    NumberKey,
    DismissedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FileCitations::Table)
                    .col(uuid(FileCitations::FileId))
                    .col(integer(FileCitations::Page))
                    .col(string_len(FileCitations::NumberKey, 100))
                    .col(string_len(FileCitations::Number, 100))
                    .primary_key(
                        Index::create()
                            .col(FileCitations::FileId)
                            .col(FileCitations::Page)
                            .col(FileCitations::NumberKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_file_citations_file")
                            .from(FileCitations::Table, FileCitations::FileId)
                            .to(Files::Table, Files::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_file_citations_number")
                    .table(FileCitations::Table)
                    .col(FileCitations::NumberKey)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CitationDismissals::Table)
                    .col(uuid(CitationDismissals::DocumentId))
                    .col(string_len(CitationDismissals::NumberKey, 100))
                    .col(uuid_null(CitationDismissals::DismissedBy))
                    .col(timestamp_with_time_zone(CitationDismissals::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(CitationDismissals::DocumentId)
                            .col(CitationDismissals::NumberKey),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CitationDismissals::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(FileCitations::Table).to_owned())
            .await
    }
}
