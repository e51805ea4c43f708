//! Versions' files: judged by their bytes, size limits, downloads, stamped copies.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use hoso::clock::today;
use serde_json::json;

use super::step;
use crate::support::{TestApp, assert_error, db_test, id_of, pdf_with_pages};

db_test!(uploads_are_judged_by_their_bytes_not_their_names, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    let document = app.document(&agency, "QT-01", "Quy trình").await;
    let noise: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let fake = app
        .upload(&agency.officer, &document, "QT-01.pdf", &noise, None)
        .await;
    assert_error(
        &fake,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let exe = app
        .upload(
            &agency.officer,
            &document,
            "setup.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00",
            None,
        )
        .await;
    assert_error(
        &exe,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let empty = app
        .upload(&agency.officer, &document, "empty.pdf", b"", None)
        .await;
    assert_error(&empty, StatusCode::BAD_REQUEST, "invalid_input");
    let text = app
        .upload(
            &agency.officer,
            &document,
            "ghi-chu.txt",
            "Quy trình số 1".as_bytes(),
            None,
        )
        .await;
    assert_eq!(text.status, StatusCode::CREATED, "{}", text.text);
    assert_eq!(text.json["content_type"], "text/plain");
    // Only a PDF is ever shown in the browser; anything else is offered for saving.
    let offered = app
        .get(
            &format!("/api/v1/versions/{}/file?inline=true", id_of(&text)),
            &agency.officer,
        )
        .await;
    let disposition = offered.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let staff = app
        .upload(
            &agency.staff,
            &document,
            "a.pdf",
            &pdf_with_pages(&["a"]),
            None,
        )
        .await;
    assert_eq!(
        staff.status,
        StatusCode::NOT_FOUND,
        "staff do not see a draft-only document"
    );
});

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_with_413() {
    for engine in crate::support::engines() {
        let app = TestApp::start_with(engine, |config| config.max_upload_bytes = 2000).await;
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let big = pdf_with_pages(&["x"; 40]);
        assert!(big.len() > 2000);
        let response = app
            .upload(&agency.officer, &document, "big.pdf", &big, None)
            .await;
        assert_error(&response, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
        let doc = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        assert_eq!(doc.json["versions"], json!([]));
        app.finish().await;
    }
}

db_test!(
    downloads_return_the_original_bytes_with_etag_ranges_and_a_safe_name,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let bytes = pdf_with_pages(&["Quy trinh kiem soat tai lieu"]);
        let uploaded = app
            .upload(
                &agency.officer,
                &document,
                "Quy trình đánh giá nội bộ.pdf",
                &bytes,
                None,
            )
            .await;
        let version = id_of(&uploaded);
        let sha = uploaded.json["sha256"].as_str().unwrap().to_owned();
        let whole = app
            .get(&format!("/api/v1/versions/{version}/file"), &agency.officer)
            .await;
        assert_eq!(whole.status, StatusCode::OK);
        assert_eq!(whole.bytes, bytes);
        assert_eq!(whole.headers[header::ETAG], format!("\"{sha}\"").as_str());
        assert_eq!(whole.headers[header::CONTENT_TYPE], "application/pdf");
        let disposition = whole.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            disposition.contains("filename=\"Quy trinh danh gia noi bo.pdf\""),
            "{disposition}"
        );
        assert!(disposition.contains("filename*=UTF-8''Quy%20tr%C3%ACnh%20%C4%91%C3%A1nh%20gi%C3%A1%20n%E1%BB%99i%20b%E1%BB%99.pdf"), "{disposition}");
        assert!(disposition.starts_with("attachment"), "{disposition}");
        // Asked for, a PDF is shown in the browser (its viewer opens at #page=N).
        let shown = app
            .get(
                &format!("/api/v1/versions/{version}/file?inline=true"),
                &agency.officer,
            )
            .await;
        let disposition = shown.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.starts_with("inline;"), "{disposition}");
        assert_eq!(shown.bytes, bytes);
        let request = Request::get(format!("/api/v1/versions/{version}/file"))
            .header(header::AUTHORIZATION, format!("Bearer {}", agency.officer))
            .header(header::RANGE, "bytes=0-7")
            .body(Body::empty())
            .unwrap();
        let part = app.send(request).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(part.bytes, &bytes[0..8]);
        assert_eq!(
            part.headers[header::CONTENT_RANGE],
            format!("bytes 0-7/{}", bytes.len()).as_str()
        );
        let request = Request::get(format!("/api/v1/versions/{version}/file"))
            .header(header::AUTHORIZATION, format!("Bearer {}", agency.officer))
            .header(header::IF_NONE_MATCH, format!("\"{sha}\""))
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.send(request).await.status, StatusCode::NOT_MODIFIED);
        let request = Request::get(format!("/api/v1/versions/{version}/file"))
            .header(header::AUTHORIZATION, format!("Bearer {}", agency.officer))
            .header(header::RANGE, format!("bytes={}-", bytes.len() + 5))
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            app.send(request).await.status,
            StatusCode::RANGE_NOT_SATISFIABLE
        );
    }
);

db_test!(
    the_stamped_copy_marks_every_page_and_keeps_the_text,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let today = today();
        let first = app
            .issue_version(
                &agency,
                &document,
                "Quy trinh kiem soat tai lieu",
                None,
                today,
            )
            .await;
        let stamped = app
            .get(
                &format!("/api/v1/versions/{first}/file?stamped=true"),
                &agency.staff,
            )
            .await;
        assert_eq!(stamped.status, StatusCode::OK, "{}", stamped.text);
        let pdf = lopdf::Document::load_mem(&stamped.bytes).unwrap();
        let text = pdf.extract_text(&[1]).unwrap();
        assert!(
            text.contains("Quy trinh kiem soat tai lieu"),
            "the original text stays: {text}"
        );
        assert!(text.contains("BẢN CÓ KIỂM SOÁT"), "{text}");
        assert!(text.contains("QT-01"), "{text}");
        assert!(
            text.contains(&today.format("%d/%m/%Y").to_string()),
            "{text}"
        );

        let second = app
            .issue_version(&agency, &document, "Lan hai", Some("Sửa đổi"), today)
            .await;
        let old = app
            .get(
                &format!("/api/v1/versions/{first}/file?stamped=true"),
                &agency.staff,
            )
            .await;
        let old_text = lopdf::Document::load_mem(&old.bytes)
            .unwrap()
            .extract_text(&[1])
            .unwrap();
        let from_today = format!("HẾT HIỆU LỰC từ {}", today.format("%d/%m/%Y"));
        assert!(old_text.contains(&from_today), "replaced today: {old_text}");
        assert!(
            old_text.contains("Thay thế bởi lần ban hành 02"),
            "{old_text}"
        );
        // Withdrawn today, the stamp says it is out of force from today, not tomorrow.
        let withdrawn = step(
            &app,
            &agency.head,
            &second,
            "obsolete",
            json!({"reason": "Thủ tục đã bãi bỏ"}),
        )
        .await;
        assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
        let gone = app
            .get(
                &format!("/api/v1/versions/{second}/file?stamped=true"),
                &agency.staff,
            )
            .await;
        let gone_text = lopdf::Document::load_mem(&gone.bytes)
            .unwrap()
            .extract_text(&[1])
            .unwrap();
        assert!(
            gone_text.contains(&from_today),
            "withdrawn today: {gone_text}"
        );

        let other = app.document(&agency, "BM-01", "Biểu mẫu").await;
        let text_version = app
            .issue_file(
                &agency,
                &other,
                ("bm.txt", "Biểu mẫu".as_bytes()),
                None,
                today,
            )
            .await;
        let not_pdf = app
            .get(
                &format!("/api/v1/versions/{text_version}/file?stamped=true"),
                &agency.officer,
            )
            .await;
        assert_error(&not_pdf, StatusCode::CONFLICT, "no_pdf_of_type");
    }
);

db_test!(
    an_upload_that_is_not_a_form_answers_in_the_error_envelope,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let request = Request::post(format!("/api/v1/documents/{document}/versions"))
            .header(header::AUTHORIZATION, format!("Bearer {}", agency.officer))
            .header(header::CONTENT_TYPE, "application/pdf")
            .body(Body::from(b"%PDF-1.4".to_vec()))
            .unwrap();
        let reply = app.send(request).await;
        assert_error(
            &reply,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
        assert!(
            reply.json["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains("multipart/form-data")),
            "{}",
            reply.text
        );
    }
);
