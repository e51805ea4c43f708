//! What the bulk import costs the database: a constant few statements a file, however many files
//! one run brings and however many the agency already has.

use std::sync::{Arc, Mutex};

use crate::support::{TestApp, db_test};

/// Imports `count` new text files coded `{prefix}-NN` in force, through a connection that
/// records every statement it runs; returns the statements.
async fn statements_for_an_import(app: &TestApp, prefix: &str, count: usize) -> Vec<String> {
    use hoso::domain::documents::import::{ImportRequest, files_under, import_files, import_plan};
    let folder = tempfile::tempdir().unwrap();
    for n in 0..count {
        std::fs::write(
            folder
                .path()
                .join(format!("{prefix}-{n:02} Quy trình số {n}.txt")),
            format!("Quy trình kiểm soát hồ sơ số {n}\nNội dung của quy trình {n}."),
        )
        .unwrap();
    }
    let mut db = sea_orm::Database::connect(&app.database.url).await.unwrap();
    let actor = hoso::domain::auth::actor_for_user(&db, "admin")
        .await
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    db.set_metric_callback(move |info| log.lock().unwrap().push(info.statement.sql.clone()));
    let plan = import_plan(folder.path(), files_under(folder.path()).unwrap(), true);
    let mut imported = 0;
    import_files(
        &db,
        &app.state.blobs,
        &app.state.config,
        &actor,
        ImportRequest {
            agency: "SKHCN",
            kind: None,
            root: folder.path(),
            dry_run: false,
            effective_from: chrono::NaiveDate::from_ymd_opt(2025, 3, 1),
            pace_with_index: false,
        },
        &plan,
        |_, outcome| {
            assert!(
                matches!(
                    outcome,
                    hoso::domain::documents::import::ImportOutcome::Imported { .. }
                ),
                "{outcome:?}"
            );
            imported += 1;
        },
    )
    .await
    .unwrap();
    assert_eq!(imported, count);
    db.close().await.ok();
    seen.lock().unwrap().clone()
}

/// The statements of `statements` grouped by their first words, most frequent first.
fn breakdown(statements: &[String]) -> String {
    let mut by_start: std::collections::BTreeMap<String, usize> = Default::default();
    for sql in statements {
        *by_start.entry(sql.chars().take(60).collect()).or_default() += 1;
    }
    let mut rows: Vec<_> = by_start.into_iter().collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.1));
    rows.iter()
        .map(|(sql, n)| format!("{n:5}  {sql}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each file costs its document, version, file, text, link, job and import record, each written
/// once, and the reads the domain rules need; nothing per file already imported.
const MOST_STATEMENTS_A_FILE: usize = 24;

/// Whether a statement writes or reads the audit chain.
fn audit_chain(sql: &str) -> bool {
    sql.contains("\"audit_log\"") || sql.contains("\"audit_head\"")
}

db_test!(
    importing_a_file_in_force_costs_a_constant_few_statements,
    |app| {
        app.agency("SKHCN", "department", None).await;
        let few = statements_for_an_import(&app, "QT", 4).await;
        let many = statements_for_an_import(&app, "HD", 16).await;
        // The audit rows of each transaction's files (three a file) cost three statements
        // together, however many files the transaction holds: its chain head read, its rows
        // inserted, its head moved.
        for run in [&few, &many] {
            let trail: Vec<&String> = run.iter().filter(|sql| audit_chain(sql)).collect();
            let heads = trail.iter().filter(|sql| sql.starts_with("SELECT")).count();
            assert_eq!(trail.len(), 3 * heads, "{}", breakdown(run));
        }
        let (few, many): (Vec<String>, Vec<String>) = (
            few.into_iter().filter(|sql| !audit_chain(sql)).collect(),
            many.into_iter().filter(|sql| !audit_chain(sql)).collect(),
        );
        let per_file = (many.len() - few.len()) / 12;
        assert_eq!(
            many.len() - few.len(),
            12 * per_file,
            "a file costs a different number of statements in a larger run:\n{}",
            breakdown(&many)
        );
        assert!(
            per_file <= MOST_STATEMENTS_A_FILE,
            "{per_file} statements a file:\n{}",
            breakdown(&many)
        );
        // Besides the files: the agency and the earlier runs' records.
        assert!(
            few.len() <= 4 * per_file + 4,
            "{} statements for 4 files, {per_file} a file:\n{}",
            few.len(),
            breakdown(&few)
        );
    }
);
