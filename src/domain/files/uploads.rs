//! Receiving a file: streamed into the blob store, typed by its bytes.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use unicode_normalization::UnicodeNormalization;

use crate::{
    blobs::{BlobStore, StoredBlob},
    domain::{DomainError, DomainResult},
    filetype,
    i18n::Message,
};

/// A file stored in the blob store, not yet recorded in the database.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub blob: StoredBlob,
    pub original_filename: String,
    pub content_type: &'static str,
    /// Its text, when the receiver already read it whole (a bulk import reads each file for
    /// its title): recorded with the file instead of being extracted again by a job.
    pub text: Option<crate::extract::Extracted>,
}

/// Streams an uploaded file into the blob store: its type is read from its first bytes (the
/// name is only a hint); empty files and types outside the accepted list store nothing.
pub async fn store_file<S, E>(
    blobs: &BlobStore,
    body: S,
    filename: &str,
    max_bytes: u64,
) -> DomainResult<UploadedFile>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
    E: std::fmt::Display + Send,
{
    let original_filename = clean_filename(filename);
    let mut body = body;
    let mut head = Vec::new();
    let mut ended = false;
    while head.len() < filetype::SNIFF_BYTES {
        match body.next().await {
            None => {
                ended = true;
                break;
            }
            Some(Err(error)) => {
                return Err(DomainError::invalid(
                    "file",
                    Message::new("upload_failed").arg("detail", error.to_string()),
                ));
            }
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
        }
    }
    if head.is_empty() {
        return Err(DomainError::invalid("file", Message::new("file_empty")));
    }
    let content_type =
        filetype::detect(&head, &original_filename).map_err(DomainError::UnsupportedType)?;
    let first = futures::stream::once(async move { Ok::<Bytes, String>(Bytes::from(head)) });
    let rest = body.map(|chunk| chunk.map_err(|error| error.to_string()));
    let blob = if ended {
        blobs.put_stream(first, None, max_bytes).await?
    } else {
        blobs.put_stream(first.chain(rest), None, max_bytes).await?
    };
    Ok(UploadedFile {
        text: None,
        blob,
        original_filename,
        content_type,
    })
}

/// The file name as given, without path parts or control characters, in NFC, at most 255
/// characters; "file" when nothing is left.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .nfc()
        .filter(|character| !character.is_control())
        .take(255)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}
