//! `hoso fsck [--repair]`: the database, the blob store and the search index checked against
//! each other.

use std::process::ExitCode;

use clap::Args;

use crate::{App, config::Config};

#[derive(Debug, Args)]
pub struct FsckArgs {
    /// Re-index what is out of step and remove unreferenced blobs older than an hour.
    #[arg(long)]
    pub repair: bool,
}

pub(super) async fn run(config: Config, args: FsckArgs) -> anyhow::Result<ExitCode> {
    let repair = args.repair;
    let app = App::build(config).await?;
    let state = &app.state;
    let report = crate::domain::fsck::fsck(
        &state.db,
        &state.blobs,
        &state.search,
        &state.indexers,
        repair,
    )
    .await?;
    println!("checked {} file(s)", report.files_checked);
    for id in &report.missing_blobs {
        println!("  file {id}: its bytes are missing from the blob store");
    }
    for hash in &report.unreferenced_blobs {
        println!("  blob {hash}: stored but referenced by no file");
    }
    for (kind, id) in &report.index_out_of_step {
        println!("  {kind} {id}: missing from or stale in the search index");
    }
    if !report.index_waiting.is_empty() {
        println!(
            "  {} unit(s) wait for their queued index job (the worker of `hoso serve` runs them)",
            report.index_waiting.len()
        );
    }
    if repair {
        println!(
            "repaired: re-indexed {} unit(s), removed {} blob(s)",
            report.repaired_units, report.removed_blobs
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
