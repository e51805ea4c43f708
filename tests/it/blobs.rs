//! The content-addressed blob store, on disk, in memory and on S3 (when configured).

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use hoso::blobs::{BlobError, BlobStore, S3Settings};
use sha2::{Digest, Sha256};

/// Runs a blob test on every backend: local disk, memory, and S3 when `HOSO_TEST_S3_ENDPOINT`
/// was set at build time.
macro_rules! blob_test {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn file() {
                let dir = tempfile::tempdir().unwrap();
                let $store = BlobStore::open(
                    &format!("file://{}", dir.path().display()),
                    &S3Settings::default(),
                )
                .unwrap();
                $body
            }

            #[tokio::test]
            async fn memory() {
                let $store = BlobStore::open("memory://", &S3Settings::default()).unwrap();
                $body
            }

            #[tokio::test]
            #[cfg_attr(
                not(hoso_s3_tests),
                ignore = "S3 variant: set HOSO_TEST_S3_ENDPOINT to run it"
            )]
            async fn s3() {
                let $store = super::s3_store();
                $body
            }
        }
    };
}

fn s3_store() -> BlobStore {
    let endpoint = std::env::var("HOSO_TEST_S3_ENDPOINT").expect("HOSO_TEST_S3_ENDPOINT");
    let bucket = std::env::var("HOSO_TEST_S3_BUCKET").unwrap_or_else(|_| "hoso-test".into());
    let region = std::env::var("HOSO_TEST_S3_REGION").unwrap_or_else(|_| "garage".into());
    BlobStore::open(
        &format!("s3://{bucket}"),
        &S3Settings {
            endpoint: Some(endpoint),
            region,
        },
    )
    .expect("S3 store opens")
}

/// Deterministic pseudo-random bytes, unique per call site.
fn content(size: usize, seed: u8) -> Vec<u8> {
    let nonce = uuid::Uuid::new_v4();
    let mut bytes: Vec<u8> = (0..size)
        .map(|index| (index as u32).wrapping_mul(2654435761).to_le_bytes()[0] ^ seed)
        .collect();
    let head = nonce.as_bytes();
    let keep = bytes.len().min(head.len());
    bytes[..keep].copy_from_slice(&head[..keep]);
    bytes
}

fn chunks(
    data: &[u8],
    size: usize,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + use<> {
    let parts: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(size)
        .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
        .collect();
    stream::iter(parts)
}

async fn read_all(store: &BlobStore, sha: &str) -> Vec<u8> {
    let (_, body) = store.get(sha).await.unwrap();
    body.try_fold(Vec::new(), |mut all, chunk| async move {
        all.extend_from_slice(&chunk);
        Ok(all)
    })
    .await
    .unwrap()
}

blob_test!(
    a_streamed_file_comes_back_byte_for_byte_under_its_sha256,
    |store| {
        // Larger than one 5 MiB part, in uneven chunks.
        let data = content(12 * 1024 * 1024 + 17, 7);
        let expected = hex::encode(Sha256::digest(&data));
        let stored = store
            .put_stream(chunks(&data, 64 * 1024 + 3), Some(&expected), u64::MAX)
            .await
            .unwrap();
        assert_eq!(stored.sha256, expected);
        assert_eq!(stored.size, data.len() as u64);
        assert!(!stored.already_present);
        assert!(store.exists(&expected).await.unwrap());
        assert_eq!(read_all(&store, &expected).await, data);
        store.delete(&expected).await.unwrap();
        assert!(!store.exists(&expected).await.unwrap());
    }
);

blob_test!(the_same_bytes_are_stored_once, |store| {
    let data = content(1000, 1);
    let first = store.put_bytes(Bytes::from(data.clone())).await.unwrap();
    let second = store.put_bytes(Bytes::from(data)).await.unwrap();
    assert_eq!(first.sha256, second.sha256);
    assert!(second.already_present);
    store.delete(&first.sha256).await.unwrap();
});

blob_test!(
    reading_a_blob_whole_is_capped_and_files_are_streamed,
    |store| {
        let data = content(10_000, 3);
        let stored = store.put_bytes(Bytes::from(data.clone())).await.unwrap();
        let error = store.read_capped(&stored.sha256, 9_999).await.unwrap_err();
        assert!(
            matches!(error, BlobError::TooLarge { limit: 9_999 }),
            "{error}"
        );
        assert_eq!(
            store.read_capped(&stored.sha256, 10_000).await.unwrap(),
            data
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy.bin");
        assert_eq!(
            store.write_to_file(&stored.sha256, &path).await.unwrap(),
            10_000
        );
        assert_eq!(std::fs::read(&path).unwrap(), data);
        store.delete(&stored.sha256).await.unwrap();
    }
);

blob_test!(a_hash_mismatch_stores_nothing, |store| {
    let data = content(4096, 2);
    let actual = hex::encode(Sha256::digest(&data));
    let wrong = "0".repeat(64);
    let error = store
        .put_stream(chunks(&data, 1000), Some(&wrong), u64::MAX)
        .await
        .unwrap_err();
    assert!(matches!(error, BlobError::HashMismatch { .. }), "{error}");
    assert!(!store.exists(&actual).await.unwrap());
    assert!(!store.exists(&wrong).await.unwrap());
});

blob_test!(a_file_over_the_limit_stores_nothing, |store| {
    let data = content(10_000, 3);
    let actual = hex::encode(Sha256::digest(&data));
    let error = store
        .put_stream(chunks(&data, 1000), None, 5_000)
        .await
        .unwrap_err();
    assert!(
        matches!(error, BlobError::TooLarge { limit: 5_000 }),
        "{error}"
    );
    assert!(!store.exists(&actual).await.unwrap());
});

blob_test!(a_broken_upload_stream_stores_nothing, |store| {
    let data = content(3000, 4);
    let actual = hex::encode(Sha256::digest(&data));
    let broken = chunks(&data, 1000).take(2).chain(stream::once(async {
        Err(std::io::Error::other("client went away"))
    }));
    let error = store.put_stream(broken, None, u64::MAX).await.unwrap_err();
    assert!(matches!(error, BlobError::Source(_)), "{error}");
    assert!(!store.exists(&actual).await.unwrap());
});

blob_test!(reading_a_missing_blob_is_not_found, |store| {
    let missing = "f".repeat(64);
    assert!(matches!(
        store.get(&missing).await,
        Err(BlobError::NotFound(_))
    ));
    assert!(matches!(
        store.get("../etc").await,
        Err(BlobError::InvalidHash(_))
    ));
    store.check_writable().await.unwrap();
});
