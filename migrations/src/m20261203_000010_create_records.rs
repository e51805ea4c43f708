//! The QMS records (hồ sơ): one `records` table for every kind (internal audits, findings,
//! checklist items, corrective actions, management reviews, quality objectives, announcements,
//! inspections and their minutes, complaints, records of a series), with the fields every
//! kind shares as columns and each kind's own fields as a JSON object; `record_actions` (the
//! actions of a corrective action or a management review's decisions: owner, due, done),
//! `record_links` (to documents, versions and other records) and `record_series` (an agency's
//! record types with their retention). Attachments are `files` linked through `file_links`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RecordSeries {
    Table,
    Id,
    AgencyId,
    Name,
    NameKey,
    RecordType,
    RetentionYears,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Records {
    Table,
    Id,
    AgencyId,
    Kind,
    ParentId,
    SourceId,
    SeriesId,
    Number,
    NumberKey,
    Title,
    Category,
    Status,
    OccurredOn,
    DueOn,
    ClosedOn,
    Year,
    Details,
    RetentionUntil,
    LegalHold,
    Revision,
    CreatedBy,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecordActions {
    Table,
    Id,
    RecordId,
    Position,
    Category,
    Description,
    OwnerId,
    DueOn,
    DoneOn,
    DoneNote,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecordLinks {
    Table,
    RecordId,
    TargetKind,
    TargetId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Agencies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RecordSeries::Table)
                    .col(pk_uuid(RecordSeries::Id))
                    .col(uuid(RecordSeries::AgencyId))
                    .col(string_len(RecordSeries::Name, 300))
                    .col(string_len(RecordSeries::NameKey, 300))
                    .col(string_len(RecordSeries::RecordType, 64))
                    .col(integer_null(RecordSeries::RetentionYears))
                    .col(uuid_null(RecordSeries::CreatedBy))
                    .col(timestamp_with_time_zone(RecordSeries::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_record_series_agency")
                            .from(RecordSeries::Table, RecordSeries::AgencyId)
                            .to(Agencies::Table, Agencies::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_record_series_name")
                    .table(RecordSeries::Table)
                    .col(RecordSeries::AgencyId)
                    .col(RecordSeries::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Records::Table)
                    .col(pk_uuid(Records::Id))
                    .col(uuid(Records::AgencyId))
                    .col(string_len(Records::Kind, 32))
                    .col(uuid_null(Records::ParentId))
                    .col(uuid_null(Records::SourceId))
                    .col(uuid_null(Records::SeriesId))
                    .col(string_len(Records::Number, 100))
                    .col(string_len(Records::NumberKey, 100))
                    .col(string_len(Records::Title, 500))
                    .col(string_len_null(Records::Category, 32))
                    .col(string_len(Records::Status, 32))
                    .col(date(Records::OccurredOn))
                    .col(date_null(Records::DueOn))
                    .col(date_null(Records::ClosedOn))
                    .col(integer(Records::Year))
                    .col(text(Records::Details))
                    .col(date_null(Records::RetentionUntil))
                    .col(boolean(Records::LegalHold).default(false))
                    .col(integer(Records::Revision))
                    .col(uuid_null(Records::CreatedBy))
                    .col(uuid_null(Records::UpdatedBy))
                    .col(timestamp_with_time_zone(Records::CreatedAt))
                    .col(timestamp_with_time_zone(Records::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_records_agency")
                            .from(Records::Table, Records::AgencyId)
                            .to(Agencies::Table, Agencies::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_records_parent")
                            .from(Records::Table, Records::ParentId)
                            .to(Records::Table, Records::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_records_series")
                            .from(Records::Table, Records::SeriesId)
                            .to(RecordSeries::Table, RecordSeries::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns, unique) in [
            (
                "idx_records_number",
                vec![Records::AgencyId, Records::Kind, Records::NumberKey],
                true,
            ),
            (
                "idx_records_agency_kind_day",
                vec![Records::AgencyId, Records::Kind, Records::OccurredOn],
                false,
            ),
            ("idx_records_parent", vec![Records::ParentId], false),
            ("idx_records_source", vec![Records::SourceId], false),
            ("idx_records_series", vec![Records::SeriesId], false),
            (
                "idx_records_retention",
                vec![Records::RetentionUntil],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Records::Table);
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(RecordActions::Table)
                    .col(pk_uuid(RecordActions::Id))
                    .col(uuid(RecordActions::RecordId))
                    .col(integer(RecordActions::Position))
                    .col(string_len_null(RecordActions::Category, 32))
                    .col(text(RecordActions::Description))
                    .col(uuid_null(RecordActions::OwnerId))
                    .col(date_null(RecordActions::DueOn))
                    .col(date_null(RecordActions::DoneOn))
                    .col(text_null(RecordActions::DoneNote))
                    .col(uuid_null(RecordActions::CreatedBy))
                    .col(timestamp_with_time_zone(RecordActions::CreatedAt))
                    .col(timestamp_with_time_zone(RecordActions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_record_actions_record")
                            .from(RecordActions::Table, RecordActions::RecordId)
                            .to(Records::Table, Records::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_record_actions_owner")
                            .from(RecordActions::Table, RecordActions::OwnerId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_record_actions_record")
                    .table(RecordActions::Table)
                    .col(RecordActions::RecordId)
                    .col(RecordActions::Position)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_record_actions_open")
                    .table(RecordActions::Table)
                    .col(RecordActions::DoneOn)
                    .col(RecordActions::DueOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecordLinks::Table)
                    .col(uuid(RecordLinks::RecordId))
                    .col(string_len(RecordLinks::TargetKind, 16))
                    .col(uuid(RecordLinks::TargetId))
                    .col(timestamp_with_time_zone(RecordLinks::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(RecordLinks::RecordId)
                            .col(RecordLinks::TargetKind)
                            .col(RecordLinks::TargetId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_record_links_record")
                            .from(RecordLinks::Table, RecordLinks::RecordId)
                            .to(Records::Table, Records::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_record_links_target")
                    .table(RecordLinks::Table)
                    .col(RecordLinks::TargetKind)
                    .col(RecordLinks::TargetId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RecordLinks::Table.into_iden(),
            RecordActions::Table.into_iden(),
            Records::Table.into_iden(),
            RecordSeries::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
