//! `hoso serve`: migrate, then serve HTTP and run the jobs until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{App, app::ServeRole, config::Config, telemetry};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 0.0.0.0:8080.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// What this process runs.
    #[arg(long, value_enum, default_value = "all")]
    pub role: ServeRole,
    /// Load the demo province first when the database is empty (see `hoso demo`).
    #[arg(long)]
    pub demo: bool,
}

pub(super) async fn run(config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let role = args.role;
    telemetry::init(config.log_format);
    let listen = config.listen;
    // The port first: a busy one must fail before anything is created or printed.
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
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
    let address = listener.local_addr()?;
    if args.demo {
        super::demo::load_and_tell(&app, Some(&address.to_string())).await?;
    }
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
