//! Migrations carry existing data forward: a database made by the earlier migrations, with data
//! in it, comes out of the newer ones with nothing lost, on SQLite and PostgreSQL.

use chrono::{SubsecRound, Utc};
use hoso::names::Named;
use hoso::{App, domain::files};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, Value};
use uuid::Uuid;

use crate::support::{TestApp, TestDatabase, engines};

/// Runs one statement with `?` placeholders on either engine.
async fn exec(db: &DatabaseConnection, sql: &str, values: Vec<Value>) {
    let backend = db.get_database_backend();
    let mut numbered = String::new();
    let mut index = 0;
    for character in sql.chars() {
        if character == '?' && backend == sea_orm::DbBackend::Postgres {
            index += 1;
            numbered.push_str(&format!("${index}"));
        } else {
            numbered.push(character);
        }
    }
    db.execute_raw(Statement::from_sql_and_values(backend, numbered, values))
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_files_and_texts_move_to_the_files_tables_with_nothing_lost() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(engine, dir.path()).await;
        let db = Database::connect(&database.url).await.unwrap();
        // The schema as the previous release left it.
        Migrator::up(&db, Some(5)).await.unwrap();
        let now = Utc::now().trunc_subsecs(6);
        let (agency, document, done, scanned) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let sha = |n: u8| format!("{n:064x}");
        exec(
            &db,
            "INSERT INTO agencies (id, code, name, kind, active, created_at, updated_at) VALUES (?, 'SKHCN', 'Sở Khoa học và Công nghệ', 'department', ?, ?, ?)",
            vec![agency.into(), true.into(), now.into(), now.into()],
        )
        .await;
        exec(
            &db,
            "INSERT INTO documents (id, agency_id, code, code_key, title, kind, review_interval_months, tags, status, revision, created_at, updated_at) VALUES (?, ?, 'QT-01', 'qt-01', 'Quy trình kiểm soát tài liệu', 'procedure', 12, '[]', 'effective', 1, ?, ?)",
            vec![document.into(), agency.into(), now.into(), now.into()],
        )
        .await;
        for n in [1u8, 2] {
            exec(
                &db,
                "INSERT INTO blobs (sha256, size, content_type, created_at) VALUES (?, 10, 'application/pdf', ?)",
                vec![sha(n).into(), now.into()],
            )
            .await;
        }
        exec(
            &db,
            "INSERT INTO document_versions (id, document_id, seq, label, status, blob_sha256, original_filename, size, content_type, extraction_status, extraction_method, extraction_pages, created_at, updated_at) VALUES (?, ?, 1, '01', 'superseded', ?, 'Quy trình 01.pdf', 1234, 'application/pdf', 'done', 'pdf', 3, ?, ?)",
            vec![done.into(), document.into(), sha(1).into(), now.into(), now.into()],
        )
        .await;
        exec(
            &db,
            "INSERT INTO document_versions (id, document_id, seq, label, status, blob_sha256, original_filename, size, content_type, extraction_status, extraction_error, ocr_pages_done, created_at, updated_at) VALUES (?, ?, 2, '02', 'effective', ?, 'Bản quét.pdf', 99, 'application/pdf', 'needs_ocr', 'OCR is not installed', 1, ?, ?)",
            vec![scanned.into(), document.into(), sha(2).into(), now.into(), now.into()],
        )
        .await;
        exec(
            &db,
            "INSERT INTO version_texts (version_id, text, pages, updated_at) VALUES (?, ?, 3, ?)",
            vec![
                done.into(),
                "Trang một\u{000C}Trang hai: đánh giá nội bộ\u{000C}".into(),
                now.into(),
            ],
        )
        .await;
        for (kind, payload) in [
            ("extract_text", format!("{{\"version_id\":\"{scanned}\"}}")),
            (
                "index_document",
                format!("{{\"document_id\":\"{document}\"}}"),
            ),
        ] {
            exec(
                &db,
                "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at) VALUES (?, ?, ?, 'queued', 0, 5, ?, ?, ?)",
                vec![
                    Uuid::now_v7().into(),
                    kind.into(),
                    payload.into(),
                    now.into(),
                    now.into(),
                    now.into(),
                ],
            )
            .await;
        }

        Migrator::up(&db, None).await.unwrap();

        // Each version points to its file, which kept the version's file facts.
        let first = files::get(&db, done).await.unwrap();
        assert_eq!(first.original_filename, "Quy trình 01.pdf");
        assert_eq!(first.size, 1234);
        assert_eq!(first.extraction_status.as_str(), "done");
        assert_eq!(first.extraction_pages, Some(3));
        assert_eq!(first.blob_sha256, sha(1));
        let second = files::get(&db, scanned).await.unwrap();
        assert_eq!(second.extraction_status.as_str(), "needs_ocr");
        assert_eq!(
            second.extraction_error.as_deref(),
            Some("OCR is not installed")
        );
        assert_eq!(second.ocr_pages_done, Some(1));
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM document_versions WHERE file_id = id"
            )
            .await,
            2
        );
        // The text is kept page by page, the empty last page too.
        assert_eq!(
            files::pages(&db, done).await.unwrap(),
            vec!["Trang một", "Trang hai: đánh giá nội bộ", ""]
        );
        assert!(files::pages(&db, scanned).await.unwrap().is_empty());
        // The document re-indexes when its files' text changes.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM file_links WHERE owner_kind = 'document'"
            )
            .await,
            2
        );
        // Each version carries its document's agency.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM document_versions JOIN documents ON documents.id = document_versions.document_id WHERE document_versions.agency_id = documents.agency_id"
            )
            .await,
            2
        );
        // Waiting jobs speak the new kinds.
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'extract_file' AND payload LIKE '%\"file_id\"%'").await,
            1
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'index' AND payload LIKE '%\"kind\":\"document\"%'").await,
            1
        );
        db.close().await.ok();

        // The migrated database serves: the version shows its file and its text.
        let config = TestApp::config_for(dir.path(), &database.url);
        let app = App::build(config)
            .await
            .expect("hoso starts on the migrated database");
        let admin = hoso::domain::auth::actor_for_user(&app.state.db, "admin")
            .await
            .unwrap();
        let text = hoso::domain::documents::versions::version_text(&app.state.db, &admin, done)
            .await
            .unwrap();
        assert_eq!(text.pages.len(), 3);
        assert_eq!(text.status.as_str(), "done");
        let version =
            hoso::domain::documents::versions::get_version(&app.state.db, &admin, scanned)
                .await
                .unwrap();
        assert_eq!(version.original_filename, "Bản quét.pdf");
        assert_eq!(version.extraction.status.as_str(), "needs_ocr");
        app.state.db.clone().close().await.ok();
        database.drop_database().await;
    }
}

/// A test that fails never reaches its clean-up; its PostgreSQL database must not outlive it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_tests_postgres_database_is_dropped_all_the_same() {
    if !engines().contains(&crate::support::Engine::Postgres) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(crate::support::Engine::Postgres, dir.path()).await;
    let name = database.url.rsplit('/').next().unwrap().to_owned();
    let exists = |name: String| async move {
        let base = std::env::var("HOSO_TEST_DATABASE_URL").unwrap();
        let server = Database::connect(&base).await.unwrap();
        let found = server
            .query_one_raw(Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT 1 FROM pg_database WHERE datname = $1",
                [name.into()],
            ))
            .await
            .unwrap()
            .is_some();
        server.close().await.ok();
        found
    };
    assert!(exists(name.clone()).await);
    let failing = std::panic::AssertUnwindSafe(async move {
        let _database = database;
        panic!("a failing test");
    });
    let outcome = futures::FutureExt::catch_unwind(failing).await;
    assert!(outcome.is_err());
    assert!(
        !exists(name).await,
        "the database was dropped as the test unwound"
    );
}
