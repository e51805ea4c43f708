//! Percentiles, accuracy counts and the Markdown report.

use std::{collections::BTreeMap, fmt::Write, time::Duration};

use hoso::domain::text::fold_diacritics;

use crate::{
    corpus::Corpus,
    ingest::IngestReport,
    queries::{Category, Expect, Query},
};

/// Latencies of one engine at one concurrency.
pub struct Latency {
    engine: &'static str,
    concurrency: usize,
    all: Vec<Duration>,
    by_category: BTreeMap<Category, Vec<Duration>>,
    /// By the query's place in the mix.
    by_query: BTreeMap<usize, Vec<Duration>>,
    wall: Duration,
}

impl Latency {
    pub fn new(
        engine: &'static str,
        concurrency: usize,
        timings: Vec<(usize, Category, Duration)>,
        wall: Duration,
    ) -> Self {
        let mut by_category: BTreeMap<Category, Vec<Duration>> = BTreeMap::new();
        let mut by_query: BTreeMap<usize, Vec<Duration>> = BTreeMap::new();
        let mut all = Vec::with_capacity(timings.len());
        for (n, category, took) in timings {
            by_category.entry(category).or_default().push(took);
            by_query.entry(n).or_default().push(took);
            all.push(took);
        }
        all.sort_unstable();
        for list in by_category.values_mut().chain(by_query.values_mut()) {
            list.sort_unstable();
        }
        Self {
            engine,
            concurrency,
            all,
            by_category,
            by_query,
            wall,
        }
    }

    fn p(&self, percentile: f64) -> f64 {
        percentile_ms(&self.all, percentile)
    }
}

/// The `percentile` (0–100) of sorted durations, in milliseconds (nearest rank).
fn percentile_ms(sorted: &[Duration], percentile: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((percentile / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// Correct answers of one engine per category, and examples of misses.
pub struct Accuracy {
    engine: &'static str,
    counts: BTreeMap<Category, (usize, usize)>,
    /// Of the first hits' snippets (hoso only): those that mark the query's words, and all.
    snippets: BTreeMap<Category, (usize, usize)>,
    /// Snippets that show a paper's letterhead instead of the matched passage.
    letterheads: usize,
    misses: Vec<String>,
    reasons: BTreeMap<&'static str, usize>,
}

impl Accuracy {
    pub fn new(engine: &'static str) -> Self {
        Self {
            engine,
            counts: BTreeMap::new(),
            snippets: BTreeMap::new(),
            letterheads: 0,
            misses: Vec::new(),
            reasons: BTreeMap::new(),
        }
    }

    pub fn record(&mut self, query: &Query, correct: bool, first: Option<usize>, corpus: &Corpus) {
        let entry = self.counts.entry(query.category).or_default();
        entry.1 += 1;
        if correct {
            entry.0 += 1;
            return;
        }
        let got = match first.and_then(|n| corpus.docs.get(n)) {
            None => "no hit".to_owned(),
            Some(doc) => format!("first hit {} “{}”", doc.code, doc.title),
        };
        let reason = why(self.engine, query, first);
        *self.reasons.entry(reason).or_default() += 1;
        self.misses.push(format!(
            "{} `{}` → {got} ({reason})",
            query.category.label(),
            query.text,
        ));
    }
}

impl Accuracy {
    /// Judges the first hit's snippet as a reader would: does it show the words looked for
    /// (for words-together queries, all of them, together)?
    pub fn record_snippet(&mut self, query: &Query, snippet: &str) {
        let entry = self.snippets.entry(query.category).or_default();
        entry.1 += 1;
        let plain = snippet.replace("<mark>", "").replace("</mark>", "");
        if plain.starts_with("ỦY BAN NHÂN DÂN") || plain.contains("Độc lập - Tự do") {
            self.letterheads += 1;
        }
        let shows = match query.category {
            Category::Together | Category::TogetherUnaccented => {
                fold_diacritics(&plain.to_lowercase())
                    .contains(&fold_diacritics(&query.text.to_lowercase()))
                    && snippet.contains("<mark>")
            }
            _ => snippet.contains("<mark>"),
        };
        if shows {
            entry.0 += 1;
        }
    }
}

/// A likely reason for a miss, from the engine and the query's shape.
fn why(engine: &str, query: &Query, first: Option<usize>) -> &'static str {
    let expected = match &query.expect {
        Expect::Words(words) => words.join(" "),
        Expect::Phrase(text) | Expect::Code(text) => text.clone(),
        Expect::Cites(number) => (*number).to_owned(),
        Expect::Doc(_) => query.text.clone(),
    };
    let has_d = |text: &str| text.contains(['đ', 'Đ']);
    let folded_d = has_d(&expected) && !has_d(&query.text);
    let postgres = engine.starts_with("PostgreSQL");
    match (&query.expect, first) {
        (Expect::Cites(_), _) if folded_d && postgres => {
            "PostgreSQL's parser cuts `NĐ-CP` numbers at the đ (`45/2020/N` + `Đ-CP`) but reads \
             the typed `45/2020/ND-CP` as one token, so unaccent cannot bridge them"
        }
        _ if folded_d => "typed d for đ: unicode61 folds diacritics but đ is a letter of its own",
        (Expect::Code(_), Some(_)) => {
            "the code's parts also match documents that cite it, ranked higher"
        }
        (Expect::Cites(_), Some(_)) => "the number's parts match other numbers, ranked higher",
        (_, None) => "nothing matched",
        _ => "ranked a weaker match first",
    }
}

/// Everything measured in one run.
pub struct Report {
    arguments: String,
    corpus: String,
    notes: Vec<String>,
    /// The mix as typed, with its filters, by place.
    queries: Vec<String>,
    ingest: IngestReport,
    index_bytes: u64,
    baselines: Vec<(&'static str, Duration, u64)>,
    accuracy: Vec<Accuracy>,
    latency: Vec<Latency>,
}

impl Report {
    pub fn new(
        arguments: &str,
        corpus: &Corpus,
        mix: &[Query],
        ingest: IngestReport,
        index_bytes: u64,
    ) -> Self {
        let effective = corpus.docs.iter().filter(|doc| doc.effective).count();
        Self {
            arguments: arguments.to_owned(),
            corpus: format!(
                "{} documents ({} in force, the rest drafts) over {} agencies, {:.1} MB of text \
                 (average {:.1} KB); {} queries in the mix",
                corpus.docs.len(),
                effective,
                corpus.agencies,
                corpus.text_bytes() as f64 / 1e6,
                corpus.text_bytes() as f64 / 1e3 / corpus.docs.len().max(1) as f64,
                mix.len()
            ),
            notes: Vec::new(),
            queries: mix.iter().map(Query::describe).collect(),
            ingest,
            index_bytes,
            baselines: Vec::new(),
            accuracy: Vec::new(),
            latency: Vec::new(),
        }
    }

    /// A sentence printed under the corpus description.
    pub fn note(&mut self, note: &str) {
        self.notes.push(note.to_owned());
    }

    pub fn baseline_load(&mut self, name: &'static str, took: Duration, bytes: u64) {
        self.baselines.push((name, took, bytes));
    }

    pub fn accuracy(&mut self, accuracy: Accuracy) {
        self.accuracy.push(accuracy);
    }

    pub fn latency(&mut self, latency: Latency) {
        self.latency.push(latency);
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let docs = self.ingest.documents as f64;
        let total = self.ingest.total.as_secs_f64();
        let _ = writeln!(
            out,
            "## Search benchmark — {} documents ({})\n",
            self.ingest.documents,
            chrono::Utc::now().format("%Y-%m-%d")
        );
        let _ = writeln!(out, "Machine: {}.  ", machine());
        let _ = writeln!(
            out,
            "Command: `cargo run --release -p hoso-bench --bin hoso-bench -- {}`.  ",
            self.arguments
        );
        let _ = writeln!(out, "Corpus: {}.\n", self.corpus);
        for note in &self.notes {
            let _ = writeln!(out, "{note}\n");
        }
        let _ = writeln!(out, "### Ingest (hoso, SQLite, through the domain code)\n");
        let _ = writeln!(out, "| measure | value |\n|---|---:|");
        let _ = writeln!(
            out,
            "| documents created, uploaded, published where in force | {:.1} s ({:.0} docs/s) |",
            self.ingest.api_phase.as_secs_f64(),
            docs / self.ingest.api_phase.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "| until all extracted and indexed (searchable) | {total:.1} s |"
        );
        let _ = writeln!(
            out,
            "| throughput, end to end | {:.0} docs/s, {:.2} MB/s of text |",
            docs / total,
            self.ingest.text_bytes as f64 / 1e6 / total
        );
        let _ = writeln!(
            out,
            "| tantivy index size | {:.1} MB |",
            self.index_bytes as f64 / 1e6
        );
        for (name, took, bytes) in &self.baselines {
            let _ = writeln!(
                out,
                "| {name}: bulk load (no domain code) / size | {:.1} s / {:.1} MB |",
                took.as_secs_f64(),
                *bytes as f64 / 1e6
            );
        }
        let _ = writeln!(
            out,
            "\n### Search latency (first 20 hits + total; hoso also computes 4 facets)\n"
        );
        let _ = writeln!(
            out,
            "| engine | concurrency | p50 ms | p95 ms | p99 ms | queries/s |\n|---|---:|---:|---:|---:|---:|"
        );
        for latency in &self.latency {
            let _ = writeln!(
                out,
                "| {} | {} | {:.2} | {:.2} | {:.2} | {:.0} |",
                latency.engine,
                latency.concurrency,
                latency.p(50.0),
                latency.p(95.0),
                latency.p(99.0),
                latency.all.len() as f64 / latency.wall.as_secs_f64()
            );
        }
        self.ratios(&mut out);
        self.per_category(&mut out);
        self.slowest(&mut out);
        self.correctness(&mut out);
        out
    }

    /// The queries hoso (in-process) answered slowest at concurrency 1, by their median.
    fn slowest(&self, out: &mut String) {
        let Some(latency) = self
            .latency
            .iter()
            .find(|latency| latency.engine == "hoso (in-process)" && latency.concurrency == 1)
        else {
            return;
        };
        let mut medians: Vec<(f64, f64, usize)> = latency
            .by_query
            .iter()
            .map(|(n, list)| (percentile_ms(list, 50.0), percentile_ms(list, 100.0), *n))
            .collect();
        medians.sort_by(|a, b| b.0.total_cmp(&a.0));
        let _ = writeln!(
            out,
            "\n### Slowest queries, hoso (in-process), concurrency 1\n\n\
             | query | median ms | slowest ms |\n|---|---:|---:|"
        );
        for (median, slowest, n) in medians.into_iter().take(8) {
            let query = self.queries.get(n).map_or("?", String::as_str);
            let _ = writeln!(out, "| {query} | {median:.2} | {slowest:.2} |");
        }
    }

    fn ratios(&self, out: &mut String) {
        let find = |engine: &str, concurrency: usize| {
            self.latency
                .iter()
                .find(|latency| latency.engine == engine && latency.concurrency == concurrency)
        };
        if self.baselines.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\n### hoso (in-process) against the baselines, p50 ratio\n"
        );
        let _ = writeln!(
            out,
            "| baseline | concurrency 1 | concurrency 16 |\n|---|---:|---:|"
        );
        for baseline in ["SQLite FTS5", "PostgreSQL FTS"] {
            let ratio = |concurrency| match (
                find(baseline, concurrency),
                find("hoso (in-process)", concurrency),
            ) {
                (Some(theirs), Some(ours)) => {
                    format!("{:.1}× faster", theirs.p(50.0) / ours.p(50.0))
                }
                _ => "—".to_owned(),
            };
            if find(baseline, 1).is_some() {
                let _ = writeln!(out, "| {baseline} | {} | {} |", ratio(1), ratio(16));
            }
        }
    }

    fn per_category(&self, out: &mut String) {
        let _ = writeln!(out, "\n### p50 / p99 ms by query category, concurrency 1\n");
        let engines: Vec<&Latency> = self.latency.iter().filter(|l| l.concurrency == 1).collect();
        let _ = write!(out, "| category |");
        for latency in &engines {
            let _ = write!(out, " {} |", latency.engine);
        }
        let _ = write!(out, "\n|---|");
        for _ in &engines {
            let _ = write!(out, "---:|");
        }
        let _ = writeln!(out);
        for category in Category::ALL {
            let _ = write!(out, "| {} |", category.label());
            for latency in &engines {
                let list = latency
                    .by_category
                    .get(&category)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    " {:.2} / {:.2} |",
                    percentile_ms(list, 50.0),
                    percentile_ms(list, 99.0)
                );
            }
            let _ = writeln!(out);
        }
    }

    fn correctness(&self, out: &mut String) {
        let _ = writeln!(out, "\n### Correct first hit, by query category\n");
        let _ = write!(out, "| category |");
        for accuracy in &self.accuracy {
            let _ = write!(out, " {} |", accuracy.engine);
        }
        let _ = write!(out, "\n|---|");
        for _ in &self.accuracy {
            let _ = write!(out, "---:|");
        }
        let _ = writeln!(out);
        for category in Category::ALL {
            let _ = write!(out, "| {} |", category.label());
            for accuracy in &self.accuracy {
                let (right, all) = accuracy.counts.get(&category).copied().unwrap_or_default();
                let _ = write!(out, " {right}/{all} |");
            }
            let _ = writeln!(out);
        }
        self.snippet_quality(out);
        for accuracy in &self.accuracy {
            if accuracy.misses.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "\n{} misses ({}) by reason:\n",
                accuracy.engine,
                accuracy.misses.len()
            );
            for (reason, count) in &accuracy.reasons {
                let _ = writeln!(out, "- {count} × {reason}");
            }
            let _ = writeln!(out, "\nThe first 8:\n");
            for miss in accuracy.misses.iter().take(8) {
                let _ = writeln!(out, "- {miss}");
            }
        }
    }
}

impl Report {
    /// How often the first hit's snippet shows what was looked for, by category (hoso).
    fn snippet_quality(&self, out: &mut String) {
        for accuracy in &self.accuracy {
            if accuracy.snippets.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "\n{}: the first hit's snippet marks the words looked for (words-together \
                 queries: all of them, together), by category; {} snippets showed a letterhead\n\n\
                 | category | snippets that show it |\n|---|---:|",
                accuracy.engine, accuracy.letterheads
            );
            for category in Category::ALL {
                let (shown, all) = accuracy
                    .snippets
                    .get(&category)
                    .copied()
                    .unwrap_or_default();
                let _ = writeln!(out, "| {} | {shown}/{all} |", category.label());
            }
        }
    }
}

/// CPU, cores, memory and OS of this machine.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("MemTotal:"))
                .and_then(|rest| rest.trim().trim_end_matches(" kB").parse::<f64>().ok())
        })
        .map_or_else(
            || "? GB".into(),
            |kb| format!("{:.0} GB", kb / 1024.0 / 1024.0),
        );
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.into());
    format!(
        "{cpu}, {cores} cores, {memory} RAM, {os}; release build; hoso on SQLite (WAL) with the index on local disk"
    )
}
