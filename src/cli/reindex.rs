//! `hoso reindex`: the search index rebuilt from the database, with a progress bar.

use std::process::ExitCode;

use crate::{App, config::Config, search::SearchError};

pub(super) async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let app = App::build(config).await?;
    // Citations are derived from the stored text too: found again first.
    let citing = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} finding legal citations [{bar:40}] {pos}/{len} files",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let files = crate::domain::files::citations::rebuild_all(&app.state.db, |done, total| {
        citing.set_length(total);
        citing.set_position(done);
    })
    .await?;
    citing.finish_and_clear();
    println!("legal citations found again in {files} file(s)");
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} reindexing [{bar:40}] {pos}/{len} ({eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let counts = crate::domain::indexing::reindex_all(
        &app.state.db,
        &app.state.search,
        &app.state.indexers,
        |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )
    .await
    .map_err(|error| {
        let busy = error.chain().any(|cause| {
            matches!(cause.downcast_ref::<SearchError>(), Some(SearchError::Busy(_)))
        });
        if busy {
            anyhow::anyhow!(
                "the search index is in use by a running `hoso serve`; stop it first, or let its worker rebuild the index ({error})"
            )
        } else {
            error
        }
    })?;
    bar.finish_and_clear();
    println!(
        "reindexed {}; the index holds {} entries",
        counts
            .iter()
            .map(|(kind, count)| format!("{count} {kind}(s)"))
            .collect::<Vec<_>>()
            .join(", "),
        app.state.search.count()
    );
    Ok(ExitCode::SUCCESS)
}
