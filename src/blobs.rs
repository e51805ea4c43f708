//! Content-addressed blob store over `object_store`: files stored once under their SHA-256.
//!
//! Keys look like `sha256/ab/cd/<64 hex>`. Writes stream through a temporary object while the
//! hash is computed, then land at the final key with create-only semantics, so a stored blob's
//! bytes never change and a half-written upload is never visible under a hash.

use std::{fmt, sync::Arc};

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    ObjectStore, ObjectStoreExt, WriteMultipart, aws::AmazonS3Builder, local::LocalFileSystem,
    memory::InMemory, path::Path as StorePath,
};
use sha2::{Digest, Sha256};

/// Parts of a streamed upload are this big (S3's minimum part size is 5 MiB).
const PART_BYTES: usize = 5 * 1024 * 1024;

/// Why a blob operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("storage url {0:?} is not supported (use file://, s3://bucket or memory://)")]
    UnsupportedUrl(String),
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the file's SHA-256 is {actual}, not the expected {expected}")]
    HashMismatch { expected: String, actual: String },
    #[error("{0:?} is not a SHA-256 in lowercase hex")]
    InvalidHash(String),
    #[error("blob {0} does not exist")]
    NotFound(String),
    #[error("reading the upload failed: {0}")]
    Source(String),
    #[error("blob storage failed: {0}")]
    Store(#[from] object_store::Error),
    #[error("blob storage failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The outcome of storing a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: u64,
    /// True when identical bytes were already stored (nothing new was written).
    pub already_present: bool,
}

/// S3 settings that do not fit in a `s3://bucket` URL.
#[derive(Clone, Default)]
pub struct S3Settings {
    pub endpoint: Option<String>,
    pub region: String,
}

/// A handle to the blob store; cheap to clone.
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    description: String,
}

impl fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl BlobStore {
    /// Opens the store named by `url`: `file:///path`, `s3://bucket` or `memory://`.
    ///
    /// For S3, keys come from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` and path-style
    /// addressing is used, so MinIO and Garage work.
    pub fn open(url: &str, s3: &S3Settings) -> Result<Self, BlobError> {
        if let Some(path) = url.strip_prefix("file://") {
            std::fs::create_dir_all(path)?;
            let store = LocalFileSystem::new_with_prefix(path)?.with_automatic_cleanup(true);
            return Ok(Self::from_store(Arc::new(store), url));
        }
        if url == "memory://" || url == "memory:" {
            return Ok(Self::from_store(Arc::new(InMemory::new()), url));
        }
        if let Some(bucket) = url.strip_prefix("s3://") {
            let bucket = bucket.trim_end_matches('/');
            if bucket.is_empty() || bucket.contains('/') {
                return Err(BlobError::UnsupportedUrl(url.to_owned()));
            }
            let mut builder = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_region(&s3.region)
                .with_virtual_hosted_style_request(false);
            if let Some(endpoint) = &s3.endpoint {
                builder = builder
                    .with_endpoint(endpoint)
                    .with_allow_http(endpoint.starts_with("http://"));
            }
            let store = builder.build()?;
            return Ok(Self::from_store(Arc::new(store), url));
        }
        Err(BlobError::UnsupportedUrl(url.to_owned()))
    }

    fn from_store(store: Arc<dyn ObjectStore>, url: &str) -> Self {
        Self {
            store,
            description: format!("BlobStore({url})"),
        }
    }

    /// Streams `body` into the store, hashing it on the way; nothing is held whole in memory.
    ///
    /// Fails with [`BlobError::TooLarge`] past `max_bytes` and with [`BlobError::HashMismatch`]
    /// when `expected_sha256` is given and differs; in both cases nothing is stored.
    pub async fn put_stream<S, E>(
        &self,
        body: S,
        expected_sha256: Option<&str>,
        max_bytes: u64,
    ) -> Result<StoredBlob, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: fmt::Display,
    {
        let temporary = StorePath::from(format!("tmp/{}", uuid::Uuid::now_v7()));
        let upload = self.store.put_multipart(&temporary).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let failure = match chunk {
                Err(error) => Some(BlobError::Source(error.to_string())),
                Ok(chunk) => {
                    size += chunk.len() as u64;
                    if size > max_bytes {
                        Some(BlobError::TooLarge { limit: max_bytes })
                    } else {
                        hasher.update(&chunk);
                        writer.write(&chunk);
                        writer.wait_for_capacity(4).await.err().map(BlobError::from)
                    }
                }
            };
            if let Some(error) = failure {
                if let Err(abort_error) = writer.abort().await {
                    tracing::warn!(error = %abort_error, "aborting a failed blob upload failed");
                }
                return Err(error);
            }
        }
        writer.finish().await?;
        let sha256 = hex::encode(hasher.finalize());
        if let Some(expected) = expected_sha256
            && !expected.eq_ignore_ascii_case(&sha256)
        {
            self.remove_temporary(&temporary).await;
            return Err(BlobError::HashMismatch {
                expected: expected.to_owned(),
                actual: sha256,
            });
        }
        let already_present = self.promote(&temporary, &key_for(&sha256)).await;
        self.remove_temporary(&temporary).await;
        Ok(StoredBlob {
            sha256,
            size,
            already_present: already_present?,
        })
    }

    /// Stores a small in-memory value; a convenience over [`BlobStore::put_stream`].
    pub async fn put_bytes(&self, bytes: Bytes) -> Result<StoredBlob, BlobError> {
        let size = bytes.len() as u64;
        let body = futures::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
        self.put_stream(body, None, size.max(1)).await
    }

    /// Moves the temporary object to its content address without ever overwriting a blob.
    /// Returns whether the blob was already there.
    async fn promote(&self, from: &StorePath, to: &StorePath) -> Result<bool, BlobError> {
        match self.store.copy_if_not_exists(from, to).await {
            Ok(()) => Ok(false),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(true),
            Err(object_store::Error::NotImplemented { .. })
            | Err(object_store::Error::NotSupported { .. }) => {
                // Plain S3 has no create-only copy without extra configuration. The key is the
                // hash of the bytes, so a racing writer can only ever write the same content.
                if self.exists_at(to).await? {
                    return Ok(true);
                }
                self.store.copy(from, to).await?;
                Ok(false)
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn remove_temporary(&self, temporary: &StorePath) {
        if let Err(error) = self.store.delete(temporary).await {
            tracing::warn!(%temporary, %error, "could not delete a temporary upload");
        }
    }

    /// Streams a blob's bytes; with its size.
    pub async fn get(
        &self,
        sha256: &str,
    ) -> Result<(u64, BoxStream<'static, Result<Bytes, BlobError>>), BlobError> {
        let key = checked_key(sha256)?;
        match self.store.get(&key).await {
            Ok(result) => {
                let size = result.meta.size;
                Ok((size, result.into_stream().map_err(BlobError::from).boxed()))
            }
            Err(object_store::Error::NotFound { .. }) => {
                Err(BlobError::NotFound(sha256.to_owned()))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// A whole blob in memory, refusing (before reading it all) one larger than `max_bytes`.
    pub async fn read_capped(&self, sha256: &str, max_bytes: u64) -> Result<Vec<u8>, BlobError> {
        let (size, body) = self.get(sha256).await?;
        if size > max_bytes {
            return Err(BlobError::TooLarge { limit: max_bytes });
        }
        let mut all = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut body = body;
        while let Some(chunk) = body.next().await {
            all.extend_from_slice(&chunk?);
            if all.len() as u64 > max_bytes {
                return Err(BlobError::TooLarge { limit: max_bytes });
            }
        }
        Ok(all)
    }

    /// Streams a blob into a new local file (for tools that read files, such as OCR).
    pub async fn write_to_file(
        &self,
        sha256: &str,
        path: &std::path::Path,
    ) -> Result<u64, BlobError> {
        use tokio::io::AsyncWriteExt;
        let (_, mut body) = self.get(sha256).await?;
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(|error| BlobError::Source(error.to_string()))?;
        let mut written = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            written += chunk.len() as u64;
            file.write_all(&chunk)
                .await
                .map_err(|error| BlobError::Source(error.to_string()))?;
        }
        file.flush()
            .await
            .map_err(|error| BlobError::Source(error.to_string()))?;
        Ok(written)
    }

    /// Streams the bytes `start..end` (end exclusive) of a blob.
    pub async fn get_range(
        &self,
        sha256: &str,
        start: u64,
        end: u64,
    ) -> Result<BoxStream<'static, Result<Bytes, BlobError>>, BlobError> {
        let key = checked_key(sha256)?;
        let options = object_store::GetOptions {
            range: Some(object_store::GetRange::Bounded(start..end)),
            ..Default::default()
        };
        match self.store.get_opts(&key, options).await {
            Ok(result) => Ok(result.into_stream().map_err(BlobError::from).boxed()),
            Err(object_store::Error::NotFound { .. }) => {
                Err(BlobError::NotFound(sha256.to_owned()))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Whether a blob with this hash is stored.
    pub async fn exists(&self, sha256: &str) -> Result<bool, BlobError> {
        self.exists_at(&checked_key(sha256)?).await
    }

    async fn exists_at(&self, key: &StorePath) -> Result<bool, BlobError> {
        match self.store.head(key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes a blob (garbage collection only: callers make sure nothing references it).
    pub async fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        match self.store.delete(&checked_key(sha256)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Every stored blob's hash with its last modification time (for consistency checks).
    pub async fn list_hashes(
        &self,
    ) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, BlobError> {
        let prefix = StorePath::from("sha256");
        let listed: Vec<object_store::ObjectMeta> =
            self.store.list(Some(&prefix)).try_collect().await?;
        Ok(listed
            .into_iter()
            .filter_map(|meta| {
                let name = meta.location.filename()?.to_owned();
                checked_key(&name).ok().map(|_| (name, meta.last_modified))
            })
            .collect())
    }

    /// Writes and removes a small probe object, proving the store accepts writes.
    pub async fn check_writable(&self) -> Result<(), BlobError> {
        let probe = StorePath::from(format!("tmp/probe-{}", uuid::Uuid::now_v7()));
        self.store
            .put(&probe, Bytes::from_static(b"ok").into())
            .await?;
        self.store.delete(&probe).await?;
        Ok(())
    }
}

/// The content address of a hash: `sha256/ab/cd/<hash>`.
fn key_for(sha256: &str) -> StorePath {
    StorePath::from(format!(
        "sha256/{}/{}/{}",
        &sha256[0..2],
        &sha256[2..4],
        sha256
    ))
}

fn checked_key(sha256: &str) -> Result<StorePath, BlobError> {
    let valid = sha256.len() == 64
        && sha256
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
    if !valid {
        return Err(BlobError::InvalidHash(sha256.to_owned()));
    }
    Ok(key_for(sha256))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sharded_by_the_first_hash_bytes() {
        let hash = "ab".repeat(32);
        assert_eq!(
            key_for(&hash).as_ref(),
            format!("sha256/ab/ab/{hash}").as_str()
        );
    }

    #[test]
    fn only_lowercase_hex_hashes_are_accepted() {
        assert!(checked_key(&"A".repeat(64)).is_err());
        assert!(checked_key("../../etc/passwd").is_err());
        assert!(checked_key(&"0".repeat(64)).is_ok());
    }

    #[test]
    fn unknown_storage_schemes_are_rejected() {
        let error = BlobStore::open("ftp://x", &S3Settings::default()).err();
        assert!(matches!(error, Some(BlobError::UnsupportedUrl(_))));
    }
}
