//! Finding a queued job of one kind with one payload (the index queue's "already queued?" check)
//! without scanning every queued job: at a bulk import's scale the scan made each enqueue slower
//! than the last.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Kind,
    Status,
    Payload,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_kind_status_payload")
                    .table(Jobs::Table)
                    .col(Jobs::Kind)
                    .col(Jobs::Status)
                    .col(Jobs::Payload)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_jobs_kind_status_payload")
                    .table(Jobs::Table)
                    .to_owned(),
            )
            .await
    }
}
