//! The full-text index (tantivy): one index document per searchable item of any kind the domain
//! registers (a kind, a subtype, a group replaced together, an agency, a status, dates, a title,
//! a code and a body by page), with Vietnamese analysis: every text indexed once with its
//! diacritics and once folded to ASCII (đ→d), identifiers (codes, legal numbers) also indexed
//! whole. It knows nothing of what the items are; the domain gives hits their meaning.
//!
//! The index is derived data: `hoso reindex` rebuilds it from the database at any time, and a
//! changed schema version rebuilds it on start.

pub mod analysis;
mod merges;
mod query;
mod ranking;
mod snippets;
mod writer;

use std::{path::Path, sync::Mutex};

use tantivy::{
    Index, IndexReader, ReloadPolicy, TantivyDocument,
    directory::MmapDirectory,
    schema::{
        FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
        TextOptions,
    },
};

pub use query::{FacetCount, Facets, SearchFilters, SearchHit, SearchOutcome};
use writer::{Change, WriterHandle};
pub use writer::{CommitPolicy, Ticket};

/// Bumped whenever the schema or the analysis changes; a different stored value rebuilds.
pub const SCHEMA_VERSION: &str = "6";
const SCHEMA_FILE: &str = "hoso-schema-version";
/// The share of a segment's entries deleted (replaced or removed) at which it is merged.
const DELETED_BEFORE_MERGE: f32 = 0.25;

/// Why the index could not do something.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(String),
    #[error("search index: {0}")]
    Io(#[from] std::io::Error),
    #[error("search index writer: {0}")]
    Writer(String),
    #[error(
        "the search index at {0} is being written by another hoso process (a running `hoso serve`?)"
    )]
    Busy(String),
}

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub kind: Field,
    pub id: Field,
    pub group: Field,
    pub agency_id: Field,
    pub subtype: Field,
    pub status: Field,
    pub public: Field,
    /// People who see the item before it is public wherever they stand (its owner, its drafter).
    pub people: Field,
    pub code: Field,
    pub identifiers: Field,
    pub title: Field,
    pub title_folded: Field,
    pub body: Field,
    /// Title, body, file name, code and tags, folded: what a word is matched against.
    pub text_folded: Field,
    /// Adjacent folded syllables of the same, as pairs (see [`analysis`]).
    pub pairs: Field,
    pub tags: Field,
    pub filename: Field,
    pub effective_from: Field,
    pub effective_to: Field,
    pub year: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        kind: builder.add_text_field("kind", STRING | STORED),
        id: builder.add_text_field("id", STRING | STORED),
        group: builder.add_text_field("group", STRING | STORED),
        agency_id: builder.add_text_field("agency_id", STRING | STORED | FAST),
        subtype: builder.add_text_field("subtype", STRING | STORED | FAST),
        status: builder.add_text_field("status", STRING | STORED | FAST),
        public: builder.add_u64_field("public", INDEXED | FAST),
        people: builder.add_text_field("people", STRING),
        code: builder.add_text_field("code", text(analysis::IDENTIFIER, true)),
        identifiers: builder.add_text_field("identifiers", text(analysis::IDENTIFIER, false)),
        title: builder.add_text_field("title", text(analysis::EXACT, true)),
        title_folded: builder.add_text_field("title_folded", text(analysis::FOLDED, false)),
        body: builder.add_text_field("body", text(analysis::EXACT, true)),
        text_folded: builder.add_text_field("text_folded", text(analysis::FOLDED, false)),
        pairs: builder.add_text_field("pairs", text(analysis::PAIRS, false)),
        tags: builder.add_text_field("tags", text(analysis::FOLDED, true)),
        filename: builder.add_text_field("filename", text(analysis::FOLDED, true)),
        effective_from: builder.add_i64_field("effective_from", INDEXED | FAST | STORED),
        effective_to: builder.add_i64_field("effective_to", INDEXED | FAST | STORED),
        year: builder.add_u64_field("year", INDEXED | FAST | STORED),
    };
    (builder.build(), fields)
}

/// A reader of `index` that searches with its executor.
fn reader(index: &Index) -> Result<IndexReader, SearchError> {
    Ok(index
        .reader_builder()
        // Commits of another process on the same index (a worker beside a web-only server,
        // `hoso import` beside `hoso serve --role web`) become visible within a second; this
        // process's own commits are reloaded at once by the writer.
        .reload_policy(ReloadPolicy::OnCommitWithDelay)
        .try_into()?)
}

/// The index of one process: a reader for searches and the one writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// Started on the first write, so read-only processes (the CLI beside a running server)
    /// never contend for tantivy's writer lock.
    writer: Mutex<Option<WriterHandle>>,
    policy: CommitPolicy,
    /// Threads one search spreads the index's segments over.
    search_threads: usize,
    dir: std::path::PathBuf,
    pub fields: Fields,
    /// True when this start created the index (empty, or rebuilt for a new schema).
    pub created: bool,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SearchIndex")
    }
}

/// What the index holds for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedEntry {
    pub id: String,
    pub group: String,
    pub status: String,
    pub code: String,
    pub title: String,
}

/// An index document for one item.
#[derive(Debug, Clone, Default)]
pub struct IndexItem {
    pub kind: &'static str,
    pub id: String,
    pub group: String,
    pub agency_id: String,
    pub subtype: String,
    pub status: String,
    pub public: bool,
    /// Ids of the people who see it while it is not public, beside the agencies of
    /// `SearchFilters::drafts_visible` (the owner, the drafter).
    pub people: Vec<String>,
    pub code: String,
    /// Legal numbers and other identifiers cited, each indexed whole.
    pub identifiers: Vec<String>,
    pub title: String,
    /// The text, its pages separated by form feeds (`\u{000C}`): a hit says on which page its
    /// snippet is.
    pub body: String,
    pub tags: Vec<String>,
    pub filename: String,
    /// Days since 1970-01-01 (UTC+7 calendar days); `None` for an item never in force.
    pub effective_from: Option<i64>,
    pub effective_to: Option<i64>,
    pub year: Option<u64>,
}

impl SearchIndex {
    /// Opens the index under `dir`, creating it — or rebuilding it empty when its schema version
    /// differs — as needed.
    pub fn open(dir: &Path, policy: CommitPolicy) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)?;
        let version_file = dir.join(SCHEMA_FILE);
        let current = std::fs::read_to_string(&version_file).ok();
        let mut created = false;
        if current.as_deref().map(str::trim) != Some(SCHEMA_VERSION) {
            for entry in std::fs::read_dir(dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    std::fs::remove_dir_all(&path)?;
                } else {
                    std::fs::remove_file(&path)?;
                }
            }
            created = true;
        }
        let (schema, fields) = schema();
        let directory =
            MmapDirectory::open(dir).map_err(|error| SearchError::Directory(error.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        analysis::register(&index);
        std::fs::write(&version_file, SCHEMA_VERSION)?;
        let reader = reader(&index)?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(None),
            policy,
            search_threads: 1,
            dir: dir.to_path_buf(),
            fields,
            created,
        })
    }

    /// Searches with `threads` threads over the index's segments (0: one per core). On a large
    /// index a search finishes sooner while cores are idle; the writer keeps such an index in
    /// twice as many segments of similar size. Call it before the first change: the writer
    /// takes the reader and the merge policy as they are when it starts.
    pub fn set_search_threads(&mut self, threads: usize) -> Result<(), SearchError> {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        if threads > 1 {
            self.index.set_multithread_executor(threads)?;
            // A reader searches with the executor its index had when it was made.
            self.reader = reader(&self.index)?;
        }
        self.search_threads = threads;
        Ok(())
    }

    /// Queues the replacement of every index document of `group` with `items`; the
    /// ticket resolves once the writer has committed it (on its count or time trigger).
    pub fn submit(&self, group: &str, items: &[IndexItem]) -> Result<Ticket, SearchError> {
        self.send(vec![self.replacement(group, items)], false)
    }

    /// Queues many replacements at once, `(group, items)` each.
    pub fn submit_many(
        &self,
        groups: Vec<(String, Vec<IndexItem>)>,
    ) -> Result<Ticket, SearchError> {
        let changes = groups
            .iter()
            .map(|(id, items)| self.replacement(id, items))
            .collect();
        self.send(changes, false)
    }

    /// Replaces the entries of `group`, commits now and waits for the commit.
    pub async fn replace_group(&self, group: &str, items: &[IndexItem]) -> Result<(), SearchError> {
        self.send(vec![self.replacement(group, items)], true)?
            .committed()
            .await
    }

    /// Queues the removal of everything (before a full rebuild, committed with what follows).
    pub fn clear(&self) -> Result<Ticket, SearchError> {
        self.send(vec![Change::Clear], false)
    }

    /// Commits whatever is pending now; the ticket resolves once it is visible.
    pub fn flush(&self) -> Result<Ticket, SearchError> {
        self.send(Vec::new(), true)
    }

    fn replacement(&self, group: &str, items: &[IndexItem]) -> Change {
        Change::Replace {
            field: self.fields.group,
            value: group.to_owned(),
            documents: items.iter().map(|item| self.to_document(item)).collect(),
        }
    }

    /// Starts this process's writer now, taking tantivy's writer lock: a server does so on
    /// start, so another process (`hoso import`) can tell that a server is indexing.
    /// [`SearchError::Busy`] when another process holds the lock.
    pub fn start_writer(&self) -> Result<(), SearchError> {
        let mut slot = self.writer_slot();
        self.ensure_writer(&mut slot)
    }

    fn writer_slot(&self) -> std::sync::MutexGuard<'_, Option<WriterHandle>> {
        match self.writer.lock() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn ensure_writer(&self, slot: &mut Option<WriterHandle>) -> Result<(), SearchError> {
        if slot.is_none() {
            let writer = self
                .index
                .writer(64 * 1024 * 1024)
                .map_err(|error| match error {
                    tantivy::TantivyError::LockFailure(..) => {
                        SearchError::Busy(self.dir.display().to_string())
                    }
                    other => SearchError::Index(other),
                })?;
            // Every re-index of a document (a new version, a step of its workflow, an edit)
            // deletes its old entry, and searches score the deleted entries of a segment
            // before skipping them: a segment is rewritten once a quarter of it is deleted.
            // (tantivy's default never merges for deletions alone; an ingest of 100,000
            // documents left 42 % of its largest segment deleted.) One search thread wants
            // one segment; more want shares of similar size, two per thread.
            let parts = match self.search_threads {
                0 | 1 => 1,
                threads => threads * 2,
            };
            writer.set_merge_policy(Box::new(merges::SharesMergePolicy::new(
                parts,
                DELETED_BEFORE_MERGE,
            )));
            *slot = Some(WriterHandle::start(
                writer,
                self.reader.clone(),
                self.policy,
            ));
        }
        Ok(())
    }

    /// Sends changes to the writer thread, starting it (and taking tantivy's writer lock) first
    /// when this process has not written yet.
    fn send(&self, changes: Vec<Change>, flush: bool) -> Result<Ticket, SearchError> {
        let mut slot = self.writer_slot();
        self.ensure_writer(&mut slot)?;
        let sent = match slot.as_ref() {
            Some(handle) => handle.send(changes, flush),
            None => Err(SearchError::Writer(
                "the index writer is unavailable".into(),
            )),
        };
        if sent.is_err() {
            // A writer thread that died is started afresh on the next change (its jobs retry).
            *slot = None;
        }
        sent
    }

    /// Every entry as `(id, group, status, code, title)`, for consistency checks. Blocking.
    pub fn entries(&self) -> Result<Vec<IndexedEntry>, SearchError> {
        use tantivy::{collector::DocSetCollector, query::AllQuery, schema::Value};
        let searcher = self.reader.searcher();
        let addresses = searcher.search(&AllQuery, &DocSetCollector)?;
        let mut entries = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let get = |field| {
                doc.get_first(field)
                    .and_then(|value| value.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            entries.push(IndexedEntry {
                id: get(self.fields.id),
                group: get(self.fields.group),
                status: get(self.fields.status),
                code: get(self.fields.code),
                title: get(self.fields.title),
            });
        }
        Ok(entries)
    }

    /// Number of index documents visible to searches.
    pub fn count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Replaced or removed entries still stored in the index (searches walk past them until a
    /// merge drops them).
    pub fn deleted_entries(&self) -> u64 {
        self.reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|segment| u64::from(segment.num_deleted_docs()))
            .sum()
    }

    fn to_document(&self, item: &IndexItem) -> TantivyDocument {
        use unicode_normalization::UnicodeNormalization;
        let f = &self.fields;
        let nfc = |text: &str| text.nfc().collect::<String>();
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, item.kind);
        doc.add_text(f.id, &item.id);
        doc.add_text(f.group, &item.group);
        doc.add_text(f.agency_id, &item.agency_id);
        doc.add_text(f.subtype, &item.subtype);
        doc.add_text(f.status, &item.status);
        doc.add_u64(f.public, u64::from(item.public));
        for person in &item.people {
            doc.add_text(f.people, person);
        }
        let code = nfc(&item.code);
        doc.add_text(f.code, &code);
        doc.add_text(f.identifiers, &code);
        for identifier in &item.identifiers {
            doc.add_text(f.identifiers, nfc(identifier));
        }
        let title = nfc(&item.title);
        let body = nfc(&item.body);
        doc.add_text(f.title, &title);
        doc.add_text(f.title_folded, &title);
        // Codes and legal numbers also count as words of the body, so their parts match.
        let searchable = format!("{body}\n{}", item.identifiers.join(" "));
        doc.add_text(f.body, &searchable);
        let tags: Vec<String> = item.tags.iter().map(|tag| nfc(tag)).collect();
        let filename = nfc(&item.filename);
        // Everything a word may match, folded, so matching one word reads one posting list;
        // separate values, so no pair spans the end of one and the start of the next.
        for value in [&title, &searchable, &filename, &code]
            .into_iter()
            .chain(&tags)
        {
            doc.add_text(f.text_folded, value);
            doc.add_text(f.pairs, value);
        }
        for tag in &tags {
            doc.add_text(f.tags, tag);
        }
        doc.add_text(f.filename, &filename);
        if let Some(from) = item.effective_from {
            doc.add_i64(f.effective_from, from);
            doc.add_i64(f.effective_to, item.effective_to.unwrap_or(i64::MAX));
        }
        if let Some(year) = item.year {
            doc.add_u64(f.year, year);
        }
        doc
    }

    pub(crate) fn reader(&self) -> &IndexReader {
        &self.reader
    }
}

#[cfg(test)]
mod tests {
    use tantivy::Executor;

    use super::*;

    /// `search_threads` reaches the searches: their reader runs segments on a pool of threads.
    #[test]
    fn searches_spread_over_the_threads_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = SearchIndex::open(dir.path(), CommitPolicy::default()).unwrap();
        let parallel = |index: &SearchIndex| {
            matches!(
                index.reader().searcher().index().search_executor(),
                Executor::ThreadPool(_)
            )
        };
        assert!(!parallel(&index));
        index.set_search_threads(1).unwrap();
        assert!(!parallel(&index));
        index.set_search_threads(2).unwrap();
        assert!(parallel(&index), "searches still run on the calling thread");
    }
}
