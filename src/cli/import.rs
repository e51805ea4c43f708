//! `hoso import DIR --agency CODE`: bringing an existing folder in, with a progress bar.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;

use crate::{App, config::Config, domain::Actor, names::Named};

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub dir: std::path::PathBuf,
    /// Agency code or id the documents belong to.
    #[arg(long)]
    pub agency: String,
    /// Document kind for every file (otherwise from folder names such as quy-trinh, bieu-mau).
    #[arg(long)]
    pub kind: Option<String>,
    /// Show what would be imported (code, kind and title of each file) without changing
    /// anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the files in force from this day (YYYY-MM-DD, today or earlier): procedures the
    /// agency already uses, recorded in the audit log as imported in force, by whom. Files with
    /// the same document code are one document's issues: the newest is in force from this day,
    /// earlier ones (in a "Hết hiệu lực" or "Cũ" folder, or numbered "lần 1", "v1") from the
    /// issue day their text gives, until the next. Without it, every file becomes a draft.
    #[arg(long, value_name = "DATE")]
    pub effective_from: Option<chrono::NaiveDate>,
    /// Import the files as records of the agency's series (the first folder names the series,
    /// a year in the path the record's year) instead of as documents.
    #[arg(long, conflicts_with_all = ["kind", "effective_from"])]
    pub records: bool,
}

/// Imports every file under the folder into the agency and prints a summary.
pub(super) async fn run(config: Config, args: ImportArgs) -> anyhow::Result<ExitCode> {
    if args.records {
        return run_records(config, args).await;
    }
    let ImportArgs {
        dir,
        agency,
        kind,
        dry_run,
        effective_from,
        records: _,
    } = args;
    let (dir, agency, kind) = (dir.as_path(), agency.as_str(), kind.as_deref());
    use crate::domain::documents::{
        DocumentKind,
        import::{ImportOutcome, ImportRequest, files_under, import_files, import_plan},
    };
    let kind = match kind {
        None => None,
        Some(text) => Some(DocumentKind::parse(text).with_context(|| {
            format!(
                "unknown kind {text:?}; use one of: {}",
                DocumentKind::names()
            )
        })?),
    };
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    let app = App::build(config).await?;
    crate::domain::agencies::resolve(&app.state.db, agency)
        .await
        .with_context(|| format!("no agency with code or id {agency:?}"))?;
    let files = files_under(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let files = import_plan(dir, files, effective_from.is_some());
    let bar = indicatif::ProgressBar::new(files.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} importing [{bar:40}] {pos}/{len} files ({eta} left) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // Alone, the import extracts and indexes as it goes, with a worker beside the loop.
    let own_index = !dry_run && take_the_index(&app).await?;
    let beside = own_index.then(|| {
        let stop = tokio_util::sync::CancellationToken::new();
        let worker = app.worker().named(IMPORT_WORKER);
        (stop.clone(), tokio::spawn(worker.run(stop)))
    });
    let operator = Actor::system("import");
    let (mut imported, mut updated, mut skipped) = (0, 0, 0);
    let mut failed = Vec::new();
    let request = ImportRequest {
        agency,
        kind,
        root: dir,
        dry_run,
        effective_from,
        pace_with_index: beside.is_some(),
    };
    import_files(
        &app.state.db,
        &app.state.blobs,
        &app.state.config,
        &operator,
        request,
        &files,
        |planned, outcome| {
            let path = &planned.path;
            bar.set_message(
                path.file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            match outcome {
                ImportOutcome::WouldImport {
                    code,
                    kind,
                    title,
                    effective_from,
                } => {
                    imported += 1;
                    let shown = path.strip_prefix(dir).unwrap_or(path).display().to_string();
                    let from = effective_from
                        .map(|day| format!(", in force from {}", day.format("%d/%m/%Y")))
                        .unwrap_or_default();
                    bar.suspend(|| {
                        println!(
                            "  {code:<16} {:<16} {title}  ({shown}{from})",
                            kind.as_str()
                        );
                    });
                }
                ImportOutcome::Imported { .. } => imported += 1,
                ImportOutcome::NewVersion { .. } => updated += 1,
                ImportOutcome::Skipped => skipped += 1,
                ImportOutcome::Failed(reason) => failed.push((path.clone(), reason)),
            }
            bar.inc(1);
        },
    )
    .await?;
    bar.finish_and_clear();
    if let Some((stop, worker)) = beside {
        stop.cancel();
        worker.await.context("the import's job worker")?;
    }
    let verb = if dry_run { "would import" } else { "imported" };
    println!(
        "{verb} {imported}, new versions {updated}, skipped (unchanged) {skipped}, failed {}",
        failed.len()
    );
    for (path, reason) in &failed {
        println!("  failed: {}: {reason}", path.display());
    }
    if own_index {
        finish_queued_jobs(&app).await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `--records`: every file under the folder as a record of the agency's series.
async fn run_records(config: Config, args: ImportArgs) -> anyhow::Result<ExitCode> {
    use crate::domain::records::import::{RecordImportOutcome, import_records};
    let dir = args.dir.as_path();
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    let app = App::build(config).await?;
    crate::domain::agencies::resolve(&app.state.db, &args.agency)
        .await
        .with_context(|| format!("no agency with code or id {:?}", args.agency))?;
    let files = crate::domain::documents::import::files_under(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?;
    let bar = indicatif::ProgressBar::new(files.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} importing records [{bar:40}] {pos}/{len} files ({eta} left) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let own_index = !args.dry_run && take_the_index(&app).await?;
    let (mut imported, mut updated, mut skipped) = (0, 0, 0);
    let mut failed = Vec::new();
    import_records(
        &app.state.db,
        &app.state.blobs,
        app.state.config.max_upload_bytes,
        app.state.config.job_max_attempts,
        &Actor::system("import"),
        &args.agency,
        dir,
        args.dry_run,
        &files,
        |path, outcome| {
            let shown = path.strip_prefix(dir).unwrap_or(path).display().to_string();
            bar.set_message(shown.clone());
            match outcome {
                RecordImportOutcome::Imported { .. } => imported += 1,
                RecordImportOutcome::Updated { .. } => updated += 1,
                RecordImportOutcome::Skipped => skipped += 1,
                RecordImportOutcome::WouldImport { series, title, day } => {
                    imported += 1;
                    bar.suspend(|| {
                        println!(
                            "  {series:<30} {title}  ({shown}, {})",
                            day.format("%d/%m/%Y")
                        );
                    });
                }
                RecordImportOutcome::Failed(reason) => failed.push((shown, reason)),
            }
            bar.inc(1);
        },
    )
    .await?;
    bar.finish_and_clear();
    let verb = if args.dry_run {
        "would import"
    } else {
        "imported"
    };
    println!(
        "{verb} {imported} records, files changed {updated}, skipped (unchanged) {skipped}, failed {}",
        failed.len()
    );
    for (path, reason) in &failed {
        println!("  failed: {path}: {reason}");
    }
    if own_index {
        finish_queued_jobs(&app).await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Takes the search index, so this import extracts and indexes what it brings; `false` when a
/// running server holds it (its worker does that work).
async fn take_the_index(app: &App) -> anyhow::Result<bool> {
    use crate::{jobs, search::SearchError};
    match app.state.search.start_writer() {
        Err(SearchError::Busy(_)) => {
            println!("a running hoso server extracts and indexes the imported files");
            Ok(false)
        }
        Err(error) => Err(error.into()),
        Ok(()) => {
            // Holding the index lock proves no earlier import is still working: jobs it had
            // claimed when it was stopped are taken up again.
            jobs::requeue_claimed_by(&app.state.db, IMPORT_WORKER).await?;
            Ok(true)
        }
    }
}

/// Extracts and indexes what is still queued once every file is recorded.
async fn finish_queued_jobs(app: &App) -> anyhow::Result<()> {
    use crate::jobs;
    let bar = indicatif::ProgressBar::new_spinner().with_style(
        indicatif::ProgressStyle::with_template("{spinner} extracting and indexing: {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let (mut done, mut failed) = (0usize, 0usize);
    app.worker()
        .named(IMPORT_WORKER)
        .drain_with(|batch| {
            for (_, status) in batch {
                if *status == jobs::JobStatus::Done {
                    done += 1;
                } else {
                    failed += 1;
                }
            }
            bar.set_message(format!("{done} jobs done, {failed} failed"));
        })
        .await?;
    bar.finish_and_clear();
    println!(
        "extracted and indexed: {done} jobs done, {failed} failed or retrying (see `hoso jobs`)"
    );
    Ok(())
}

/// Name prefix of the worker `hoso import` runs.
const IMPORT_WORKER: &str = "import";
