//! `hoso import DIR --agency CODE`: bringing an existing folder in, with a progress bar.

use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::{App, config::Config, domain::Actor};

/// Imports every file under `dir` into the agency and prints a summary.
pub(super) async fn import_folder(
    config: Config,
    dir: &std::path::Path,
    agency: &str,
    kind: Option<&str>,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    use crate::domain::documents::{
        DocumentKind,
        import::{ImportOutcome, ImportRequest, files_under, import_file},
    };
    let kind = match kind {
        None => None,
        Some(text) => Some(DocumentKind::parse(text).with_context(|| {
            format!(
                "unknown kind {text:?}; use one of: {}",
                DocumentKind::ALL.map(DocumentKind::as_str).join(", ")
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
    let bar = indicatif::ProgressBar::new(files.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} importing [{bar:40}] {pos}/{len} files ({eta} left) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let operator = Actor::system("import");
    let (mut imported, mut updated, mut skipped) = (0, 0, 0);
    let mut failed = Vec::new();
    for path in &files {
        bar.set_message(
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let request = ImportRequest {
            agency,
            kind,
            root: dir,
            dry_run,
        };
        let outcome = import_file(
            &app.state.db,
            &app.state.blobs,
            &app.state.config,
            &operator,
            request,
            path,
        )
        .await;
        match outcome {
            ImportOutcome::Imported { .. } | ImportOutcome::WouldImport { .. } => imported += 1,
            ImportOutcome::NewVersion { .. } => updated += 1,
            ImportOutcome::Skipped => skipped += 1,
            ImportOutcome::Failed(reason) => failed.push((path.clone(), reason)),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let verb = if dry_run { "would import" } else { "imported" };
    println!(
        "{verb} {imported}, new versions {updated}, skipped (unchanged) {skipped}, failed {}",
        failed.len()
    );
    for (path, reason) in &failed {
        println!("  failed: {}: {reason}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
