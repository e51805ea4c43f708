//! Feeding the search index, for every kind of thing. Each kind registers an [`Indexer`] that
//! lists its units (the things whose entries are replaced together, such as a document with its
//! versions) and builds their entries from the database. A change queues an `index` job naming
//! the kind and the unit, in the change's transaction; the worker takes many at once, rebuilds
//! their entries and hands them to the index writer. `reindex` and `fsck` walk every kind.

use std::{collections::BTreeMap, sync::Arc};

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::DomainResult;
use crate::{
    jobs::{self, Handler, Job, JobContext, JobRegistry, Lane},
    search::{IndexItem, SearchIndex, Ticket},
};

/// How one kind of thing reaches the index.
#[async_trait::async_trait]
pub trait Indexer: Send + Sync + 'static {
    /// The kind's name, as `index` jobs and file links name it.
    fn kind(&self) -> &'static str;

    /// The entries of each unit asked for; a unit that no longer exists has none (its entries
    /// are removed).
    async fn items(
        &self,
        db: &DatabaseConnection,
        units: &[Uuid],
    ) -> DomainResult<Vec<(Uuid, Vec<IndexItem>)>>;

    /// Every unit of the kind, for rebuilding and checking the whole index.
    async fn units(&self, db: &DatabaseConnection) -> DomainResult<Vec<Uuid>>;
}

/// The indexers of every kind, by kind.
#[derive(Clone, Default)]
pub struct Indexers(Arc<BTreeMap<&'static str, Arc<dyn Indexer>>>);

impl Indexers {
    pub fn new(indexers: Vec<Arc<dyn Indexer>>) -> Self {
        Self(Arc::new(
            indexers
                .into_iter()
                .map(|indexer| (indexer.kind(), indexer))
                .collect(),
        ))
    }

    pub fn get(&self, kind: &str) -> Option<&Arc<dyn Indexer>> {
        self.0.get(kind)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Indexer>> {
        self.0.values()
    }
}

/// Rebuild the entries of one unit of one search kind. One waits per unit: a burst of changes
/// to a document is indexed once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexJob {
    pub kind: String,
    pub unit: Uuid,
}

impl Job for IndexJob {
    const KIND: &'static str = "index";
    const LANE: Lane = Lane::Index;
    const DEDUPLICATE: bool = true;
}

/// Rebuild the whole index from the database (a new or rebuilt index).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexAll {}

impl Job for IndexAll {
    const KIND: &'static str = "index_all";
    const LANE: Lane = Lane::Index;
    const DEDUPLICATE: bool = true;
}

/// Attempts of an index job: it only reads the database and writes the index.
const INDEX_ATTEMPTS: u32 = 5;

/// Queues the re-indexing of one unit, inside the caller's transaction (once per waiting job).
pub async fn enqueue(db: &impl ConnectionTrait, kind: &str, unit: Uuid) -> DomainResult<()> {
    let job = IndexJob {
        kind: kind.to_owned(),
        unit,
    };
    jobs::submit(db, &job, INDEX_ATTEMPTS).await?;
    Ok(())
}

/// Queues a rebuild of the whole index.
pub async fn enqueue_all(db: &impl ConnectionTrait, max_attempts: u32) -> DomainResult<()> {
    jobs::submit(db, &IndexAll {}, max_attempts).await?;
    Ok(())
}

/// Runs a call into the index on a blocking thread: building index documents normalises whole
/// texts, and the first change starts the writer; neither belongs on the async runtime.
async fn on_index<T: Send + 'static>(
    index: &Arc<SearchIndex>,
    call: impl FnOnce(&SearchIndex) -> Result<T, crate::search::SearchError> + Send + 'static,
) -> anyhow::Result<T> {
    let index = Arc::clone(index);
    Ok(tokio::task::spawn_blocking(move || call(&index)).await??)
}

/// Sends the entries of `units` of `kind` to the writer without waiting for the commit.
async fn submit(
    db: &DatabaseConnection,
    index: &Arc<SearchIndex>,
    indexer: &dyn Indexer,
    units: &[Uuid],
) -> anyhow::Result<Ticket> {
    let items = indexer.items(db, units).await?;
    let changes: Vec<(String, Vec<IndexItem>)> = items
        .into_iter()
        .map(|(unit, items)| (unit.to_string(), items))
        .collect();
    on_index(index, move |index| index.submit_many(changes)).await
}

/// Rebuilds the entries of `units` of `kind` and waits until the change is committed (on the
/// writer's count or time trigger, or at once with `flush`).
pub async fn index_units(
    db: &DatabaseConnection,
    index: &Arc<SearchIndex>,
    indexers: &Indexers,
    kind: &str,
    units: &[Uuid],
    flush: bool,
) -> anyhow::Result<()> {
    let indexer = indexers
        .get(kind)
        .ok_or_else(|| anyhow::anyhow!("nothing indexes the kind {kind:?}"))?;
    let ticket = submit(db, index, indexer.as_ref(), units).await?;
    if flush {
        on_index(index, SearchIndex::flush)
            .await?
            .committed()
            .await?;
    }
    ticket.committed().await?;
    Ok(())
}

/// Units sent to the writer per change while rebuilding.
const REINDEX_CHUNK: usize = 200;
/// Uncommitted chunks allowed in flight while rebuilding (bounds memory).
const REINDEX_IN_FLIGHT: usize = 16;

/// Rebuilds the whole index from the database, every kind; `progress(done, total)` as units are
/// sent. Returns the number of units of each kind once everything is committed.
pub async fn reindex_all(
    db: &DatabaseConnection,
    index: &Arc<SearchIndex>,
    indexers: &Indexers,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<Vec<(&'static str, u64)>> {
    let mut all = Vec::new();
    for indexer in indexers.iter() {
        let units = indexer.units(db).await?;
        all.push((Arc::clone(indexer), units));
    }
    let total = all.iter().map(|(_, units)| units.len() as u64).sum();
    let mut in_flight = std::collections::VecDeque::new();
    in_flight.push_back(on_index(index, SearchIndex::clear).await?);
    let mut done = 0;
    for (indexer, units) in &all {
        for chunk in units.chunks(REINDEX_CHUNK) {
            in_flight.push_back(submit(db, index, indexer.as_ref(), chunk).await?);
            while in_flight.len() > REINDEX_IN_FLIGHT {
                if let Some(ticket) = in_flight.pop_front() {
                    ticket.committed().await?;
                }
            }
            done += chunk.len() as u64;
            progress(done, total);
        }
    }
    on_index(index, SearchIndex::flush)
        .await?
        .committed()
        .await?;
    for ticket in in_flight {
        ticket.committed().await?;
    }
    Ok(all
        .iter()
        .map(|(indexer, units)| (indexer.kind(), units.len() as u64))
        .collect())
}

/// Registers the indexing jobs of every kind in `indexers`.
pub fn register(registry: &mut JobRegistry, indexers: &Indexers) {
    registry.add::<IndexJob>(IndexUnits {
        indexers: indexers.clone(),
    });
    registry.add::<IndexAll>(RebuildAll {
        indexers: indexers.clone(),
    });
}

/// Index jobs claimed and committed together.
const INDEX_BATCH: usize = 500;
/// A batch of this many units is a bulk load's (an import, a reindex by jobs): it is committed
/// at once. The writer's timer gathers small changes into one commit, but the lane takes its
/// next batch only once this one is committed, so waiting for the timer held a bulk load to one
/// batch a second (10,000 files imported: 233 files/s, against 327 with commits at once).
const COMMIT_AT_ONCE: usize = 200;

/// Index jobs run in batches: one commit covers many units during a bulk import.
struct IndexUnits {
    indexers: Indexers,
}

#[async_trait::async_trait]
impl Handler<IndexJob> for IndexUnits {
    async fn run(&self, context: &JobContext, job: IndexJob) -> anyhow::Result<()> {
        index_units(
            &context.db,
            &context.search,
            &self.indexers,
            &job.kind,
            &[job.unit],
            false,
        )
        .await
    }

    fn batch_size(&self) -> usize {
        INDEX_BATCH
    }

    async fn run_batch(
        &self,
        context: &JobContext,
        jobs: Vec<IndexJob>,
    ) -> Vec<anyhow::Result<()>> {
        let mut by_kind: BTreeMap<&str, Vec<Uuid>> = BTreeMap::new();
        for job in &jobs {
            by_kind.entry(job.kind.as_str()).or_default().push(job.unit);
        }
        let mut outcomes: BTreeMap<&str, Result<(), String>> = BTreeMap::new();
        for (kind, mut units) in by_kind {
            units.sort_unstable();
            units.dedup();
            let flush = units.len() >= COMMIT_AT_ONCE;
            let outcome = index_units(
                &context.db,
                &context.search,
                &self.indexers,
                kind,
                &units,
                flush,
            )
            .await
            .map_err(|error| format!("{error:#}"));
            outcomes.insert(kind, outcome);
        }
        jobs.iter()
            .map(|job| match outcomes.get(job.kind.as_str()) {
                Some(Ok(())) => Ok(()),
                Some(Err(error)) => Err(anyhow::anyhow!("{error}")),
                None => Err(anyhow::anyhow!("no outcome for {:?}", job.kind)),
            })
            .collect()
    }
}

struct RebuildAll {
    indexers: Indexers,
}

#[async_trait::async_trait]
impl Handler<IndexAll> for RebuildAll {
    async fn run(&self, context: &JobContext, _job: IndexAll) -> anyhow::Result<()> {
        let counts = reindex_all(&context.db, &context.search, &self.indexers, |_, _| {}).await?;
        tracing::info!(?counts, "search index rebuilt");
        Ok(())
    }
}
