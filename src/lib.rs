//! hoso ("hồ sơ", records): document management and ISO 9001 record keeping for Vietnamese
//! state agencies and the provincial office that inspects and scores them.
//!
//! Layers: `http` (edge, on the shared edge kit `web`) → `domain` (rules, permissions,
//! transactions) → `db`, `blobs`, `jobs`, `search`, `extract`, `audit_log` (capabilities). The
//! binary in `main.rs` and the integration tests share this crate.

pub mod app;
pub mod audit_log;
pub mod blobs;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod export;
pub mod extract;
pub mod filetype;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod metrics;
pub mod names;
pub mod pdf_stamp;
pub mod render;
pub mod search;
pub mod state;
pub mod telemetry;
pub mod ui;
pub mod web;

pub use app::{App, StartError};
pub use config::Config;
pub use state::AppState;
