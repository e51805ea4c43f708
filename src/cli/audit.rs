//! `hoso audit verify`: walks the audit trail's hash chain.

use std::process::ExitCode;

use clap::Subcommand;

use super::connect;
use crate::{audit_log, config::Config};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; exits with status 1 naming the first broken row.
    Verify,
}

pub(super) async fn run(config: Config, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify = command;
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
