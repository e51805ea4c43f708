//! Loads the corpus into hoso through the same domain calls the HTTP API makes: create the
//! document, stream its file into the blob store, record the version, and for published ones
//! submit, approve (another person) and publish; the worker extracts and indexes meanwhile.

use std::{
    collections::HashMap,
    convert::Infallible,
    time::{Duration, Instant},
};

use anyhow::Context;
use bytes::Bytes;
use futures::StreamExt;
use hoso::{
    App,
    clock::today,
    domain::{
        Actor, Role,
        agencies::{self, AgencyKind, NewAgency},
        auth,
        documents::{
            legal_refs::{self, NewLegalRef},
            publication::{self, PublishRequest},
            register::{self, NewDocument},
            versions::{self, VersionForm},
            workflow,
        },
        files,
        users::{self, NewRoleGrant, NewUser},
    },
    jobs,
};
use uuid::Uuid;

use crate::corpus::{Corpus, Doc, LEGAL_NUMBERS};

/// Password of the benchmark's users (random per run is not needed: the data dir is temporary).
pub const PASSWORD: &str = "benchmark-password-2026";
/// The user whose searches are measured: an appraiser over the whole province.
pub const APPRAISER: &str = "tham-dinh";

/// The code of the corpus's agency number `n`.
pub fn agency_code(n: usize) -> String {
    format!("CQ{n:02}")
}

/// Agency codes by corpus agency index, and the people who write and approve.
pub struct People {
    pub agency_codes: Vec<String>,
    officer: Actor,
    head: Actor,
    legal_refs: HashMap<&'static str, Uuid>,
}

/// Creates the province, its agencies, the users and the legal references.
pub async fn prepare(app: &App, agencies: usize) -> anyhow::Result<People> {
    let db = &app.state.db;
    let admin = Actor::system("bench");
    agencies::create_agency(
        db,
        &admin,
        NewAgency {
            code: "TINH".into(),
            name: "Ủy ban nhân dân tỉnh".into(),
            kind: AgencyKind::Province,
            parent_id: None,
        },
    )
    .await?;
    let mut agency_codes = Vec::with_capacity(agencies);
    for n in 0..agencies {
        let code = agency_code(n);
        agencies::create_agency(
            db,
            &admin,
            NewAgency {
                code: code.clone(),
                name: format!("Cơ quan số {n}"),
                kind: AgencyKind::Department,
                parent_id: Some("TINH".into()),
            },
        )
        .await?;
        agency_codes.push(code);
    }
    for (username, role) in [
        ("can-bo-iso", Role::IsoOfficer),
        ("lanh-dao", Role::AgencyHead),
        (APPRAISER, Role::Appraiser),
    ] {
        let user = users::create_user(
            db,
            &admin,
            NewUser {
                username: username.into(),
                display_name: username.into(),
                email: None,
                password: PASSWORD.into(),
            },
        )
        .await?;
        users::grant_role(
            db,
            &admin,
            user.id,
            NewRoleGrant {
                role,
                agency_id: Some("TINH".into()),
            },
        )
        .await?;
    }
    let mut legal_refs = HashMap::new();
    for number in LEGAL_NUMBERS {
        let reference = legal_refs::create_legal_ref(
            db,
            &admin,
            NewLegalRef {
                number: (*number).into(),
                title: format!("Văn bản {number}"),
                issued_on: None,
                effective_on: None,
            },
        )
        .await?;
        legal_refs.insert(*number, reference.id);
    }
    Ok(People {
        agency_codes,
        officer: auth::actor_for_user(db, "can-bo-iso").await?,
        head: auth::actor_for_user(db, "lanh-dao").await?,
        legal_refs,
    })
}

/// What the ingest measured (kept beside a `--data-dir` so a later run can reuse the data).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct IngestReport {
    /// Until every document was created (and published where it should be).
    pub api_phase: Duration,
    /// Until the last document was extracted and indexed (searchable).
    pub total: Duration,
    pub documents: usize,
    pub text_bytes: usize,
}

/// Ingests the corpus with `concurrency` documents in flight, a job worker running beside.
pub async fn ingest(
    app: &App,
    people: &People,
    corpus: &Corpus,
    concurrency: usize,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<IngestReport> {
    let started = Instant::now();
    let worker = Worker::spawn(app);
    let mut stream = futures::stream::iter(corpus.docs.iter())
        .map(|doc| ingest_one(app, people, doc))
        .buffer_unordered(concurrency.max(1));
    while let Some(outcome) = stream.next().await {
        outcome?;
        progress.inc(1);
    }
    drop(stream);
    let api_phase = started.elapsed();
    worker.finish(app, progress).await?;
    let total = started.elapsed();
    Ok(IngestReport {
        api_phase,
        total,
        documents: corpus.docs.len(),
        text_bytes: corpus.text_bytes(),
    })
}

/// hoso's job worker, running beside the benchmark.
pub struct Worker {
    shutdown: tokio_util::sync::CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    pub fn spawn(app: &App) -> Self {
        let shutdown = tokio_util::sync::CancellationToken::new();
        let task = tokio::spawn(app.worker().run(shutdown.clone()));
        Self { shutdown, task }
    }

    /// Waits until every queued job has run (extraction, indexing, a rebuild), then stops.
    pub async fn finish(self, app: &App, progress: &indicatif::ProgressBar) -> anyhow::Result<()> {
        progress.set_message("extracting and indexing");
        loop {
            let waiting = jobs::queue_depth(&app.state.db, None).await?;
            let running = jobs::list(&app.state.db, Some(jobs::JobStatus::Running), None, None, 1)
                .await?
                .len();
            if waiting == 0 && running == 0 {
                break;
            }
            progress.set_message(format!("extracting and indexing: {waiting} jobs waiting"));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.shutdown.cancel();
        self.task.await.context("the job worker")?;
        let dead = jobs::list(&app.state.db, Some(jobs::JobStatus::Dead), None, None, 5).await?;
        anyhow::ensure!(dead.is_empty(), "jobs failed: {dead:?}");
        Ok(())
    }
}

async fn ingest_one(app: &App, people: &People, doc: &Doc) -> anyhow::Result<()> {
    let db = &app.state.db;
    let config = &app.state.config;
    let document = register::create_document(
        db,
        &people.officer,
        NewDocument {
            agency_id: people.agency_codes[doc.agency].clone(),
            code: doc.code.clone(),
            title: doc.title.clone(),
            kind: doc.kind,
            owner_id: None,
            review_interval_months: None,
            tags: Vec::new(),
            legal_ref_ids: doc
                .cites
                .iter()
                .filter_map(|number| people.legal_refs.get(number).map(Uuid::to_string))
                .collect(),
        },
    )
    .await
    .with_context(|| format!("creating {}", doc.code))?;
    let body = futures::stream::iter([Ok::<_, Infallible>(Bytes::from(doc.body.clone()))]);
    let file = files::store_file(
        &app.state.blobs,
        body,
        &format!("{}.txt", doc.code),
        config.max_upload_bytes,
    )
    .await?;
    let version = versions::create_version(
        db,
        &app.state.blobs,
        config.job_max_attempts,
        &people.officer,
        document.id,
        file,
        VersionForm::default(),
    )
    .await?;
    if doc.effective {
        workflow::submit(db, &people.officer, version.id).await?;
        workflow::approve(db, &people.head, version.id).await?;
        publication::publish(
            db,
            config.job_max_attempts,
            &people.head,
            version.id,
            PublishRequest {
                effective_from: today(),
            },
        )
        .await?;
    }
    Ok(())
}

/// Bytes of every file under `dir`.
pub fn dir_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => dir_size(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}
