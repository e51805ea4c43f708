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
    let report =
        crate::domain::fsck::fsck(&app.state.db, &app.state.blobs, &app.state.search, repair)
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
