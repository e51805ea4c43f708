//! The operator CLI: `hoso serve`, `migrate`, `user add`, `audit verify`, `jobs`, `config show`.

mod import;

use std::{io::BufRead, path::PathBuf, process::ExitCode};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{
    App,
    app::ServeRole,
    audit_log,
    config::{Config, ConfigOverrides},
    db,
    domain::{
        Actor, Role,
        users::{self, NewRoleGrant, NewUser},
    },
    jobs::{self, JobStatus},
    telemetry,
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
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// What this process runs.
        #[arg(long, value_enum, default_value = "all")]
        role: ServeRole,
    },
    /// Apply or roll back database migrations, or show their status.
    Migrate {
        #[arg(value_enum, default_value = "up")]
        direction: MigrateDirection,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// List background jobs, newest first.
    Jobs {
        /// Only jobs in this state: queued, running, done or dead.
        #[arg(long)]
        status: Option<String>,
        /// Only jobs of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Bring an existing folder of files in: one document with one draft version per file.
    /// Idempotent and resumable; works beside a running `hoso serve`.
    Import {
        dir: PathBuf,
        /// Agency code or id the documents belong to.
        #[arg(long)]
        agency: String,
        /// Document kind for every file (otherwise from folder names such as quy-trinh, bieu-mau).
        #[arg(long)]
        kind: Option<String>,
        /// Show what would be imported without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Check the database, the blob store and the search index against each other.
    Fsck {
        /// Re-index what is out of step and remove unreferenced blobs older than an hour.
        #[arg(long)]
        repair: bool,
    },
    /// Rebuild the search index from the database (stored text; no file is parsed again).
    Reindex,
    /// Search like the API does, as the operator (every agency).
    Search {
        query: String,
        /// Agency code or id: that agency and its sub-agencies.
        #[arg(long)]
        agency: Option<String>,
        /// Print the JSON response instead of a table.
        #[arg(long)]
        json: bool,
        /// How many hits.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Text extraction of uploaded files.
    Extract {
        /// Queue extraction again for versions whose extraction failed (and, when OCR is now
        /// installed, those waiting for it); the server's worker runs them.
        #[arg(long)]
        retry_failed: bool,
    },
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum MigrateDirection {
    /// Apply every pending migration.
    Up,
    /// Roll back the last migration.
    Down,
    /// Show which migrations are applied.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user and grant them a role.
    Add {
        username: String,
        /// admin, coordinator, agency_head, iso_officer, internal_auditor, staff or appraiser.
        #[arg(long)]
        role: String,
        /// Agency code or id the role covers (required except for admin and coordinator).
        #[arg(long)]
        agency: Option<String>,
        /// Display name (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; exits with status 1 naming the first broken row.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration, secrets redacted, with where each value came from.
    Show,
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let listen = match &cli.command {
        Command::Serve { listen, .. } => listen.clone(),
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
        Command::Serve { role, .. } => serve(config, role).await,
        Command::Migrate { direction } => migrate(config, direction).await,
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    agency,
                    display_name,
                    email,
                    password_stdin,
                },
        } => {
            let password = read_password(password_stdin)?;
            let app = App::build(config).await?;
            let role = Role::parse(&role).with_context(|| {
                format!(
                    "unknown role {role:?}; use one of: {}",
                    Role::ALL.map(Role::as_str).join(", ")
                )
            })?;
            let operator = Actor::system("cli");
            let db = &app.state.db;
            let created = users::create_user(
                db,
                &operator,
                NewUser {
                    display_name: display_name.unwrap_or_else(|| username.clone()),
                    username,
                    email,
                    password,
                },
            )
            .await?;
            users::grant_role(
                db,
                &operator,
                created.id,
                NewRoleGrant {
                    role,
                    agency_id: agency,
                },
            )
            .await?;
            println!(
                "created user {} ({}) with role {}",
                created.username,
                created.id,
                role.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let connection = connect(&config).await?;
            let report = audit_log::verify(&connection).await?;
            match report.first_broken {
                None => {
                    println!(
                        "audit log intact: {} rows, hash chain verified",
                        report.rows_checked
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(broken) => {
                    println!(
                        "audit log BROKEN at row {}: {} ({} rows verified before it)",
                        broken.seq, broken.reason, report.rows_checked
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Jobs {
            status,
            kind,
            limit,
        } => {
            let status = match status.as_deref() {
                None => None,
                Some(text) => Some(
                    JobStatus::parse(text)
                        .context("--status must be queued, running, done or dead")?,
                ),
            };
            let connection = connect(&config).await?;
            let rows =
                jobs::list(&connection, status, kind.as_deref(), limit.clamp(1, 10_000)).await?;
            let depth = jobs::queue_depth(&connection).await?;
            println!("{depth} job(s) queued");
            println!(
                "{:<36}  {:<20}  {:<8}  {:>8}  {:<20}  error",
                "id", "kind", "status", "attempts", "run at"
            );
            for row in rows {
                println!(
                    "{:<36}  {:<20}  {:<8}  {:>4}/{:<3}  {:<20}  {}",
                    row.id,
                    row.kind,
                    row.status,
                    row.attempts,
                    row.max_attempts,
                    row.run_at.format("%Y-%m-%d %H:%M:%S"),
                    row.last_error.unwrap_or_default().replace('\n', " ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            dir,
            agency,
            kind,
            dry_run,
        } => import::import_folder(config, &dir, &agency, kind.as_deref(), dry_run).await,
        Command::Fsck { repair } => {
            let app = App::build(config).await?;
            let report = crate::domain::fsck::fsck(
                &app.state.db,
                &app.state.blobs,
                &app.state.search,
                repair,
            )
            .await?;
            println!("checked {} version(s)", report.versions_checked);
            for id in &report.missing_blobs {
                println!("  version {id}: its file is missing from the blob store");
            }
            for hash in &report.unreferenced_blobs {
                println!("  blob {hash}: stored but referenced by no version");
            }
            for id in &report.index_out_of_step {
                println!("  document {id}: missing from or stale in the search index");
            }
            if repair {
                println!(
                    "repaired: re-indexed {} document(s), removed {} blob(s)",
                    report.repaired_documents, report.removed_blobs
                );
            }
            let clean = report.is_clean() || (repair && report.missing_blobs.is_empty());
            if clean {
                println!("consistent");
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(ExitCode::FAILURE)
            }
        }
        Command::Reindex => {
            let app = App::build(config).await?;
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} reindexing [{bar:40}] {pos}/{len} documents ({eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let total = crate::domain::search::reindex_all(
                &app.state.db,
                &app.state.search,
                |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                },
            )
            .await
            .map_err(|error| {
                if error.to_string().contains("ock") {
                    anyhow::anyhow!(
                        "the search index is in use by a running `hoso serve`; stop it first, or let its worker rebuild the index ({error})"
                    )
                } else {
                    error
                }
            })?;
            bar.finish_and_clear();
            println!(
                "reindexed {total} document(s); the index holds {} entries",
                app.state.search.count()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Search {
            query,
            agency,
            json,
            limit,
        } => {
            let app = App::build(config).await?;
            let params = crate::domain::search::SearchParams {
                q: Some(query),
                agency,
                limit: Some(limit),
                ..Default::default()
            };
            let response = crate::domain::search::search(
                &app.state.db,
                &app.state.search,
                &Actor::system("cli"),
                &params,
            )
            .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&response)?);
            } else {
                println!("{} hit(s) in {} ms", response.total, response.took_ms);
                for hit in &response.hits {
                    let snippet = hit.snippet.replace("<mark>", "[").replace("</mark>", "]");
                    println!(
                        "{:<16} {:<10} {}\n    {}",
                        hit.code,
                        hit.status,
                        hit.title,
                        snippet.replace('\n', " ")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Extract { retry_failed } => {
            if !retry_failed {
                bail!("say what to do: hoso extract --retry-failed");
            }
            let ocr = crate::extract::ocr::available(&config.ocr_settings()).await;
            let max_attempts = config.job_max_attempts;
            let app = App::build(config).await?;
            let queued = crate::domain::documents::extraction::retry_failed(
                &app.state.db,
                ocr,
                max_attempts,
            )
            .await?;
            println!(
                "queued {queued} version(s) for extraction{}",
                if ocr {
                    ""
                } else {
                    " (OCR is not installed: scans stay needs_ocr)"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Config {
            command: ConfigCommand::Show,
        } => {
            for (key, value, source) in config.describe() {
                println!("{key:<22} = {value:<48}  # {source}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(config: Config, role: ServeRole) -> anyhow::Result<ExitCode> {
    telemetry::init(config.log_format);
    let listen = config.listen;
    let app = App::build(config).await?;
    if let Some(bootstrap) = &app.bootstrap {
        match &bootstrap.generated_password {
            Some(password) => println!(
                "hoso: created the first administrator {:?} with password {password}\n      (shown only this once; sign in and change it)",
                bootstrap.username
            ),
            None => println!(
                "hoso: created the first administrator {:?} with the password from HOSO_BOOTSTRAP_PASSWORD",
                bootstrap.username
            ),
        }
    }
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    if role != ServeRole::Worker {
        println!("hoso: listening on http://{address} (API docs at http://{address}/api/docs)");
    }
    tracing::info!(%address, ?role, "hoso started");
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    app.serve(listener, role, shutdown).await?;
    tracing::info!("hoso stopped");
    Ok(ExitCode::SUCCESS)
}

/// Cancels `shutdown` on Ctrl-C or SIGTERM.
async fn stop_on_signal(shutdown: CancellationToken) {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests and the running job");
    shutdown.cancel();
}

async fn migrate(config: Config, direction: MigrateDirection) -> anyhow::Result<ExitCode> {
    let connection = connect(&config).await?;
    match direction {
        MigrateDirection::Up => {
            Migrator::up(&connection, None).await?;
            println!("migrations applied");
        }
        MigrateDirection::Down => {
            Migrator::down(&connection, Some(1)).await?;
            println!("rolled back the last migration");
        }
        MigrateDirection::Status => {
            let applied = Migrator::get_applied_migrations(&connection).await?;
            let pending = Migrator::get_pending_migrations(&connection).await?;
            for migration in applied {
                println!("applied  {}", migration.name());
            }
            for migration in pending {
                println!("pending  {}", migration.name());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn connect(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    if config.uses_sqlite() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
    }
    db::connect(&config.database_url).await.with_context(|| {
        format!(
            "cannot connect to the database {}",
            crate::config::redact_url(&config.database_url)
        )
    })
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.is_empty() {
            bail!("no password on standard input");
        }
        return Ok(password);
    }
    let password = rpassword::prompt_password("Password: ")
        .context("cannot prompt for a password (use --password-stdin)")?;
    let again = rpassword::prompt_password("Password again: ")?;
    if password != again {
        bail!("the passwords differ");
    }
    Ok(password)
}
