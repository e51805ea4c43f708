//! The register: codes, filters, edits with ETag/If-Match, the cost of a page.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use hoso::clock::today;
use serde_json::json;

use crate::support::{TestApp, assert_error, db_test, id_of};

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

db_test!(
    a_long_list_says_how_many_at_least_instead_of_counting_every_row,
    |app| {
        use hoso::{
            db::entities::document,
            domain::{PageRequest, pagination::paginate_counting_to},
        };
        use sea_orm::{EntityTrait, QueryOrder};
        let agency = app.staffed_agency("SKHCN").await;
        for n in 0..5 {
            let created = app
                .post(
                    "/api/v1/documents",
                    &agency.officer,
                    json!({"agency_id": agency.id, "code": format!("QT-{n:02}"),
                           "title": "Quy trình", "kind": "procedure"}),
                )
                .await;
            assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        }
        let request = PageRequest {
            page: Some(2),
            per_page: Some(2),
        };
        let query = || document::Entity::find().order_by_asc(document::Column::CodeKey);
        let counted = paginate_counting_to(&app.state.db, query(), &request, 3)
            .await
            .unwrap();
        assert_eq!(
            (counted.total, counted.total_exact),
            (3, false),
            "at least 3"
        );
        assert_eq!(counted.items.len(), 2, "the page itself is whole");
        assert_eq!(counted.items[0].code, "QT-02");
        let exact = paginate_counting_to(&app.state.db, query(), &request, 5)
            .await
            .unwrap();
        assert_eq!((exact.total, exact.total_exact), (5, true));
        // The API says which it is.
        let page = app
            .get("/api/v1/documents?agency=SKHCN", &agency.officer)
            .await;
        assert_eq!(page.json["total"], 5);
        assert_eq!(page.json["total_exact"], true);
    }
);
