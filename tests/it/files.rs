//! Files: one pipeline keyed by file, and clean-up of stored bytes that never can remove what a
//! file refers to, even when an identical upload races it.

use axum::http::StatusCode;
use bytes::Bytes;
use hoso::domain::{
    documents::versions::{self, VersionForm},
    files,
};

use crate::support::db_test;

db_test!(clean_up_removes_only_blobs_that_no_file_refers_to, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    let document = app.document(&agency, "QT-01", "Quy trình").await;
    let uploaded = app
        .upload(
            &agency.officer,
            &document,
            "qt01.txt",
            "Nội dung".as_bytes(),
            None,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
    let kept = uploaded.json["sha256"].as_str().unwrap().to_owned();
    let blobs = &app.state.blobs;
    let orphan = blobs
        .put_bytes(Bytes::from_static(b"left by an interrupted upload"))
        .await
        .unwrap();

    assert!(
        files::remove_unreferenced_blob(&app.state.db, blobs, &orphan.sha256)
            .await
            .unwrap()
    );
    assert!(!blobs.exists(&orphan.sha256).await.unwrap());
    assert!(
        !files::remove_unreferenced_blob(&app.state.db, blobs, &kept)
            .await
            .unwrap(),
        "a blob a file refers to stays"
    );
    assert!(blobs.exists(&kept).await.unwrap());
});

db_test!(
    an_upload_that_reused_bytes_removed_meanwhile_fails_and_records_nothing,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let blobs = &app.state.blobs;
        let content = Bytes::from_static("Quy trình đánh giá nội bộ".as_bytes());
        blobs.put_bytes(content.clone()).await.unwrap();
        // An identical upload finds the bytes already stored...
        let body = futures::stream::once(async move { Ok::<_, std::io::Error>(content) });
        let upload = files::store_file(blobs, Box::pin(body), "qt.txt", 1 << 20)
            .await
            .unwrap();
        assert!(upload.blob.already_present);
        // ...clean-up removes them before the upload is recorded...
        assert!(
            files::remove_unreferenced_blob(&app.state.db, blobs, &upload.blob.sha256)
                .await
                .unwrap()
        );
        // ...so recording it fails instead of pointing at nothing.
        let officer = hoso::domain::auth::actor_for_user(&app.state.db, "thuky-skhcn")
            .await
            .unwrap();
        let outcome = versions::create_version(
            &app.state.db,
            blobs,
            5,
            &officer,
            document.parse().unwrap(),
            upload,
            VersionForm::default(),
        )
        .await;
        assert!(
            matches!(
                &outcome,
                Err(hoso::domain::DomainError::Conflict(message)) if message.code() == "upload_lost"
            ),
            "{outcome:?}"
        );
        let read = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        assert_eq!(read.json["versions"].as_array().unwrap().len(), 0);
        // Uploading again works.
        let again = app
            .upload(
                &agency.officer,
                &document,
                "qt.txt",
                "Quy trình đánh giá nội bộ".as_bytes(),
                None,
            )
            .await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
        let stored = again.json["sha256"].as_str().unwrap();
        assert!(blobs.exists(stored).await.unwrap());
    }
);
