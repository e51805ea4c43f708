//! `hoso demo`: loads the demo province into an empty database and prints its people's
//! passwords, once. `hoso serve --demo` does the same before serving.

use std::process::ExitCode;

use crate::{App, config::Config, demo};

/// Loads the demo if the database is empty and tells the operator how to sign in; says so and
/// does nothing when the database already holds agencies.
pub(super) async fn load_and_tell(app: &App, address: Option<&str>) -> anyhow::Result<()> {
    if !demo::is_empty(&app.state).await? {
        println!("hoso: the database already holds agencies; the demo province is not loaded");
        return Ok(());
    }
    println!("hoso: loading the demo province (Tỉnh Minh Hòa)…");
    let started = std::time::Instant::now();
    let report = demo::load(&app.state, app.router()).await?;
    println!(
        "hoso: the demo province is ready in {:.1} s: {} documents, {} QMS records, two scoring years",
        started.elapsed().as_secs_f64(),
        report.documents,
        report.records
    );
    match address {
        Some(address) => println!(
            "hoso: sign in at http://{address}/sign-in as one of these (passwords shown only this once):"
        ),
        None => println!(
            "hoso: start `hoso serve` and sign in as one of these (passwords shown only this once):"
        ),
    }
    println!(
        "  {:<16} {:<22} {:<20} agency",
        "username", "password", "role"
    );
    print!("{}", report.accounts_table());
    Ok(())
}

pub(super) async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let app = App::build(config).await?;
    load_and_tell(&app, None).await?;
    Ok(ExitCode::SUCCESS)
}
