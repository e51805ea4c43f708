//! Each version carries its document's agency (a document never changes agency), indexed with
//! the status and the day it took effect: an agency's versions in force are then one index range.
//! The dashboard, the reading list and the self-assessment count a grown agency's 50,000 versions
//! in force; through the documents that was a lookup per version (0.2–0.9 s a page), now it is a
//! range count. A person's acknowledgements get their own index too (the reading list leaves
//! them out), and so do an agency's documents flagged for a legal update.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DocumentVersions {
    Table,
    Id,
    AgencyId,
    Status,
    EffectiveFrom,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    AgencyId,
    UpdateRequiredBy,
}

#[derive(DeriveIden)]
enum Acknowledgements {
    Table,
    UserId,
    VersionId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentVersions::Table)
                    .add_column(uuid_null(DocumentVersions::AgencyId))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE document_versions SET agency_id = \
             (SELECT documents.agency_id FROM documents \
              WHERE documents.id = document_versions.document_id)",
        )
        .await?;
        // SQLite cannot add the constraint to an existing column; every write sets it there too.
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE document_versions ALTER COLUMN agency_id SET NOT NULL",
            )
            .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_versions_agency_status")
                    .table(DocumentVersions::Table)
                    .col(DocumentVersions::AgencyId)
                    .col(DocumentVersions::Status)
                    .col(DocumentVersions::EffectiveFrom)
                    .col(DocumentVersions::Id)
                    .to_owned(),
            )
            .await?;
        // A person's acknowledgements (the reading list leaves them out; the key starts with
        // the version).
        manager
            .create_index(
                Index::create()
                    .name("idx_acknowledgements_user")
                    .table(Acknowledgements::Table)
                    .col(Acknowledgements::UserId)
                    .col(Acknowledgements::VersionId)
                    .to_owned(),
            )
            .await?;
        // An agency's documents flagged for a legal update: a few among 50,000, which the
        // agency's index alone walks entirely.
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_agency_update_required")
                    .table(Documents::Table)
                    .col(Documents::AgencyId)
                    .col(Documents::UpdateRequiredBy)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_documents_agency_update_required")
                    .table(Documents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_acknowledgements_user")
                    .table(Acknowledgements::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_versions_agency_status")
                    .table(DocumentVersions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentVersions::Table)
                    .drop_column(DocumentVersions::AgencyId)
                    .to_owned(),
            )
            .await
    }
}
