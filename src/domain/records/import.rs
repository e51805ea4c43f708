//! `hoso import DIR --agency CODE --records`: an agency's folders of records brought in as
//! records of its series, one record per file with the file attached. The series is the first
//! folder under DIR (a year folder is skipped: `2024/Đào tạo/…` is the series "Đào tạo"),
//! created when missing; the record's title is the file's name, its day the year a folder or
//! the name gives (1 January), else the file's date. Each file goes through the one file
//! pipeline (typed by its bytes, size-limited, extracted, indexed). A run resumes and repeats
//! without duplicates: a file already imported from the same path with the same bytes is
//! skipped, a changed one is attached again to its record.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;
use tokio_util::io::ReaderStream;

use super::{NewRecord, RecordKind, indexing, retention, series, store};
use crate::{
    blobs::BlobStore,
    db::{
        self,
        entities::{agency, record, record_import},
    },
    domain::{Actor, DomainError, DomainResult, agencies, files},
};

/// The series of files directly under the folder imported.
pub const LOOSE_SERIES: &str = "Hồ sơ khác";

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordImportOutcome {
    Imported {
        series: String,
    },
    /// Its bytes changed since the last run: attached again to its record.
    Updated {
        series: String,
    },
    Skipped,
    WouldImport {
        series: String,
        title: String,
        day: NaiveDate,
    },
    Failed(String),
}

/// Where a file goes: its series, title and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPlan {
    pub rel_path: String,
    pub series: String,
    pub title: String,
    /// A year a folder or the name gives.
    pub year: Option<i32>,
}

/// Plans a file at `rel_path` (with `/` between folders).
pub fn plan(rel_path: &str) -> RecordPlan {
    let parts: Vec<&str> = rel_path
        .split('/')
        .filter(|part| !part.is_empty())
        .collect();
    let (folders, name) = parts.split_at(parts.len().saturating_sub(1));
    let year = parts.iter().rev().find_map(|part| year_in(part));
    let series = folders
        .iter()
        .find(|folder| year_in(folder).is_none() || folder.chars().any(char::is_alphabetic))
        .map(|folder| clean(folder))
        .filter(|series| !series.is_empty())
        .unwrap_or_else(|| LOOSE_SERIES.to_owned());
    let name = name.first().copied().unwrap_or_default();
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let title = clean(stem);
    RecordPlan {
        rel_path: rel_path.to_owned(),
        series,
        title: if title.is_empty() {
            name.to_owned()
        } else {
            title
        },
        year,
    }
}

/// A year from 1975 to 2100 written as four digits standing alone in `text`.
fn year_in(text: &str) -> Option<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|digits| digits.len() == 4)
        .filter_map(|digits| digits.parse::<i32>().ok())
        .find(|year| (1975..=2100).contains(year))
}

fn clean(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let spaced: String = text
        .nfc()
        .map(|c| if c == '_' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let words: Vec<&str> = spaced.split_whitespace().collect();
    words.join(" ").chars().take(300).collect()
}

/// Imports `files` under `root` into the agency's series, telling `each` what happened to every
/// file as soon as it is committed (one transaction a file).
#[allow(clippy::too_many_arguments)] // the file pipeline's context, the request, the callback
pub async fn import_records(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    max_upload_bytes: u64,
    max_attempts: u32,
    actor: &Actor,
    agency: &str,
    root: &Path,
    dry_run: bool,
    files: &[PathBuf],
    mut each: impl FnMut(&Path, RecordImportOutcome),
) -> DomainResult<()> {
    let agency = agencies::resolve(conn, agency).await?;
    let mut imported: HashMap<String, record_import::Model> = record_import::Entity::find()
        .filter(record_import::Column::AgencyId.eq(agency.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| (row.rel_path.clone(), row))
        .collect();
    for path in files {
        let rel_path = path
            .strip_prefix(root)
            .unwrap_or(path)
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let planned = plan(&rel_path);
        let day = day_of(&planned, path);
        let outcome = if dry_run {
            match imported.get(&rel_path) {
                Some(_) => RecordImportOutcome::Skipped,
                None => RecordImportOutcome::WouldImport {
                    series: planned.series.clone(),
                    title: planned.title.clone(),
                    day,
                },
            }
        } else {
            match import_one(
                conn,
                blobs,
                max_upload_bytes,
                max_attempts,
                actor,
                &agency,
                path,
                &planned,
                day,
                imported.get(&rel_path),
            )
            .await
            {
                Ok((outcome, row)) => {
                    if let Some(row) = row {
                        imported.insert(rel_path.clone(), row);
                    }
                    outcome
                }
                Err(error @ (DomainError::Database(_) | DomainError::Internal(_))) => {
                    return Err(error);
                }
                Err(error) => RecordImportOutcome::Failed(error.to_string()),
            }
        };
        each(path, outcome);
    }
    Ok(())
}

/// The record's day: 1 January of the year the path gives, else the file's date, else today.
fn day_of(planned: &RecordPlan, path: &Path) -> NaiveDate {
    if let Some(year) = planned.year
        && let Some(day) = NaiveDate::from_ymd_opt(year, 1, 1)
    {
        return day;
    }
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
        .map(|modified| crate::clock::day_of(chrono::DateTime::<Utc>::from(modified)))
        .unwrap_or_else(crate::clock::today)
}

#[allow(clippy::too_many_arguments)] // the import's context and the file's plan
async fn import_one(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    max_upload_bytes: u64,
    max_attempts: u32,
    actor: &Actor,
    agency: &agency::Model,
    path: &Path,
    planned: &RecordPlan,
    day: NaiveDate,
    before: Option<&record_import::Model>,
) -> DomainResult<(RecordImportOutcome, Option<record_import::Model>)> {
    let opened = tokio::fs::File::open(path).await.map_err(|error| {
        DomainError::invalid(
            "file",
            crate::i18n::Message::new("file_unreadable").arg("detail", error.to_string()),
        )
    })?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let upload =
        files::store_file(blobs, ReaderStream::new(opened), &name, max_upload_bytes).await?;
    if before.is_some_and(|row| row.sha256 == upload.blob.sha256) {
        return Ok((RecordImportOutcome::Skipped, None));
    }
    let txn = db::begin_write(conn).await?;
    let (target, outcome) = match before
        .map(|row| row.record_id)
        .map(|id| record::Entity::find_by_id(id).one(&txn))
    {
        Some(found) => match found.await? {
            Some(existing) => (
                existing,
                RecordImportOutcome::Updated {
                    series: planned.series.clone(),
                },
            ),
            None => (
                new_record(&txn, actor, agency, planned, day).await?,
                RecordImportOutcome::Imported {
                    series: planned.series.clone(),
                },
            ),
        },
        None => (
            new_record(&txn, actor, agency, planned, day).await?,
            RecordImportOutcome::Imported {
                series: planned.series.clone(),
            },
        ),
    };
    let file = files::record_file(&txn, blobs, actor, &upload, max_attempts).await?;
    files::link(&txn, indexing::KIND, target.id, file.id).await?;
    store::touch(
        &txn,
        actor,
        &target,
        "attach",
        json!({"file_id": file.id, "filename": file.original_filename, "sha256": file.blob_sha256,
               "imported_from": planned.rel_path}),
    )
    .await?;
    record_import::Entity::delete_many()
        .filter(record_import::Column::AgencyId.eq(agency.id))
        .filter(record_import::Column::RelPath.eq(planned.rel_path.clone()))
        .exec(&txn)
        .await?;
    let row = record_import::ActiveModel {
        agency_id: Set(agency.id),
        rel_path: Set(planned.rel_path.clone()),
        sha256: Set(upload.blob.sha256.clone()),
        record_id: Set(target.id),
        file_id: Set(file.id),
        imported_at: Set(Utc::now().trunc_subsecs(6)),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok((outcome, Some(row)))
}

/// A record of the plan's series (opened when missing, kept as the agency's records are).
async fn new_record(
    txn: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    agency: &agency::Model,
    planned: &RecordPlan,
    day: NaiveDate,
) -> DomainResult<record::Model> {
    let found = series::find_by_name(txn, agency.id, &planned.series).await?;
    let series = match found {
        Some(series) => series,
        None => {
            let years = retention::years_for(txn, agency.id, RecordKind::Record).await?;
            series::insert_series(
                txn,
                actor,
                agency,
                planned.series.clone(),
                "other".to_owned(),
                years,
            )
            .await?
        }
    };
    store::insert(
        txn,
        actor,
        NewRecord {
            series_id: Some(series.id),
            category: Some(series.record_type.clone()),
            ..NewRecord::new(
                RecordKind::Record,
                agency.id,
                planned.title.chars().take(500).collect(),
                series::KEPT,
                day,
                json!({"series": series.name, "imported_from": planned.rel_path}),
            )
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_goes_to_the_series_of_its_first_folder_with_the_year_its_path_gives() {
        let planned = plan("Đào tạo/2024/Danh_sách học viên lớp ISO.pdf");
        assert_eq!(planned.series, "Đào tạo");
        assert_eq!(planned.title, "Danh sách học viên lớp ISO");
        assert_eq!(planned.year, Some(2024));
        let by_year = plan("2023/Sổ theo dõi TTHC/quy 1.xlsx");
        assert_eq!(by_year.series, "Sổ theo dõi TTHC");
        assert_eq!(by_year.year, Some(2023));
        let loose = plan("bao-cao.docx");
        assert_eq!(loose.series, LOOSE_SERIES);
        assert_eq!(loose.year, None);
        assert_eq!(plan("Báo cáo/BC 12345 quý.pdf").year, None, "not a year");
    }
}
