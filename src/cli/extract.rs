//! `hoso extract --retry-failed`: failed extractions queued again.

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use crate::{App, config::Config};

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Queue extraction again for versions whose extraction failed (and, when OCR is now
    /// installed, those waiting for it); the server's worker runs them.
    #[arg(long)]
    pub retry_failed: bool,
}

pub(super) async fn run(config: Config, args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let retry_failed = args.retry_failed;
    if !retry_failed {
        bail!("say what to do: hoso extract --retry-failed");
    }
    let ocr = crate::extract::ocr::available(&config.ocr_settings()).await;
    let max_attempts = config.job_max_attempts;
    let app = App::build(config).await?;
    let queued =
        crate::domain::files::extraction::retry_failed(&app.state.db, ocr, max_attempts).await?;
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
