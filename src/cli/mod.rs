//! The operator CLI: one file per command, each with its arguments and what it does.

mod audit;
mod config;
mod demo;
mod extract;
mod fsck;
mod import;
mod jobs;
mod migrate;
mod reindex;
mod search;
mod serve;
mod user;

use std::{path::PathBuf, process::ExitCode};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::{
    config::{Config, ConfigOverrides},
    db,
};

/// hoso — hồ sơ: controlled documents and ISO 9001 records for state agencies.
#[derive(Debug, Parser)]
#[command(name = "hoso", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts; they override the file and the environment.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// A TOML file over the embedded defaults.
    #[arg(long, global = true, env = "HOSO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (database, blobs and index by default).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE?mode=rwc or postgres://…
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Blob store URL: file:///DIR, s3://BUCKET or memory://
    #[arg(long, global = true, value_name = "URL")]
    pub storage_url: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve HTTP and run background jobs.
    Serve(serve::ServeArgs),
    /// Apply or roll back database migrations, or show their status.
    Migrate(migrate::MigrateArgs),
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// List background jobs, newest first.
    Jobs(jobs::JobsArgs),
    /// Bring an existing folder of files in: one document with one draft version per file.
    /// Idempotent and resumable; works beside a running `hoso serve`.
    Import(import::ImportArgs),
    /// Check the database, the blob store and the search index against each other.
    Fsck(fsck::FsckArgs),
    /// Rebuild the search index from the database (stored text; no file is parsed again).
    Reindex,
    /// Search like the API does, as the operator (every agency).
    Search(search::SearchArgs),
    /// Text extraction of uploaded files.
    Extract(extract::ExtractArgs),
    /// Load a living demo province (agencies, people of every role, documents, records and
    /// scoring) into an empty database and print the people's passwords once.
    Demo,
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: config::ConfigCommand,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let listen = match &cli.command {
        Command::Serve(args) => args.listen.clone(),
        _ => None,
    };
    let overrides = ConfigOverrides {
        listen,
        data_dir: cli.global.data_dir.clone(),
        database_url: cli.global.database_url.clone(),
        storage_url: cli.global.storage_url.clone(),
        log_format: cli.global.log_format.clone(),
    };
    let config = Config::load(cli.global.config.as_deref(), &overrides)?;
    match cli.command {
        Command::Serve(args) => serve::run(config, args).await,
        Command::Migrate(args) => migrate::run(config, args).await,
        Command::User { command } => user::run(config, command).await,
        Command::Audit { command } => audit::run(config, command).await,
        Command::Jobs(args) => jobs::run(config, args).await,
        Command::Import(args) => import::run(config, args).await,
        Command::Fsck(args) => fsck::run(config, args).await,
        Command::Reindex => reindex::run(config).await,
        Command::Demo => demo::run(config).await,
        Command::Search(args) => search::run(config, args).await,
        Command::Extract(args) => extract::run(config, args).await,
        Command::Config { command } => config::run(&config, command),
    }
}

/// A connection to the configured database, for commands that need nothing else.
async fn connect(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    if config.uses_sqlite() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
    }
    db::connect(&config.database_url, config.slow_query_ms)
        .await
        .with_context(|| {
            format!(
                "cannot connect to the database {}",
                crate::config::redact_url(&config.database_url)
            )
        })
}
