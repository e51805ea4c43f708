//! A hoso instance of one test with a database of its own, and requests through its router.

use std::path::PathBuf;

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use hoso::{App, AppState, Config};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

use super::ADMIN_PASSWORD;

/// The engines this build tests: SQLite always, PostgreSQL when configured.
pub fn engines() -> Vec<Engine> {
    if cfg!(hoso_pg_tests) {
        vec![Engine::Sqlite, Engine::Postgres]
    } else {
        vec![Engine::Sqlite]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A database of its own for one test.
pub struct TestDatabase {
    pub url: String,
    /// For PostgreSQL: the server URL to drop the database through, and its name.
    drop_via: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(engine: Engine, dir: &std::path::Path) -> Self {
        match engine {
            Engine::Sqlite => Self {
                url: format!("sqlite://{}?mode=rwc", dir.join("hoso.db").display()),
                drop_via: None,
            },
            Engine::Postgres => {
                let base = std::env::var("HOSO_TEST_DATABASE_URL")
                    .expect("HOSO_TEST_DATABASE_URL must be set for PostgreSQL tests");
                let name = format!("hoso_t_{}", uuid::Uuid::new_v4().simple());
                let server = Database::connect(&base)
                    .await
                    .expect("PostgreSQL at HOSO_TEST_DATABASE_URL must be reachable");
                server
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create a test database");
                server.close().await.ok();
                let mut url = url::Url::parse(&base).expect("HOSO_TEST_DATABASE_URL is a URL");
                url.set_path(&format!("/{name}"));
                Self {
                    url: url.to_string(),
                    drop_via: Some((base, name)),
                }
            }
        }
    }

    pub async fn drop_database(mut self) {
        if let Some((base, name)) = self.drop_via.take() {
            drop_postgres_database(&base, &name).await;
        }
    }
}

async fn drop_postgres_database(base: &str, name: &str) {
    if let Ok(server) = Database::connect(base).await {
        let _ = server
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        server.close().await.ok();
    }
}

/// A failing test unwinds without reaching its clean-up: its PostgreSQL database is dropped
/// here instead, on a thread of its own (the test's runtime may be gone).
impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((base, name)) = self.drop_via.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_postgres_database(&base, &name));
            }
        })
        .join();
        drop(dropped);
    }
}

/// A hoso instance of one test, with its own database and data directory.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub jobs: hoso::jobs::JobRegistry,
    pub database: TestDatabase,
    pub dir: TempDir,
    pub admin_token: String,
}

/// A response, its body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
    pub bytes: Vec<u8>,
}

impl TestApp {
    pub fn config_for(dir: &std::path::Path, database_url: &str) -> Config {
        let mut config = Config::for_data_dir(dir);
        config.database_url = database_url.to_owned();
        config.bootstrap_admin = Some("admin".into());
        config.bootstrap_password = Some(ADMIN_PASSWORD.into());
        config.job_poll_interval_ms = 20;
        config.search_commit_interval_ms = 20;
        config
    }

    pub async fn start(engine: Engine) -> Self {
        Self::start_with(engine, |_| {}).await
    }

    pub async fn start_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let database = TestDatabase::create(engine, dir.path()).await;
        let mut config = Self::config_for(dir.path(), &database.url);
        adjust(&mut config);
        let app = App::build(config).await.expect("hoso starts");
        let router = app.router();
        let state = app.state.clone();
        let jobs = app.jobs.clone();
        let mut test = Self {
            router,
            state,
            jobs,
            database,
            dir,
            admin_token: String::new(),
        };
        test.admin_token = test.login("admin", ADMIN_PASSWORD).await;
        test
    }

    pub async fn finish(self) {
        self.state.db.clone().close().await.ok();
        self.database.drop_database().await;
    }

    /// Runs every due background job (extraction, OCR, activation…) to the end.
    pub async fn drain_jobs(&self) -> Vec<(uuid::Uuid, hoso::jobs::JobStatus)> {
        self.worker_with(self.jobs.clone())
            .drain()
            .await
            .expect("jobs run")
    }

    /// A worker on this app's database, blobs and index running the handlers of `registry`.
    pub fn worker_with(&self, registry: hoso::jobs::JobRegistry) -> hoso::jobs::Worker {
        hoso::jobs::Worker::new(
            hoso::jobs::JobContext {
                db: self.state.db.clone(),
                blobs: self.state.blobs.clone(),
                config: std::sync::Arc::clone(&self.state.config),
                search: std::sync::Arc::clone(&self.state.search),
            },
            registry,
        )
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Sends a request through the router in-process.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body is readable")
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            json,
            text,
            bytes: bytes.to_vec(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        }
        .expect("a valid request");
        self.send(request).await
    }

    pub async fn get(&self, path: &str, token: &str) -> TestResponse {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> TestResponse {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> TestResponse {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> TestResponse {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> TestResponse {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// A PATCH with `If-Match: etag` (none when `None`).
    pub async fn patch_if(
        &self,
        path: &str,
        token: &str,
        etag: Option<&str>,
        body: Value,
    ) -> TestResponse {
        let mut builder = Request::builder()
            .method(Method::PATCH)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(etag) = etag {
            builder = builder.header(header::IF_MATCH, etag);
        }
        self.send(
            builder
                .body(Body::from(body.to_string()))
                .expect("a valid request"),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "login of {username}: {}",
            response.text
        );
        response.json["token"].as_str().expect("a token").to_owned()
    }
}

pub fn id_of(response: &TestResponse) -> String {
    response.json["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {}", response.text))
        .to_owned()
}

/// Asserts the error envelope's status and code.
#[track_caller]
pub fn assert_error(response: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(response.status, status, "{}", response.text);
    assert_eq!(response.json["error"]["code"], code, "{}", response.text);
    assert!(
        response.json["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "an error message for people: {}",
        response.text
    );
}
