//! A real browser on a running hoso: the test's router served on a free port, headless
//! Chromium driven through chromedriver (Debian's `chromium` and `chromium-driver`), axe-core
//! to check each page's accessibility, and a screenshot of where each journey ends.

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element, key::Key};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp};

/// axe-core, vendored from npm (`axe-core`), injected into pages under test.
const AXE: &str = include_str!("../../fixtures/browser/axe-4.14.1.min.js");

/// A browser window on the test's hoso, in `lang` (`vi` or `en`).
pub struct Browser {
    pub client: Client,
    pub base: String,
    driver: Child,
    server: tokio::task::JoinHandle<()>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

impl Browser {
    /// Serves `app` and opens a 1366-wide window whose browser asks for `lang`.
    pub async fn open(app: &TestApp, lang: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let service = app
            .router
            .clone()
            .into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move {
            axum::serve(listener, service).await.ok();
        });
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (Debian: apt-get install chromium chromium-driver)");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": std::env::var("HOSO_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1366,900", format!("--lang={lang}")],
                "prefs": {"intl.accept_languages": lang},
            }
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        let mut attempts = 0;
        let client = loop {
            // chromedriver listens on plain HTTP on this machine: no TLS.
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => break client,
                Err(error) if attempts < 50 => {
                    attempts += 1;
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("chromedriver did not start a browser: {error}"),
            }
        };
        Self {
            client,
            base: format!("http://{address}"),
            driver,
            server,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// The path (and query) the window shows.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(error) => {
                let source = self.client.source().await.unwrap_or_default();
                panic!(
                    "no {css} on {} ({error}); the page:\n{source}",
                    self.path().await
                )
            }
        }
    }

    /// Sets a field's value as a date picker would (typing dates depends on the locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap();
    }

    /// Chooses the option of value `value` in the list `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|error| panic!("no option {value:?} in {css}: {error}"));
    }

    /// The visible text of the page's main content.
    pub async fn main_text(&self) -> String {
        self.find("main").await.text().await.unwrap()
    }

    /// Waits until the main content shows `text` (across a page load under way).
    pub async fn wait_for_text(&self, text: &str) {
        for _ in 0..100 {
            let shown = match self.client.find(Locator::Css("main")).await {
                Ok(main) => main.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown.contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the page never showed {text:?}; it shows:\n{}",
            self.main_text().await
        );
    }

    /// Clicks the link or button whose text is `text` (exactly, after trimming).
    pub async fn click_text(&self, text: &str) {
        let xpath = format!(
            "//*[self::a or self::button][normalize-space(.)={}]",
            xpath_literal(text)
        );
        let element = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|_| panic!("no link or button {text:?}"));
        element.click().await.unwrap();
    }

    /// Signs in through the form, typing as a person would.
    pub async fn sign_in(&self, username: &str) {
        self.sign_in_with(username, PASSWORD).await;
    }

    /// Signs in with a password of the test's own (the demo's, say).
    pub async fn sign_in_with(&self, username: &str, secret: &str) {
        self.goto("/sign-in").await;
        self.find("#username")
            .await
            .send_keys(username)
            .await
            .unwrap();
        let password = self.find("#password").await;
        password.send_keys(secret).await.unwrap();
        password
            .send_keys(&char::from(Key::Enter).to_string())
            .await
            .unwrap();
        self.find("nav.main").await;
    }

    /// Presses keys on whatever has the focus, as a keyboard would.
    pub async fn type_keys(&self, keys: &str) {
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(keys)
            .await
            .unwrap();
    }

    /// Runs axe-core on the page; fails on any serious or critical violation.
    pub async fn assert_accessible(&self) {
        self.client.execute(AXE, vec![]).await.unwrap();
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ["violations"], iframes: false }).then(
              (result) => done(result.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)),
              (error) => done([`axe failed: ${error}`]));
        "#;
        let violations = self.client.execute_async(script, vec![]).await.unwrap();
        let path = self.path().await;
        assert_eq!(violations, json!([]), "accessibility violations on {path}");
    }

    /// Saves a PNG of the window as `target/tmp/ui-screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await.unwrap()).unwrap();
        path
    }

    /// A phone-wide window (390 × 844).
    pub async fn as_phone(&self) {
        self.client.set_window_size(390, 844).await.unwrap();
    }

    pub async fn close(mut self) {
        self.client.clone().close().await.ok();
        self.driver.kill().ok();
        self.driver.wait().ok();
        self.server.abort();
    }
}

fn xpath_literal(text: &str) -> String {
    if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        format!("'{text}'")
    }
}
