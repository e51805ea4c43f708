//! `hoso-bench-qms`: how long an agency's QMS year at a glance (`qms-status`) and the list of
//! what is due (`deadlines`) take in a province of many agencies with years of records, and how
//! many statements each costs (the same whatever the data: no query per row).
//!
//! ```text
//! cargo run --release -p hoso-bench --bin hoso-bench-qms -- [--agencies 300] [--years 5]
//!     [--postgres] [--append docs/benchmarks.md]
//! ```

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use chrono::{Datelike, NaiveDate, Utc};
use clap::Parser;
use hoso::{
    App,
    config::Config,
    db::entities::{agency, document, record, record_action, record_series},
    domain::{
        Actor,
        records::{
            deadlines::{DeadlineFilter, deadlines},
            status::qms_status,
        },
    },
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, Database, EntityTrait};
use uuid::Uuid;

#[derive(Parser)]
#[command(about = "Measures qms-status and deadlines over a generated province")]
struct Args {
    /// Agencies of the province (one province and its departments and communes).
    #[arg(long, default_value_t = 300)]
    agencies: usize,
    /// Years of records each agency has, up to this year.
    #[arg(long, default_value_t = 5)]
    years: i32,
    /// Calls measured of each kind.
    #[arg(long, default_value_t = 300)]
    samples: usize,
    /// Run on PostgreSQL (a database `hoso_bench_qms` is created and dropped) instead of SQLite.
    #[arg(long)]
    postgres: bool,
    #[arg(
        long,
        env = "HOSO_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres_url: String,
    /// Append the report to this Markdown file.
    #[arg(long)]
    append: Option<std::path::PathBuf>,
}

const RECORDS_PER_INSERT: usize = 400;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    let database_name = "hoso_bench_qms";
    if args.postgres {
        let server = Database::connect(&args.postgres_url).await?;
        server
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {database_name} WITH (FORCE)"
            ))
            .await?;
        server
            .execute_unprepared(&format!("CREATE DATABASE {database_name}"))
            .await?;
        let mut url = url_with_path(&args.postgres_url, database_name);
        std::mem::swap(&mut config.database_url, &mut url);
    }
    config.bootstrap_admin = Some("admin".into());
    config.bootstrap_password = Some("bench-mat-khau-1".into());
    let url = config.database_url.clone();
    let app = App::build(config).await.context("hoso starts")?;
    let db = &app.state.db;
    let started = Instant::now();
    let (codes, counts) = generate(db, args.agencies, args.years).await?;
    let generated = started.elapsed();
    println!(
        "generated {} agencies, {} records, {} actions, {} documents in {:.1} s",
        codes.len(),
        counts.0,
        counts.1,
        counts.2,
        generated.as_secs_f64()
    );

    // A second connection that counts every statement it runs.
    let mut counted = Database::connect(&url).await?;
    let statements = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&statements);
    counted.set_metric_callback(move |_| {
        seen.fetch_add(1, Ordering::Relaxed);
    });
    let actor = Actor::system("bench");
    let year = hoso::clock::today().year();
    let mut rows = Vec::new();

    let mut status_times = Vec::new();
    let mut status_statements = Vec::new();
    for n in 0..args.samples {
        let code = &codes[n % codes.len()];
        let before = statements.load(Ordering::Relaxed);
        let started = Instant::now();
        qms_status(&counted, &actor, code, Some(year - (n as i32 % args.years))).await?;
        status_times.push(started.elapsed());
        status_statements.push(statements.load(Ordering::Relaxed) - before);
    }
    rows.push(row(
        "`qms-status` of one agency and year",
        &status_times,
        &status_statements,
        None,
    ));

    let mut agency_times = Vec::new();
    let mut agency_statements = Vec::new();
    let mut agency_items = 0;
    for n in 0..args.samples {
        let code = &codes[n % codes.len()];
        let before = statements.load(Ordering::Relaxed);
        let started = Instant::now();
        let due = deadlines(
            &counted,
            &actor,
            &DeadlineFilter {
                agency: Some(code.clone()),
                within_days: Some(30),
            },
            (11, 30),
        )
        .await?;
        agency_times.push(started.elapsed());
        agency_statements.push(statements.load(Ordering::Relaxed) - before);
        agency_items += due.len();
    }
    rows.push(row(
        "`deadlines?agency=` (one agency, 30 days)",
        &agency_times,
        &agency_statements,
        Some(agency_items / args.samples.max(1)),
    ));

    let mut province_times = Vec::new();
    let mut province_statements = Vec::new();
    let mut province_items = 0;
    for _ in 0..(args.samples / 10).max(5) {
        let before = statements.load(Ordering::Relaxed);
        let started = Instant::now();
        let due = deadlines(
            &counted,
            &actor,
            &DeadlineFilter {
                agency: None,
                within_days: Some(30),
            },
            (11, 30),
        )
        .await?;
        province_times.push(started.elapsed());
        province_statements.push(statements.load(Ordering::Relaxed) - before);
        province_items = due.len();
    }
    rows.push(row(
        "`deadlines` of the whole province (coordinator)",
        &province_times,
        &province_statements,
        Some(province_items),
    ));

    let engine = if args.postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut report = format!(
        "\n### qms-status and deadlines: {} agencies × {} years on {engine} ({})\n\n\
         {} records, {} actions, {} documents, generated in {:.1} s. Each call through the \
         domain function the API calls, on a connection that counts its statements.\n\n\
         | call | p50 | p95 | max | statements per call | items |\n|---|---:|---:|---:|---:|---:|\n",
        codes.len(),
        args.years,
        Utc::now().format("%Y-%m-%d"),
        counts.0,
        counts.1,
        counts.2,
        generated.as_secs_f64(),
    );
    for line in rows {
        report.push_str(&line);
        report.push('\n');
    }
    println!("{report}");
    if let Some(path) = args.append {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().append(true).open(&path)?;
        file.write_all(report.as_bytes())?;
    }
    counted.close().await.ok();
    app.state.db.clone().close().await.ok();
    if args.postgres {
        let server = Database::connect(&args.postgres_url).await?;
        server
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {database_name} WITH (FORCE)"
            ))
            .await?;
    }
    Ok(())
}

fn url_with_path(base: &str, database: &str) -> String {
    match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{database}"),
        None => base.to_owned(),
    }
}

fn row(name: &str, times: &[Duration], statements: &[usize], items: Option<usize>) -> String {
    let mut sorted = times.to_vec();
    sorted.sort();
    let at = |share: f64| {
        let index = ((sorted.len() as f64 - 1.0) * share).round() as usize;
        sorted[index.min(sorted.len() - 1)]
    };
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    let (least, most) = (
        statements.iter().min().copied().unwrap_or(0),
        statements.iter().max().copied().unwrap_or(0),
    );
    let statements = if least == most {
        least.to_string()
    } else {
        format!("{least}–{most}")
    };
    format!(
        "| {name} | {} | {} | {} | {statements} | {} |",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(1.0)),
        items.map_or_else(|| "".to_owned(), |items| items.to_string())
    )
}

/// A province: a root, departments and communes, each with `years` of QMS records. Rows are
/// written directly in large inserts (the reads measured are what matters here).
async fn generate(
    db: &sea_orm::DatabaseConnection,
    agencies: usize,
    years: i32,
) -> anyhow::Result<(Vec<String>, (usize, usize, usize))> {
    let now = Utc::now();
    let this_year = hoso::clock::today().year();
    let province = Uuid::now_v7();
    let mut agency_rows = vec![agency_row(province, "BENCH", None, "province", now)];
    let mut codes = Vec::new();
    let mut agency_ids = Vec::new();
    for n in 1..agencies {
        let id = Uuid::now_v7();
        let code = format!("CQ{n:03}");
        let kind = if n.is_multiple_of(3) {
            "commune"
        } else {
            "department"
        };
        agency_rows.push(agency_row(id, &code, Some(province), kind, now));
        codes.push(code);
        agency_ids.push(id);
    }
    for chunk in agency_rows.chunks(200) {
        agency::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let mut records = Vec::new();
    let mut actions = Vec::new();
    let mut documents = Vec::new();
    let mut series_rows = Vec::new();
    let day = |year: i32, month: u32, day: u32| NaiveDate::from_ymd_opt(year, month, day).unwrap();
    let today = hoso::clock::today();
    for (index, agency_id) in agency_ids.iter().enumerate() {
        let series = Uuid::now_v7();
        series_rows.push(record_series::ActiveModel {
            id: Set(series),
            agency_id: Set(*agency_id),
            name: Set("Hồ sơ đào tạo".into()),
            name_key: Set("hồ sơ đào tạo".into()),
            record_type: Set("training".into()),
            retention_years: Set(Some(10)),
            created_by: Set(None),
            created_at: Set(now),
        });
        for n in 0..3 {
            documents.push(document_row(*agency_id, n, index, now, today));
        }
        for year in (this_year - years + 1)..=this_year {
            let current = year == this_year;
            let mut push = |kind: &str,
                            number: String,
                            status: &str,
                            category: Option<&str>,
                            occurred_on: NaiveDate,
                            parent: Option<Uuid>,
                            source: Option<Uuid>,
                            due_on: Option<NaiveDate>,
                            closed_on: Option<NaiveDate>| {
                let id = Uuid::now_v7();
                records.push(record::ActiveModel {
                    id: Set(id),
                    agency_id: Set(*agency_id),
                    kind: Set(kind.to_owned()),
                    parent_id: Set(parent),
                    source_id: Set(source),
                    series_id: Set((kind == "record").then_some(series)),
                    number_key: Set(number.to_lowercase()),
                    number: Set(number),
                    title: Set(format!("{kind} {year}")),
                    category: Set(category.map(str::to_owned)),
                    status: Set(status.to_owned()),
                    occurred_on: Set(occurred_on),
                    due_on: Set(due_on),
                    closed_on: Set(closed_on),
                    year: Set(year),
                    details: Set("{}".into()),
                    retention_until: Set(NaiveDate::from_ymd_opt(year + 10, 12, 31)),
                    legal_hold: Set(false),
                    revision: Set(1),
                    created_by: Set(None),
                    updated_by: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
                id
            };
            let audit = push(
                "internal_audit",
                format!("DGNB-{year}-001"),
                if current { "in_progress" } else { "closed" },
                None,
                day(year, 3, 10),
                None,
                None,
                None,
                (!current).then(|| day(year, 6, 1)),
            );
            push(
                "internal_audit",
                format!("DGNB-{year}-002"),
                if current { "planned" } else { "reported" },
                None,
                day(year, 9, 10),
                None,
                None,
                None,
                None,
            );
            for n in 0..6 {
                let grade = [
                    "major",
                    "minor",
                    "observation",
                    "opportunity",
                    "minor",
                    "minor",
                ][n];
                let finding = push(
                    "finding",
                    format!("PH-{year}-{n:03}"),
                    if current { "open" } else { "closed" },
                    Some(grade),
                    day(year, 3, 11),
                    Some(audit),
                    None,
                    None,
                    None,
                );
                let open = current && n < 2;
                let ca = push(
                    "corrective_action",
                    format!("HDKP-{year}-{n:03}"),
                    if open { "in_progress" } else { "closed" },
                    Some("internal_audit"),
                    day(year, 3, 11),
                    None,
                    Some(finding),
                    None,
                    (!open).then(|| day(year, 5, 20)),
                );
                for step in 0..2 {
                    let due = if open && step == 0 {
                        today - chrono::Duration::days(5)
                    } else {
                        day(year, 5, 1 + step)
                    };
                    actions.push(action_row(
                        ca,
                        step as i32 + 1,
                        due,
                        (!open || step == 1).then_some(due),
                        now,
                    ));
                }
            }
            let review = push(
                "management_review",
                format!("XXLD-{year}-001"),
                if current { "draft" } else { "signed_off" },
                None,
                day(year, 10, 15),
                None,
                None,
                None,
                (!current).then(|| day(year, 10, 15)),
            );
            for step in 0..2 {
                let due = if current {
                    today + chrono::Duration::days(10)
                } else {
                    day(year, 12, 1)
                };
                actions.push(action_row(
                    review,
                    step + 1,
                    due,
                    (!current).then_some(due),
                    now,
                ));
            }
            for n in 0..4 {
                let status = ["achieved", "achieved", "missed", "active"][n];
                push(
                    "quality_objective",
                    format!("MTCL-{year}-{n:03}"),
                    status,
                    None,
                    day(year, 1, 1),
                    None,
                    None,
                    None,
                    None,
                );
            }
            for n in 0..5 {
                push(
                    "complaint",
                    format!("PAKN-{year}-{n:03}"),
                    if n < 4 { "closed" } else { "received" },
                    Some("hotline"),
                    day(year, 4, 1 + n as u32),
                    None,
                    None,
                    None,
                    (n < 4).then(|| day(year, 4, 20)),
                );
            }
            for n in 0..20 {
                push(
                    "record",
                    format!("HS-{year}-{n:03}"),
                    "kept",
                    Some("training"),
                    day(year, 2, 1 + n as u32),
                    None,
                    None,
                    None,
                    None,
                );
            }
        }
    }
    for chunk in series_rows.chunks(RECORDS_PER_INSERT) {
        record_series::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for chunk in documents.chunks(RECORDS_PER_INSERT) {
        document::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    // Parents first: a finding's audit is pushed before it.
    for chunk in records.chunks(RECORDS_PER_INSERT) {
        record::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for chunk in actions.chunks(RECORDS_PER_INSERT) {
        record_action::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok((codes, (records.len(), actions.len(), documents.len())))
}

fn agency_row(
    id: Uuid,
    code: &str,
    parent: Option<Uuid>,
    kind: &str,
    now: chrono::DateTime<Utc>,
) -> agency::ActiveModel {
    agency::ActiveModel {
        id: Set(id),
        code: Set(code.to_owned()),
        name: Set(format!("Cơ quan {code}")),
        kind: Set(kind.to_owned()),
        parent_id: Set(parent),
        successor_id: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn action_row(
    record_id: Uuid,
    position: i32,
    due_on: NaiveDate,
    done_on: Option<NaiveDate>,
    now: chrono::DateTime<Utc>,
) -> record_action::ActiveModel {
    record_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        record_id: Set(record_id),
        position: Set(position),
        category: Set(None),
        description: Set(format!("Hành động {position}")),
        owner_id: Set(None),
        due_on: Set(Some(due_on)),
        done_on: Set(done_on),
        done_note: Set(None),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn document_row(
    agency_id: Uuid,
    n: usize,
    index: usize,
    now: chrono::DateTime<Utc>,
    today: NaiveDate,
) -> document::ActiveModel {
    use hoso::db::entities::document::DocumentStatus;
    let flagged = n == 0 && index.is_multiple_of(4);
    document::ActiveModel {
        id: Set(Uuid::now_v7()),
        agency_id: Set(agency_id),
        code: Set(format!("QT-{n:02}")),
        code_key: Set(format!("qt-{n:02}")),
        title: Set(format!("Quy trình {n}")),
        kind: Set("procedure".into()),
        owner_id: Set(None),
        review_interval_months: Set(12),
        next_review_on: Set(Some(today + chrono::Duration::days(20 * n as i64 - 10))),
        tags: Set("[]".into()),
        status: Set(if flagged {
            DocumentStatus::NeedsUpdate
        } else {
            DocumentStatus::Effective
        }),
        update_required_by: Set(flagged.then(|| today - chrono::Duration::days(3))),
        update_reason: Set(flagged.then(|| "Nghị định mới".to_owned())),
        obsolete_reason: Set(None),
        revision: Set(1),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
