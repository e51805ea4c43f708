//! Proposed changes to the shared legal register: an agency proposes, the coordinating office
//! accepts (the change is made) or declines (with a reason).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LegalRefProposals {
    Table,
    Id,
    LegalRefId,
    Changes,
    Note,
    Status,
    ProposedBy,
    ProposerName,
    DecidedBy,
    DecidedAt,
    DecisionNote,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LegalRefs {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LegalRefProposals::Table)
                    .col(pk_uuid(LegalRefProposals::Id))
                    .col(uuid(LegalRefProposals::LegalRefId))
                    .col(text(LegalRefProposals::Changes))
                    .col(text(LegalRefProposals::Note))
                    .col(string_len(LegalRefProposals::Status, 16))
                    .col(uuid_null(LegalRefProposals::ProposedBy))
                    .col(string_len(LegalRefProposals::ProposerName, 200))
                    .col(uuid_null(LegalRefProposals::DecidedBy))
                    .col(timestamp_with_time_zone_null(LegalRefProposals::DecidedAt))
                    .col(text_null(LegalRefProposals::DecisionNote))
                    .col(timestamp_with_time_zone(LegalRefProposals::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LegalRefProposals::Table, LegalRefProposals::LegalRefId)
                            .to(LegalRefs::Table, LegalRefs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_legal_ref_proposals_status")
                    .table(LegalRefProposals::Table)
                    .col(LegalRefProposals::Status)
                    .col(LegalRefProposals::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LegalRefProposals::Table).to_owned())
            .await
    }
}
