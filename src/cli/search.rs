//! `hoso search QUERY`: searching like the API does, as the operator.

use std::process::ExitCode;

use clap::Args;

use crate::{App, config::Config, domain::Actor};

#[derive(Debug, Args)]
pub struct SearchArgs {
    pub query: String,
    /// Agency code or id: that agency and its sub-agencies.
    #[arg(long)]
    pub agency: Option<String>,
    /// Print the JSON response instead of a table.
    #[arg(long)]
    pub json: bool,
    /// How many hits.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

pub(super) async fn run(config: Config, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let SearchArgs {
        query,
        agency,
        json,
        limit,
    } = args;
    let app = App::build(config).await?;
    let params = crate::domain::search::SearchParams {
        q: Some(query),
        agency,
        limit: Some(limit),
        ..Default::default()
    };
    let response = crate::domain::search::search(
        &app.state.db,
        &app.state.search,
        &Actor::system("cli"),
        &params,
    )
    .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&response)?);
    } else {
        println!("{} hit(s) in {} ms", response.total, response.took_ms);
        for hit in &response.hits {
            let snippet = hit.snippet.replace("<mark>", "[").replace("</mark>", "]");
            println!(
                "{:<16} {:<10} {}\n    {}",
                hit.code,
                hit.status,
                hit.title,
                snippet.replace('\n', " ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
