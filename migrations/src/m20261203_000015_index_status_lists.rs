//! Lists by status read from indexes: the reading list (the effective versions, newest first),
//! the dashboard's drafts (documents in draft or under revision, last changed first) and the
//! documents flagged for a legal update walked every version or document of a
//! 100,000-document province to find a few.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    Status,
    UpdatedAt,
    UpdateRequiredBy,
}

#[derive(DeriveIden)]
enum DocumentVersions {
    Table,
    Id,
    Status,
    EffectiveFrom,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_versions_status_effective")
                    .table(DocumentVersions::Table)
                    .col(DocumentVersions::Status)
                    .col(DocumentVersions::EffectiveFrom)
                    .col(DocumentVersions::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_status_updated")
                    .table(Documents::Table)
                    .col(Documents::Status)
                    .col(Documents::UpdatedAt)
                    .col(Documents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_update_required")
                    .table(Documents::Table)
                    .col(Documents::UpdateRequiredBy)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_documents_update_required")
                    .table(Documents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_documents_status_updated")
                    .table(Documents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_versions_status_effective")
                    .table(DocumentVersions::Table)
                    .to_owned(),
            )
            .await
    }
}
