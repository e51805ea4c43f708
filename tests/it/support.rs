//! Test harness: a fresh hoso per test on SQLite or PostgreSQL, and request helpers.

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

pub const ADMIN_PASSWORD: &str = "quan-tri-mat-khau-1";
pub const PASSWORD: &str = "mat-khau-du-dai-1";

/// Declares a test that runs once on SQLite and once on PostgreSQL. The PostgreSQL variant is
/// ignored, with a reason `cargo test` prints, unless `HOSO_TEST_DATABASE_URL` was set at build.
macro_rules! db_test {
    ($(#[$meta:meta])* $name:ident, |$app:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::support::TestApp::start($crate::support::Engine::Sqlite).await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(hoso_pg_tests),
                ignore = "PostgreSQL variant: set HOSO_TEST_DATABASE_URL to run it"
            )]
            async fn postgres() {
                let $app = $crate::support::TestApp::start($crate::support::Engine::Postgres).await;
                $body
                $app.finish().await;
            }
        }
    };
}
pub(crate) use db_test;

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

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> TestResponse {
        self.call(Method::PATCH, path, Some(token), Some(body))
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

    /// Creates an agency as the admin; returns its id.
    pub async fn agency(&self, code: &str, kind: &str, parent: Option<&str>) -> String {
        let response = self
            .post(
                "/api/v1/agencies",
                &self.admin_token,
                json!({"code": code, "name": format!("Cơ quan {code}"), "kind": kind, "parent_id": parent}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        id_of(&response)
    }

    /// Creates a user holding `role` over `agency` (id or code, or everywhere); returns a token.
    pub async fn user_with_role(&self, username: &str, role: &str, agency: Option<&str>) -> String {
        let created = self
            .post(
                "/api/v1/users",
                &self.admin_token,
                json!({"username": username, "display_name": format!("Người dùng {username}"), "password": PASSWORD}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let granted = self
            .post(
                &format!("/api/v1/users/{}/roles", id_of(&created)),
                &self.admin_token,
                json!({"role": role, "agency_id": agency}),
            )
            .await;
        assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.text);
        self.login(username, PASSWORD).await
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

impl TestApp {
    /// Uploads a file as a new version through the multipart endpoint.
    pub async fn upload(
        &self,
        token: &str,
        document_id: &str,
        filename: &str,
        bytes: &[u8],
        change_summary: Option<&str>,
    ) -> TestResponse {
        let boundary = "hoso-test-boundary-7d1f";
        let mut body = Vec::new();
        if let Some(summary) = change_summary {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"change_summary\"\r\n\r\n{summary}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post(format!("/api/v1/documents/{document_id}/versions"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("a valid request");
        self.send(request).await
    }
}

/// A small real PDF, one page per text, written with lopdf in the standard Helvetica font.
pub fn pdf_with_pages(pages: &[&str]) -> Vec<u8> {
    use lopdf::{Dictionary, Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids = Vec::new();
    for text in pages {
        let content = format!("BT /F1 14 Tf 72 760 Td ({text}) Tj ET");
        let content_id = doc.add_object(Stream::new(Dictionary::new(), content.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("the fixture PDF is written");
    out
}

/// An agency with an ISO officer, an agency head and a staff member, as tokens.
pub struct Agency {
    pub id: String,
    pub officer: String,
    pub head: String,
    pub staff: String,
}

impl TestApp {
    pub async fn staffed_agency(&self, code: &str) -> Agency {
        let id = self.agency(code, "department", None).await;
        let lower = code.to_lowercase();
        Agency {
            officer: self
                .user_with_role(&format!("thuky-{lower}"), "iso_officer", Some(&id))
                .await,
            head: self
                .user_with_role(&format!("lanhdao-{lower}"), "agency_head", Some(&id))
                .await,
            staff: self
                .user_with_role(&format!("canbo-{lower}"), "staff", Some(&id))
                .await,
            id,
        }
    }

    /// Registers a procedure as the agency's ISO officer; returns its id.
    pub async fn document(&self, agency: &Agency, code: &str, title: &str) -> String {
        self.document_of_kind(agency, code, title, "procedure")
            .await
    }

    /// Registers a document of `kind` as the agency's ISO officer; returns its id.
    pub async fn document_of_kind(
        &self,
        agency: &Agency,
        code: &str,
        title: &str,
        kind: &str,
    ) -> String {
        let created = self
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": agency.id, "code": code, "title": title, "kind": kind}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        id_of(&created)
    }

    /// Uploads, submits, approves and publishes a version from `effective_from`; returns its id.
    pub async fn issue_version(
        &self,
        agency: &Agency,
        document_id: &str,
        text: &str,
        summary: Option<&str>,
        effective_from: chrono::NaiveDate,
    ) -> String {
        self.issue_file(
            agency,
            document_id,
            ("quy-trinh.pdf", &pdf_with_pages(&[text])),
            summary,
            effective_from,
        )
        .await
    }

    /// Like [`TestApp::issue_version`] with a file of the caller's: (name, bytes).
    pub async fn issue_file(
        &self,
        agency: &Agency,
        document_id: &str,
        (filename, bytes): (&str, &[u8]),
        summary: Option<&str>,
        effective_from: chrono::NaiveDate,
    ) -> String {
        let uploaded = self
            .upload(&agency.officer, document_id, filename, bytes, summary)
            .await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
        let version = id_of(&uploaded);
        for (token, step, body) in [
            (&agency.officer, "submit", None),
            (&agency.head, "approve", None),
            (
                &agency.head,
                "publish",
                Some(json!({"effective_from": effective_from})),
            ),
        ] {
            let response = self
                .call(
                    Method::POST,
                    &format!("/api/v1/versions/{version}/{step}"),
                    Some(token),
                    Some(body.unwrap_or_else(|| json!({}))),
                )
                .await;
            assert_eq!(response.status, StatusCode::OK, "{step}: {}", response.text);
        }
        version
    }
}
