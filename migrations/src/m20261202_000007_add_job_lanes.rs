//! Job lanes: each job waits in a lane (`ocr`, `extract`, `index`, `default`) whose workers take
//! only its jobs, so a long OCR never holds back extraction or indexing. Waiting jobs of the
//! existing kinds are put in their lanes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Lane,
    Status,
    RunAt,
}

/// The lanes of the kinds that exist when lanes arrive.
const LANES: [(&str, &str); 4] = [
    ("ocr_file", "ocr"),
    ("extract_file", "extract"),
    ("index", "index"),
    ("index_all", "index"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .add_column(string_len(Jobs::Lane, 16).default("default"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for (kind, lane) in LANES {
            db.execute_unprepared(&format!(
                "UPDATE jobs SET lane = '{lane}' WHERE kind = '{kind}'"
            ))
            .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_lane_claim")
                    .table(Jobs::Table)
                    .col(Jobs::Lane)
                    .col(Jobs::Status)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_jobs_lane_claim")
                    .table(Jobs::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .drop_column(Jobs::Lane)
                    .to_owned(),
            )
            .await
    }
}
