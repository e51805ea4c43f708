//! Database migrations for hoso: one set for SQLite and PostgreSQL.
//!
//! Files are named `mYYYYMMDD_HHMMSS_verb_noun.rs` and never edited once shipped.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_foundation;
mod m20261122_000002_create_documents;
mod m20261122_000003_create_version_texts;
mod m20261122_000004_create_imports;
mod m20261122_000005_index_pending_jobs;
mod m20261202_000006_create_files;
mod m20261202_000007_add_job_lanes;
mod m20261203_000008_create_legal_ref_proposals;
mod m20261203_000009_index_register_sorts;
mod m20261203_000010_create_records;
mod m20261203_000011_create_retention;
mod m20261203_000012_create_record_imports;
mod m20261203_000013_create_file_citations;
mod m20261203_000014_create_scoring;
mod m20261203_000015_index_status_lists;
mod m20261203_000016_add_user_language;
mod m20261204_000017_create_renditions;
mod m20261204_000018_add_version_agency;

/// Every migration of hoso, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_foundation::Migration),
            Box::new(m20261122_000002_create_documents::Migration),
            Box::new(m20261122_000003_create_version_texts::Migration),
            Box::new(m20261122_000004_create_imports::Migration),
            Box::new(m20261122_000005_index_pending_jobs::Migration),
            Box::new(m20261202_000006_create_files::Migration),
            Box::new(m20261202_000007_add_job_lanes::Migration),
            Box::new(m20261203_000008_create_legal_ref_proposals::Migration),
            Box::new(m20261203_000009_index_register_sorts::Migration),
            Box::new(m20261203_000010_create_records::Migration),
            Box::new(m20261203_000011_create_retention::Migration),
            Box::new(m20261203_000012_create_record_imports::Migration),
            Box::new(m20261203_000013_create_file_citations::Migration),
            Box::new(m20261203_000014_create_scoring::Migration),
            Box::new(m20261203_000015_index_status_lists::Migration),
            Box::new(m20261203_000016_add_user_language::Migration),
            Box::new(m20261204_000017_create_renditions::Migration),
            Box::new(m20261204_000018_add_version_agency::Migration),
        ]
    }
}
