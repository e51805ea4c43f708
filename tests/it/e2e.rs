//! End to end: the real `hoso serve` binary on a free port, driven over HTTP, stopped by SIGTERM.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, Engine, TestDatabase};

async fn serve_sign_in_and_stop(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(engine, dir.path()).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--database-url", &database.url])
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HOSO_BOOTSTRAP_ADMIN", "quantri")
        .env("HOSO_BOOTSTRAP_PASSWORD", ADMIN_PASSWORD)
        .env("HOSO_LOG_FORMAT", "json")
        .env_remove("HOSO_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hoso serve starts");
    let stdout = child.stdout.take().unwrap();
    let address = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                line.split("listening on http://")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .map(str::to_owned)
            })
    })
    .await
    .unwrap()
    .expect("the server prints where it listens");
    let base = format!("http://{address}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    let ready: Value = client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready", "{ready}");
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "quantri", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    // The cookie set at login is enough for the next call.
    let me: Value = client
        .get(format!("{base}/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "quantri");
    assert_eq!(me["roles"][0]["role"], "admin");

    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let status = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let logs = String::from_utf8_lossy(&status.stderr).into_owned();
    assert!(
        status.status.success(),
        "a clean exit after SIGTERM: {logs}"
    );
    let first = logs.lines().next().unwrap_or_default();
    assert!(
        serde_json::from_str::<Value>(first).is_ok(),
        "HOSO_LOG_FORMAT=json writes JSON lines: {first}"
    );
    assert!(logs.contains("hoso stopped"), "{logs}");
    // Every request ends with one line: its path, status and latency.
    assert!(
        logs.lines()
            .any(|line| line.contains("/api/v1/me") && line.contains("\"status\":200")),
        "a log line per request: {logs}"
    );
    assert!(!logs.contains(ADMIN_PASSWORD), "no secret in the logs");
    database.drop_database().await;
}

#[tokio::test]
async fn the_real_server_signs_in_over_tcp_and_stops_gracefully_on_sqlite() {
    serve_sign_in_and_stop(Engine::Sqlite).await;
}

#[tokio::test]
#[cfg_attr(
    not(hoso_pg_tests),
    ignore = "PostgreSQL variant: set HOSO_TEST_DATABASE_URL to run it"
)]
async fn the_real_server_signs_in_over_tcp_and_stops_gracefully_on_postgres() {
    serve_sign_in_and_stop(Engine::Postgres).await;
}
