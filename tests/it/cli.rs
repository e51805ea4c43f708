//! The operator CLI, run as the real binary.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use hoso::audit_log;
use sea_orm::{ConnectionTrait, Statement};

use crate::support::{PASSWORD, TestApp, db_test};

fn hoso(app: &TestApp, args: &[&str]) -> Output {
    hoso_with_stdin(app, args, "")
}

fn hoso_with_stdin(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let data_dir = app.data_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("--database-url")
        .arg(&app.database.url)
        .args(args)
        .env_remove("HOSO_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hoso binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("hoso finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

db_test!(
    audit_verify_exits_non_zero_naming_the_first_broken_row,
    |app| {
        app.agency("BG", "province", None).await;
        app.agency("SKHCN", "department", Some("BG")).await;
        let intact = hoso(&app, &["audit", "verify"]);
        assert!(intact.status.success(), "{}", text(&intact.stderr));
        assert!(text(&intact.stdout).contains("audit log intact"));

        let rows = audit_log::count(&app.state.db).await.unwrap();
        let backend = app.state.db.get_database_backend();
        app.state
            .db
            .execute_raw(Statement::from_string(
                backend,
                format!(
                    "UPDATE audit_log SET summary = '{{}}' WHERE seq = {}",
                    rows - 1
                ),
            ))
            .await
            .unwrap();
        let broken = hoso(&app, &["audit", "verify"]);
        assert_eq!(broken.status.code(), Some(1));
        let report = text(&broken.stdout);
        assert!(
            report.contains(&format!("BROKEN at row {}", rows - 1)),
            "{report}"
        );
    }
);

db_test!(user_add_creates_a_user_who_can_sign_in, |app| {
    app.agency("BG", "province", None).await;
    let output = hoso_with_stdin(
        &app,
        &[
            "user",
            "add",
            "thuky",
            "--role",
            "iso_officer",
            "--agency",
            "BG",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("created user thuky"));
    let token = app.login("thuky", PASSWORD).await;
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.json["roles"][0]["role"], "iso_officer");
    let unknown_role = hoso_with_stdin(
        &app,
        &["user", "add", "khac", "--role", "boss", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(!unknown_role.status.success());
    assert!(text(&unknown_role.stderr).contains("unknown role"));
});

db_test!(operators_reset_a_password_and_unlock_an_account, |app| {
    let agency = app.staffed_agency("SYT").await;
    for _ in 0..5 {
        app.post(
            "/api/v1/auth/login",
            "",
            serde_json::json!({"username": "canbo-syt", "password": "doan-sai-mat-khau"}),
        )
        .await;
    }
    let unlocked = hoso(&app, &["user", "unlock", "canbo-syt"]);
    assert!(unlocked.status.success(), "{}", text(&unlocked.stderr));
    assert!(
        text(&unlocked.stdout).contains("canbo-syt is unlocked (5 failed sign-ins cleared)"),
        "{}",
        text(&unlocked.stdout)
    );
    app.login("canbo-syt", PASSWORD).await;

    let reset = hoso(&app, &["user", "reset-password", "CANBO-SYT"]);
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    let printed = text(&reset.stdout);
    let password = printed
        .lines()
        .find_map(|line| line.strip_prefix("new password of canbo-syt: "))
        .unwrap_or_else(|| panic!("the new password is printed: {printed}"))
        .trim()
        .to_owned();
    app.login("canbo-syt", &password).await;
    assert_eq!(
        app.get("/api/v1/me", &agency.staff).await.status,
        axum::http::StatusCode::UNAUTHORIZED
    );
    let unknown = hoso(&app, &["user", "unlock", "khong-co-ai"]);
    assert!(!unknown.status.success());
});

db_test!(migrate_status_and_jobs_report_on_the_database, |app| {
    let status = hoso(&app, &["migrate", "status"]);
    assert!(status.status.success(), "{}", text(&status.stderr));
    assert!(text(&status.stdout).contains("applied  m20261122_000001_create_foundation"));
    hoso::jobs::enqueue(&app.state.db, "purge_sessions", &serde_json::json!({}), 3)
        .await
        .unwrap();
    let jobs = hoso(&app, &["jobs", "--status", "queued"]);
    assert!(jobs.status.success(), "{}", text(&jobs.stderr));
    let listing = text(&jobs.stdout);
    assert!(listing.contains("1 job(s) queued"), "{listing}");
    assert!(
        listing.contains("(ocr 0, extract 0, index 0, render 0, default 1)"),
        "the queue per lane: {listing}"
    );
    assert!(listing.contains("purge_sessions"), "{listing}");
    let fsck = hoso(&app, &["fsck"]);
    assert!(fsck.status.success(), "{}", text(&fsck.stdout));
    assert!(text(&fsck.stdout).contains("consistent"));
});

#[test]
fn config_show_tells_where_each_value_came_from_and_hides_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["config", "show"])
        .env("HOSO_LISTEN", "0.0.0.0:9090")
        .env("HOSO_BOOTSTRAP_PASSWORD", "very-secret-bootstrap")
        .env(
            "HOSO_DATABASE_URL",
            "postgres://hoso:db-secret@db.internal/hoso",
        )
        .env_remove("HOSO_CONFIG")
        .output()
        .unwrap();
    assert!(output.status.success());
    let shown = text(&output.stdout);
    assert!(!shown.contains("very-secret-bootstrap"), "{shown}");
    assert!(!shown.contains("db-secret"), "{shown}");
    let line = |key: &str| {
        shown
            .lines()
            .find(|line| line.starts_with(key))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(line("listen").contains("0.0.0.0:9090") && line("listen").contains("env HOSO_LISTEN"));
    assert!(line("data_dir").contains("command-line flag"));
    assert!(line("bootstrap_password").contains("(redacted)"));
    assert!(
        line("max_upload_bytes").contains("536870912")
            && line("max_upload_bytes").contains("default")
    );
    assert!(line("storage_url").contains("derived from data_dir"));
}

#[test]
fn an_unreachable_database_is_one_clear_line_and_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--database-url", "postgres://hoso:pw@127.0.0.1:1/nothing"])
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("HOSO_CONFIG")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("cannot connect to the database"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(":pw@"),
        "the password stays hidden: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn an_unusable_data_dir_is_one_clear_line_and_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--data-dir")
        .arg(file.join("data"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("HOSO_CONFIG")
        .env_remove("HOSO_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("data directory"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

db_test!(migrate_down_then_up_restores_a_working_schema, |app| {
    let down = hoso(&app, &["migrate", "down"]);
    assert!(down.status.success(), "{}", text(&down.stderr));
    let status = hoso(&app, &["migrate", "status"]);
    let listing = text(&status.stdout);
    assert_eq!(
        listing
            .lines()
            .filter(|line| line.starts_with("pending  "))
            .count(),
        1,
        "exactly the newest migration was rolled back: {listing}"
    );
    assert!(
        listing.contains("applied  m20261122_000001_create_foundation"),
        "{listing}"
    );
    let up = hoso(&app, &["migrate", "up"]);
    assert!(up.status.success(), "{}", text(&up.stderr));
    let verify = hoso(&app, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify.stdout));
});

db_test!(
    extract_retry_failed_queues_the_failed_versions_again,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let mut broken = b"%PDF-1.7\n".to_vec();
        broken.extend(std::iter::repeat_n(0x42u8, 2000));
        let version = crate::support::id_of(
            &app.upload(&agency.officer, &document, "hong.pdf", &broken, None)
                .await,
        );
        app.drain_jobs().await;
        let failed = app
            .get(&format!("/api/v1/versions/{version}"), &agency.officer)
            .await;
        assert_eq!(failed.json["extraction"]["status"], "failed");
        let output = hoso(&app, &["extract", "--retry-failed"]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(
            text(&output.stdout).contains("queued 1 version(s)"),
            "{}",
            text(&output.stdout)
        );
        let pending = app
            .get(&format!("/api/v1/versions/{version}"), &agency.officer)
            .await;
        assert_eq!(pending.json["extraction"]["status"], "queued");
        let without_flag = hoso(&app, &["extract"]);
        assert!(!without_flag.status.success());
    }
);

db_test!(
    reindex_rebuilds_the_index_from_stored_text_and_search_finds_it,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app
            .document(&agency, "QT-07", "Quy trình xử lý khiếu nại")
            .await;
        let version = crate::support::id_of(
            &app.upload(
                &agency.officer,
                &document,
                "qt07.txt",
                "Tiếp nhận và giải quyết khiếu nại của công dân theo Nghị định 30/2020/NĐ-CP"
                    .as_bytes(),
                None,
            )
            .await,
        );
        // Extract the text without indexing in this process, so the CLI may take the index writer.
        let mut registry = hoso::jobs::JobRegistry::default();
        hoso::domain::files::extraction::register(&mut registry);
        let worker = app.worker_with(registry);
        while let Some((_, status)) = worker.run_next().await.unwrap() {
            if status == hoso::jobs::JobStatus::Done {
                break;
            }
        }
        let text_ready = app
            .get(&format!("/api/v1/versions/{version}"), &agency.officer)
            .await;
        assert_eq!(text_ready.json["extraction"]["status"], "done");
        // Citations lost (or never found, for texts stored before they were kept) come back.
        let backend = app.state.db.get_database_backend();
        app.state
            .db
            .execute_raw(Statement::from_string(
                backend,
                "DELETE FROM file_citations",
            ))
            .await
            .unwrap();
        let reindex = hoso(&app, &["reindex"]);
        assert!(reindex.status.success(), "{}", text(&reindex.stderr));
        assert!(
            text(&reindex.stdout).contains("legal citations found again in 1 file(s)"),
            "{}",
            text(&reindex.stdout)
        );
        let cited = app
            .get(
                &format!("/api/v1/versions/{version}/citations"),
                &agency.officer,
            )
            .await;
        assert_eq!(cited.json[0]["key"], "30/2020/ND-CP", "{}", cited.text);
        assert!(
            text(&reindex.stdout).contains("reindexed 1 document(s)"),
            "{}",
            text(&reindex.stdout)
        );
        let found = hoso(&app, &["search", "giai quyet khieu nai", "--json"]);
        assert!(found.status.success(), "{}", text(&found.stderr));
        let response: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
        assert_eq!(response["total"], 1, "{response}");
        assert_eq!(response["hits"][0]["code"], "QT-07");
        let table = hoso(&app, &["search", "khiếu nại"]);
        assert!(
            text(&table.stdout).contains("QT-07"),
            "{}",
            text(&table.stdout)
        );
        let empty = hoso(&app, &["search", "  "]);
        assert!(!empty.status.success());
    }
);

db_test!(import_brings_a_folder_in_once_and_picks_up_changes, |app| {
    app.agency("SKHCN", "department", None).await;
    let folder = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(folder.path().join("Quy trình")).unwrap();
    std::fs::create_dir_all(folder.path().join("bieu-mau")).unwrap();
    std::fs::copy(
        fixtures.join("vanban.docx"),
        folder
            .path()
            .join("Quy trình/QT-01 kiem soat tai lieu.docx"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("bang.xlsx"),
        folder.path().join("bieu-mau/BM-02-QT05.xlsx"),
    )
    .unwrap();
    std::fs::write(
        folder.path().join("ghi-chu.txt"),
        "Ghi chú về hồ sơ năm 2024",
    )
    .unwrap();
    std::fs::write(
        folder.path().join("setup.exe"),
        b"MZ\x90\x00\x03\x00\x00\x00",
    )
    .unwrap();
    std::fs::write(folder.path().join(".hidden"), b"x").unwrap();
    let dir = folder.path().to_string_lossy().into_owned();

    let dry = hoso(&app, &["import", &dir, "--agency", "skhcn", "--dry-run"]);
    let listing = text(&dry.stdout);
    assert!(listing.contains("would import 3"), "{listing}");
    // Each file with the code, kind and title it would get, before anything is written.
    let qt01_line = listing
        .lines()
        .find(|line| line.trim_start().starts_with("QT-01"))
        .unwrap_or_else(|| panic!("QT-01 listed: {listing}"));
    assert!(qt01_line.contains("procedure"), "{qt01_line}");
    assert!(
        qt01_line.contains("Quy trình kiểm soát tài liệu"),
        "{qt01_line}"
    );
    assert_eq!(
        app.get("/api/v1/documents?agency=SKHCN", &app.admin_token)
            .await
            .json["total"],
        0,
        "a dry run writes nothing"
    );
    let first = hoso(&app, &["import", &dir, "--agency", "SKHCN"]);
    let summary = text(&first.stdout);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        summary.contains("imported 3, new versions 0, skipped (unchanged) 0, failed 1"),
        "{summary}"
    );
    assert!(summary.contains("setup.exe"), "{summary}");
    let list = app
        .get("/api/v1/documents?agency=SKHCN&sort=code", &app.admin_token)
        .await;
    assert_eq!(list.json["total"], 3, "{}", list.text);
    let items = list.json["items"].as_array().unwrap();
    let qt01 = items
        .iter()
        .find(|item| item["code"] == "QT-01")
        .expect("code from the file name");
    assert_eq!(qt01["kind"], "procedure", "kind from the folder name");
    assert_eq!(
        qt01["title"], "Quy trình kiểm soát tài liệu",
        "title from the first heading"
    );
    let form = items
        .iter()
        .find(|item| item["code"] == "BM-02-QT05")
        .unwrap();
    assert_eq!(form["kind"], "form");

    let again = hoso(&app, &["import", &dir, "--agency", "SKHCN"]);
    assert!(
        text(&again.stdout).contains("imported 0, new versions 0, skipped (unchanged) 3"),
        "{}",
        text(&again.stdout)
    );
    std::fs::write(folder.path().join("ghi-chu.txt"), "Ghi chú đã sửa năm 2025").unwrap();
    let changed = hoso(&app, &["import", &dir, "--agency", "SKHCN"]);
    assert!(
        text(&changed.stdout).contains("imported 0, new versions 1, skipped (unchanged) 2"),
        "{}",
        text(&changed.stdout)
    );
    assert_eq!(
        app.get("/api/v1/documents?agency=SKHCN", &app.admin_token)
            .await
            .json["total"],
        3
    );

    // With no server running, the import extracted and indexed the files itself.
    assert!(
        text(&changed.stdout).contains("extracted and indexed"),
        "{}",
        text(&changed.stdout)
    );
    let found = hoso(&app, &["search", "ghi chu da sua", "--json"]);
    let found: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["hits"][0]["original_filename"], "ghi-chu.txt");
    let missing = hoso(&app, &["import", &dir, "--agency", "NOWHERE"]);
    assert!(!missing.status.success());
});

db_test!(
    procedures_in_use_are_imported_in_force_from_the_day_given,
    |app| {
        app.agency("SKHCN", "department", None).await;
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(folder.path().join("quy-trinh")).unwrap();
        std::fs::write(
            folder.path().join("quy-trinh/QT-03 tiep nhan ho so.txt"),
            "Quy trình tiếp nhận hồ sơ một cửa",
        )
        .unwrap();
        let dir = folder.path().to_string_lossy().into_owned();
        let future = hoso(
            &app,
            &[
                "import",
                &dir,
                "--agency",
                "SKHCN",
                "--effective-from",
                "2999-01-01",
            ],
        );
        assert!(
            text(&future.stdout).contains("failed 1"),
            "a day to come is refused: {}",
            text(&future.stdout)
        );
        let import = hoso(
            &app,
            &[
                "import",
                &dir,
                "--agency",
                "SKHCN",
                "--effective-from",
                "2024-01-15",
            ],
        );
        assert!(import.status.success(), "{}", text(&import.stderr));
        assert!(
            text(&import.stdout).contains("imported 1"),
            "{}",
            text(&import.stdout)
        );
        let list = app
            .get(
                "/api/v1/documents?agency=SKHCN&status=effective",
                &app.admin_token,
            )
            .await;
        assert_eq!(list.json["total"], 1, "{}", list.text);
        let version = &list.json["items"][0]["versions"][0];
        assert_eq!(version["status"], "effective");
        assert_eq!(version["effective_from"], "2024-01-15");
        let trail = app
            .get(
                "/api/v1/audit-log?action=version.import_in_force",
                &app.admin_token,
            )
            .await;
        assert_eq!(trail.json["total"], 1, "{}", trail.text);
        assert_eq!(trail.json["items"][0]["actor_name"], "import");
        // The import read the text once, for the title, and recorded it with the file: no
        // extraction job read it again.
        assert_eq!(version["extraction"]["status"], "done", "{version}");
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let extraction_jobs = hoso::db::entities::job::Entity::find()
            .filter(hoso::db::entities::job::Column::Kind.eq("extract_file"))
            .count(&app.state.db)
            .await
            .unwrap();
        assert_eq!(extraction_jobs, 0);
        let found = hoso(&app, &["search", "tiep nhan ho so mot cua", "--json"]);
        let found: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
        assert_eq!(found["total"], 1, "{found}");
    }
);

db_test!(
    earlier_issues_in_the_folder_come_in_as_the_documents_history,
    |app| {
        app.agency("SKHCN", "department", None).await;
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path();
        std::fs::create_dir_all(root.join("quy-trinh/Hết hiệu lực")).unwrap();
        std::fs::write(
            root.join("quy-trinh/QT-01 Kiểm soát tài liệu.txt"),
            "QUY TRÌNH\nKiểm soát tài liệu\nLần ban hành: 03\nNgày ban hành: 10/02/2025\n\
             Bản hiện hành.",
        )
        .unwrap();
        std::fs::write(
            root.join("quy-trinh/Hết hiệu lực/QT-01 Kiểm soát tài liệu (lần 2).txt"),
            "QUY TRÌNH\nKiểm soát tài liệu\nLần ban hành: 02\nNgày ban hành: 01/06/2022\n\
             Bản thứ hai.",
        )
        .unwrap();
        std::fs::write(
            root.join("quy-trinh/Hết hiệu lực/QT-01 Kiểm soát tài liệu (lần 1).txt"),
            "Sở Khoa học và Công nghệ\nĐiện Biên, ngày 5 tháng 3 năm 2019\nQUY TRÌNH\n\
             Kiểm soát tài liệu\nBản đầu tiên.",
        )
        .unwrap();
        let dir = root.to_string_lossy().into_owned();
        let args = [
            "import",
            &dir,
            "--agency",
            "SKHCN",
            "--effective-from",
            "2025-03-01",
        ];
        let planned = hoso(&app, &[&args[..], &["--dry-run"]].concat());
        let planned = text(&planned.stdout);
        assert!(planned.contains("in force from 05/03/2019"), "{planned}");
        assert!(planned.contains("in force from 01/03/2025"), "{planned}");

        let import = hoso(&app, &args);
        let said = text(&import.stdout);
        assert!(import.status.success(), "{}", text(&import.stderr));
        assert!(said.contains("imported 1, new versions 2"), "{said}");

        let list = app
            .get("/api/v1/documents?agency=SKHCN", &app.admin_token)
            .await;
        assert_eq!(
            list.json["total"], 1,
            "one document, not three: {}",
            list.text
        );
        let document = &list.json["items"][0];
        assert_eq!(document["code"], "QT-01");
        assert_eq!(document["status"], "effective");
        let mut versions: Vec<(String, String, String)> = document["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|version| {
                (
                    version["status"].as_str().unwrap_or_default().to_owned(),
                    version["effective_from"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    version["effective_to"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect();
        versions.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            versions,
            [
                (
                    "superseded".into(),
                    "2019-03-05".into(),
                    "2022-05-31".into()
                ),
                (
                    "superseded".into(),
                    "2022-06-01".into(),
                    "2025-02-28".into()
                ),
                ("effective".into(), "2025-03-01".into(), String::new()),
            ]
        );
        let id = document["id"].as_str().unwrap();
        let in_2020 = app
            .get(
                &format!("/api/v1/documents/{id}/effective?on=2020-01-01"),
                &app.admin_token,
            )
            .await;
        assert_eq!(
            in_2020.json["effective_from"], "2019-03-05",
            "{}",
            in_2020.text
        );
    }
);

db_test!(
    an_earlier_issue_without_an_issue_day_is_refused_by_name,
    |app| {
        app.agency("SKHCN", "department", None).await;
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join("QT-02 v1.txt"),
            "Quy trình không ghi ngày",
        )
        .unwrap();
        std::fs::write(folder.path().join("QT-02 v2.txt"), "Quy trình bản mới").unwrap();
        let dir = folder.path().to_string_lossy().into_owned();
        let import = hoso(
            &app,
            &[
                "import",
                &dir,
                "--agency",
                "SKHCN",
                "--effective-from",
                "2025-03-01",
            ],
        );
        let said = text(&import.stdout);
        assert!(said.contains("imported 1, new versions 0"), "{said}");
        assert!(said.contains("QT-02 v1.txt"), "{said}");
        assert!(
            said.contains("is in force from the day it was issued"),
            "{said}"
        );
    }
);

db_test!(
    a_file_that_fails_while_recorded_loses_only_itself_and_the_files_around_it_land,
    |app| {
        app.agency("SKHCN", "department", None).await;
        let folder = tempfile::tempdir().unwrap();
        let write =
            |name: &str, body: &str| std::fs::write(folder.path().join(name), body).unwrap();
        write("A-truoc.txt", "Kế hoạch đào tạo năm 2025");
        // Issue 1 says it was issued in June, after the day the newest is put in force: the
        // newest cannot come after it, so issue 2 fails while it is being recorded.
        write(
            "QT-03 v1.txt",
            "Quy trình tiếp nhận hồ sơ\nNgày ban hành: 01/06/2025",
        );
        write("QT-03 v2.txt", "Quy trình tiếp nhận hồ sơ, bản sửa đổi");
        write("Z-sau.txt", "Báo cáo tổng kết năm 2025");
        let dir = folder.path().to_string_lossy().into_owned();
        let import = hoso(
            &app,
            &[
                "import",
                &dir,
                "--agency",
                "SKHCN",
                "--effective-from",
                "2025-03-01",
            ],
        );
        let said = text(&import.stdout);
        assert!(import.status.success(), "{}", text(&import.stderr));
        assert!(said.contains("imported 3, new versions 0"), "{said}");
        assert!(said.contains("failed 1"), "{said}");
        assert!(said.contains("QT-03 v2.txt"), "{said}");
        assert!(said.contains("imported oldest first"), "{said}");
        // Nothing of the failed issue was kept: one version of QT-03, in force from June.
        let list = app
            .get("/api/v1/documents?agency=SKHCN&sort=code", &app.admin_token)
            .await;
        assert_eq!(list.json["total"], 3, "{}", list.text);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM document_versions").await,
            3
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM imports").await, 3);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'version.import_in_force'"
            )
            .await,
            3
        );
        let verify = hoso(&app, &["audit", "verify"]);
        assert!(verify.status.success(), "{}", text(&verify.stdout));
        // Run again, the failed file is tried again and fails the same way; the rest is skipped.
        let again = hoso(
            &app,
            &[
                "import",
                &dir,
                "--agency",
                "SKHCN",
                "--effective-from",
                "2025-03-01",
            ],
        );
        let said = text(&again.stdout);
        assert!(said.contains("skipped (unchanged) 3, failed 1"), "{said}");
    }
);

/// Runs `hoso import` and kills it (SIGKILL) as soon as `until` holds, checked every 20 ms.
async fn import_killed_when(
    app: &TestApp,
    dir: &str,
    until: impl AsyncFn(&TestApp) -> bool,
) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--data-dir")
        .arg(app.data_dir())
        .arg("--database-url")
        .arg(&app.database.url)
        .args(["import", dir, "--agency", "SKHCN"])
        .env_remove("HOSO_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the hoso binary runs");
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if until(app).await {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let backend = app.state.db.get_database_backend();
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

db_test!(
    an_import_killed_twice_and_run_again_leaves_one_searchable_document_per_file,
    |app| {
        app.agency("SKHCN", "department", None).await;
        let folder = tempfile::tempdir().unwrap();
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut files = 0;
        for n in 0..240 {
            let sub = folder.path().join(format!("don-vi-{}", n % 6));
            std::fs::create_dir_all(&sub).unwrap();
            let stem = format!("QT-{n:03} ho so");
            match n % 6 {
                0 => std::fs::copy(
                    fixtures.join("vanban.docx"),
                    sub.join(format!("{stem}.docx")),
                )
                .map(|_| ())
                .unwrap(),
                1 => std::fs::copy(fixtures.join("bang.xlsx"), sub.join(format!("{stem}.xlsx")))
                    .map(|_| ())
                    .unwrap(),
                2 => std::fs::write(
                    sub.join(format!("{stem}.md")),
                    format!("# Hướng dẫn số {n}\n\nHồ sơ lưu trữ mã tailieu{n:03}."),
                )
                .unwrap(),
                3 => std::fs::write(
                    sub.join(format!("{stem}.html")),
                    format!("<h1>Biên bản {n}</h1><p>Hồ sơ lưu trữ mã tailieu{n:03}.</p>"),
                )
                .unwrap(),
                _ => std::fs::write(
                    sub.join(format!("{stem}.txt")),
                    format!("Quy định số {n}\nHồ sơ lưu trữ mã tailieu{n:03}."),
                )
                .unwrap(),
            }
            files += 1;
        }
        let dir = folder.path().to_string_lossy().into_owned();
        let documents = "SELECT COUNT(*) FROM documents";

        // Killed while importing files, then again once the files are in (while it extracts).
        let killed =
            import_killed_when(&app, &dir, async |app| count(app, documents).await >= 50).await;
        assert!(killed, "the first run was killed midway");
        let before = count(&app, documents).await;
        assert!(
            before < files,
            "{before} of {files} imported before the kill"
        );
        import_killed_when(&app, &dir, async |app| {
            count(app, documents).await >= files
                && count(
                    app,
                    "SELECT COUNT(*) FROM jobs WHERE status = 'done' AND kind = 'extract_file'",
                )
                .await
                    > 0
        })
        .await;
        let last = hoso(&app, &["import", &dir, "--agency", "SKHCN"]);
        assert!(last.status.success(), "{}", text(&last.stderr));
        assert!(
            text(&last.stdout).contains("failed 0"),
            "{}",
            text(&last.stdout)
        );

        assert_eq!(count(&app, documents).await, files, "one document per file");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM document_versions").await,
            files,
            "one version per document"
        );
        assert_eq!(
            count(&app, "SELECT COUNT(DISTINCT rel_path) FROM imports").await,
            files
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM jobs WHERE status <> 'done'").await,
            0,
            "every extraction and index job finished"
        );
        // Every file is searchable: the texts by their own words, the copies by their content.
        let search = |query: &str| {
            let out = hoso(&app, &["search", query, "--json", "--limit", "1"]);
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["total"].clone()
        };
        assert_eq!(search("ho so luu tru"), 160, "the 160 text files");
        assert_eq!(search("tailieu137"), 1);
        assert_eq!(
            search("\"danh gia noi bo\""),
            40,
            "the 40 copies of vanban.docx"
        );
        assert_eq!(search("phieu yeu cau"), 40, "the 40 copies of bang.xlsx");
        let index = hoso::search::SearchIndex::open(
            &app.state.config.index_dir,
            hoso::search::CommitPolicy::default(),
        )
        .unwrap();
        assert_eq!(index.count(), files as u64, "one index entry per file");
    }
);

db_test!(
    beside_a_process_holding_the_index_import_leaves_indexing_to_it_and_serve_refuses,
    |app| {
        app.agency("SKHCN", "department", None).await;
        // This process plays the running server: it holds the index writer.
        app.state.search.start_writer().unwrap();
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join("QT-01.txt"),
            "Quy trình kiểm soát tài liệu",
        )
        .unwrap();
        let dir = folder.path().to_string_lossy().into_owned();
        let import = hoso(&app, &["import", &dir, "--agency", "SKHCN"]);
        assert!(import.status.success(), "{}", text(&import.stderr));
        let said = text(&import.stdout);
        assert!(said.contains("imported 1"), "{said}");
        assert!(
            said.contains("a running hoso server extracts and indexes"),
            "{said}"
        );
        // The jobs wait for the server's worker.
        app.drain_jobs().await;
        let found = app
            .get("/api/v1/search?q=kiem%20soat", &app.admin_token)
            .await;
        assert_eq!(found.json["total"], 1, "{}", found.text);

        let second = hoso(&app, &["serve", "--listen", "127.0.0.1:0"]);
        assert!(!second.status.success());
        let stderr = text(&second.stderr);
        assert!(
            stderr.contains("being written by another hoso process"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
);

#[test]
fn a_busy_port_fails_before_anything_is_created_or_printed() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = taken.local_addr().expect("its address");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data_dir = dir.path().join("data");
    let output = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["serve", "--listen", &address.to_string()])
        .env_remove("HOSO_CONFIG")
        .env_remove("HOSO_DATABASE_URL")
        .env_remove("HOSO_BOOTSTRAP_PASSWORD")
        .output()
        .expect("the hoso binary runs");
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains(&format!("cannot listen on {address}")),
        "{}",
        text(&output.stderr)
    );
    assert!(
        !text(&output.stdout).contains("administrator"),
        "no one-time password was printed for an administrator nobody can use: {}",
        text(&output.stdout)
    );
    assert!(
        !data_dir.join("hoso.db").exists(),
        "no database was created"
    );
}

db_test!(
    import_records_brings_series_folders_in_once_and_picks_up_changes,
    |app| {
        app.agency("SKHCN", "department", None).await;
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(folder.path().join("Đào tạo/2024")).unwrap();
        std::fs::create_dir_all(folder.path().join("Sổ theo dõi TTHC")).unwrap();
        std::fs::write(
            folder
                .path()
                .join("Đào tạo/2024/Danh_sách học viên lớp ISO.txt"),
            "Danh sách học viên lớp nhận thức ISO 9001:2015",
        )
        .unwrap();
        std::fs::write(
            folder.path().join("Sổ theo dõi TTHC/quý 1 năm 2025.txt"),
            "Sổ theo dõi giải quyết thủ tục hành chính quý 1",
        )
        .unwrap();
        std::fs::write(
            folder.path().join("setup.exe"),
            b"MZ\x90\x00\x03\x00\x00\x00",
        )
        .unwrap();
        let dir = folder.path().to_string_lossy().into_owned();

        let dry = hoso(
            &app,
            &[
                "import",
                &dir,
                "--agency",
                "SKHCN",
                "--records",
                "--dry-run",
            ],
        );
        let listing = text(&dry.stdout);
        assert!(listing.contains("would import 3 records"), "{listing}");
        assert!(listing.contains("Danh sách học viên lớp ISO"), "{listing}");
        let first = hoso(&app, &["import", &dir, "--agency", "SKHCN", "--records"]);
        let summary = text(&first.stdout);
        assert!(first.status.success(), "{}", text(&first.stderr));
        assert!(
            summary
                .contains("imported 2 records, files changed 0, skipped (unchanged) 0, failed 1"),
            "{summary}"
        );
        let series = app
            .get("/api/v1/record-series?agency=SKHCN", &app.admin_token)
            .await;
        let names: Vec<&str> = series
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|series| series["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Đào tạo", "Sổ theo dõi TTHC"], "{}", series.text);
        let records = app
            .get(
                "/api/v1/records?agency=SKHCN&kind=record&sort=number",
                &app.admin_token,
            )
            .await;
        assert_eq!(records.json["total"], 2, "{}", records.text);
        let training = records.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["title"] == "Danh sách học viên lớp ISO")
            .unwrap_or_else(|| panic!("{}", records.text))
            .clone();
        assert_eq!(training["occurred_on"], "2024-01-01");
        assert_eq!(training["attachments"].as_array().unwrap().len(), 1);
        assert_eq!(training["retention_until"], "2034-12-31");

        let again = hoso(&app, &["import", &dir, "--agency", "SKHCN", "--records"]);
        assert!(
            text(&again.stdout)
                .contains("imported 0 records, files changed 0, skipped (unchanged) 2"),
            "{}",
            text(&again.stdout)
        );
        std::fs::write(
            folder.path().join("Sổ theo dõi TTHC/quý 1 năm 2025.txt"),
            "Sổ theo dõi giải quyết thủ tục hành chính quý 1, bản bổ sung",
        )
        .unwrap();
        let changed = hoso(&app, &["import", &dir, "--agency", "SKHCN", "--records"]);
        assert!(
            text(&changed.stdout)
                .contains("imported 0 records, files changed 1, skipped (unchanged) 1"),
            "{}",
            text(&changed.stdout)
        );
        let found = hoso(&app, &["search", "ban bo sung", "--json"]);
        let found: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
        assert_eq!(found["hits"][0]["kind"], "attachment", "{found}");
        assert_eq!(found["hits"][0]["record_kind"], "record", "{found}");
    }
);
