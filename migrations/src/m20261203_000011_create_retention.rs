//! Retention of records: `retention_rules` (years a kind of record is kept, set on an agency and
//! applying to the agencies under it; none for permanent), and `record_disposals` (a request to
//! dispose of a record, with who asked, why, and the head's decision; kept after the record is
//! gone, with no foreign key to it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RetentionRules {
    Table,
    AgencyId,
    RecordKind,
    RetentionYears,
    SetBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecordDisposals {
    Table,
    Id,
    RecordId,
    AgencyId,
    Kind,
    Number,
    Title,
    Status,
    Reason,
    RequestedBy,
    RequestedAt,
    DecidedBy,
    DecidedAt,
    DecisionNote,
}

#[derive(DeriveIden)]
enum Agencies {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RetentionRules::Table)
                    .col(uuid(RetentionRules::AgencyId))
                    .col(string_len(RetentionRules::RecordKind, 64))
                    .col(integer_null(RetentionRules::RetentionYears))
                    .col(uuid_null(RetentionRules::SetBy))
                    .col(timestamp_with_time_zone(RetentionRules::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(RetentionRules::AgencyId)
                            .col(RetentionRules::RecordKind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_retention_rules_agency")
                            .from(RetentionRules::Table, RetentionRules::AgencyId)
                            .to(Agencies::Table, Agencies::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecordDisposals::Table)
                    .col(pk_uuid(RecordDisposals::Id))
                    .col(uuid(RecordDisposals::RecordId))
                    .col(uuid(RecordDisposals::AgencyId))
                    .col(string_len(RecordDisposals::Kind, 32))
                    .col(string_len(RecordDisposals::Number, 100))
                    .col(string_len(RecordDisposals::Title, 500))
                    .col(string_len(RecordDisposals::Status, 16))
                    .col(text(RecordDisposals::Reason))
                    .col(uuid_null(RecordDisposals::RequestedBy))
                    .col(timestamp_with_time_zone(RecordDisposals::RequestedAt))
                    .col(uuid_null(RecordDisposals::DecidedBy))
                    .col(timestamp_with_time_zone_null(RecordDisposals::DecidedAt))
                    .col(text_null(RecordDisposals::DecisionNote))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_record_disposals_record")
                    .table(RecordDisposals::Table)
                    .col(RecordDisposals::RecordId)
                    .col(RecordDisposals::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecordDisposals::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RetentionRules::Table).to_owned())
            .await
    }
}
