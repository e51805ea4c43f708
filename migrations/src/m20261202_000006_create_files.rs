//! Files as their own rows, whoever owns them: `files` (one per stored upload; its identity
//! never changes, so a version, an attachment or a piece of evidence can pin it; its extraction
//! state does), `file_texts` (the extracted text, one row per page) and `file_links` (the owners
//! whose search entries include a file). Document versions point to their file.
//!
//! Backfilled from the versions' own file columns and `version_texts`: each version's file keeps
//! the version's id, its text is split at the form feeds that separated pages, and queued
//! extraction jobs are renamed to the file jobs. Then `version_texts` and the versions' file
//! columns are dropped. `document_versions.blob_sha256` stays: it carries a foreign key to
//! `blobs`, and SQLite cannot drop such a column without rebuilding the table; it always equals
//! the file's hash. `document_versions.file_id` has an index rather than a foreign key for the
//! same reason (`migrate down` must be able to drop it).

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement, Value},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
    BlobSha256,
    OriginalFilename,
    Size,
    ContentType,
    ExtractionStatus,
    ExtractionMethod,
    ExtractionPages,
    ExtractionLegacyEncoding,
    ExtractionError,
    OcrPagesDone,
    OcrPagesTotal,
    UploadedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FileTexts {
    Table,
    FileId,
    Page,
    Text,
}

#[derive(DeriveIden)]
enum FileLinks {
    Table,
    OwnerKind,
    OwnerId,
    FileId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DocumentVersions {
    Table,
    FileId,
    OriginalFilename,
    Size,
    ContentType,
    ExtractionStatus,
    ExtractionMethod,
    ExtractionPages,
    ExtractionLegacyEncoding,
    ExtractionError,
    OcrPagesDone,
}

#[derive(DeriveIden)]
enum VersionTexts {
    Table,
    VersionId,
    Text,
    Pages,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Blobs {
    Table,
    Sha256,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

/// The columns a version's file had, moved to `files`: (name, nullable).
const MOVED_COLUMNS: [(&str, bool); 9] = [
    ("original_filename", false),
    ("size", false),
    ("content_type", false),
    ("extraction_status", false),
    ("extraction_method", true),
    ("extraction_pages", true),
    ("extraction_legacy_encoding", true),
    ("extraction_error", true),
    ("ocr_pages_done", true),
];

/// Texts moved per batch: bounded memory whatever the size of the database.
const TEXT_BATCH: u64 = 200;

/// Waiting jobs renamed: (old kind, new kind, old payload text, new payload text). Extraction
/// is keyed by file; indexing names the kind and the unit it rebuilds.
const RENAMED_JOBS: [(&str, &str, &str, &str); 3] = [
    (
        "extract_text",
        "extract_file",
        "\"version_id\"",
        "\"file_id\"",
    ),
    ("ocr_version", "ocr_file", "\"version_id\"", "\"file_id\""),
    (
        "index_document",
        "index",
        "{\"document_id\":",
        "{\"kind\":\"document\",\"unit\":",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Files::Table)
                    .col(pk_uuid(Files::Id))
                    .col(string_len(Files::BlobSha256, 64))
                    .col(string_len(Files::OriginalFilename, 255))
                    .col(big_integer(Files::Size))
                    .col(string_len(Files::ContentType, 128))
                    .col(string_len(Files::ExtractionStatus, 16))
                    .col(string_len_null(Files::ExtractionMethod, 32))
                    .col(integer_null(Files::ExtractionPages))
                    .col(string_len_null(Files::ExtractionLegacyEncoding, 16))
                    .col(text_null(Files::ExtractionError))
                    .col(integer_null(Files::OcrPagesDone))
                    .col(integer_null(Files::OcrPagesTotal))
                    .col(uuid_null(Files::UploadedBy))
                    .col(timestamp_with_time_zone(Files::CreatedAt))
                    .col(timestamp_with_time_zone(Files::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_files_blob")
                            .from(Files::Table, Files::BlobSha256)
                            .to(Blobs::Table, Blobs::Sha256),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_files_uploaded_by")
                            .from(Files::Table, Files::UploadedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_files_blob")
                    .table(Files::Table)
                    .col(Files::BlobSha256)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_files_extraction_status")
                    .table(Files::Table)
                    .col(Files::ExtractionStatus)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FileTexts::Table)
                    .col(uuid(FileTexts::FileId))
                    .col(integer(FileTexts::Page))
                    .col(text(FileTexts::Text))
                    .primary_key(Index::create().col(FileTexts::FileId).col(FileTexts::Page))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_file_texts_file")
                            .from(FileTexts::Table, FileTexts::FileId)
                            .to(Files::Table, Files::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FileLinks::Table)
                    .col(string_len(FileLinks::OwnerKind, 32))
                    .col(uuid(FileLinks::OwnerId))
                    .col(uuid(FileLinks::FileId))
                    .col(timestamp_with_time_zone(FileLinks::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(FileLinks::OwnerKind)
                            .col(FileLinks::OwnerId)
                            .col(FileLinks::FileId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_file_links_file")
                            .from(FileLinks::Table, FileLinks::FileId)
                            .to(Files::Table, Files::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_file_links_file")
                    .table(FileLinks::Table)
                    .col(FileLinks::FileId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentVersions::Table)
                    .add_column(uuid_null(DocumentVersions::FileId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_versions_file")
                    .table(DocumentVersions::Table)
                    .col(DocumentVersions::FileId)
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        // Every version's file, under the version's own id; the drafter uploaded it.
        db.execute_unprepared(
            "INSERT INTO files (id, blob_sha256, original_filename, size, content_type, \
             extraction_status, extraction_method, extraction_pages, extraction_legacy_encoding, \
             extraction_error, ocr_pages_done, uploaded_by, created_at, updated_at) \
             SELECT id, blob_sha256, original_filename, size, content_type, extraction_status, \
             extraction_method, extraction_pages, extraction_legacy_encoding, extraction_error, \
             ocr_pages_done, drafted_by, created_at, updated_at FROM document_versions",
        )
        .await?;
        db.execute_unprepared("UPDATE document_versions SET file_id = id")
            .await?;
        // Owners re-index when their file's text changes: a version's document does.
        db.execute_unprepared(
            "INSERT INTO file_links (owner_kind, owner_id, file_id, created_at) \
             SELECT 'document', document_id, id, created_at FROM document_versions",
        )
        .await?;
        move_texts_to_pages(db).await?;
        for (old_kind, new_kind, old_text, new_text) in RENAMED_JOBS {
            rename_jobs(db, old_kind, new_kind, old_text, new_text).await?;
        }

        manager
            .drop_table(Table::drop().table(VersionTexts::Table).to_owned())
            .await?;
        for (column, _) in MOVED_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(DocumentVersions::Table)
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            string_len(DocumentVersions::OriginalFilename, 255)
                .default("")
                .to_owned(),
            big_integer(DocumentVersions::Size).default(0).to_owned(),
            string_len(DocumentVersions::ContentType, 128)
                .default("")
                .to_owned(),
            string_len(DocumentVersions::ExtractionStatus, 16)
                .default("pending")
                .to_owned(),
            string_len_null(DocumentVersions::ExtractionMethod, 32),
            integer_null(DocumentVersions::ExtractionPages),
            string_len_null(DocumentVersions::ExtractionLegacyEncoding, 16),
            text_null(DocumentVersions::ExtractionError),
            integer_null(DocumentVersions::OcrPagesDone),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(DocumentVersions::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        for (column, _) in MOVED_COLUMNS {
            db.execute_unprepared(&format!(
                "UPDATE document_versions SET {column} = \
                 (SELECT files.{column} FROM files WHERE files.id = document_versions.file_id) \
                 WHERE file_id IS NOT NULL"
            ))
            .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(VersionTexts::Table)
                    .col(uuid(VersionTexts::VersionId).primary_key())
                    .col(text(VersionTexts::Text))
                    .col(integer(VersionTexts::Pages))
                    .col(timestamp_with_time_zone(VersionTexts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_version_texts_version")
                            .from(VersionTexts::Table, VersionTexts::VersionId)
                            .to(Alias::new("document_versions"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        move_pages_to_texts(db).await?;
        for (old_kind, new_kind, old_text, new_text) in RENAMED_JOBS {
            rename_jobs(db, new_kind, old_kind, new_text, old_text).await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_versions_file")
                    .table(DocumentVersions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DocumentVersions::Table)
                    .drop_column(DocumentVersions::FileId)
                    .to_owned(),
            )
            .await?;
        for table in [
            FileLinks::Table.into_iden(),
            FileTexts::Table.into_iden(),
            Files::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Splits each version's stored text at its form feeds into one `file_texts` row per page.
async fn move_texts_to_pages(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let mut after: Option<Value> = None;
    loop {
        let (sql, values) = match &after {
            None => (
                format!(
                    "SELECT version_id, text FROM version_texts ORDER BY version_id LIMIT {TEXT_BATCH}"
                ),
                Vec::new(),
            ),
            Some(last) => (
                format!(
                    "SELECT version_id, text FROM version_texts WHERE version_id > {} \
                     ORDER BY version_id LIMIT {TEXT_BATCH}",
                    placeholder(backend, 1)
                ),
                vec![last.clone()],
            ),
        };
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = Some(
            last.try_get_by::<sea_orm::prelude::Uuid, _>("version_id")?
                .into(),
        );
        let mut insert = Query::insert();
        insert.into_table(FileTexts::Table).columns([
            FileTexts::FileId,
            FileTexts::Page,
            FileTexts::Text,
        ]);
        for row in &rows {
            let id: sea_orm::prelude::Uuid = row.try_get_by("version_id")?;
            let text: String = row.try_get_by("text")?;
            for (index, page) in text.split('\u{000C}').enumerate() {
                insert.values_panic([
                    id.into(),
                    <i32 as TryFrom<usize>>::try_from(index + 1)
                        .unwrap_or(i32::MAX)
                        .into(),
                    page.into(),
                ]);
            }
        }
        db.execute(&insert).await?;
    }
}

/// Joins each version's file pages back into one text with form feeds (`migrate down`).
async fn move_pages_to_texts(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let versions = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, file_id, updated_at FROM document_versions WHERE file_id IS NOT NULL",
        ))
        .await?;
    for version in versions {
        let id: sea_orm::prelude::Uuid = version.try_get_by("id")?;
        let file: sea_orm::prelude::Uuid = version.try_get_by("file_id")?;
        let updated: sea_orm::prelude::DateTimeUtc = version.try_get_by("updated_at")?;
        let pages = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT text FROM file_texts WHERE file_id = {} ORDER BY page",
                    placeholder(backend, 1)
                ),
                [file.into()],
            ))
            .await?;
        if pages.is_empty() {
            continue;
        }
        let texts = pages
            .iter()
            .map(|row| row.try_get_by::<String, _>("text"))
            .collect::<Result<Vec<_>, _>>()?;
        let insert = Query::insert()
            .into_table(VersionTexts::Table)
            .columns([
                VersionTexts::VersionId,
                VersionTexts::Text,
                VersionTexts::Pages,
                VersionTexts::UpdatedAt,
            ])
            .values_panic([
                id.into(),
                texts.join("\u{000C}").into(),
                <i32 as TryFrom<usize>>::try_from(texts.len())
                    .unwrap_or(i32::MAX)
                    .into(),
                updated.into(),
            ])
            .to_owned();
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Renames waiting jobs of one kind and rewrites a part of their payload.
async fn rename_jobs(
    db: &SchemaManagerConnection<'_>,
    from: &str,
    to: &str,
    old_text: &str,
    new_text: &str,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "UPDATE jobs SET kind = {}, payload = REPLACE(payload, {}, {}) \
         WHERE kind = {} AND status IN ('queued', 'running')",
        placeholder(backend, 1),
        placeholder(backend, 2),
        placeholder(backend, 3),
        placeholder(backend, 4),
    );
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [to.into(), old_text.into(), new_text.into(), from.into()],
    ))
    .await?;
    Ok(())
}

fn placeholder(backend: DbBackend, index: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${index}"),
        _ => "?".to_owned(),
    }
}
