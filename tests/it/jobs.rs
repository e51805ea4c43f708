//! The durable job queue: transactional enqueue, exactly-one claiming, retries, dead jobs.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use axum::http::StatusCode;
use chrono::Utc;
use hoso::{
    db,
    jobs::{self, Handler, Job, JobContext, JobHandler, JobRegistry, JobStatus, Lane, Worker},
};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::support::{TestApp, assert_error, db_test};

struct Count(Arc<AtomicUsize>);

#[async_trait::async_trait]
impl JobHandler for Count {
    async fn run(&self, _: &JobContext, _: &serde_json::Value) -> anyhow::Result<()> {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

struct Fail;

#[async_trait::async_trait]
impl JobHandler for Fail {
    async fn run(&self, _: &JobContext, payload: &serde_json::Value) -> anyhow::Result<()> {
        anyhow::bail!("the file {} could not be read", payload["file"])
    }
}

struct Panic;

#[async_trait::async_trait]
impl JobHandler for Panic {
    async fn run(&self, _: &JobContext, _: &serde_json::Value) -> anyhow::Result<()> {
        panic!("a parser bug")
    }
}

fn worker(app: &TestApp, counter: &Arc<AtomicUsize>) -> Worker {
    let mut registry = JobRegistry::default();
    registry
        .register("count", Count(Arc::clone(counter)))
        .register("fail", Fail)
        .register("panic", Panic);
    app.worker_with(registry)
}

db_test!(
    a_job_enqueued_in_a_rolled_back_transaction_never_exists,
    |app| {
        let counter = Arc::new(AtomicUsize::new(0));
        let txn = db::begin_write(&app.state.db).await.unwrap();
        jobs::enqueue(&txn, "count", &json!({}), 3).await.unwrap();
        txn.rollback().await.unwrap();
        let committed = db::begin_write(&app.state.db).await.unwrap();
        jobs::enqueue(&committed, "count", &json!({}), 3)
            .await
            .unwrap();
        committed.commit().await.unwrap();
        assert_eq!(jobs::queue_depth(&app.state.db, None).await.unwrap(), 1);
        let ran = worker(&app, &counter).drain().await.unwrap();
        assert_eq!(ran.len(), 1);
        assert_eq!(ran[0].1, JobStatus::Done);
        assert_eq!(counter.load(Ordering::SeqCst), 1);
        assert_eq!(jobs::queue_depth(&app.state.db, None).await.unwrap(), 0);
    }
);

db_test!(two_workers_never_run_the_same_job_twice, |app| {
    let counter = Arc::new(AtomicUsize::new(0));
    for _ in 0..40 {
        jobs::enqueue(&app.state.db, "count", &json!({}), 3)
            .await
            .unwrap();
    }
    let first = worker(&app, &counter);
    let second = worker(&app, &counter);
    let (a, b) = tokio::join!(first.drain(), second.drain());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 40);
    assert_eq!(counter.load(Ordering::SeqCst), 40);
    let mut ids: Vec<_> = a.iter().chain(b.iter()).map(|(id, _)| *id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
});

db_test!(
    a_failing_job_is_retried_later_then_marked_dead_with_its_error,
    |app| {
        let counter = Arc::new(AtomicUsize::new(0));
        let id = jobs::enqueue(&app.state.db, "fail", &json!({"file": "QT-01.pdf"}), 2)
            .await
            .unwrap();
        let worker = worker(&app, &counter);
        assert_eq!(
            worker.run_next().await.unwrap(),
            Some((id, JobStatus::Queued))
        );
        let row = hoso::db::entities::job::Entity::find_by_id(id)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.run_at > Utc::now(), "the retry waits for its backoff");
        assert!(row.last_error.as_deref().unwrap().contains("QT-01.pdf"));
        assert_eq!(worker.run_next().await.unwrap(), None, "not due yet");
        // Time passes.
        let mut due: hoso::db::entities::job::ActiveModel = row.into();
        due.run_at = Set(Utc::now() - chrono::Duration::seconds(1));
        due.update(&app.state.db).await.unwrap();
        assert_eq!(
            worker.run_next().await.unwrap(),
            Some((id, JobStatus::Dead))
        );
        let dead = jobs::list(&app.state.db, Some(JobStatus::Dead), None, None, 10)
            .await
            .unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].attempts, 2);
        assert!(
            dead[0]
                .last_error
                .as_deref()
                .unwrap()
                .contains("could not be read")
        );
    }
);

db_test!(
    a_panicking_handler_fails_its_job_and_the_worker_carries_on,
    |app| {
        let counter = Arc::new(AtomicUsize::new(0));
        let panicking = jobs::enqueue(&app.state.db, "panic", &json!({}), 1)
            .await
            .unwrap();
        jobs::enqueue(&app.state.db, "count", &json!({}), 1)
            .await
            .unwrap();
        let ran = worker(&app, &counter).drain().await.unwrap();
        assert!(ran.contains(&(panicking, JobStatus::Dead)));
        assert_eq!(counter.load(Ordering::SeqCst), 1);
        let dead = jobs::list(&app.state.db, Some(JobStatus::Dead), None, None, 10)
            .await
            .unwrap();
        assert_eq!(
            dead[0].last_error.as_deref(),
            Some("the job handler panicked")
        );
    }
);

db_test!(a_job_of_an_unknown_kind_ends_dead_with_a_reason, |app| {
    let counter = Arc::new(AtomicUsize::new(0));
    let id = jobs::enqueue(&app.state.db, "teleport", &json!({}), 1)
        .await
        .unwrap();
    assert_eq!(
        worker(&app, &counter).run_next().await.unwrap(),
        Some((id, JobStatus::Dead))
    );
});

db_test!(jobs_abandoned_by_a_dead_worker_are_claimed_again, |app| {
    let id = jobs::enqueue(&app.state.db, "count", &json!({}), 3)
        .await
        .unwrap();
    let claimed = jobs::claim_next(&app.state.db, "crashed-worker", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, id);
    assert!(
        jobs::claim_next(&app.state.db, "other", None)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        jobs::requeue_stale(&app.state.db, chrono::Duration::zero())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        jobs::claim_next(&app.state.db, "other", None)
            .await
            .unwrap()
            .map(|job| job.id),
        Some(id)
    );
});

db_test!(the_queue_is_visible_to_admins_and_in_metrics, |app| {
    jobs::enqueue(&app.state.db, "count", &json!({}), 3)
        .await
        .unwrap();
    jobs::enqueue(&app.state.db, "count", &json!({}), 3)
        .await
        .unwrap();
    let list = app
        .get("/api/v1/jobs?status=queued", &app.admin_token)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json["total"], 2);
    assert_eq!(list.json["items"][0]["kind"], "count");
    let province = app.agency("BG", "province", None).await;
    let staff = app.user_with_role("canbo", "staff", Some(&province)).await;
    assert_error(
        &app.get("/api/v1/jobs", &staff).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let metrics = app
        .call(axum::http::Method::GET, "/metrics", None, None)
        .await;
    assert!(
        metrics.text.contains("hoso_job_queue_depth 2"),
        "{}",
        metrics.text
    );
});

db_test!(
    housekeeping_purges_old_sessions_and_reschedules_itself,
    |app| {
        use sea_orm::{ConnectionTrait, PaginatorTrait, Statement};
        let token = app.login("admin", crate::support::ADMIN_PASSWORD).await;
        let backend = app.state.db.get_database_backend();
        let long_ago = Utc::now() - chrono::Duration::days(3);
        app.state
            .db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DbBackend::Postgres => "UPDATE sessions SET expires_at = $1",
                    _ => "UPDATE sessions SET expires_at = ?",
                },
                [long_ago.into()],
            ))
            .await
            .unwrap();
        let mut registry = JobRegistry::default();
        jobs::maintenance::register(&mut registry);
        let worker = app.worker_with(registry);
        jobs::maintenance::schedule(&app.state.db, 3).await.unwrap();
        jobs::maintenance::schedule(&app.state.db, 3).await.unwrap();
        assert_eq!(
            jobs::queue_depth(&app.state.db, None).await.unwrap(),
            1,
            "scheduling is idempotent"
        );
        let ran = worker.drain().await.unwrap();
        assert_eq!(ran.len(), 1);
        assert_eq!(ran[0].1, JobStatus::Done);
        let sessions = hoso::db::entities::session::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap();
        assert_eq!(sessions, 0);
        assert_eq!(
            app.get("/api/v1/me", &token).await.status,
            StatusCode::UNAUTHORIZED
        );
        let next = jobs::list(&app.state.db, Some(JobStatus::Queued), None, None, 10)
            .await
            .unwrap();
        assert_eq!(next.len(), 1);
        assert!(
            next[0].run_at > Utc::now(),
            "the next purge is scheduled for later"
        );
    }
);

/// A scanned page to read: a slow job in the OCR lane.
#[derive(Debug, Serialize, Deserialize)]
struct ReadPage {
    page: u32,
}

impl Job for ReadPage {
    const KIND: &'static str = "test_read_page";
    const LANE: Lane = Lane::Ocr;
}

/// A quick job in the index lane; identical ones waiting collapse into one.
#[derive(Debug, Serialize, Deserialize)]
struct Reindex {
    unit: u32,
}

impl Job for Reindex {
    const KIND: &'static str = "test_reindex";
    const LANE: Lane = Lane::Index;
    const DEDUPLICATE: bool = true;
}

struct Typed(Arc<AtomicUsize>);

#[async_trait::async_trait]
impl Handler<ReadPage> for Typed {
    async fn run(&self, _: &JobContext, job: ReadPage) -> anyhow::Result<()> {
        self.0.fetch_add(job.page as usize, Ordering::SeqCst);
        Ok(())
    }
}

#[async_trait::async_trait]
impl Handler<Reindex> for Typed {
    async fn run(&self, _: &JobContext, job: Reindex) -> anyhow::Result<()> {
        self.0.fetch_add(job.unit as usize * 100, Ordering::SeqCst);
        Ok(())
    }
}

db_test!(
    each_lane_has_its_own_workers_and_identical_waiting_jobs_collapse,
    |app| {
        let counter = Arc::new(AtomicUsize::new(0));
        let mut registry = JobRegistry::default();
        registry
            .add::<ReadPage>(Typed(Arc::clone(&counter)))
            .add::<Reindex>(Typed(Arc::clone(&counter)));
        assert_eq!(registry.kinds_in(Lane::Ocr), ["test_read_page"]);
        let db = &app.state.db;
        let scan = jobs::submit(db, &ReadPage { page: 3 }, 1).await.unwrap();
        assert!(scan.is_some());
        let first = jobs::submit(db, &Reindex { unit: 7 }, 1).await.unwrap();
        let again = jobs::submit(db, &Reindex { unit: 7 }, 1).await.unwrap();
        assert!(first.is_some());
        assert_eq!(again, None, "the same re-index waits once");
        assert!(
            jobs::submit(db, &Reindex { unit: 8 }, 1)
                .await
                .unwrap()
                .is_some()
        );
        let lanes = jobs::depth_by_lane(db).await.unwrap();
        assert!(
            lanes.contains(&(Lane::Ocr, 1)) && lanes.contains(&(Lane::Index, 2)),
            "{lanes:?}"
        );

        // The index lane's worker takes only its jobs: the scan waits for the OCR lane.
        let index_worker = app.worker_with(registry.clone()).in_lane(Lane::Index);
        assert_eq!(index_worker.drain().await.unwrap().len(), 2);
        assert_eq!(counter.load(Ordering::SeqCst), 1500);
        assert_eq!(
            jobs::queue_depth(db, None).await.unwrap(),
            1,
            "the scan still waits"
        );
        let ocr_worker = app.worker_with(registry).in_lane(Lane::Ocr);
        assert_eq!(
            ocr_worker.drain().await.unwrap(),
            vec![(scan.unwrap(), JobStatus::Done)]
        );
        assert_eq!(counter.load(Ordering::SeqCst), 1503);

        // Administrators see each job's lane and can filter by it.
        let listed = app.get("/api/v1/jobs?lane=ocr", &app.admin_token).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
        assert_eq!(listed.json["total"], 1);
        assert_eq!(listed.json["items"][0]["lane"], "ocr");
        assert_eq!(listed.json["items"][0]["payload"]["page"], 3);
        assert_error(
            &app.get("/api/v1/jobs?lane=fast", &app.admin_token).await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
    }
);

/// Takes up to four jobs at once; a payload with `"bad": true` fails on its own.
struct Batch(Arc<AtomicUsize>);

#[async_trait::async_trait]
impl JobHandler for Batch {
    async fn run(&self, context: &JobContext, payload: &serde_json::Value) -> anyhow::Result<()> {
        self.run_batch(context, std::slice::from_ref(payload))
            .await
            .pop()
            .unwrap_or(Ok(()))
    }

    fn batch_size(&self) -> usize {
        4
    }

    async fn run_batch(
        &self,
        _: &JobContext,
        payloads: &[serde_json::Value],
    ) -> Vec<anyhow::Result<()>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        payloads
            .iter()
            .map(|payload| {
                if payload["bad"] == true {
                    Err(anyhow::anyhow!("bad payload"))
                } else {
                    Ok(())
                }
            })
            .collect()
    }
}

db_test!(
    a_batching_kind_runs_many_jobs_per_call_and_fails_only_the_bad_one,
    |app| {
        let calls = Arc::new(AtomicUsize::new(0));
        let mut ids = Vec::new();
        for n in 0..6 {
            let payload = json!({"n": n, "bad": n == 2});
            ids.push(
                jobs::enqueue(&app.state.db, "batch", &payload, 1)
                    .await
                    .unwrap(),
            );
        }
        jobs::enqueue(&app.state.db, "other", &json!({}), 1)
            .await
            .unwrap();
        let mut registry = JobRegistry::default();
        registry
            .register("batch", Batch(Arc::clone(&calls)))
            .register("other", Count(Arc::new(AtomicUsize::new(0))));
        let worker = app.worker_with(registry);
        let ran = worker.drain().await.unwrap();
        assert_eq!(ran.len(), 7, "every job ran once: {ran:?}");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "six jobs in batches of four"
        );
        for (n, id) in ids.iter().enumerate() {
            let status = ran.iter().find(|(ran, _)| ran == id).unwrap().1;
            let expected = if n == 2 {
                JobStatus::Dead
            } else {
                JobStatus::Done
            };
            assert_eq!(status, expected, "job {n}");
        }
    }
);
