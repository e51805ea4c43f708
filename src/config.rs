//! Typed configuration: `config/default.toml` < `--config` file < `HOSO_*` env < flags.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use figment::{
    Figment, Source,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// The embedded defaults, compiled into the binary so a fresh machine needs no files.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Every key that can be set, in the order `config show` prints them.
const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "storage_url",
    "index_dir",
    "s3_endpoint",
    "s3_region",
    "bootstrap_admin",
    "bootstrap_password",
    "max_upload_bytes",
    "max_json_bytes",
    "log_format",
    "session_ttl_hours",
    "session_cache_secs",
    "login_max_failures",
    "login_window_minutes",
    "job_max_attempts",
    "job_poll_interval_ms",
    "job_workers_ocr",
    "job_workers_extract",
    "job_workers_index",
    "job_workers_render",
    "job_workers_default",
    "extract_timeout_secs",
    "extract_max_text_bytes",
    "ocr_command",
    "ocr_languages",
    "pdftoppm_command",
    "render_command",
    "render_timeout_secs",
    "render_max_bytes",
    "search_commit_docs",
    "search_commit_interval_ms",
    "search_threads",
    "qms_duties_due",
    "slow_query_ms",
];

/// Values given on the command line; they win over everything else.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ConfigOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// What the layers say before derived values are filled in.
#[derive(Deserialize)]
struct RawConfig {
    listen: String,
    data_dir: PathBuf,
    database_url: Option<String>,
    storage_url: Option<String>,
    index_dir: Option<PathBuf>,
    s3_endpoint: Option<String>,
    s3_region: String,
    bootstrap_admin: Option<String>,
    bootstrap_password: Option<String>,
    max_upload_bytes: u64,
    max_json_bytes: usize,
    log_format: LogFormat,
    session_ttl_hours: u32,
    session_cache_secs: u64,
    login_max_failures: u32,
    login_window_minutes: u32,
    job_max_attempts: u32,
    job_poll_interval_ms: u64,
    job_workers_ocr: usize,
    job_workers_extract: usize,
    job_workers_index: usize,
    job_workers_render: usize,
    job_workers_default: usize,
    extract_timeout_secs: u64,
    extract_max_text_bytes: usize,
    ocr_command: String,
    ocr_languages: String,
    pdftoppm_command: String,
    render_command: String,
    render_timeout_secs: u64,
    render_max_bytes: u64,
    search_commit_docs: usize,
    search_commit_interval_ms: u64,
    search_threads: usize,
    qms_duties_due: String,
    slow_query_ms: u64,
}

/// The effective configuration of one hoso process.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub storage_url: String,
    pub index_dir: PathBuf,
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub bootstrap_admin: Option<String>,
    pub bootstrap_password: Option<String>,
    pub max_upload_bytes: u64,
    pub max_json_bytes: usize,
    pub log_format: LogFormat,
    pub session_ttl_hours: u32,
    /// Seconds a signed-in token is remembered without reading the database (0: never).
    pub session_cache_secs: u64,
    pub login_max_failures: u32,
    pub login_window_minutes: u32,
    pub job_max_attempts: u32,
    pub job_poll_interval_ms: u64,
    /// Workers of each job lane (`ocr` 0: one per two cores).
    pub job_workers_ocr: usize,
    pub job_workers_extract: usize,
    pub job_workers_index: usize,
    pub job_workers_render: usize,
    pub job_workers_default: usize,
    pub extract_timeout_secs: u64,
    pub extract_max_text_bytes: usize,
    pub ocr_command: String,
    pub ocr_languages: String,
    pub pdftoppm_command: String,
    /// LibreOffice, which makes PDFs of word-processor files, with its time and size limits.
    pub render_command: String,
    pub render_timeout_secs: u64,
    pub render_max_bytes: u64,
    /// The index writer commits once this many index documents are pending…
    pub search_commit_docs: usize,
    /// …or once the oldest pending change is this old.
    pub search_commit_interval_ms: u64,
    /// Threads one search uses, over the index's segments (0: one per core).
    pub search_threads: usize,
    /// The day of the year (month, day) by which each agency holds its internal audit and its
    /// management review; `deadlines` shows them as due from then on.
    pub qms_duties_due: (u32, u32),
    /// Database statements slower than this many milliseconds are logged as warnings, with
    /// their SQL and never their values (0: none).
    pub slow_query_ms: u64,
    /// Where each key's value came from, for `hoso config show`.
    sources: Vec<(&'static str, String)>,
}

/// `MM-DD`, a day every year has (so not 02-29).
fn month_day(text: &str) -> Result<(u32, u32), ConfigError> {
    let invalid = || {
        ConfigError::Invalid(format!(
            "qms_duties_due: {text:?} is not a day of the year like 11-30"
        ))
    };
    let (month, day) = text.trim().split_once('-').ok_or_else(invalid)?;
    let month: u32 = month.parse().map_err(|_| invalid())?;
    let day: u32 = day.parse().map_err(|_| invalid())?;
    chrono::NaiveDate::from_ymd_opt(2025, month, day).ok_or_else(invalid)?;
    Ok((month, day))
}

/// Configuration that cannot be used, with the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads the layers: embedded defaults, an optional file, `HOSO_*` variables, then flags.
    pub fn load(file: Option<&Path>, overrides: &ConfigOverrides) -> Result<Self, ConfigError> {
        let mut figment = Figment::new().merge(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::Invalid(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        let figment = figment
            .merge(Env::prefixed("HOSO_").only(KEYS))
            .merge(Serialized::defaults(overrides.clone()));
        Self::from_figment(&figment)
    }

    /// Builds a configuration for tests and embedding: defaults under `data_dir`, then `edit`.
    pub fn for_data_dir(data_dir: &Path) -> Self {
        let figment = Figment::new()
            .merge(Toml::string(DEFAULT_TOML))
            .merge(Serialized::default("data_dir", data_dir));
        match Self::from_figment(&figment) {
            Ok(config) => config,
            // The embedded defaults are valid by construction; a test of them guards this.
            Err(error) => unreachable!("embedded defaults are invalid: {error}"),
        }
    }

    fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        let raw: RawConfig = figment
            .extract()
            .map_err(|error| ConfigError::Invalid(error.to_string()))?;
        let listen = raw.listen.parse().map_err(|_| {
            ConfigError::Invalid(format!(
                "listen: {:?} is not an address like 127.0.0.1:8080",
                raw.listen
            ))
        })?;
        let mut sources = Vec::new();
        for key in KEYS {
            let source = match figment.find_metadata(key) {
                None => "derived from data_dir".to_owned(),
                Some(metadata) => describe_source(metadata, key),
            };
            sources.push((*key, source));
        }
        let data_dir = raw.data_dir;
        let database_url = non_empty(raw.database_url)
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("hoso.db").display()));
        let storage_url = non_empty(raw.storage_url)
            .unwrap_or_else(|| format!("file://{}", absolute(&data_dir.join("blobs")).display()));
        let index_dir = raw
            .index_dir
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or_else(|| data_dir.join("index"));
        if raw.max_json_bytes == 0 || raw.max_upload_bytes == 0 {
            return Err(ConfigError::Invalid(
                "max_json_bytes and max_upload_bytes must be above zero".into(),
            ));
        }
        if raw.job_max_attempts == 0 || raw.session_ttl_hours == 0 {
            return Err(ConfigError::Invalid(
                "job_max_attempts and session_ttl_hours must be above zero".into(),
            ));
        }
        Ok(Self {
            listen,
            data_dir,
            database_url,
            storage_url,
            index_dir,
            s3_endpoint: non_empty(raw.s3_endpoint),
            s3_region: raw.s3_region,
            bootstrap_admin: non_empty(raw.bootstrap_admin),
            bootstrap_password: non_empty(raw.bootstrap_password),
            max_upload_bytes: raw.max_upload_bytes,
            max_json_bytes: raw.max_json_bytes,
            log_format: raw.log_format,
            session_ttl_hours: raw.session_ttl_hours,
            session_cache_secs: raw.session_cache_secs,
            login_max_failures: raw.login_max_failures,
            login_window_minutes: raw.login_window_minutes,
            job_max_attempts: raw.job_max_attempts,
            job_poll_interval_ms: raw.job_poll_interval_ms,
            job_workers_ocr: raw.job_workers_ocr,
            job_workers_extract: raw.job_workers_extract.max(1),
            job_workers_index: raw.job_workers_index.max(1),
            job_workers_render: raw.job_workers_render.max(1),
            job_workers_default: raw.job_workers_default.max(1),
            extract_timeout_secs: raw.extract_timeout_secs.max(1),
            extract_max_text_bytes: raw.extract_max_text_bytes.max(1024),
            ocr_command: raw.ocr_command,
            ocr_languages: raw.ocr_languages,
            pdftoppm_command: raw.pdftoppm_command,
            render_command: raw.render_command,
            render_timeout_secs: raw.render_timeout_secs.max(1),
            render_max_bytes: raw.render_max_bytes.max(1024),
            search_commit_docs: raw.search_commit_docs.max(1),
            search_commit_interval_ms: raw.search_commit_interval_ms,
            search_threads: raw.search_threads,
            qms_duties_due: month_day(&raw.qms_duties_due)?,
            slow_query_ms: raw.slow_query_ms,
            sources,
        })
    }

    /// The effective values, secrets redacted, each with where it came from.
    pub fn describe(&self) -> Vec<(&'static str, String, String)> {
        let optional = |value: &Option<String>| value.clone().unwrap_or_else(|| "(unset)".into());
        let secret = |value: &Option<String>| match value {
            Some(_) => "(redacted)".to_owned(),
            None => "(unset)".to_owned(),
        };
        let value_of = |key: &str| -> String {
            match key {
                "listen" => self.listen.to_string(),
                "data_dir" => self.data_dir.display().to_string(),
                "database_url" => redact_url(&self.database_url),
                "storage_url" => redact_url(&self.storage_url),
                "index_dir" => self.index_dir.display().to_string(),
                "s3_endpoint" => optional(&self.s3_endpoint),
                "s3_region" => self.s3_region.clone(),
                "bootstrap_admin" => optional(&self.bootstrap_admin),
                "bootstrap_password" => secret(&self.bootstrap_password),
                "max_upload_bytes" => self.max_upload_bytes.to_string(),
                "max_json_bytes" => self.max_json_bytes.to_string(),
                "log_format" => format!("{:?}", self.log_format).to_lowercase(),
                "session_ttl_hours" => self.session_ttl_hours.to_string(),
                "session_cache_secs" => self.session_cache_secs.to_string(),
                "login_max_failures" => self.login_max_failures.to_string(),
                "login_window_minutes" => self.login_window_minutes.to_string(),
                "job_max_attempts" => self.job_max_attempts.to_string(),
                "job_poll_interval_ms" => self.job_poll_interval_ms.to_string(),
                "job_workers_ocr" => self.job_workers_ocr.to_string(),
                "job_workers_extract" => self.job_workers_extract.to_string(),
                "job_workers_index" => self.job_workers_index.to_string(),
                "job_workers_render" => self.job_workers_render.to_string(),
                "job_workers_default" => self.job_workers_default.to_string(),
                "extract_timeout_secs" => self.extract_timeout_secs.to_string(),
                "extract_max_text_bytes" => self.extract_max_text_bytes.to_string(),
                "ocr_command" => self.ocr_command.clone(),
                "ocr_languages" => self.ocr_languages.clone(),
                "pdftoppm_command" => self.pdftoppm_command.clone(),
                "render_command" => self.render_command.clone(),
                "render_timeout_secs" => self.render_timeout_secs.to_string(),
                "render_max_bytes" => self.render_max_bytes.to_string(),
                "search_commit_docs" => self.search_commit_docs.to_string(),
                "search_commit_interval_ms" => self.search_commit_interval_ms.to_string(),
                "search_threads" => self.search_threads.to_string(),
                "qms_duties_due" => {
                    format!("{:02}-{:02}", self.qms_duties_due.0, self.qms_duties_due.1)
                }
                "slow_query_ms" => self.slow_query_ms.to_string(),
                _ => String::new(),
            }
        };
        self.sources
            .iter()
            .map(|(key, source)| {
                let source = match (*key, source.as_str()) {
                    (
                        "bootstrap_admin" | "bootstrap_password" | "s3_endpoint",
                        "derived from data_dir",
                    ) => "unset".to_owned(),
                    _ => source.clone(),
                };
                (*key, value_of(key), source)
            })
            .collect()
    }

    /// How many workers run the jobs of `lane` in this process.
    pub fn workers_of(&self, lane: crate::jobs::Lane) -> usize {
        use crate::jobs::Lane;
        match lane {
            Lane::Ocr if self.job_workers_ocr == 0 => {
                let cores = std::thread::available_parallelism().map_or(1, usize::from);
                (cores / 2).max(1)
            }
            Lane::Ocr => self.job_workers_ocr,
            Lane::Extract => self.job_workers_extract,
            Lane::Index => self.job_workers_index,
            Lane::Render => self.job_workers_render,
            Lane::Default => self.job_workers_default,
        }
    }

    /// The caps text extraction runs under.
    pub fn extract_limits(&self) -> crate::extract::Limits {
        crate::extract::Limits {
            timeout: std::time::Duration::from_secs(self.extract_timeout_secs),
            max_text_bytes: self.extract_max_text_bytes,
            ..crate::extract::Limits::default()
        }
    }

    /// How OCR is run.
    pub fn ocr_settings(&self) -> crate::extract::ocr::OcrSettings {
        crate::extract::ocr::OcrSettings {
            tesseract: self.ocr_command.clone(),
            languages: self.ocr_languages.clone(),
            pdftoppm: self.pdftoppm_command.clone(),
            timeout: std::time::Duration::from_secs(self.extract_timeout_secs),
        }
    }

    /// How LibreOffice makes PDFs of word-processor files.
    pub fn render_settings(&self) -> crate::render::RenderSettings {
        crate::render::RenderSettings {
            soffice: self.render_command.clone(),
            timeout: std::time::Duration::from_secs(self.render_timeout_secs),
            max_bytes: self.render_max_bytes,
        }
    }

    /// True when the database is the embedded SQLite file.
    pub fn uses_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// Secrets never reach logs: `Debug` shows the redacted view.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value, _) in self.describe() {
            map.entry(&key, &value);
        }
        map.finish()
    }
}

fn describe_source(metadata: &figment::Metadata, key: &str) -> String {
    match &metadata.source {
        Some(Source::File(path)) => format!("file {}", path.display()),
        _ if metadata.name.contains("environment") => {
            format!("env HOSO_{}", key.to_uppercase())
        }
        _ if metadata.name.contains("TOML") => "default (config/default.toml)".to_owned(),
        _ => "command-line flag".to_owned(),
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.trim().is_empty())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Hides the password of a URL such as `postgres://user:secret@host/db`.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Setting a password only fails for URLs that cannot have one, excluded above.
            let _ = parsed.set_password(Some("REDACTED"));
            parsed.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_are_valid_and_derive_paths_from_data_dir() {
        let config = Config::for_data_dir(Path::new("/srv/hoso"));
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite:///srv/hoso/hoso.db?mode=rwc");
        assert_eq!(config.storage_url, "file:///srv/hoso/blobs");
        assert_eq!(config.index_dir, Path::new("/srv/hoso/index"));
        assert_eq!(config.max_upload_bytes, 512 * 1024 * 1024);
    }

    #[test]
    fn database_password_is_redacted() {
        assert_eq!(
            redact_url("postgres://hoso:s3cret@db.example/hoso"),
            "postgres://hoso:REDACTED@db.example/hoso"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail's closure returns figment::Error"
    )]
    fn flags_win_over_environment_and_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "site.toml",
                "listen = \"0.0.0.0:9000\"\nmax_json_bytes = 2048",
            )?;
            jail.set_env("HOSO_LISTEN", "127.0.0.1:9001");
            jail.set_env("HOSO_BOOTSTRAP_PASSWORD", "hunter2-very-secret");
            let overrides = ConfigOverrides {
                data_dir: Some("/tmp/flag-dir".into()),
                ..Default::default()
            };
            let config = Config::load(Some(Path::new("site.toml")), &overrides)
                .map_err(|error| error.to_string())?;
            assert_eq!(config.listen.to_string(), "127.0.0.1:9001");
            assert_eq!(config.max_json_bytes, 2048);
            let shown = config.describe();
            let source = |key: &str| {
                shown
                    .iter()
                    .find(|(k, _, _)| *k == key)
                    .map(|(_, value, source)| (value.clone(), source.clone()))
                    .unwrap_or_default()
            };
            assert_eq!(source("listen").1, "env HOSO_LISTEN");
            assert!(source("max_json_bytes").1.starts_with("file "));
            assert_eq!(source("data_dir").1, "command-line flag");
            assert_eq!(source("database_url").1, "derived from data_dir");
            assert_eq!(source("bootstrap_password").0, "(redacted)");
            assert!(!format!("{config:?}").contains("hunter2"));
            Ok(())
        });
    }

    #[test]
    fn an_unparseable_listen_address_is_a_clear_error() {
        let overrides = ConfigOverrides {
            listen: Some("localhost-ish".into()),
            ..Default::default()
        };
        let error = Config::load(None, &overrides).err().map(|e| e.to_string());
        assert!(error.is_some_and(|message| message.contains("listen")));
    }
}
