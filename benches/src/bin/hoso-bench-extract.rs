//! Extraction benchmark: hoso's PDF text extraction against `pdftotext` (poppler-utils) on the
//! same files — time per file and character-level agreement of the texts — as a Markdown table
//! for `docs/benchmarks.md`.
//!
//! `cargo run --release -p hoso-bench --bin hoso-bench-extract -- DIR [--runs N] [--append FILE]`

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use hoso::extract::{Limits, extract};
use unicode_normalization::UnicodeNormalization;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut runs = 5usize;
    let mut append = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().context("--runs N")?.parse()?,
            "--append" => append = Some(PathBuf::from(args.next().context("--append FILE")?)),
            other if dir.is_none() => dir = Some(PathBuf::from(other)),
            other => bail!("unexpected argument {other:?}"),
        }
    }
    let dir = dir.context("usage: hoso-bench-extract DIR [--runs N] [--append FILE]")?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "pdf"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no PDF files in {}", dir.display());
    }
    let mut table = String::new();
    writeln!(
        table,
        "| file | KiB | pages | hoso ms | pdftotext ms | speed-up | agreement |"
    )?;
    writeln!(table, "|---|---:|---:|---:|---:|---:|---:|")?;
    let (mut ours_total, mut theirs_total, mut bytes_total) =
        (Duration::ZERO, Duration::ZERO, 0usize);
    let mut agreements = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file)?;
        let limits = Limits::default();
        let mut ours = Vec::new();
        let mut text = String::new();
        let mut pages = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let extracted = extract(&bytes, "application/pdf", &limits)
                .with_context(|| format!("hoso on {}", file.display()))?;
            ours.push(started.elapsed());
            pages = extracted.pages.len();
            text = extracted.text();
        }
        let mut theirs = Vec::new();
        let mut reference = String::new();
        for _ in 0..runs {
            let started = Instant::now();
            reference = pdftotext(file)?;
            theirs.push(started.elapsed());
        }
        let (ours, theirs) = (median(ours), median(theirs));
        let agreement = similarity(&text, &reference);
        agreements.push(agreement);
        ours_total += ours;
        theirs_total += theirs;
        bytes_total += bytes.len();
        writeln!(
            table,
            "| {} | {} | {pages} | {:.1} | {:.1} | {:.1}× | {:.1}% |",
            file.file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bytes.len() / 1024,
            ours.as_secs_f64() * 1000.0,
            theirs.as_secs_f64() * 1000.0,
            theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9),
            agreement * 100.0
        )?;
    }
    let mean = agreements.iter().sum::<f64>() / agreements.len() as f64;
    writeln!(
        table,
        "| **all {} files** | {} | | {:.1} | {:.1} | {:.1}× | {:.1}% (mean) |",
        files.len(),
        bytes_total / 1024,
        ours_total.as_secs_f64() * 1000.0,
        theirs_total.as_secs_f64() * 1000.0,
        theirs_total.as_secs_f64() / ours_total.as_secs_f64().max(1e-9),
        mean * 100.0
    )?;
    let report = format!(
        "\n## PDF text extraction vs pdftotext ({})\n\n{}\n\nCorpus: `{}` ({} PDFs). Median of {runs} runs per file; hoso runs in-process \
         (lopdf), pdftotext as a process (its start-up included). Agreement: character-level diff \
         ratio of the two texts after NFC and whitespace collapsing.\n\n{table}",
        chrono::Utc::now().format("%Y-%m-%d"),
        machine(),
        dir.display(),
        files.len(),
    );
    print!("{report}");
    if let Some(path) = append {
        use std::io::Write;
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        out.write_all(report.as_bytes())?;
        eprintln!("appended to {}", path.display());
    }
    Ok(())
}

fn pdftotext(file: &Path) -> anyhow::Result<String> {
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(file)
        .arg("-")
        .output()
        .context("pdftotext (apt-get install poppler-utils)")?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn normalised(text: &str) -> String {
    text.nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// 2·matches / (len a + len b) over characters (difflib's ratio).
fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (normalised(a), normalised(b));
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    f64::from(
        similar::TextDiff::configure()
            .timeout(Duration::from_secs(20))
            .diff_chars(&a, &b)
            .ratio(),
    )
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .map(|line| line.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines().next().map(|line| {
                line.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
                    / 1024
                    / 1024
            })
        })
        .unwrap_or(0);
    format!("Machine: {cores} cores ({cpu}), {memory} GiB RAM, release build.")
}
