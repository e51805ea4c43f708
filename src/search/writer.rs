//! The one index writer of a process: a thread that owns tantivy's `IndexWriter`, applies the
//! changes sent to it in order, and commits when enough documents are pending or the oldest
//! pending change is old enough. Whoever sent a change gets a [`Ticket`] that resolves once that
//! change is committed and visible to searches — so an index job is marked done only after its
//! change is durable, and a crash before the commit leaves the job to be run again.

use std::{
    sync::mpsc::{self, RecvTimeoutError},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use tantivy::{IndexReader, IndexWriter, TantivyDocument, Term, schema::Field};
use tokio::sync::oneshot;

use super::SearchError;

/// When the writer commits.
#[derive(Debug, Clone, Copy)]
pub struct CommitPolicy {
    /// Commit once this many index documents have been added since the last commit.
    pub max_docs: usize,
    /// Commit once the oldest uncommitted change is this old.
    pub max_delay: Duration,
}

impl Default for CommitPolicy {
    fn default() -> Self {
        Self {
            max_docs: 1000,
            max_delay: Duration::from_secs(1),
        }
    }
}

/// One change to the index.
pub(super) enum Change {
    /// Delete every index document whose `field` equals `value`, then add `documents`.
    Replace {
        field: Field,
        value: String,
        documents: Vec<TantivyDocument>,
    },
    /// Delete everything.
    Clear,
}

struct Message {
    changes: Vec<Change>,
    /// Commit now instead of waiting for a trigger.
    flush: bool,
    done: oneshot::Sender<Result<(), String>>,
}

/// Resolves when the changes it was given for are committed (or the commit failed).
#[must_use = "a change is only known to be durable once its ticket resolves"]
#[derive(Debug)]
pub struct Ticket(oneshot::Receiver<Result<(), String>>);

impl Ticket {
    /// Waits for the commit.
    pub async fn committed(self) -> Result<(), SearchError> {
        match self.0.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(cause)) => Err(SearchError::Writer(cause)),
            Err(_) => Err(SearchError::Writer("the index writer stopped".into())),
        }
    }
}

/// The sending side; dropping it commits what is pending and stops the thread.
pub(super) struct WriterHandle {
    sender: Option<mpsc::Sender<Message>>,
    thread: Option<JoinHandle<()>>,
}

impl WriterHandle {
    pub(super) fn start(writer: IndexWriter, reader: IndexReader, policy: CommitPolicy) -> Self {
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("hoso-index-writer".into())
            .spawn(move || run(writer, reader, policy, &receiver))
            .ok();
        Self {
            sender: Some(sender),
            thread,
        }
    }

    pub(super) fn send(&self, changes: Vec<Change>, flush: bool) -> Result<Ticket, SearchError> {
        let (done, receiver) = oneshot::channel();
        self.sender
            .as_ref()
            .filter(|_| self.thread.is_some())
            .ok_or_else(|| SearchError::Writer("the index writer is not running".into()))?
            .send(Message {
                changes,
                flush,
                done,
            })
            .map_err(|_| SearchError::Writer("the index writer stopped".into()))?;
        Ok(Ticket(receiver))
    }
}

impl Drop for WriterHandle {
    fn drop(&mut self) {
        self.sender.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    mut writer: IndexWriter,
    reader: IndexReader,
    policy: CommitPolicy,
    receiver: &mpsc::Receiver<Message>,
) {
    let mut waiting: Vec<oneshot::Sender<Result<(), String>>> = Vec::new();
    let mut pending_docs = 0usize;
    let mut oldest: Option<Instant> = None;
    loop {
        let message = match oldest {
            None => match receiver.recv() {
                Ok(message) => Some(message),
                Err(_) => break,
            },
            Some(since) => {
                let left = policy.max_delay.saturating_sub(since.elapsed());
                match receiver.recv_timeout(left) {
                    Ok(message) => Some(message),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
        };
        let mut flush = false;
        if let Some(message) = message {
            match apply(&writer, message.changes) {
                Ok(added) => {
                    pending_docs += added;
                    oldest.get_or_insert_with(Instant::now);
                    waiting.push(message.done);
                    flush = message.flush;
                }
                Err(error) => {
                    let _ = message.done.send(Err(error.to_string()));
                    continue;
                }
            }
        }
        let due = oldest.is_some_and(|since| since.elapsed() >= policy.max_delay);
        if flush || due || pending_docs >= policy.max_docs {
            commit(&mut writer, &reader, &mut waiting);
            pending_docs = 0;
            oldest = None;
        }
    }
    if oldest.is_some() {
        commit(&mut writer, &reader, &mut waiting);
    }
    if let Err(error) = writer.wait_merging_threads() {
        tracing::warn!(%error, "index merges did not finish cleanly");
    }
}

fn apply(writer: &IndexWriter, changes: Vec<Change>) -> Result<usize, SearchError> {
    let mut added = 0;
    for change in changes {
        match change {
            Change::Replace {
                field,
                value,
                documents,
            } => {
                writer.delete_term(Term::from_field_text(field, &value));
                for document in documents {
                    writer.add_document(document)?;
                    added += 1;
                }
            }
            Change::Clear => {
                writer.delete_all_documents()?;
                added += 1;
            }
        }
    }
    Ok(added)
}

/// Commits, makes the commit visible to searches, and answers everyone waiting for it. A failed
/// commit rolls back: the waiting jobs fail and are retried.
fn commit(
    writer: &mut IndexWriter,
    reader: &IndexReader,
    waiting: &mut Vec<oneshot::Sender<Result<(), String>>>,
) {
    let outcome = writer
        .commit()
        .and_then(|_| reader.reload())
        .map_err(|error| {
            tracing::error!(%error, "search index commit failed");
            if let Err(error) = writer.rollback() {
                tracing::error!(%error, "search index rollback failed");
            }
            error.to_string()
        });
    for done in waiting.drain(..) {
        let _ = done.send(outcome.clone());
    }
}
