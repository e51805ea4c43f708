//! A ZIP archive streamed as it is written: stored blobs are read chunk by chunk into it and
//! its bytes go out through a bounded channel, so a dossier of hundreds of megabytes never sits
//! in memory (at most a few chunks do).

use std::io::{self, Write};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use crate::blobs::BlobStore;

/// One entry of the archive.
#[derive(Debug, Clone)]
pub enum ZipEntry {
    /// Small content made on the spot (a manifest), compressed.
    Bytes { path: String, bytes: Vec<u8> },
    /// A stored blob, copied as it is (documents are compressed already).
    Blob {
        path: String,
        sha256: String,
        size: u64,
    },
}

/// Chunks of the archive in flight at most.
const CHANNEL_CHUNKS: usize = 8;
/// Bytes gathered before a chunk is sent.
const CHUNK_BYTES: usize = 256 * 1024;

/// The writer the ZIP goes into: chunks sent to the response, waiting while it is full.
struct ChannelWriter {
    buffer: Vec<u8>,
    sender: mpsc::Sender<io::Result<Bytes>>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK_BYTES),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the download was closed"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

fn write_all(
    blobs: &BlobStore,
    runtime: &tokio::runtime::Handle,
    entries: Vec<ZipEntry>,
    writer: ChannelWriter,
) -> io::Result<()> {
    let mut zip = ZipWriter::new_stream(writer);
    let other = |error: zip::result::ZipError| io::Error::other(error.to_string());
    for entry in entries {
        match entry {
            ZipEntry::Bytes { path, bytes } => {
                let options =
                    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
                zip.start_file(path, options).map_err(other)?;
                zip.write_all(&bytes)?;
            }
            ZipEntry::Blob { path, sha256, size } => {
                let options = SimpleFileOptions::default()
                    .compression_method(CompressionMethod::Stored)
                    .large_file(size >= u32::MAX as u64);
                zip.start_file(path, options).map_err(other)?;
                let (_, mut stream) = runtime
                    .block_on(blobs.get(&sha256))
                    .map_err(|error| io::Error::other(error.to_string()))?;
                while let Some(chunk) = runtime.block_on(stream.next()) {
                    let chunk = chunk.map_err(|error| io::Error::other(error.to_string()))?;
                    zip.write_all(&chunk)?;
                }
            }
        }
    }
    let mut writer = zip.finish().map_err(other)?.into_inner();
    writer.flush()
}

/// Streams an archive of `entries`. A failure half-way ends the stream with an error, so the
/// client sees a broken download rather than a short archive that looks whole.
pub fn stream(
    blobs: BlobStore,
    entries: Vec<ZipEntry>,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
    let runtime = tokio::runtime::Handle::current();
    let errors = sender.clone();
    tokio::task::spawn_blocking(move || {
        let writer = ChannelWriter {
            buffer: Vec::with_capacity(CHUNK_BYTES),
            sender,
        };
        if let Err(error) = write_all(&blobs, &runtime, entries, writer) {
            tracing::warn!(%error, "a ZIP download stopped");
            let _ = errors.blocking_send(Err(error));
        }
    });
    tokio_stream_of(receiver)
}

fn tokio_stream_of(
    mut receiver: mpsc::Receiver<io::Result<Bytes>>,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    futures::stream::poll_fn(move |context| receiver.poll_recv(context))
}
