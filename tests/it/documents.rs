//! Controlled documents: the register, the approval workflow, files, stamps, legal bases,
//! periodic review and acknowledgements.

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use chrono::Duration;
use hoso::clock::today;
use serde_json::json;

use crate::support::{TestApp, assert_error, db_test, id_of, pdf_with_pages};

async fn step(
    app: &TestApp,
    token: &str,
    version: &str,
    action: &str,
    body: serde_json::Value,
) -> crate::support::TestResponse {
    app.call(
        Method::POST,
        &format!("/api/v1/versions/{version}/{action}"),
        Some(token),
        Some(body),
    )
    .await
}

db_test!(approving_own_draft_is_forbidden, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    // One person holding both roles still may not approve what they drafted.
    let me = app.get("/api/v1/me", &agency.head).await;
    let head_id = me.json["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/users/{head_id}/roles"),
        &app.admin_token,
        json!({"role": "iso_officer", "agency_id": agency.id}),
    )
    .await;
    let document = app
        .document(&agency, "QT-01", "Quy trình kiểm soát tài liệu")
        .await;
    let uploaded = app
        .upload(
            &agency.head,
            &document,
            "qt01.pdf",
            &pdf_with_pages(&["QT-01"]),
            None,
        )
        .await;
    let version = id_of(&uploaded);
    assert_eq!(
        step(&app, &agency.head, &version, "submit", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let approve = step(&app, &agency.head, &version, "approve", json!({})).await;
    assert_error(&approve, StatusCode::UNPROCESSABLE_ENTITY, "own_draft");
    let reject = step(
        &app,
        &agency.head,
        &version,
        "reject",
        json!({"reason": "x"}),
    )
    .await;
    assert_error(&reject, StatusCode::UNPROCESSABLE_ENTITY, "own_draft");
});

db_test!(only_an_agency_head_of_that_agency_approves, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    let other = app.staffed_agency("STP").await;
    let document = app.document(&agency, "QT-01", "Quy trình").await;
    let version = id_of(
        &app.upload(
            &agency.officer,
            &document,
            "a.pdf",
            &pdf_with_pages(&["a"]),
            None,
        )
        .await,
    );
    step(&app, &agency.officer, &version, "submit", json!({})).await;
    assert_error(
        &step(&app, &agency.officer, &version, "approve", json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(
        step(&app, &other.head, &version, "approve", json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "another agency's head does not even see the draft"
    );
    assert_error(
        &step(&app, &app.admin_token, &version, "approve", json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(
        step(&app, &agency.head, &version, "approve", json!({}))
            .await
            .status,
        StatusCode::OK
    );
});

db_test!(
    a_new_version_supersedes_the_previous_one_the_day_before_it_takes_effect,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app
            .document(&agency, "QT-01", "Quy trình kiểm soát tài liệu")
            .await;
        let today = today();
        let first = app
            .issue_version(&agency, &document, "Lan 1", None, today)
            .await;
        let doc = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        assert_eq!(doc.json["status"], "effective");
        assert_eq!(doc.json["versions"][0]["label"], "01");
        assert_eq!(
            doc.json["versions"][0]["drafted_by"]["display_name"],
            "Người dùng thuky-skhcn"
        );
        assert_eq!(
            doc.json["versions"][0]["approved_by"]["display_name"],
            "Người dùng lanhdao-skhcn"
        );
        assert_eq!(
            doc.json["next_review_on"],
            json!(today.checked_add_months(chrono::Months::new(12)).unwrap())
        );

        // The second issue is published for a later day: until then the first stays in force.
        let later = today + Duration::days(10);
        let second = app
            .issue_version(
                &agency,
                &document,
                "Lan 2",
                Some("Cập nhật theo Nghị định mới"),
                later,
            )
            .await;
        let pending = app
            .get(&format!("/api/v1/versions/{second}"), &agency.officer)
            .await;
        assert_eq!(pending.json["status"], "approved");
        assert_eq!(pending.json["effective_from"], json!(later));
        let day_before = later - Duration::days(1);
        let in_force_before = app
            .get(
                &format!("/api/v1/documents/{document}/effective?on={day_before}"),
                &agency.staff,
            )
            .await;
        assert_eq!(
            in_force_before.json["id"],
            first.as_str(),
            "the first until the day before"
        );
        let in_force_later = app
            .get(
                &format!("/api/v1/documents/{document}/effective?on={later}"),
                &agency.staff,
            )
            .await;
        assert_eq!(
            in_force_later.json["id"],
            second.as_str(),
            "the second from its first day, before the switch-over job has run: {}",
            in_force_later.text
        );
        assert_eq!(
            app.get(&format!("/api/v1/documents/{document}"), &agency.officer)
                .await
                .json["status"],
            "under_revision"
        );

        // The day comes (moved here instead of waiting ten days) and the job activates it.
        use sea_orm::{ConnectionTrait, Statement};
        let backend = app.state.db.get_database_backend();
        app.state
            .db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DbBackend::Postgres => {
                        "UPDATE document_versions SET effective_from = $1 WHERE id = $2"
                    }
                    _ => "UPDATE document_versions SET effective_from = ? WHERE id = ?",
                },
                [today.into(), uuid::Uuid::parse_str(&second).unwrap().into()],
            ))
            .await
            .unwrap();
        let activated = hoso::domain::documents::publication::activate_due_versions(&app.state.db)
            .await
            .unwrap();
        assert_eq!(activated, 1);
        let old = app
            .get(&format!("/api/v1/versions/{first}"), &agency.staff)
            .await;
        assert_eq!(old.json["status"], "superseded");
        // Replaced on the day it took effect: it was in force that day, so it ends that day
        // (never before it began).
        assert_eq!(old.json["effective_from"], json!(today));
        assert_eq!(old.json["effective_to"], json!(today));
        let new = app
            .get(&format!("/api/v1/versions/{second}"), &agency.staff)
            .await;
        assert_eq!(new.json["status"], "effective");
        let now_in_force = app
            .get(
                &format!("/api/v1/documents/{document}/effective?on={today}"),
                &agency.staff,
            )
            .await;
        assert_eq!(now_in_force.json["id"], second.as_str());
        let before_any = app
            .get(
                &format!(
                    "/api/v1/documents/{document}/effective?on={}",
                    today - Duration::days(400)
                ),
                &agency.staff,
            )
            .await;
        assert_error(&before_any, StatusCode::NOT_FOUND, "not_found");
        let trail = app
            .get(
                &format!("/api/v1/audit-log?entity_id={second}"),
                &app.admin_token,
            )
            .await;
        let actions: Vec<&str> = trail.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "version.activate",
                "version.publish",
                "version.approve",
                "version.submit",
                "version.create"
            ]
        );
    }
);

db_test!(
    publishing_needs_an_approved_version_and_a_date_from_today,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let version = id_of(
            &app.upload(
                &agency.officer,
                &document,
                "a.pdf",
                &pdf_with_pages(&["a"]),
                None,
            )
            .await,
        );
        let early = step(
            &app,
            &agency.head,
            &version,
            "publish",
            json!({"effective_from": today()}),
        )
        .await;
        assert_error(&early, StatusCode::CONFLICT, "invalid_transition");
        step(&app, &agency.officer, &version, "submit", json!({})).await;
        step(&app, &agency.head, &version, "approve", json!({})).await;
        let past = step(
            &app,
            &agency.head,
            &version,
            "publish",
            json!({"effective_from": today() - Duration::days(1)}),
        )
        .await;
        assert_error(&past, StatusCode::BAD_REQUEST, "invalid_input");
    }
);

db_test!(
    a_rejected_draft_keeps_its_reason_and_a_new_draft_follows,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let version = id_of(
            &app.upload(
                &agency.officer,
                &document,
                "a.pdf",
                &pdf_with_pages(&["a"]),
                None,
            )
            .await,
        );
        let busy = app
            .upload(
                &agency.officer,
                &document,
                "b.pdf",
                &pdf_with_pages(&["b"]),
                Some("x"),
            )
            .await;
        assert_error(&busy, StatusCode::CONFLICT, "revision_in_progress");
        step(&app, &agency.officer, &version, "submit", json!({})).await;
        let no_reason = step(
            &app,
            &agency.head,
            &version,
            "reject",
            json!({"reason": "  "}),
        )
        .await;
        assert_error(&no_reason, StatusCode::BAD_REQUEST, "invalid_input");
        let rejected = step(
            &app,
            &agency.head,
            &version,
            "reject",
            json!({"reason": "Thiếu lưu đồ"}),
        )
        .await;
        assert_eq!(rejected.json["status"], "rejected");
        assert_eq!(rejected.json["reject_reason"], "Thiếu lưu đồ");
        let without_summary = app
            .upload(
                &agency.officer,
                &document,
                "b.pdf",
                &pdf_with_pages(&["b"]),
                None,
            )
            .await;
        assert_error(&without_summary, StatusCode::BAD_REQUEST, "invalid_input");
        assert_eq!(
            without_summary.json["error"]["details"]["field"],
            "change_summary"
        );
        let redraft = app
            .upload(
                &agency.officer,
                &document,
                "b.pdf",
                &pdf_with_pages(&["b"]),
                Some("Bổ sung lưu đồ"),
            )
            .await;
        assert_eq!(redraft.status, StatusCode::CREATED, "{}", redraft.text);
        assert_eq!(redraft.json["label"], "02");
        assert_eq!(redraft.json["status"], "draft");
    }
);

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
        let text_version = id_of(
            &app.upload(
                &agency.officer,
                &other,
                "bm.txt",
                "Biểu mẫu".as_bytes(),
                None,
            )
            .await,
        );
        let not_pdf = app
            .get(
                &format!("/api/v1/versions/{text_version}/file?stamped=true"),
                &agency.officer,
            )
            .await;
        assert_error(&not_pdf, StatusCode::CONFLICT, "not_a_pdf");
    }
);

db_test!(drafts_are_visible_only_to_those_who_work_on_them, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    let document = app.document(&agency, "QT-01", "Quy trình").await;
    let draft = id_of(
        &app.upload(
            &agency.officer,
            &document,
            "a.pdf",
            &pdf_with_pages(&["a"]),
            None,
        )
        .await,
    );
    assert_eq!(
        app.get("/api/v1/documents", &agency.staff).await.json["total"],
        0
    );
    assert_eq!(
        app.get(&format!("/api/v1/versions/{draft}"), &agency.staff)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/documents", &agency.head).await.json["total"],
        1
    );
    step(&app, &agency.officer, &draft, "submit", json!({})).await;
    step(&app, &agency.head, &draft, "approve", json!({})).await;
    step(
        &app,
        &agency.head,
        &draft,
        "publish",
        json!({"effective_from": today()}),
    )
    .await;
    app.upload(
        &agency.officer,
        &document,
        "b.pdf",
        &pdf_with_pages(&["b"]),
        Some("Sửa"),
    )
    .await;
    let seen_by_staff = app
        .get(&format!("/api/v1/documents/{document}"), &agency.staff)
        .await;
    assert_eq!(
        seen_by_staff.json["versions"].as_array().unwrap().len(),
        1,
        "only the issued version"
    );
    let seen_by_officer = app
        .get(&format!("/api/v1/documents/{document}"), &agency.officer)
        .await;
    assert_eq!(
        seen_by_officer.json["versions"].as_array().unwrap().len(),
        2
    );
    let outsider = app.staffed_agency("STP").await;
    assert_eq!(
        app.get(&format!("/api/v1/documents/{document}"), &outsider.staff)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

db_test!(editing_a_document_needs_its_current_etag, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    let document = app.document(&agency, "QT-01", "Quy trình").await;
    let read = app
        .get(&format!("/api/v1/documents/{document}"), &agency.officer)
        .await;
    let etag = read.headers[header::ETAG].to_str().unwrap().to_owned();
    let patch = |etag: Option<String>, title: &'static str| {
        let mut request = Request::patch(format!("/api/v1/documents/{document}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", agency.officer))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(etag) = etag {
            request = request.header(header::IF_MATCH, etag);
        }
        request
            .body(Body::from(json!({"title": title}).to_string()))
            .unwrap()
    };
    let missing = app.send(patch(None, "A")).await;
    assert_error(
        &missing,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition_required",
    );
    let ok = app
        .send(patch(Some(etag.clone()), "Quy trình kiểm soát hồ sơ"))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.json["title"], "Quy trình kiểm soát hồ sơ");
    assert_ne!(ok.headers[header::ETAG].to_str().unwrap(), etag);
    let stale = app.send(patch(Some(etag), "B")).await;
    assert_error(
        &stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    );
    let unchanged = app
        .get(&format!("/api/v1/documents/{document}"), &agency.officer)
        .await;
    assert_eq!(unchanged.json["title"], "Quy trình kiểm soát hồ sơ");
});

db_test!(
    another_agencys_document_answers_404_whatever_if_match_says,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let other = app.staffed_agency("STP").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        for if_match in ["*", "\"1\"", "\"không-phải-số\""] {
            let request = Request::patch(format!("/api/v1/documents/{document}"))
                .header(header::AUTHORIZATION, format!("Bearer {}", other.officer))
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::IF_MATCH, if_match)
                .body(Body::from(json!({"title": "Đổi tên"}).to_string()))
                .unwrap();
            let reply = app.send(request).await;
            assert_error(&reply, StatusCode::NOT_FOUND, "not_found");
        }
        let any = Request::patch(format!("/api/v1/documents/{document}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", agency.officer))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::IF_MATCH, "*")
            .body(Body::from(json!({"title": "Quy trình mới"}).to_string()))
            .unwrap();
        let changed = app.send(any).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        assert_eq!(changed.json["title"], "Quy trình mới");
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

db_test!(
    document_codes_are_unique_per_agency_ignoring_case_and_unicode_form,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let other = app.staffed_agency("STP").await;
        app.document(&agency, "QT.ĐT-01", "Quy trình").await;
        let decomposed = "qt.\u{0111}t-01".to_owned();
        let duplicate = app
        .post(
            "/api/v1/documents",
            &agency.officer,
            json!({"agency_id": agency.id, "code": decomposed, "title": "Trùng", "kind": "procedure"}),
        )
        .await;
        assert_error(&duplicate, StatusCode::CONFLICT, "document_code_taken");
        app.document(&other, "QT.ĐT-01", "Cùng mã ở cơ quan khác")
            .await;
        let bad_kind = app
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": agency.id, "code": "X", "title": "X", "kind": "memo"}),
            )
            .await;
        assert_error(&bad_kind, StatusCode::BAD_REQUEST, "invalid_input");
        let staff = app
            .post(
                "/api/v1/documents",
                &agency.staff,
                json!({"agency_id": agency.id, "code": "Y", "title": "Y", "kind": "form"}),
            )
            .await;
        assert_error(&staff, StatusCode::FORBIDDEN, "forbidden");
    }
);

db_test!(the_register_filters_by_kind_status_tag_and_text, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    for (code, title, kind, tags) in [
        (
            "QT-01",
            "Quy trình kiểm soát tài liệu",
            "procedure",
            json!(["hệ thống"]),
        ),
        (
            "QT-02",
            "Quy trình đánh giá nội bộ",
            "procedure",
            json!(["hệ thống", "đánh giá"]),
        ),
        ("BM-01", "Biểu mẫu phiếu yêu cầu", "form", json!([])),
    ] {
        let created = app
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": "SKHCN", "code": code, "title": title, "kind": kind, "tags": tags}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }
    let count = |query: &'static str| {
        let app = &app;
        let token = agency.officer.clone();
        async move {
            app.get(&format!("/api/v1/documents?{query}"), &token)
                .await
                .json["total"]
                .clone()
        }
    };
    assert_eq!(count("kind=procedure").await, 2);
    assert_eq!(count("tag=%C4%91%C3%A1nh%20gi%C3%A1").await, 1);
    assert_eq!(count("q=n%E1%BB%99i%20b%E1%BB%99").await, 1);
    assert_eq!(count("q=qt-0").await, 2);
    assert_eq!(count("status=draft&agency=SKHCN").await, 3);
    let sorted = app
        .get("/api/v1/documents?sort=-code&per_page=1", &agency.officer)
        .await;
    assert_eq!(sorted.json["items"][0]["code"], "QT-02");
    assert_error(
        &app.get("/api/v1/documents?status=lost", &agency.officer)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    assert_error(
        &app.get("/api/v1/documents?sort=colour", &agency.officer)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
});

db_test!(
    a_replaced_legal_reference_flags_citing_procedures_with_a_three_month_deadline,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let created = app
        .post(
            "/api/v1/legal-refs",
            &agency.officer,
            json!({"number": "19/2014/QĐ-TTg", "title": "Quyết định áp dụng TCVN ISO 9001", "issued_on": "2014-03-05", "effective_on": "2014-05-18"}),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.json["parts"]["doc_type"], "QĐ");
        let legal = id_of(&created);
        let again = app
            .post(
                "/api/v1/legal-refs",
                &agency.officer,
                json!({"number": "19/2014/qd-ttg", "title": "x"}),
            )
            .await;
        assert_error(&again, StatusCode::CONFLICT, "legal_ref_exists");
        let malformed = app
            .post(
                "/api/v1/legal-refs",
                &agency.officer,
                json!({"number": "Quyết định 19", "title": "x"}),
            )
            .await;
        assert_error(&malformed, StatusCode::BAD_REQUEST, "invalid_input");
        let by_number = app
            .get("/api/v1/legal-refs/19%2F2014%2FQD-TTG", &agency.staff)
            .await;
        assert_eq!(by_number.status, StatusCode::OK, "{}", by_number.text);
        let listed = app
            .get("/api/v1/legal-refs?number=19/2014/qđ-ttg", &agency.staff)
            .await;
        assert_eq!(listed.json["total"], 1, "{}", listed.text);
        assert_eq!(listed.json["items"][0]["id"], legal.as_str());

        // Cited by number, as officers write it.
        let unknown = app
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": agency.id, "code": "QT-05", "title": "Quy trình", "kind": "procedure", "legal_ref_ids": ["99/2099/NĐ-CP"]}),
            )
            .await;
        assert_error(&unknown, StatusCode::BAD_REQUEST, "invalid_input");
        let cited = app
        .post(
            "/api/v1/documents",
            &agency.officer,
            json!({"agency_id": agency.id, "code": "QT-05", "title": "Quy trình", "kind": "procedure", "legal_ref_ids": ["19/2014/qd-ttg"]}),
        )
        .await;
        let document = id_of(&cited);
        assert_eq!(cited.json["legal_bases"][0]["number"], "19/2014/QĐ-TTg");
        app.issue_version(&agency, &document, "QT-05", None, today())
            .await;

        // The register is shared: an agency's officer cannot repeal what every agency cites.
        let changed_on = today() - Duration::days(100);
        let by_officer = app
            .patch(
                &format!("/api/v1/legal-refs/{legal}"),
                &agency.officer,
                json!({"status": "replaced", "status_effective_on": changed_on}),
            )
            .await;
        assert_error(&by_officer, StatusCode::FORBIDDEN, "register_shared");
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        let replaced = app
            .patch(
                &format!("/api/v1/legal-refs/{legal}"),
                &coordinator,
                json!({"status": "replaced", "status_effective_on": changed_on}),
            )
            .await;
        assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
        // The citing documents are flagged by a job of their own.
        app.drain_jobs().await;
        let deadline = changed_on
            .checked_add_months(chrono::Months::new(3))
            .unwrap();
        let doc = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        assert_eq!(doc.json["status"], "needs_update");
        assert_eq!(doc.json["update_required_by"], json!(deadline));
        let impact = app
            .get(
                &format!("/api/v1/legal-refs/{legal}/impact"),
                &agency.officer,
            )
            .await;
        assert_eq!(impact.json[0]["document_id"], document.as_str());
        assert_eq!(impact.json[0]["overdue"], true);
        let overdue = app
            .get("/api/v1/documents?overdue=true", &agency.officer)
            .await;
        assert_eq!(overdue.json["total"], 1);
        // Flagged for an update, it is still in force: the in-force register lists it.
        let in_force = app
            .get("/api/v1/documents?status=effective", &agency.staff)
            .await;
        assert_eq!(in_force.json["total"], 1, "{}", in_force.text);
        assert_eq!(in_force.json["items"][0]["status"], "needs_update");
        let due = app.get("/api/v1/reviews/due", &agency.officer).await;
        assert_eq!(due.json[0]["reason"], "legal_change");
        assert_eq!(due.json[0]["overdue"], true);
        let missing_day = app
            .patch(
                &format!("/api/v1/legal-refs/{legal}"),
                &coordinator,
                json!({"status": "repealed"}),
            )
            .await;
        assert_error(&missing_day, StatusCode::BAD_REQUEST, "invalid_input");

        // Publishing the updated procedure clears the flag.
        app.issue_version(
            &agency,
            &document,
            "QT-05 moi",
            Some("Theo văn bản mới"),
            today(),
        )
        .await;
        let updated = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        assert_eq!(updated.json["status"], "effective");
        assert_eq!(updated.json["update_required_by"], json!(null));
    }
);

db_test!(
    a_flag_is_cleared_when_its_reference_is_back_in_force_or_a_review_keeps_the_document,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        let created = app
            .post(
                "/api/v1/legal-refs",
                &agency.officer,
                json!({"number": "61/2018/NĐ-CP", "title": "Nghị định về cơ chế một cửa"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let cited = app
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": agency.id, "code": "QT-09", "title": "Quy trình một cửa", "kind": "procedure", "legal_ref_ids": ["61/2018/NĐ-CP"]}),
            )
            .await;
        let document = id_of(&cited);
        app.issue_version(&agency, &document, "QT-09", None, today())
            .await;
        let set = |status: &'static str| {
            let app = &app;
            let coordinator = coordinator.clone();
            async move {
                let mut body = json!({"status": status});
                if status != "in_force" {
                    body["status_effective_on"] = json!(today());
                }
                let reply = app
                    .patch(
                        "/api/v1/legal-refs/61%2F2018%2FN%C4%90-CP",
                        &coordinator,
                        body,
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
                app.drain_jobs().await;
            }
        };
        let status = || async {
            app.get(&format!("/api/v1/documents/{document}"), &agency.officer)
                .await
                .json["status"]
                .clone()
        };
        set("amended").await;
        assert_eq!(status().await, "needs_update");
        // Entered by mistake: back in force, the flag it raised goes.
        set("in_force").await;
        assert_eq!(status().await, "effective");
        // Flagged again; the officer reviews and keeps the procedure, saying why.
        set("amended").await;
        assert_eq!(status().await, "needs_update");
        let kept = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.officer,
                json!({"verdict": "keep", "note": "Điều sửa đổi không liên quan đến quy trình"}),
            )
            .await;
        assert_eq!(kept.status, StatusCode::OK, "{}", kept.text);
        assert_eq!(kept.json["status"], "effective");
        assert_eq!(kept.json["update_required_by"], json!(null));
    }
);

db_test!(
    a_periodic_review_resets_the_clock_or_opens_a_revision,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        app.issue_version(&agency, &document, "QT-01", None, today())
            .await;
        let nothing_due = app.get("/api/v1/reviews/due", &agency.officer).await;
        assert_eq!(nothing_due.json, json!([]));
        let all_due = app
            .get("/api/v1/reviews/due?within_days=366", &agency.officer)
            .await;
        assert_eq!(all_due.json[0]["reason"], "periodic_review");
        let keep = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.officer,
                json!({"verdict": "keep", "note": "Vẫn phù hợp"}),
            )
            .await;
        assert_eq!(keep.status, StatusCode::OK, "{}", keep.text);
        assert_eq!(keep.json["status"], "effective");
        let revise = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.officer,
                json!({"verdict": "revise", "note": "Cần bổ sung bước tiếp nhận"}),
            )
            .await;
        assert_eq!(revise.json["status"], "needs_update");
        assert!(
            revise.json["update_reason"]
                .as_str()
                .unwrap()
                .contains("bổ sung")
        );
        let withdraw_by_officer = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.officer,
                json!({"verdict": "obsolete", "note": "Không còn áp dụng"}),
            )
            .await;
        assert_error(&withdraw_by_officer, StatusCode::FORBIDDEN, "forbidden");
        let withdraw = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.head,
                json!({"verdict": "obsolete", "note": "Không còn áp dụng"}),
            )
            .await;
        assert_eq!(withdraw.json["status"], "obsolete");
        let bad = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.head,
                json!({"verdict": "maybe", "note": "?"}),
            )
            .await;
        assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_input");
    }
);

db_test!(
    staff_acknowledge_the_version_in_force_and_coverage_shows_who_has_not,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-01", "Quy trình").await;
        let version = app
            .issue_version(&agency, &document, "QT-01", None, today())
            .await;
        let acknowledged = step(&app, &agency.staff, &version, "acknowledge", json!({})).await;
        assert_eq!(acknowledged.status, StatusCode::OK, "{}", acknowledged.text);
        let twice = step(&app, &agency.staff, &version, "acknowledge", json!({})).await;
        assert_eq!(
            twice.json["acknowledged_at"],
            acknowledged.json["acknowledged_at"]
        );
        let coverage = app
            .get(
                &format!("/api/v1/versions/{version}/acknowledgements"),
                &agency.officer,
            )
            .await;
        assert_eq!(coverage.json["acknowledged"].as_array().unwrap().len(), 1);
        assert_eq!(
            coverage.json["acknowledged"][0]["display_name"],
            "Người dùng canbo-skhcn"
        );
        assert_eq!(
            coverage.json["pending"].as_array().unwrap().len(),
            2,
            "{}",
            coverage.text
        );
        assert_error(
            &app.get(
                &format!("/api/v1/versions/{version}/acknowledgements"),
                &agency.staff,
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let withdrawn = step(
            &app,
            &agency.head,
            &version,
            "obsolete",
            json!({"reason": "Bãi bỏ"}),
        )
        .await;
        assert_eq!(withdrawn.json["status"], "obsolete");
        let late = step(&app, &agency.staff, &version, "acknowledge", json!({})).await;
        assert_error(&late, StatusCode::CONFLICT, "not_effective");
        let doc = app
            .get(&format!("/api/v1/documents/{document}"), &agency.staff)
            .await;
        assert_eq!(doc.json["status"], "obsolete");
        assert_eq!(doc.json["obsolete_reason"], "Bãi bỏ");
    }
);

/// Reads the register through a connection that counts the statements it runs.
async fn statements_for_a_register_page(app: &TestApp, username: &str) -> (usize, u64) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let mut db = sea_orm::Database::connect(&app.database.url).await.unwrap();
    let actor = hoso::domain::auth::actor_for_user(&db, username)
        .await
        .unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let page = hoso::domain::documents::register::list_documents(
        &db,
        &actor,
        &Default::default(),
        &hoso::domain::PageRequest {
            page: None,
            per_page: Some(200),
        },
    )
    .await
    .unwrap();
    let statements = count.load(Ordering::SeqCst);
    db.close().await.ok();
    (statements, page.total)
}

db_test!(
    a_register_page_costs_the_same_few_statements_however_many_documents_it_shows,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let legal = app
            .post(
                "/api/v1/legal-refs",
                &agency.officer,
                json!({"number": "19/2014/QĐ-TTg", "title": "Quyết định ISO"}),
            )
            .await;
        assert_eq!(legal.status, StatusCode::CREATED, "{}", legal.text);
        let add = |from: usize, to: usize| {
            let app = &app;
            let agency = &agency;
            async move {
                for n in from..to {
                    let created = app
                        .post(
                            "/api/v1/documents",
                            &agency.officer,
                            json!({"agency_id": agency.id, "code": format!("QT-{n:02}"),
                                   "title": "Quy trình", "kind": "procedure",
                                   "legal_ref_ids": ["19/2014/QĐ-TTg"]}),
                        )
                        .await;
                    let document = id_of(&created);
                    app.issue_version(agency, &document, "Quy trinh", None, today())
                        .await;
                }
            }
        };
        add(0, 2).await;
        let (few, shown) = statements_for_a_register_page(&app, "thuky-skhcn").await;
        assert_eq!(shown, 2);
        add(2, 12).await;
        let (many, shown) = statements_for_a_register_page(&app, "thuky-skhcn").await;
        assert_eq!(shown, 12);
        assert_eq!(few, many, "the same statements for 2 documents and for 12");
        assert!(many <= 12, "{many} statements for one page of the register");
    }
);
