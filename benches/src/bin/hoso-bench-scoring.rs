//! `hoso-bench-scoring`: the scoring numbers of `docs/benchmarks.md`.
//!
//! - **Suggestions, how right:** an evaluation set (`benches/data/suggestions-eval.json`): the
//!   sample criteria set and an agency's files whose titles do not repeat the criteria's words,
//!   beside external and legal texts on the same subjects and another agency's copies; hit@1,
//!   hit@3 and the misses.
//! - **Suggestions and search inside an assessment, how fast:** the synthetic corpus of
//!   `hoso-bench` (`--docs`, 100,000 by default) written straight into the database and indexed
//!   by hoso's indexers; p50/p95/p99 of every criterion's suggestions and of scoped searches.
//! - **The dossier:** `--dossier-files` files of `--dossier-mb` in all, uploaded as evidence,
//!   streamed as `dossier.zip`: throughput and how much the resident memory grew meanwhile.
//! - **Ranking and results.xlsx:** `--ranking-agencies` agencies scored on a set of
//!   `--criteria` criteria, finalised.
//!
//! ```text
//! cargo run --release -p hoso-bench --bin hoso-bench-scoring -- [--docs 100000]
//!     [--append docs/benchmarks.md]
//! ```

#[path = "hoso-bench/bulk.rs"]
mod bulk;
#[path = "hoso-bench/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use bulk::{Generated, ROWS_PER_INSERT, insert_documents, machine, percentiles};
use chrono::{SubsecRound, Utc};
use clap::Parser;
use futures::StreamExt;
use hoso::{
    App,
    config::Config,
    db::entities::{agency, assessment, assessment_score},
    domain::{
        Actor, files,
        indexing::reindex_all,
        scoring::{
            dossier, evidence, finalize,
            listing::{self, AssessmentFilter},
            periods, ranking, results,
            scoped_search::{self, ScopedSearchParams},
            sets::{self, CriteriaSetInput},
            suggestions::{self, SuggestionParams},
        },
    },
    export::zip_stream,
    names::Named,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Parser)]
#[command(about = "Measures suggestions, search inside an assessment, dossiers and ranking")]
struct Args {
    /// Documents of the synthetic corpus the timings run against.
    #[arg(long, default_value_t = 100_000)]
    docs: usize,
    /// Agencies the corpus is spread over.
    #[arg(long, default_value_t = 20)]
    agencies: usize,
    /// Rounds of every criterion's suggestions (and of the scoped queries).
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Files of the dossier measured.
    #[arg(long, default_value_t = 200)]
    dossier_files: usize,
    /// Megabytes of those files together.
    #[arg(long, default_value_t = 500)]
    dossier_mb: usize,
    /// Agencies ranked.
    #[arg(long, default_value_t = 300)]
    ranking_agencies: usize,
    /// Scorable criteria of the ranked set.
    #[arg(long, default_value_t = 30)]
    criteria: usize,
    /// Append the report to this Markdown file.
    #[arg(long)]
    append: Option<std::path::PathBuf>,
}

#[derive(Deserialize)]
struct EvalFile {
    code: String,
    kind: String,
    title: String,
    body: String,
}

#[derive(Deserialize)]
struct Eval {
    agency_files: Vec<EvalFile>,
    distractors: Vec<EvalFile>,
    other_agency_files: Vec<EvalFile>,
    answers: std::collections::BTreeMap<String, Vec<String>>,
}

const SAMPLE_SET: &str = include_str!("../../../tests/fixtures/criteria/sample.json");
const EVAL: &str = include_str!("../../data/suggestions-eval.json");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.bootstrap_admin = Some("admin".into());
    config.bootstrap_password = Some("bench-mat-khau-1".into());
    config.max_upload_bytes = 64 * 1024 * 1024;
    let app = App::build(config).await.context("hoso starts")?;
    let db = &app.state.db;
    let actor = Actor::system("bench");
    let mut report = String::new();
    report.push_str(&format!(
        "## Scoring benchmark ({})\n\n{}  \nCommand: `cargo run --release -p hoso-bench --bin hoso-bench-scoring -- --docs {} --agencies {} --rounds {} --dossier-files {} --dossier-mb {} --ranking-agencies {} --criteria {}`; hoso on SQLite (WAL), blobs and index on local disk.\n\n",
        Utc::now().date_naive(),
        machine(),
        args.docs,
        args.agencies,
        args.rounds,
        args.dossier_files,
        args.dossier_mb,
        args.ranking_agencies,
        args.criteria
    ));

    // The agencies of the evaluation, with a period on the sample set.
    let eval: Eval = serde_json::from_str(EVAL)?;
    let own = insert_agency(db, "STP", "department", None).await?;
    let other = insert_agency(db, "STN", "department", None).await?;
    let mut files: Vec<(Uuid, &EvalFile)> = eval
        .agency_files
        .iter()
        .chain(&eval.distractors)
        .map(|file| (own, file))
        .collect();
    files.extend(eval.other_agency_files.iter().map(|file| (other, file)));
    insert_documents(
        db,
        files
            .iter()
            .map(|(agency, file)| Generated {
                agency: *agency,
                code: file.code.clone(),
                title: file.title.clone(),
                kind: file.kind.clone(),
                body: file.body.clone(),
                effective: true,
            })
            .collect(),
    )
    .await?;
    let set_input: CriteriaSetInput = serde_json::from_str(SAMPLE_SET)?;
    let set = sets::import(db, &actor, set_input, Vec::new()).await?;
    let period = periods::create(
        db,
        &actor,
        serde_json::from_value(serde_json::json!({
            "criteria_set_id": set.id.to_string(), "year": 2026, "name": "Đánh giá thử",
            "agency_ids": [own.to_string(), other.to_string()],
            "self_assessment_due": "2026-11-30", "appraisal_due": "2026-12-20",
        }))?,
    )
    .await?;
    periods::open(db, &actor, period.id).await?;
    let eval_assessment = assessment_of(db, period.id, own).await?;
    reindex_all(db, &app.state.search, &app.state.indexers, |_, _| {}).await?;
    let section = evaluate(&app, &actor, eval_assessment, &eval).await?;
    println!("{section}");
    report.push_str(&section);

    // The dossier, measured before the corpus fills memory.
    let section = dossier_numbers(&app, &actor, eval_assessment, &args).await?;
    println!("{section}");
    report.push_str(&section);

    // Ranking and results of many agencies.
    let section = ranking_numbers(&app, &actor, &args).await?;
    println!("{section}");
    report.push_str(&section);

    // Suggestions and scoped search over the corpus.
    let section = latency_numbers(&app, &actor, &args).await?;
    println!("{section}");
    report.push_str(&section);

    if let Some(path) = &args.append {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
        writeln!(file, "\n{report}")?;
    }
    Ok(())
}

async fn insert_agency(
    db: &DatabaseConnection,
    code: &str,
    kind: &str,
    parent: Option<Uuid>,
) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    let now = Utc::now().trunc_subsecs(6);
    agency::Entity::insert(agency::ActiveModel {
        id: Set(id),
        code: Set(code.to_owned()),
        name: Set(format!("Cơ quan {code}")),
        kind: Set(kind.to_owned()),
        parent_id: Set(parent),
        successor_id: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(id)
}

async fn assessment_of(
    db: &DatabaseConnection,
    period: Uuid,
    agency: Uuid,
) -> anyhow::Result<Uuid> {
    Ok(assessment::Entity::find()
        .filter(assessment::Column::PeriodId.eq(period))
        .filter(assessment::Column::AgencyId.eq(agency))
        .one(db)
        .await?
        .context("the assessment")?
        .id)
}

/// hit@1, hit@3 and the misses of every criterion's suggestions.
async fn evaluate(app: &App, actor: &Actor, id: Uuid, eval: &Eval) -> anyhow::Result<String> {
    let (mut hit1, mut hit3) = (0, 0);
    let mut lines = Vec::new();
    for (code, answers) in &eval.answers {
        let found = suggestions::suggest(
            &app.state.db,
            &app.state.search,
            actor,
            id,
            code,
            &SuggestionParams { limit: Some(10) },
        )
        .await?;
        let codes: Vec<String> = found
            .items
            .iter()
            .map(|item| item.hit.code.clone())
            .collect();
        let rank = codes.iter().position(|code| answers.contains(code));
        hit1 += usize::from(rank == Some(0));
        hit3 += usize::from(rank.is_some_and(|rank| rank < 3));
        lines.push(format!(
            "| {code} | {} | {} | {} |",
            answers.join(", "),
            rank.map_or("—".to_owned(), |rank| (rank + 1).to_string()),
            codes.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let total = eval.answers.len();
    Ok(format!(
        "### Evidence suggestions: how often the right file comes first\n\n{} criteria of the sample set; the agency has {} files whose titles do not repeat the criteria's words, beside {} external and legal texts on the same subjects and {} files of another agency.\n\n| measure | value |\n|---|---:|\n| hit@1 | {hit1}/{total} ({:.0}%) |\n| hit@3 | {hit3}/{total} ({:.0}%) |\n\n| criterion | right answers | rank of the first | top three |\n|---|---|---:|---|\n{}\n\n",
        total,
        eval.agency_files.len(),
        eval.distractors.len(),
        eval.other_agency_files.len(),
        100.0 * hit1 as f64 / total as f64,
        100.0 * hit3 as f64 / total as f64,
        lines.join("\n")
    ))
}

/// p50, p95 and p99 in milliseconds.
/// The resident memory of this process, in bytes.
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}

async fn dossier_numbers(
    app: &App,
    actor: &Actor,
    id: Uuid,
    args: &Args,
) -> anyhow::Result<String> {
    let size = args.dossier_mb * 1024 * 1024 / args.dossier_files.max(1);
    let started = Instant::now();
    let mut seed = 0x2026_u64;
    for n in 0..args.dossier_files {
        // Incompressible bytes, made chunk by chunk.
        let chunks = size.div_ceil(64 * 1024);
        let body = futures::stream::iter((0..chunks).map(move |i| {
            let len = (size - i * 64 * 1024).min(64 * 1024);
            let mut chunk = Vec::with_capacity(len);
            let mut state = seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (n as u64);
            while chunk.len() < len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.extend_from_slice(&state.to_le_bytes());
            }
            chunk.truncate(len);
            if i == 0 {
                // Typed by their bytes like any upload: these read as PDFs.
                chunk[..9].copy_from_slice(b"%PDF-1.7\n");
            }
            Ok::<_, std::io::Error>(bytes::Bytes::from(chunk))
        }));
        seed = seed.wrapping_add(1);
        let upload = files::store_file(
            &app.state.blobs,
            body,
            &format!("minh-chung-{n:03}.pdf"),
            app.state.config.max_upload_bytes,
        )
        .await?;
        evidence::upload(
            &app.state.db,
            &app.state.blobs,
            3,
            actor,
            id,
            "1.4",
            upload,
            Some(format!("Hồ sơ giải quyết TTHC số {n}")),
            None,
        )
        .await?;
    }
    let uploaded = started.elapsed();
    let before = rss();
    let peak = Arc::new(AtomicU64::new(before));
    let running = Arc::new(AtomicBool::new(true));
    let watcher = {
        let (peak, running) = (Arc::clone(&peak), Arc::clone(&running));
        tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                peak.fetch_max(rss(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let started = Instant::now();
    let plan = dossier::dossier(&app.state.db, actor, id).await?;
    let mut stream = Box::pin(zip_stream::stream(app.state.blobs.clone(), plan.entries));
    let mut bytes = 0u64;
    while let Some(chunk) = stream.next().await {
        bytes += chunk?.len() as u64;
    }
    let took = started.elapsed();
    running.store(false, Ordering::Relaxed);
    watcher.await?;
    let growth = peak.load(Ordering::Relaxed).saturating_sub(before);
    Ok(format!(
        "### The dossier ZIP\n\n{} evidence files of {:.1} MB each ({:.0} MB of incompressible bytes), uploaded as evidence in {:.1} s; the ZIP read to the end as a client would.\n\n| measure | value |\n|---|---:|\n| ZIP size | {:.1} MB |\n| time to stream it | {:.2} s |\n| throughput | {:.0} MB/s |\n| resident memory before | {:.0} MiB |\n| growth of resident memory while streaming (peak) | {:.1} MiB |\n\n",
        args.dossier_files,
        size as f64 / 1e6,
        (size * args.dossier_files) as f64 / 1e6,
        uploaded.as_secs_f64(),
        bytes as f64 / 1e6,
        took.as_secs_f64(),
        bytes as f64 / 1e6 / took.as_secs_f64(),
        before as f64 / 1048576.0,
        growth as f64 / 1048576.0,
    ))
}

/// A set of `criteria` leaves in six groups, 100 points in all, with four ranks.
fn ranked_set(criteria: usize) -> serde_json::Value {
    let groups = 6.min(criteria);
    let points = 100.0 / criteria as f64;
    let children: Vec<serde_json::Value> = (0..groups)
        .map(|g| {
            let leaves: Vec<serde_json::Value> = (0..criteria)
                .filter(|n| n % groups == g)
                .map(|n| serde_json::json!({"code": format!("{}.{}", g + 1, n / groups + 1),
                    "title": format!("Tiêu chí {}", n + 1), "max_points": points}))
                .collect();
            serde_json::json!({"code": format!("{}", g + 1), "title": format!("Nhóm {}", g + 1), "children": leaves})
        })
        .collect();
    serde_json::json!({
        "code": "XEP-HANG", "name": "Bộ tiêu chí xếp hạng", "max_total": points * criteria as f64,
        "ranks": [
            {"code": "tot", "label": "Tốt", "min_points": 90},
            {"code": "kha", "label": "Khá", "min_points": 75},
            {"code": "trung_binh", "label": "Trung bình", "min_points": 50},
            {"code": "yeu", "label": "Yếu", "min_points": null}
        ],
        "criteria": children,
    })
}

async fn ranking_numbers(app: &App, actor: &Actor, args: &Args) -> anyhow::Result<String> {
    let db = &app.state.db;
    let province = insert_agency(db, "TINH", "province", None).await?;
    let mut ids = Vec::new();
    for n in 0..args.ranking_agencies {
        let kind = if n % 3 == 0 { "department" } else { "commune" };
        ids.push(insert_agency(db, &format!("XH{n:03}"), kind, Some(province)).await?);
    }
    let set = sets::import(
        db,
        actor,
        serde_json::from_value(ranked_set(args.criteria))?,
        Vec::new(),
    )
    .await?;
    let period = periods::create(
        db,
        actor,
        serde_json::from_value(serde_json::json!({
            "criteria_set_id": set.id.to_string(), "year": 2026, "name": "Xếp hạng",
            "agency_ids": ids.iter().map(Uuid::to_string).collect::<Vec<_>>(),
            "self_assessment_due": "2030-11-30", "appraisal_due": "2030-12-20",
        }))?,
    )
    .await?;
    periods::open(db, actor, period.id).await?;
    let rows = assessment::Entity::find()
        .filter(assessment::Column::PeriodId.eq(period.id))
        .all(db)
        .await?;
    let now = Utc::now().trunc_subsecs(6);
    let leaves: Vec<_> = set.leaves().cloned().collect();
    let mut scores = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        for (m, leaf) in leaves.iter().enumerate() {
            let share = ((n * 7 + m * 3) % 11) as f64 / 10.0;
            scores.push(assessment_score::ActiveModel {
                id: Set(Uuid::now_v7()),
                assessment_id: Set(row.id),
                criterion_code: Set(leaf.code.clone()),
                self_score: Set(Some((leaf.max_points * share.min(1.0) * 4.0).round() / 4.0)),
                note: Set(None),
                appraised_score: Set(None),
                appraisal_comment: Set(None),
                fact_state: Set(None),
                fact_note: Set(None),
                updated_by: Set(None),
                updated_at: Set(now),
            });
        }
    }
    for chunk in scores.chunks(ROWS_PER_INSERT) {
        assessment_score::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    assessment::Entity::update_many()
        .col_expr(
            assessment::Column::Status,
            sea_orm::sea_query::Expr::value("submitted"),
        )
        .filter(assessment::Column::PeriodId.eq(period.id))
        .exec(db)
        .await?;
    let mut provisional = Vec::new();
    for _ in 0..args.rounds {
        let started = Instant::now();
        ranking::ranking(db, actor, period.id).await?;
        provisional.push(started.elapsed());
    }
    let started = Instant::now();
    finalize::finalize(db, actor, period.id, Default::default()).await?;
    let finalized = started.elapsed();
    let mut final_times = Vec::new();
    let mut workbook_times = Vec::new();
    let mut workbook_size = 0;
    for _ in 0..args.rounds {
        let started = Instant::now();
        ranking::ranking(db, actor, period.id).await?;
        final_times.push(started.elapsed());
        let started = Instant::now();
        workbook_size = results::results(db, actor, period.id).await?.0.len();
        workbook_times.push(started.elapsed());
    }
    let listed = {
        let started = Instant::now();
        listing::list(
            db,
            actor,
            &AssessmentFilter {
                period: Some(period.id),
                ..Default::default()
            },
            &hoso::domain::PageRequest {
                page: Some(1),
                per_page: Some(200),
            },
        )
        .await?;
        started.elapsed()
    };
    let (p50, p95, p99) = percentiles(&mut provisional);
    let (f50, f95, f99) = percentiles(&mut final_times);
    let (w50, w95, w99) = percentiles(&mut workbook_times);
    Ok(format!(
        "### Ranking and results of {} agencies on {} criteria\n\n| call | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|\n| provisional ranking (from {} scores) | {p50:.1} | {p95:.1} | {p99:.1} |\n| ranking of the final period | {f50:.1} | {f95:.1} | {f99:.1} |\n| `results.xlsx` ({:.0} KB, a sheet per kind) | {w50:.1} | {w95:.1} | {w99:.1} |\n\nFinalising the period (totals, ranks and an audit row per agency): {:.2} s. Listing 200 of its assessments with their progress: {:.1} ms.\n\n",
        args.ranking_agencies,
        args.criteria,
        scores.len(),
        workbook_size as f64 / 1024.0,
        finalized.as_secs_f64(),
        listed.as_secs_f64() * 1000.0,
    ))
}

async fn latency_numbers(app: &App, actor: &Actor, args: &Args) -> anyhow::Result<String> {
    let db = &app.state.db;
    let started = Instant::now();
    let corpus = corpus::Corpus::generate(args.docs, args.agencies, 2026);
    let mut agencies: HashMap<usize, Uuid> = HashMap::new();
    for n in 0..args.agencies {
        agencies.insert(
            n,
            insert_agency(db, &format!("CQ{n:02}"), "department", None).await?,
        );
    }
    let generated: Vec<Generated> = corpus
        .docs
        .iter()
        .map(|doc| Generated {
            agency: agencies[&doc.agency],
            code: doc.code.clone(),
            title: doc.title.clone(),
            kind: doc.kind.as_str().to_owned(),
            body: doc.body.clone(),
            effective: doc.effective,
        })
        .collect();
    let text_bytes = corpus.text_bytes();
    drop(corpus);
    insert_documents(db, generated).await?;
    let written = started.elapsed();
    let started = Instant::now();
    reindex_all(db, &app.state.search, &app.state.indexers, |_, _| {}).await?;
    let indexed = started.elapsed();
    // One agency of the corpus takes part in a period on the sample set.
    let sample = sets::get(db, "MAU-TT26-D36").await?;
    let period = periods::create(
        db,
        actor,
        serde_json::from_value(serde_json::json!({
            "criteria_set_id": sample.id.to_string(), "year": 2026, "name": "Đánh giá kho lớn",
            "agency_ids": [agencies[&0].to_string()],
            "self_assessment_due": "2030-11-30", "appraisal_due": "2030-12-20",
        }))?,
    )
    .await?;
    periods::open(db, actor, period.id).await?;
    let id = assessment_of(db, period.id, agencies[&0]).await?;
    let leaves: Vec<String> = sample.leaves().map(|leaf| leaf.code.clone()).collect();
    // One round unmeasured, as a server that has been answering keeps its index warm.
    for code in &leaves {
        let params = SuggestionParams { limit: Some(10) };
        suggestions::suggest(db, &app.state.search, actor, id, code, &params).await?;
    }
    let mut suggestion_times = Vec::new();
    let mut found = 0;
    for round in 0..args.rounds {
        for code in &leaves {
            let started = Instant::now();
            let items = suggestions::suggest(
                db,
                &app.state.search,
                actor,
                id,
                code,
                &SuggestionParams { limit: Some(10) },
            )
            .await?
            .items
            .len();
            suggestion_times.push(started.elapsed());
            if round == 0 {
                found += items;
            }
        }
    }
    let queries = [
        "quy trình",
        "quyet dinh",
        "báo cáo kết quả",
        "hồ sơ",
        "kiem soat tai lieu",
        "đánh giá nội bộ",
        "\"lãnh đạo\"",
        "thủ tục hành chính",
        "cải tiến",
        "khiếu nại",
    ];
    let mut scoped_times = Vec::new();
    for _ in 0..args.rounds {
        for query in queries {
            let started = Instant::now();
            scoped_search::search(
                db,
                &app.state.search,
                actor,
                id,
                &ScopedSearchParams {
                    q: Some(query.to_owned()),
                    limit: Some(20),
                    offset: None,
                },
            )
            .await?;
            scoped_times.push(started.elapsed());
        }
    }
    let (s50, s95, s99) = percentiles(&mut suggestion_times);
    let (q50, q95, q99) = percentiles(&mut scoped_times);
    Ok(format!(
        "### Suggestions and search inside an assessment at {} documents\n\nThe synthetic corpus of `hoso-bench` ({} documents over {} agencies, {:.0} MB of text) written into the database in {:.0} s and indexed by `reindex_all` in {:.0} s; the index holds {} entries. The assessed agency has {} of the documents. In-process calls through the domain (permission checks, the assessment's reads, the search, the links), concurrency 1, after one unmeasured round of the suggestions.\n\n| call | calls | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|\n| suggestions of a criterion (limit 10; its title, guidance and evidence hints as the query) | {} | {s50:.1} | {s95:.1} | {s99:.1} |\n| search inside the assessment (`/assessments/{{id}}/search`) | {} | {q50:.1} | {q95:.1} | {q99:.1} |\n\nSuggestions found per criterion in the first round: {:.1} on average.\n\n",
        args.docs,
        args.docs,
        args.agencies,
        text_bytes as f64 / 1e6,
        written.as_secs_f64(),
        indexed.as_secs_f64(),
        app.state.search.count(),
        args.docs / args.agencies.max(1),
        suggestion_times.len(),
        scoped_times.len(),
        found as f64 / leaves.len() as f64,
    ))
}
