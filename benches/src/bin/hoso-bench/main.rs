//! `hoso-bench`: the search benchmark. Generates a deterministic synthetic Vietnamese corpus,
//! ingests it through hoso's domain code, measures search latency in-process and over HTTP at
//! concurrency 1 and 16, runs the same queries on SQLite FTS5 and PostgreSQL full-text search,
//! and appends a Markdown report to `docs/benchmarks.md`.
//!
//! ```text
//! cargo run --release -p hoso-bench --bin hoso-bench -- [--docs 10000] [--append docs/benchmarks.md]
//! ```

mod corpus;
mod engines;
mod ingest;
mod queries;
mod report;

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use clap::Parser;
use futures::StreamExt;
use hoso::{App, config::Config};

use crate::{
    corpus::Corpus,
    engines::Engine,
    queries::{Category, Query},
    report::{Accuracy, Latency, Report},
};

#[derive(Parser)]
#[command(about = "Measures hoso's ingest and search against SQLite FTS5 and PostgreSQL")]
struct Args {
    /// Documents in the synthetic corpus.
    #[arg(long, default_value_t = 10_000)]
    docs: usize,
    /// Agencies the documents are spread over.
    #[arg(long, default_value_t = 20)]
    agencies: usize,
    /// Seed of the corpus and the query mix.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Queries of each category in the mix.
    #[arg(long, default_value_t = 30)]
    per_category: usize,
    /// Times the mix is run for each latency measurement.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Documents ingested at the same time.
    #[arg(long, default_value_t = 4)]
    ingest_concurrency: usize,
    /// PostgreSQL for the baseline (a schema `hoso_bench` is created and dropped).
    #[arg(
        long,
        env = "HOSO_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres_url: String,
    /// Skip the PostgreSQL baseline.
    #[arg(long)]
    no_postgres: bool,
    /// Measure hoso only (no SQLite FTS5 or PostgreSQL baseline).
    #[arg(long)]
    no_baselines: bool,
    /// Where hoso's data lives (default: a temporary folder, removed after). A folder an
    /// earlier run filled with the same --docs, --agencies and --seed is searched again without
    /// a new ingest; the report then shows that run's ingest numbers.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Threads one search spreads its index segments over (hoso's `search_threads`; 0: one
    /// per core, hoso's default).
    #[arg(long, default_value_t = 0)]
    search_threads: usize,
    /// Measure only the queries of the mix whose text contains one of these (repeatable), e.g.
    /// the slowest ones of an earlier report with more --rounds, to compare a change on them.
    #[arg(long)]
    only: Vec<String>,
    /// Append the Markdown report to this file.
    #[arg(long)]
    append: Option<PathBuf>,
    /// Write the corpus as an agency's folder of text files into this folder (by kind:
    /// `quy-trinh/QT-00012 Quy trình ….txt`) and stop, for timing `hoso import` on it
    /// (`benches/scripts/import_tree.py`).
    #[arg(long)]
    write_tree: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let temp = tempfile::tempdir()?;
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| temp.path().join("hoso"));
    std::fs::create_dir_all(&data_dir)?;

    eprintln!("generating {} documents (seed {})", args.docs, args.seed);
    let corpus = Corpus::generate(args.docs, args.agencies, args.seed);
    if let Some(dir) = &args.write_tree {
        let written = corpus.write_tree(dir)?;
        eprintln!("wrote {written} files under {}", dir.display());
        return Ok(());
    }
    let mix = only(
        queries::mix(&corpus, args.per_category, args.seed),
        &args.only,
    )?;

    let mut config = Config::for_data_dir(&data_dir);
    config.job_poll_interval_ms = 20;
    config.search_threads = args.search_threads;
    let marker = data_dir.join("hoso-bench.json");
    let earlier = Ingested::read(&marker, &args)?;
    if earlier.is_some() {
        // A commit lets the merge policy drop the entries an earlier ingest or version of
        // hoso left deleted, and closing the index waits for those merges: searches are
        // measured on the index a server keeps, not mid-merge.
        let mut index = hoso::search::SearchIndex::open(
            &config.index_dir,
            hoso::search::CommitPolicy::default(),
        )?;
        // The merges of the setting measured (segments spread over the search threads).
        index.set_search_threads(config.search_threads)?;
        index.flush()?.committed().await?;
    }
    let app = App::build(config).await.context("starting hoso")?;
    let reused = earlier.is_some();
    let (ingested, agency_codes) = match earlier {
        Some(earlier) => {
            eprintln!(
                "{} already holds this corpus: searching it without a new ingest",
                data_dir.display()
            );
            // A schema change since then rebuilds the index from the database first.
            let spinner = indicatif::ProgressBar::new_spinner();
            spinner.enable_steady_tick(Duration::from_millis(200));
            ingest::Worker::spawn(&app).finish(&app, &spinner).await?;
            spinner.finish_and_clear();
            let codes = (0..args.agencies).map(ingest::agency_code).collect();
            (earlier.ingest, codes)
        }
        None => {
            let people = ingest::prepare(&app, args.agencies)
                .await
                .with_context(|| {
                    format!(
                        "preparing {} (left by an interrupted run? remove it)",
                        data_dir.display()
                    )
                })?;
            let bar = indicatif::ProgressBar::new(corpus.docs.len() as u64).with_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} ingest [{bar:40}] {pos}/{len} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let ingested =
                ingest::ingest(&app, &people, &corpus, args.ingest_concurrency, &bar).await?;
            bar.finish_and_clear();
            eprintln!(
                "ingested {} documents in {:.1} s ({:.1} s to create and publish)",
                ingested.documents,
                ingested.total.as_secs_f64(),
                ingested.api_phase.as_secs_f64()
            );
            let ingested = Ingested {
                docs: args.docs,
                agencies: args.agencies,
                seed: args.seed,
                ingest: ingested,
            };
            std::fs::write(&marker, serde_json::to_vec_pretty(&ingested)?)?;
            (ingested.ingest, people.agency_codes)
        }
    };
    let index_bytes = ingest::dir_size(&app.state.config.index_dir);

    let by_code: Arc<HashMap<String, usize>> = Arc::new(
        corpus
            .docs
            .iter()
            .map(|doc| (doc.code.clone(), doc.n))
            .collect(),
    );
    let appraiser = hoso::domain::auth::actor_for_user(&app.state.db, ingest::APPRAISER).await?;
    let in_process = Engine::HosoInProcess {
        db: app.state.db.clone(),
        index: Arc::clone(&app.state.search),
        actor: appraiser,
        agency_codes: agency_codes.clone(),
        by_code: Arc::clone(&by_code),
    };
    let (address, server) = serve(&app).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let base = format!("http://{address}");
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": ingest::APPRAISER, "password": ingest::PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let http = Engine::HosoHttp {
        client,
        base,
        token: login["token"].as_str().context("no token")?.to_owned(),
        agency_codes,
        by_code,
    };

    let fts5 = if args.no_baselines {
        None
    } else {
        eprintln!("loading the SQLite FTS5 baseline");
        let started = Instant::now();
        let path = temp.path().join("fts5.db");
        let db = engines::load_fts5(&path, &corpus).await?;
        Some((
            Engine::Fts5 { db },
            started.elapsed(),
            std::fs::metadata(&path)?.len(),
        ))
    };
    let postgres = if args.no_postgres || args.no_baselines {
        None
    } else {
        eprintln!("loading the PostgreSQL baseline");
        let started = Instant::now();
        let db = engines::load_postgres(&args.postgres_url, &corpus)
            .await
            .context("the PostgreSQL baseline (use --no-postgres to skip it)")?;
        let size = engines::postgres_size(&db).await?;
        Some((Engine::Postgres { db }, started.elapsed(), size))
    };

    let mut report = Report::new(&args_summary(&args), &corpus, &mix, ingested, index_bytes);
    if reused {
        report.note(
            "Ingest numbers are from the run that filled `--data-dir`; this run searched it again.",
        );
    }
    let mut engines: Vec<&Engine> = vec![&in_process, &http];
    for (engine, load, size) in fts5.iter().chain(postgres.iter()) {
        report.baseline_load(engine.name(), *load, *size);
        engines.push(engine);
    }
    for engine in &engines {
        eprintln!("measuring {}", engine.name());
        report.accuracy(accuracy(engine, &corpus, &mix).await?);
        for concurrency in [1, 16] {
            report.latency(measure(engine, &mix, args.rounds, concurrency).await?);
        }
    }
    if let Some((Engine::Postgres { db }, ..)) = &postgres {
        engines::drop_postgres(db).await?;
    }
    server.abort();

    let markdown = report.markdown();
    println!("{markdown}");
    if let Some(path) = &args.append {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot append to {}", path.display()))?;
        writeln!(file, "\n{markdown}")?;
        eprintln!("appended to {}", path.display());
    }
    Ok(())
}

/// The queries of `mix` whose text contains one of `texts` (all of them when there are none).
fn only(mut mix: Vec<queries::Query>, texts: &[String]) -> anyhow::Result<Vec<queries::Query>> {
    if !texts.is_empty() {
        mix.retain(|query| texts.iter().any(|text| query.text.contains(text)));
        anyhow::ensure!(!mix.is_empty(), "no query of the mix contains {texts:?}");
    }
    Ok(mix)
}

/// The corpus a data folder holds and what its ingest measured.
#[derive(serde::Serialize, serde::Deserialize)]
struct Ingested {
    docs: usize,
    agencies: usize,
    seed: u64,
    ingest: ingest::IngestReport,
}

impl Ingested {
    /// The earlier ingest recorded at `marker`, if it was of the corpus `args` asks for.
    fn read(marker: &std::path::Path, args: &Args) -> anyhow::Result<Option<Ingested>> {
        let bytes = match std::fs::read(marker) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error).context("reading the earlier run's record"),
        };
        let earlier: Ingested = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a hoso-bench record", marker.display()))?;
        anyhow::ensure!(
            (earlier.docs, earlier.agencies, earlier.seed) == (args.docs, args.agencies, args.seed),
            "the data folder holds --docs {} --agencies {} --seed {}; use those or another folder",
            earlier.docs,
            earlier.agencies,
            earlier.seed
        );
        Ok(Some(earlier))
    }
}

fn args_summary(args: &Args) -> String {
    let mut summary = format!(
        "--docs {} --agencies {} --seed {} --per-category {} --rounds {} --ingest-concurrency {} --search-threads {}",
        args.docs,
        args.agencies,
        args.seed,
        args.per_category,
        args.rounds,
        args.ingest_concurrency,
        args.search_threads
    );
    for only in &args.only {
        summary.push_str(&format!(" --only '{only}'"));
    }
    summary
}

/// Serves the app's router on a free local port.
async fn serve(app: &App) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let service = app
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, service).await {
            eprintln!("the benchmark server stopped: {error}");
        }
    });
    Ok((address, server))
}

/// How many queries of each category the engine answers correctly (its first hit), with the
/// queries it missed.
async fn accuracy(engine: &Engine, corpus: &Corpus, mix: &[Query]) -> anyhow::Result<Accuracy> {
    let mut accuracy = Accuracy::new(engine.name());
    for query in mix {
        let hits = engine
            .top(query)
            .await
            .with_context(|| format!("{} on {:?}", engine.name(), query.text))?;
        let first = hits.first().copied();
        accuracy.record(query, query.answered_by(corpus, first), first, corpus);
        if let Some(snippet) = engine.first_snippet(query).await? {
            accuracy.record_snippet(query, &snippet);
        }
    }
    Ok(accuracy)
}

/// Runs the mix `rounds` times with `concurrency` queries in flight (after one warm-up pass).
async fn measure(
    engine: &Engine,
    mix: &[Query],
    rounds: usize,
    concurrency: usize,
) -> anyhow::Result<Latency> {
    for query in mix {
        engine.top(query).await?;
    }
    let work: Vec<(usize, &Query)> = (0..rounds).flat_map(|_| mix.iter().enumerate()).collect();
    let started = Instant::now();
    let timings: Vec<anyhow::Result<(usize, Category, Duration)>> = futures::stream::iter(work)
        .map(|(n, query)| async move {
            let started = Instant::now();
            engine.top(query).await?;
            Ok((n, query.category, started.elapsed()))
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = started.elapsed();
    let timings = timings.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Latency::new(engine.name(), concurrency, timings, wall))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(docs: &str) -> Args {
        Args::parse_from(["hoso-bench", "--docs", docs])
    }

    #[test]
    fn only_keeps_the_queries_containing_a_text_and_refuses_a_text_none_contains() {
        let corpus = Corpus::generate(200, 3, 7);
        let mix = queries::mix(&corpus, 5, 7);
        assert_eq!(only(mix.clone(), &[]).unwrap().len(), mix.len());
        let first = mix[0].text.clone();
        let kept = only(mix.clone(), std::slice::from_ref(&first)).unwrap();
        assert!(!kept.is_empty() && kept.len() < mix.len());
        assert!(kept.iter().all(|query| query.text.contains(&first)));
        let error = only(mix, &["không có trong bộ câu hỏi".into()]).unwrap_err();
        assert!(error.to_string().contains("no query of the mix contains"));
    }

    #[test]
    fn a_data_folder_is_searched_again_only_for_the_corpus_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("hoso-bench.json");
        assert!(Ingested::read(&marker, &args("500")).unwrap().is_none());
        let filled = Ingested {
            docs: 500,
            agencies: 20,
            seed: 2026,
            ingest: ingest::IngestReport {
                api_phase: Duration::from_secs(3),
                total: Duration::from_secs(5),
                documents: 500,
                text_bytes: 2_000_000,
            },
        };
        std::fs::write(&marker, serde_json::to_vec(&filled).unwrap()).unwrap();
        let again = Ingested::read(&marker, &args("500")).unwrap().unwrap();
        assert_eq!(again.ingest.total, Duration::from_secs(5));
        let other = Ingested::read(&marker, &args("1000"))
            .err()
            .unwrap()
            .to_string();
        assert!(other.contains("--docs 500"), "{other}");
    }
}
