//! The `hoso` binary: parses the command line and runs it; errors end as one line on stderr.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = hoso::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hoso: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(hoso::cli::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("hoso: {error:#}");
            ExitCode::FAILURE
        }
    }
}
