//! `hoso jobs`: the background jobs, newest first.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::connect;
use crate::{
    config::Config,
    jobs::{self, JobStatus, Lane},
    names::Named,
};

#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Only jobs in this state: queued, running, done or dead.
    #[arg(long)]
    pub status: Option<String>,
    /// Only jobs of this kind.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only jobs of this lane: ocr, extract, index, render or default.
    #[arg(long)]
    pub lane: Option<String>,
    /// How many to show.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
}

pub(super) async fn run(config: Config, args: JobsArgs) -> anyhow::Result<ExitCode> {
    let JobsArgs {
        status,
        kind,
        lane,
        limit,
    } = args;
    let status = match status.as_deref() {
        None => None,
        Some(text) => {
            Some(JobStatus::parse(text).context("--status must be queued, running, done or dead")?)
        }
    };
    let lane = match lane.as_deref() {
        None => None,
        Some(text) => Some(
            Lane::parse(text).context("--lane must be ocr, extract, index, render or default")?,
        ),
    };
    let connection = connect(&config).await?;
    let rows = jobs::list(
        &connection,
        status,
        kind.as_deref(),
        lane,
        limit.clamp(1, 10_000),
    )
    .await?;
    let depth = jobs::depth_by_lane(&connection).await?;
    let total: u64 = depth.iter().map(|(_, queued)| queued).sum();
    let lanes: Vec<String> = depth
        .iter()
        .map(|(lane, queued)| format!("{} {queued}", lane.as_str()))
        .collect();
    println!("{total} job(s) queued ({})", lanes.join(", "));
    println!(
        "{:<36}  {:<16}  {:<8}  {:<8}  {:>8}  {:<20}  {:<100}  error",
        "id", "kind", "lane", "status", "attempts", "run at", "payload"
    );
    for row in rows {
        // Wide enough for an OCR job's file and the pages it has left.
        let payload: String = row.payload.chars().take(100).collect();
        println!(
            "{:<36}  {:<16}  {:<8}  {:<8}  {:>4}/{:<3}  {:<20}  {:<100}  {}",
            row.id,
            row.kind,
            row.lane,
            row.status.as_str(),
            row.attempts,
            row.max_attempts,
            row.run_at.format("%Y-%m-%d %H:%M:%S"),
            payload,
            row.last_error.unwrap_or_default().replace('\n', " ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
