//! `hoso config show`: the effective configuration and where each value came from.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration, secrets redacted, with where each value came from.
    Show,
}

pub(super) fn run(config: &Config, command: ConfigCommand) -> anyhow::Result<ExitCode> {
    let ConfigCommand::Show = command;
    for (key, value, source) in config.describe() {
        println!("{key:<22} = {value:<48}  # {source}");
    }
    Ok(ExitCode::SUCCESS)
}
