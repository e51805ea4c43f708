//! `hoso jobs`: the background jobs, newest first.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::connect;
use crate::{
    config::Config,
    jobs::{self, JobStatus},
};

#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Only jobs in this state: queued, running, done or dead.
    #[arg(long)]
    pub status: Option<String>,
    /// Only jobs of this kind.
    #[arg(long)]
    pub kind: Option<String>,
    /// How many to show.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
}

pub(super) async fn run(config: Config, args: JobsArgs) -> anyhow::Result<ExitCode> {
    let JobsArgs {
        status,
        kind,
        limit,
    } = args;
    let status = match status.as_deref() {
        None => None,
        Some(text) => {
            Some(JobStatus::parse(text).context("--status must be queued, running, done or dead")?)
        }
    };
    let connection = connect(&config).await?;
    let rows = jobs::list(&connection, status, kind.as_deref(), limit.clamp(1, 10_000)).await?;
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
