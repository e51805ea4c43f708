//! Measures the web UI on the demo province grown to many documents: the bytes of each
//! journey's first page as a browser fetches it (compressed, with its stylesheet and scripts),
//! the server's time per page (p50/p99), and the time to first paint in headless Chromium over
//! a throttled link (1.5 Mbit/s, 300 ms), cold and warm.
//!
//! `cargo run --release -p hoso-bench --bin hoso-bench-ui -- --docs 100000 [--append docs/benchmarks.md]`

#[path = "hoso-bench/bulk.rs"]
#[allow(dead_code)]
mod bulk;
#[path = "hoso-bench/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::{
    net::SocketAddr,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use axum::{
    Router,
    body::Body,
    http::{Request, header},
};
use bulk::{Generated, insert_documents, machine, percentiles};
use chrono::Utc;
use clap::Parser;
use hoso::names::Named;
use hoso::{
    App,
    config::Config,
    db::entities::{agency, document},
    domain::{
        auth::{self, ClientInfo},
        indexing::reindex_all,
    },
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tower::ServiceExt;

#[derive(Parser)]
#[command(about = "Measures the web UI's pages: bytes, server time, first paint on a slow link")]
struct Args {
    /// Documents added to the demo province.
    #[arg(long, default_value_t = 100_000)]
    docs: usize,
    /// Requests per page for the server's time.
    #[arg(long, default_value_t = 200)]
    rounds: usize,
    /// Skip the browser (no Chromium here).
    #[arg(long)]
    no_browser: bool,
    #[arg(long)]
    append: Option<std::path::PathBuf>,
    /// Log every database statement slower than this many milliseconds (to find what a page
    /// waits for).
    #[arg(long, default_value_t = 0)]
    slow_query_ms: u64,
    /// Keep the grown province in this directory (its SQLite database can then be queried by
    /// hand) instead of a temporary one.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

/// A journey's first page and who opens it.
struct Journey {
    name: &'static str,
    user: &'static str,
    path: String,
}

async fn fetch(router: &Router, path: &str, token: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    let request = Request::builder()
        .uri(path)
        .header(header::COOKIE, format!("hoso_session={token}"))
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .header(header::ACCEPT_LANGUAGE, "vi")
        .body(Body::empty())?;
    let response = router.clone().oneshot(request).await?;
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    Ok((status, bytes.to_vec()))
}

/// The stylesheet and scripts a page links to.
fn assets_of(html: &str) -> Vec<String> {
    html.split(['"', '\''])
        .filter(|piece| piece.starts_with("/static/"))
        .map(str::to_owned)
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let temporary = tempfile::tempdir()?;
    let dir = match &args.keep {
        Some(kept) => {
            std::fs::create_dir_all(kept)?;
            kept.clone()
        }
        None => temporary.path().to_owned(),
    };
    let mut config = Config::for_data_dir(&dir);
    config.slow_query_ms = args.slow_query_ms;
    if args.slow_query_ms > 0 {
        hoso::telemetry::init(hoso::config::LogFormat::Text);
    }
    config.bootstrap_admin = Some("admin".into());
    config.bootstrap_password = Some("bench-mat-khau-1".into());
    let app = App::build(config).await.context("hoso starts")?;
    let router = app.router();
    let db = &app.state.db;
    let started = Instant::now();
    let demo = hoso::demo::load(&app.state, router.clone()).await?;
    let demo_took = started.elapsed();

    // Grow the province: the documents go to the two departments of the demo.
    let started = Instant::now();
    let departments: Vec<uuid::Uuid> = agency::Entity::find()
        .filter(agency::Column::Code.is_in(["SKHCN", "STP"]))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    let corpus = corpus::Corpus::generate(args.docs, departments.len().max(1), 20261203);
    let generated: Vec<Generated> = corpus
        .docs
        .iter()
        .map(|doc| Generated {
            agency: departments[doc.agency % departments.len()],
            code: format!("BENCH-{}", doc.code),
            title: doc.title.clone(),
            kind: doc.kind.as_str().to_owned(),
            body: doc.body.clone(),
            effective: doc.effective,
        })
        .collect();
    drop(corpus);
    insert_documents(db, generated).await?;
    reindex_all(db, &app.state.search, &app.state.indexers, |_, _| {}).await?;
    let grown = started.elapsed();
    let total_docs = document::Entity::find().all(db).await?.len();

    let password = |user: &str| {
        demo.accounts
            .iter()
            .find(|account| account.username == user)
            .map(|account| account.password.clone())
            .with_context(|| format!("no demo account {user}"))
    };
    let client = ClientInfo {
        ip: "bench".into(),
        user_agent: None,
    };
    let sample_document = document::Entity::find()
        .filter(document::Column::Code.eq("QT-01"))
        .one(db)
        .await?
        .context("QT-01")?;
    let officer_token = auth::login(
        db,
        &app.state.config,
        "thuky.skhcn",
        &password("thuky.skhcn")?,
        &client,
    )
    .await?
    .token;
    let assessments = fetch(&router, "/api/v1/assessments", &officer_token).await?;
    let listing: Value = serde_json::from_slice(&assessments.1).unwrap_or(Value::Null);
    let assessment = listing["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|item| item["status"] == "submitted" || item["status"] == "open")
        })
        .and_then(|item| item["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let audits = fetch(&router, "/api/v1/audits", &officer_token).await?;
    let audits: Value = serde_json::from_slice(&audits.1).unwrap_or(Value::Null);
    let audit = audits["items"][0]["id"]
        .as_str()
        .context("the demo's audit")?
        .to_owned();
    let coordinator_token = auth::login(
        db,
        &app.state.config,
        "dieuphoi",
        &password("dieuphoi")?,
        &client,
    )
    .await?
    .token;
    let periods = fetch(&router, "/api/v1/periods", &coordinator_token).await?;
    let periods: Value = serde_json::from_slice(&periods.1).unwrap_or(Value::Null);
    let period = periods[0]["id"]
        .as_str()
        .context("this year's period")?
        .to_owned();
    let journeys = [
        Journey {
            name: "1 ISO officer: to do",
            user: "thuky.skhcn",
            path: "/".into(),
        },
        Journey {
            name: "1 ISO officer: register",
            user: "thuky.skhcn",
            path: "/documents".into(),
        },
        Journey {
            name: "1 ISO officer: a document",
            user: "thuky.skhcn",
            path: format!("/documents/{}", sample_document.id),
        },
        Journey {
            name: "2 Agency head: approvals",
            user: "lanhdao.skhcn",
            path: "/approvals".into(),
        },
        Journey {
            name: "3 Internal auditor: programme",
            user: "danhgia.skhcn",
            path: "/audits".into(),
        },
        Journey {
            name: "3 Internal auditor: an audit",
            user: "danhgia.skhcn",
            path: format!("/records/{audit}"),
        },
        Journey {
            name: "4 Staff: to read",
            user: "canbo.skhcn",
            path: "/reading".into(),
        },
        Journey {
            name: "7 Search",
            user: "thuky.skhcn",
            path: "/search?q=quy+tr%C3%ACnh+ki%E1%BB%83m+so%C3%A1t".into(),
        },
        Journey {
            name: "Self-assessment",
            user: "thuky.skhcn",
            path: format!("/assessments/{assessment}"),
        },
        Journey {
            name: "6 Coordinator: a period",
            user: "dieuphoi",
            path: format!("/periods/{period}"),
        },
        Journey {
            name: "6 Coordinator: criteria sets",
            user: "dieuphoi",
            path: "/criteria-sets".into(),
        },
    ];

    let mut report = format!(
        "## Web UI benchmark ({})\n\n{}  \nCommand: `cargo run --release -p hoso-bench --bin hoso-bench-ui -- --docs {} --rounds {}`; \
         the demo province (loaded in {:.1} s) grown to {} documents ({:.0} s to write and index), SQLite, in-process requests with `Accept-Encoding: br, gzip`.\n\n\
         | Page | HTML (compressed) | with CSS + scripts, first visit | server p50 | server p99 |\n|---|---:|---:|---:|---:|\n",
        Utc::now().date_naive(),
        machine(),
        args.docs,
        args.rounds,
        demo_took.as_secs_f64(),
        total_docs,
        grown.as_secs_f64(),
    );
    let mut tokens = std::collections::HashMap::new();
    for journey in &journeys {
        if !tokens.contains_key(journey.user) {
            let token = auth::login(
                db,
                &app.state.config,
                journey.user,
                &password(journey.user)?,
                &client,
            )
            .await?
            .token;
            tokens.insert(journey.user, token);
        }
        let token = &tokens[journey.user];
        let (status, body) = fetch(&router, &journey.path, token).await?;
        if status != 200 {
            bail!("{} answered {status}", journey.path);
        }
        // The links to assets, from the uncompressed page.
        let plain = {
            let request = Request::builder()
                .uri(&journey.path)
                .header(header::COOKIE, format!("hoso_session={token}"))
                .body(Body::empty())?;
            let response = router.clone().oneshot(request).await?;
            axum::body::to_bytes(response.into_body(), usize::MAX).await?
        };
        let mut total = body.len();
        for asset in assets_of(&String::from_utf8_lossy(&plain)) {
            total += fetch(&router, &asset, token).await?.1.len();
        }
        let mut times = Vec::with_capacity(args.rounds);
        for _ in 0..args.rounds {
            let started = Instant::now();
            fetch(&router, &journey.path, token).await?;
            times.push(started.elapsed());
        }
        let (p50, _, p99) = percentiles(&mut times);
        let line = format!(
            "| {} | {:.1} KB | {:.1} KB | {p50:.1} ms | {p99:.1} ms |\n",
            journey.name,
            body.len() as f64 / 1024.0,
            total as f64 / 1024.0
        );
        print!("{line}");
        report.push_str(&line);
    }

    if !args.no_browser {
        let section = first_paint(&router, &journeys, &tokens).await?;
        report.push_str(&section);
    }
    if let Some(path) = &args.append {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
        writeln!(file, "\n{report}")?;
    }
    Ok(())
}

/// Time to first contentful paint in headless Chromium, driven over WebDriver with Chromium's
/// network emulation: cold (cache cleared) and warm (the assets cached).
async fn first_paint(
    router: &Router,
    journeys: &[Journey],
    tokens: &std::collections::HashMap<&str, String>,
) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let service = router
        .clone()
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        axum::serve(listener, service).await.ok();
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("chromedriver (Debian: chromium-driver)")?;
    let webdriver = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut session = None;
    for _ in 0..50 {
        let created = http
            .post(format!("{webdriver}/session"))
            .json(&json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900"]}}}}))
            .send()
            .await;
        if let Ok(response) = created {
            let value: Value = response.json().await?;
            session = value["value"]["sessionId"].as_str().map(str::to_owned);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let session = session.context("a browser session")?;
    let at = |path: &str| format!("{webdriver}/session/{session}{path}");
    let command = |cmd: &str, params: Value| {
        http.post(at("/goog/cdp/execute"))
            .json(&json!({"cmd": cmd, "params": params}))
            .send()
    };
    let base = format!("http://{address}");
    http.post(at("/url"))
        .json(&json!({"url": format!("{base}/sign-in")}))
        .send()
        .await?;
    command("Network.enable", json!({})).await?;
    command(
        "Network.emulateNetworkConditions",
        json!({"offline": false, "latency": 300, "downloadThroughput": 1_500_000 / 8, "uploadThroughput": 1_500_000 / 8}),
    )
    .await?;
    let mut section = String::from(
        "\nTime to first contentful paint, headless Chromium, network emulated at 1.5 Mbit/s down and up with 300 ms latency:\n\n| Page | cold (cache cleared) | warm |\n|---|---:|---:|\n",
    );
    let mut signed_in = None;
    for journey in journeys {
        if signed_in != Some(journey.user) {
            http.post(at("/cookie"))
                .json(&json!({"cookie": {"name": "hoso_session", "value": tokens[journey.user], "path": "/"}}))
                .send()
                .await?;
            signed_in = Some(journey.user);
        }
        let mut paints = Vec::new();
        for cold in [true, false] {
            if cold {
                command("Network.clearBrowserCache", json!({})).await?;
            }
            http.post(at("/url"))
                .json(&json!({"url": format!("{base}{}", journey.path)}))
                .send()
                .await?;
            let script = "const done = arguments[0]; const start = Date.now(); \
                (function check() { const p = performance.getEntriesByName('first-contentful-paint')[0]; \
                if (p) done(p.startTime); else if (Date.now() - start > 10000) done(null); else setTimeout(check, 50); })();";
            let value: Value = http
                .post(at("/execute/async"))
                .json(&json!({"script": script, "args": []}))
                .send()
                .await?
                .json()
                .await?;
            paints.push(value["value"].as_f64().unwrap_or(f64::NAN));
        }
        let line = format!(
            "| {} | {:.0} ms | {:.0} ms |\n",
            journey.name, paints[0], paints[1]
        );
        print!("{line}");
        section.push_str(&line);
    }
    http.delete(format!("{webdriver}/session/{session}"))
        .send()
        .await
        .ok();
    driver.kill().ok();
    driver.wait().ok();
    Ok(section)
}
