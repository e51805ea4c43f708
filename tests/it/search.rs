//! Vietnamese full-text search: diacritics, codes and legal numbers, permissions, as-of.

use axum::http::StatusCode;
use hoso::clock::today;
use serde_json::{Value, json};

use crate::support::{Agency, TestApp, assert_error, db_test, id_of};

/// Registers a document with a text file as its first version and issues it today.
async fn issued(
    app: &TestApp,
    agency: &Agency,
    code: &str,
    title: &str,
    text: &str,
    legal: &[String],
) -> String {
    let created = app
        .post(
            "/api/v1/documents",
            &agency.officer,
            json!({"agency_id": agency.id, "code": code, "title": title, "kind": "procedure", "legal_ref_ids": legal}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let document = id_of(&created);
    let version = id_of(
        &app.upload(
            &agency.officer,
            &document,
            &format!("{code}.txt"),
            text.as_bytes(),
            None,
        )
        .await,
    );
    for (token, step, body) in [
        (&agency.officer, "submit", json!({})),
        (&agency.head, "approve", json!({})),
        (&agency.head, "publish", json!({"effective_from": today()})),
    ] {
        let response = app
            .post(&format!("/api/v1/versions/{version}/{step}"), token, body)
            .await;
        assert_eq!(response.status, StatusCode::OK, "{step}: {}", response.text);
    }
    document
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let response = app
        .get(
            &format!("/api/v1/search?{}", encoded_pairs(&encoded)),
            token,
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{query}: {}",
        response.text
    );
    response.json
}

fn encoded_pairs(q: &str) -> String {
    format!("q={q}")
}

fn codes(result: &Value) -> Vec<String> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["code"].as_str().unwrap().to_owned())
        .collect()
}

db_test!(
    typing_without_diacritics_finds_accented_text_and_exact_forms_rank_first,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        issued(
            &app,
            &agency,
            "QT-01",
            "Quy trình chấm điểm",
            "Hướng dẫn chấm điểm và đánh giá nội bộ hằng năm.",
            &[],
        )
        .await;
        issued(
            &app,
            &agency,
            "QT-02",
            "Quy trình lưu trữ",
            "Châm diêm đốt hồ sơ hết hạn là trái quy định.",
            &[],
        )
        .await;
        issued(
            &app,
            &agency,
            "QT-03",
            "Sổ tay chất lượng",
            "Chính sách chất lượng của cơ quan.",
            &[],
        )
        .await;
        app.drain_jobs().await;
        let folded = search(&app, &agency.staff, "cham diem").await;
        assert_eq!(folded["total"], 2, "{folded}");
        let exact = search(&app, &agency.staff, "chấm điểm").await;
        assert_eq!(codes(&exact)[0], "QT-01", "{exact}");
        let snippet = exact["hits"][0]["snippet"].as_str().unwrap();
        assert!(snippet.contains("<mark>chấm</mark>"), "{snippet}");
        let unaccented_snippet = folded["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|hit| hit["code"] == "QT-01")
            .unwrap()["snippet"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            unaccented_snippet.contains("<mark>chấm</mark>"),
            "folded matches are highlighted: {unaccented_snippet}"
        );
        assert!(exact["took_ms"].is_u64());
        assert_eq!(exact["hits"][0]["status"], "effective");
        assert_eq!(exact["hits"][0]["original_filename"], "QT-01.txt");
        let phrase = search(&app, &agency.staff, "\"danh gia noi bo\"").await;
        assert_eq!(codes(&phrase), ["QT-01"]);
        let excluded = search(&app, &agency.staff, "quy trình -lưu").await;
        assert_eq!(codes(&excluded), ["QT-01"]);
        let either = search(&app, &agency.staff, "lưu OR sổ").await;
        assert_eq!(either["total"], 2);
    }
);

db_test!(
    phrases_need_the_syllables_together_and_words_typed_together_rank_together_first,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        for (code, title, text) in [
            (
                "QT-01",
                "Quy trình cấp chứng chỉ",
                "Điều 5: Hồ sơ đề nghị cấp chứng chỉ hành nghề gồm đơn và bản sao.",
            ),
            (
                "QT-02",
                "Quy trình quản lý",
                "Chứng chỉ bị thu hồi khi hành nghề sai quy định; vi phạm nghề nghiệp.",
            ),
            (
                "QT-03",
                "Quy trình đánh giá",
                "Nghề nghiệp và hành chính: chỉ tiêu đánh giá hằng năm.",
            ),
        ] {
            issued(&app, &agency, code, title, text, &[]).await;
        }
        app.drain_jobs().await;
        // Without quotes every word must be there, anywhere; where they stand together ranks first.
        let words = search(&app, &agency.staff, "chi hanh nghe").await;
        assert_eq!(words["total"], 3, "{words}");
        assert_eq!(codes(&words)[0], "QT-01", "{words}");
        // A phrase, typed with or without diacritics, needs the syllables side by side.
        for typed in ["\"chỉ hành nghề\"", "\"chi hanh nghe\""] {
            assert_eq!(
                codes(&search(&app, &agency.staff, typed).await),
                ["QT-01"],
                "{typed}"
            );
        }
        let two = search(&app, &agency.staff, "\"hanh nghe\"").await;
        assert_eq!(two["total"], 2, "{two}");
        let snippet = two["hits"][0]["snippet"].as_str().unwrap();
        assert!(
            snippet.contains("<mark>hành</mark> <mark>nghề</mark>"),
            "{snippet}"
        );
        // Excluding a phrase leaves documents that have its words apart.
        let excluded = search(&app, &agency.staff, "nghề -\"hanh nghe\"").await;
        assert_eq!(codes(&excluded), ["QT-03"], "{excluded}");
        // `Điều 5:` looks like a field name to a query grammar; here it is text.
        let article = search(&app, &agency.staff, "Điều 5: hồ sơ").await;
        assert_eq!(codes(&article), ["QT-01"], "{article}");
    }
);

db_test!(
    a_code_or_legal_number_puts_the_documents_carrying_it_first,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let legal = id_of(
            &app.post(
                "/api/v1/legal-refs",
                &agency.officer,
                json!({"number": "19/2014/QĐ-TTg", "title": "Quyết định áp dụng ISO"}),
            )
            .await,
        );
        issued(
            &app,
            &agency,
            "QT-05",
            "Quy trình tiếp nhận",
            "Nội dung tiếp nhận hồ sơ.",
            &[legal],
        )
        .await;
        issued(
            &app,
            &agency,
            "QT-06",
            "Báo cáo",
            "Năm 2014 có 19 thủ tục; Thủ tướng (TTg) chỉ đạo.",
            &[],
        )
        .await;
        issued(
            &app,
            &agency,
            "BM-02-QT05",
            "Phiếu yêu cầu",
            "Biểu mẫu.",
            &[],
        )
        .await;
        app.drain_jobs().await;
        let by_number = search(&app, &agency.staff, "19/2014/QĐ-TTg").await;
        assert_eq!(codes(&by_number)[0], "QT-05", "{by_number}");
        let parts = search(&app, &agency.staff, "2014").await;
        assert!(
            codes(&parts).contains(&"QT-05".to_owned())
                && codes(&parts).contains(&"QT-06".to_owned())
        );
        let by_code = search(&app, &agency.staff, "bm-02-qt05").await;
        assert_eq!(codes(&by_code)[0], "BM-02-QT05");
    }
);

db_test!(
    another_agencys_documents_never_appear_in_hits_counts_or_facets,
    |app| {
        let mine = app.staffed_agency("SKHCN").await;
        let theirs = app.staffed_agency("STP").await;
        issued(
            &app,
            &mine,
            "QT-01",
            "Quy trình kiểm soát tài liệu",
            "kiểm soát tài liệu",
            &[],
        )
        .await;
        app.drain_jobs().await;
        // While only their own agency has items, a reader's filter has nothing to remove…
        assert_eq!(search(&app, &mine.staff, "kiểm soát").await["total"], 1);
        // …and once another agency's item is indexed, it still never shows.
        issued(
            &app,
            &theirs,
            "QT-01",
            "Quy trình kiểm soát tài liệu",
            "kiểm soát tài liệu bí mật",
            &[],
        )
        .await;
        app.drain_jobs().await;
        let seen = search(&app, &mine.staff, "kiểm soát").await;
        assert_eq!(seen["total"], 1);
        assert_eq!(seen["hits"][0]["agency_id"], mine.id.as_str());
        let agencies: Vec<&str> = seen["facets"]["agency"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["value"].as_str().unwrap())
            .collect();
        assert_eq!(agencies, [mine.id.as_str()]);
        assert_eq!(search(&app, &mine.staff, "bí mật").await["total"], 0);
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        assert_eq!(search(&app, &coordinator, "kiểm soát").await["total"], 2);
        let filtered = app
            .get(
                "/api/v1/search?q=ki%E1%BB%83m%20so%C3%A1t&agency=STP",
                &coordinator,
            )
            .await;
        assert_eq!(filtered.json["total"], 1);
    }
);

/// `[value, count]` pairs of one facet, in the order the response lists them.
fn facet(result: &Value, name: &str) -> Vec<(String, u64)> {
    result["facets"][name]
        .as_array()
        .unwrap_or_else(|| panic!("no {name} facet: {result}"))
        .iter()
        .map(|f| {
            (
                f["value"].as_str().unwrap().to_owned(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

db_test!(
    facets_count_every_hit_by_agency_kind_status_and_year_most_frequent_first,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        for (code, title) in [
            ("QT-01", "Quy trình kiểm soát tài liệu"),
            ("QT-02", "Quy trình kiểm soát hồ sơ"),
        ] {
            issued(&app, &agency, code, title, "kiểm soát", &[]).await;
        }
        let form = app
            .document_of_kind(&agency, "BM-01", "Biểu mẫu kiểm soát", "form")
            .await;
        app.upload(
            &agency.officer,
            &form,
            "BM-01.txt",
            "kiểm soát".as_bytes(),
            None,
        )
        .await;
        app.drain_jobs().await;
        // One hit on the page; the facets still count all three.
        let result = app
            .get(
                "/api/v1/search?q=ki%E1%BB%83m%20so%C3%A1t&limit=1",
                &agency.officer,
            )
            .await
            .json;
        assert_eq!(result["total"], 3, "{result}");
        assert_eq!(result["hits"].as_array().unwrap().len(), 1);
        assert_eq!(facet(&result, "agency"), [(agency.id.clone(), 3)]);
        assert_eq!(
            facet(&result, "kind"),
            [("procedure".to_owned(), 2), ("form".to_owned(), 1)]
        );
        assert_eq!(
            facet(&result, "status"),
            [("effective".to_owned(), 2), ("draft".to_owned(), 1)]
        );
        let year = chrono::Datelike::year(&today()).to_string();
        assert_eq!(facet(&result, "year"), [(year, 3)]);
        // The staff member, who does not see the draft, is not told about it in the counts.
        let staff = search(&app, &agency.staff, "kiểm soát").await;
        assert_eq!(facet(&staff, "kind"), [("procedure".to_owned(), 2)]);
        assert_eq!(facet(&staff, "status"), [("effective".to_owned(), 2)]);
    }
);

db_test!(
    drafts_are_found_only_by_those_who_work_on_them_and_as_of_picks_the_version_in_force,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = issued(
            &app,
            &agency,
            "QT-01",
            "Quy trình",
            "phiên bản thứ nhất",
            &[],
        )
        .await;
        app.upload(
            &agency.officer,
            &document,
            "v2.txt",
            "phiên bản dự thảo thứ hai".as_bytes(),
            Some("Sửa"),
        )
        .await;
        app.drain_jobs().await;
        assert_eq!(search(&app, &agency.staff, "dự thảo").await["total"], 0);
        assert_eq!(search(&app, &agency.officer, "dự thảo").await["total"], 1);
        let in_force = app
            .get(
                &format!(
                    "/api/v1/search?q=phi%C3%AAn%20b%E1%BA%A3n&as_of={}",
                    today()
                ),
                &agency.officer,
            )
            .await;
        assert_eq!(in_force.json["total"], 1, "{}", in_force.text);
        assert_eq!(in_force.json["hits"][0]["status"], "effective");
        let before = app
            .get(
                &format!(
                    "/api/v1/search?q=phi%C3%AAn%20b%E1%BA%A3n&as_of={}",
                    today() - chrono::Duration::days(1)
                ),
                &agency.officer,
            )
            .await;
        assert_eq!(before.json["total"], 0);
    }
);

db_test!(bad_search_input_gets_a_clear_answer_never_a_500, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    issued(&app, &agency, "QT-01", "Quy trình", "nội dung", &[]).await;
    app.drain_jobs().await;
    assert_error(
        &app.get("/api/v1/search?q=", &agency.staff).await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    assert_error(
        &app.get("/api/v1/search", &agency.staff).await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    let long = "a".repeat(10_000);
    assert_error(
        &app.get(&format!("/api/v1/search?q={long}"), &agency.staff)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    for odd in ["%22quy%20tr%C3%ACnh", "-", "quy%20-", "((", "AND", "*"] {
        let response = app
            .get(&format!("/api/v1/search?q={odd}"), &agency.staff)
            .await;
        assert_eq!(response.status, StatusCode::OK, "{odd}: {}", response.text);
    }
    assert_error(
        &app.get("/api/v1/search?q=x&kind=memo", &agency.staff).await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    assert_error(
        &app.get("/api/v1/search?q=x&as_of=yesterday", &agency.staff)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    let capped = app
        .get("/api/v1/search?q=quy&limit=5000", &agency.staff)
        .await;
    assert_eq!(capped.status, StatusCode::OK);
});

db_test!(
    fsck_finds_what_is_out_of_step_and_repair_reindexes_it,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = issued(
            &app,
            &agency,
            "QT-01",
            "Quy trình",
            "nội dung kiểm tra",
            &[],
        )
        .await;
        app.drain_jobs().await;
        let run = |repair: bool| {
            let app = &app;
            async move {
                let state = &app.state;
                hoso::domain::fsck::fsck(
                    &state.db,
                    &state.blobs,
                    &state.search,
                    &state.indexers,
                    repair,
                )
                .await
                .unwrap()
            }
        };
        assert!(run(false).await.is_clean(), "{:?}", run(false).await);
        // The index loses the document (as after a crash before a commit).
        app.state
            .search
            .replace_group(&document, &[])
            .await
            .unwrap();
        assert_eq!(search(&app, &agency.staff, "kiểm tra").await["total"], 0);
        let report = run(false).await;
        assert_eq!(report.index_out_of_step.len(), 1);
        assert_eq!(
            report.index_out_of_step[0],
            ("document".to_owned(), document.parse().unwrap())
        );
        let repaired = run(true).await;
        assert_eq!(repaired.repaired_units, 1);
        assert_eq!(search(&app, &agency.staff, "kiểm tra").await["total"], 1);
        assert!(run(false).await.is_clean());
        // A fresh unreferenced blob may be an upload still committing: not reported yet.
        app.state
            .blobs
            .put_bytes(bytes::Bytes::from_static(b"orphan upload"))
            .await
            .unwrap();
        assert!(run(false).await.unreferenced_blobs.is_empty());
        // A version whose file vanished is reported and stays reported.
        let doc = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        let sha = doc.json["versions"][0]["sha256"]
            .as_str()
            .unwrap()
            .to_owned();
        app.state.blobs.delete(&sha).await.unwrap();
        let broken = run(true).await;
        assert_eq!(broken.missing_blobs.len(), 1);
        assert!(!broken.is_clean());
    }
);

mod writer {
    use std::time::Duration;

    use hoso::search::{CommitPolicy, IndexItem, SearchFilters, SearchIndex};

    fn item(document: &str, body: &str) -> IndexItem {
        IndexItem {
            kind: "document_version",
            id: format!("{document}-v1"),
            group: document.to_owned(),
            agency_id: "a".into(),
            subtype: "procedure".into(),
            status: "effective".into(),
            public: true,
            code: document.to_owned(),
            title: "Quy trình".into(),
            body: body.to_owned(),
            ..IndexItem::default()
        }
    }

    /// Commits once `max_docs` changes are pending or the oldest is `max_delay` old.
    fn policy(max_docs: usize, max_delay: Duration) -> CommitPolicy {
        CommitPolicy {
            max_docs,
            max_delay,
        }
    }

    /// The codes of the first `n` hits for `query`.
    fn first(index: &SearchIndex, query: &str, n: usize) -> Vec<String> {
        index
            .search(
                query,
                &SearchFilters {
                    limit: n,
                    ..SearchFilters::default()
                },
            )
            .unwrap()
            .hits
            .into_iter()
            .map(|hit| hit.code)
            .collect()
    }

    /// An agency's files beside each other: one names a role in five syllables standing
    /// together; twenty others repeat two or three of its words, often.
    async fn role_corpus() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path(), policy(1000, Duration::from_millis(10))).unwrap();
        let mut changes = vec![(
            "QD-15".to_owned(),
            vec![item(
                "QD-15",
                "Quyết định thành lập đoàn đánh giá. Ông Nguyễn Văn A, phó giám đốc sở, \
                 trưởng ban chỉ đạo ISO tỉnh, chịu trách nhiệm điều hành chung.",
            )],
        )];
        for n in 0..20 {
            let code = format!("BC-{n:02}");
            // Every word of the role, scattered, and the common ones often.
            let body = "Ban chỉ đạo tỉnh họp. Tỉnh chỉ đạo ban ISO; trưởng phòng chỉ đạo. \
                        Ban ISO tỉnh chỉ đạo, ban chỉ đạo tỉnh, ISO chỉ đạo ban tỉnh.";
            changes.push((code.clone(), vec![item(&code, body)]));
        }
        index
            .submit_many(changes)
            .unwrap()
            .committed()
            .await
            .unwrap();
        index.flush().unwrap().committed().await.unwrap();
        (dir, index)
    }

    #[tokio::test]
    async fn words_standing_together_in_order_outrank_words_repeated_often() {
        let (_dir, index) = role_corpus().await;
        for query in [
            "trưởng ban chỉ đạo ISO tỉnh",
            "truong ban chi dao ISO tinh",
            "trưởng ban chỉ đạo",
        ] {
            assert_eq!(
                first(&index, query, 5).first().map(String::as_str),
                Some("QD-15"),
                "{query}: the file where the words stand together comes first"
            );
        }
    }

    #[tokio::test]
    async fn words_standing_together_outrank_titles_that_share_some_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path(), policy(1000, Duration::from_millis(10))).unwrap();
        let mut changes = vec![(
            "KH-03".to_owned(),
            vec![IndexItem {
                title: "Kế hoạch đánh giá chất lượng nội bộ năm 2026".into(),
                ..item(
                    "KH-03",
                    "Giao đồng chí văn thư xã Mường Toong chủ trì, báo cáo kết quả hằng tháng.",
                )
            }],
        )];
        // Titles with one of the words, bodies with all of them apart, repeated.
        for (n, title) in [
            "Quy trình quản lý văn bản đến",
            "Quy trình quản lý văn bản đi",
            "Hướng dẫn công việc văn thư lưu trữ",
        ]
        .iter()
        .enumerate()
        {
            let code = format!("QT-{n:02}");
            let body = "Ủy ban nhân dân xã Mường Toong phân công công chức văn thư theo dõi; \
                        văn thư tổng hợp, báo cáo Ủy ban nhân dân xã Mường Toong.";
            changes.push((
                code.clone(),
                vec![IndexItem {
                    title: (*title).into(),
                    ..item(&code, body)
                }],
            ));
        }
        index
            .submit_many(changes)
            .unwrap()
            .committed()
            .await
            .unwrap();
        index.flush().unwrap().committed().await.unwrap();
        for query in ["văn thư xã Mường Toong", "van thu xa muong toong"] {
            assert_eq!(
                first(&index, query, 4).first().map(String::as_str),
                Some("KH-03"),
                "{query}: the paper naming the person comes first"
            );
        }
    }

    #[tokio::test]
    async fn typing_the_diacritics_never_ranks_an_exact_match_lower() {
        let (_dir, index) = role_corpus().await;
        let search = |query: &str| {
            index
                .search(
                    query,
                    &SearchFilters {
                        limit: 21,
                        ..SearchFilters::default()
                    },
                )
                .unwrap()
        };
        let plain = search("truong ban chi dao ISO tinh");
        let exact = search("trưởng ban chỉ đạo ISO tỉnh");
        let position = |outcome: &hoso::search::SearchOutcome| {
            outcome.hits.iter().position(|hit| hit.code == "QD-15")
        };
        assert!(
            position(&exact) <= position(&plain),
            "typed with diacritics, the exact match ranks no lower ({:?} vs {:?})",
            position(&exact),
            position(&plain)
        );
        let score = |outcome: &hoso::search::SearchOutcome| {
            outcome
                .hits
                .iter()
                .find(|hit| hit.code == "QD-15")
                .map(|hit| hit.score)
        };
        assert!(
            score(&exact) >= score(&plain),
            "exact diacritics only ever add"
        );
    }

    fn hits(index: &SearchIndex, query: &str) -> usize {
        index
            .search(
                query,
                &SearchFilters {
                    limit: 10,
                    ..SearchFilters::default()
                },
            )
            .unwrap()
            .total
    }

    #[tokio::test]
    async fn changes_become_visible_together_once_enough_are_pending() {
        let dir = tempfile::tempdir().unwrap();
        let policy = policy(3, Duration::from_secs(3600));
        let index = SearchIndex::open(dir.path(), policy).unwrap();
        let first = index
            .submit("QT-01", &[item("QT-01", "chấm điểm")])
            .unwrap();
        let second = index
            .submit("QT-02", &[item("QT-02", "chấm điểm")])
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(hits(&index, "chấm điểm"), 0, "nothing is committed yet");
        let third = index
            .submit("QT-03", &[item("QT-03", "chấm điểm")])
            .unwrap();
        for ticket in [first, second, third] {
            ticket.committed().await.unwrap();
        }
        assert_eq!(hits(&index, "cham diem"), 3, "one commit covers all three");
    }

    #[tokio::test]
    async fn replaced_entries_are_merged_away_once_a_quarter_of_a_segment_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let policy = policy(1000, Duration::from_secs(3600));
        let codes: Vec<String> = (0..40).map(|n| format!("QT-{n:02}")).collect();
        {
            let index = SearchIndex::open(dir.path(), policy).unwrap();
            for code in &codes {
                let _ = index.submit(code, &[item(code, "kiểm soát")]).unwrap();
            }
            index.flush().unwrap().committed().await.unwrap();
            // Half of them get a new text: their old entries are deleted.
            for code in &codes[..20] {
                let _ = index.submit(code, &[item(code, "đánh giá")]).unwrap();
            }
            index.flush().unwrap().committed().await.unwrap();
            assert_eq!(index.count(), 40);
            // Closing the index waits for the merges that commit started.
        }
        let index = SearchIndex::open(dir.path(), policy).unwrap();
        assert_eq!(index.count(), 40);
        // A segment keeps its deleted entries only while they are under a quarter of it.
        let deleted = index.deleted_entries();
        assert!(
            deleted * 4 <= index.count() + deleted,
            "{deleted} deleted entries stored beside 40 live ones"
        );
        assert_eq!(hits(&index, "danh gia"), 20);
        assert_eq!(hits(&index, "kiem soat"), 20);
    }

    #[tokio::test]
    async fn a_lone_change_is_committed_once_the_interval_has_passed() {
        let dir = tempfile::tempdir().unwrap();
        let policy = policy(1000, Duration::from_millis(50));
        let index = SearchIndex::open(dir.path(), policy).unwrap();
        index
            .submit("QT-01", &[item("QT-01", "đánh giá nội bộ")])
            .unwrap()
            .committed()
            .await
            .unwrap();
        assert_eq!(hits(&index, "danh gia noi bo"), 1);
        // A replacement of the same document leaves one entry, with the new text.
        index
            .submit("QT-01", &[item("QT-01", "xem xét của lãnh đạo")])
            .unwrap()
            .committed()
            .await
            .unwrap();
        assert_eq!(hits(&index, "danh gia"), 0);
        assert_eq!(hits(&index, "xem xét"), 1);
    }

    #[tokio::test]
    async fn the_configured_commit_triggers_reach_the_servers_writer() {
        for engine in crate::support::engines() {
            let app = crate::support::TestApp::start_with(engine, |config| {
                config.search_commit_docs = 2;
                config.search_commit_interval_ms = 600_000;
            })
            .await;
            let index = &app.state.search;
            let first = index
                .submit("QT-01", &[item("QT-01", "chấm điểm")])
                .unwrap();
            // Longer than the default interval (1 s): the configured ten minutes hold it back.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            assert_eq!(hits(index, "cham diem"), 0, "committed before its trigger");
            // The second change reaches the configured count and commits both.
            let second = index
                .submit("QT-02", &[item("QT-02", "chấm điểm")])
                .unwrap();
            for ticket in [first, second] {
                tokio::time::timeout(Duration::from_secs(30), ticket.committed())
                    .await
                    .expect("the count trigger commits")
                    .unwrap();
            }
            assert_eq!(hits(index, "cham diem"), 2);
            app.finish().await;
        }
    }

    #[tokio::test]
    async fn a_search_spread_over_threads_finds_the_same() {
        for engine in crate::support::engines() {
            let app = crate::support::TestApp::start_with(engine, |config| {
                config.search_threads = 2;
            })
            .await;
            let index = &app.state.search;
            for n in 0..3 {
                // Separate commits make separate segments for the threads to share.
                index
                    .replace_group(
                        &format!("QT-0{n}"),
                        &[item(&format!("QT-0{n}"), "chấm điểm")],
                    )
                    .await
                    .unwrap();
            }
            assert_eq!(hits(index, "cham diem"), 3);
            app.finish().await;
        }
    }

    #[tokio::test]
    async fn closing_the_index_commits_what_is_pending() {
        let dir = tempfile::tempdir().unwrap();
        let policy = policy(1000, Duration::from_secs(3600));
        let index = SearchIndex::open(dir.path(), policy).unwrap();
        let ticket = index
            .submit("QT-01", &[item("QT-01", "hành động khắc phục")])
            .unwrap();
        drop(index);
        ticket.committed().await.unwrap();
        let reopened = SearchIndex::open(dir.path(), policy).unwrap();
        assert_eq!(hits(&reopened, "hanh dong khac phuc"), 1);
    }
}

db_test!(
    staff_find_what_is_in_force_and_history_when_they_ask_for_it,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = issued(
            &app,
            &agency,
            "QT-02",
            "Quy trình kiểm định",
            "kiểm định phương tiện đo lần một",
            &[],
        )
        .await;
        app.issue_file(
            &agency,
            &document,
            ("qt02.txt", "kiểm định phương tiện đo lần hai".as_bytes()),
            Some("Sửa đổi"),
            today(),
        )
        .await;
        app.drain_jobs().await;
        let in_force = search(&app, &agency.staff, "kiểm định").await;
        assert_eq!(in_force["total"], 1, "{in_force}");
        assert_eq!(in_force["hits"][0]["status"], "effective");
        let with_history = app
            .get(
                "/api/v1/search?q=ki%E1%BB%83m%20%C4%91%E1%BB%8Bnh&history=true",
                &agency.staff,
            )
            .await;
        assert_eq!(with_history.json["total"], 2, "{}", with_history.text);
        assert_eq!(
            with_history.json["hits"][0]["status"], "effective",
            "the version in force first"
        );
        let superseded = app
            .get(
                "/api/v1/search?q=ki%E1%BB%83m%20%C4%91%E1%BB%8Bnh&status=superseded",
                &agency.staff,
            )
            .await;
        assert_eq!(superseded.json["total"], 1, "{}", superseded.text);
    }
);

db_test!(a_hit_says_on_which_page_its_snippet_is, |app| {
    let agency = app.staffed_agency("SKHCN").await;
    let document = app.document(&agency, "QT-04", "Quy trình đánh giá").await;
    let pdf = crate::support::pdf_with_pages(&[
        "Muc luc",
        "Pham vi ap dung cua quy trinh",
        "Trach nhiem cua chuyen gia danh gia noi bo",
    ]);
    app.issue_file(&agency, &document, ("qt04.pdf", &pdf), None, today())
        .await;
    app.drain_jobs().await;
    let found = search(&app, &agency.staff, "chuyên gia đánh giá nội bộ").await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["hits"][0]["page"], 3, "{found}");
    let snippet = found["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>"), "{snippet}");
    assert!(
        !snippet.contains('\u{000C}'),
        "no page break in the snippet: {snippet:?}"
    );
});

db_test!(
    the_owner_of_a_document_finds_its_draft_like_its_editors_do,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        // A staff member made owner of a procedure works on its draft like an editor.
        let owner = app
            .user_with_role("chuyenvien", "staff", Some(&agency.id))
            .await;
        let me = app.get("/api/v1/me", &owner).await;
        let owner_id = me.json["id"].as_str().unwrap().to_owned();
        let created = app
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": agency.id, "code": "QT-08", "title": "Quy trình lưu trữ",
                       "kind": "procedure", "owner_id": owner_id}),
            )
            .await;
        let document = crate::support::id_of(&created);
        let draft = app
            .upload(
                &owner,
                &document,
                "qt08.txt",
                "dự thảo quy trình lưu trữ hồ sơ".as_bytes(),
                None,
            )
            .await;
        assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
        app.drain_jobs().await;
        // The same rule everywhere: the document page, the version, and search.
        let page = app
            .get(&format!("/api/v1/documents/{document}"), &owner)
            .await;
        assert_eq!(page.json["versions"].as_array().unwrap().len(), 1);
        let version = crate::support::id_of(&draft);
        assert_eq!(
            app.get(&format!("/api/v1/versions/{version}"), &owner)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(search(&app, &owner, "lưu trữ").await["total"], 1);
        // Other staff see nothing of it.
        assert_eq!(search(&app, &agency.staff, "lưu trữ").await["total"], 0);
    }
);

db_test!(
    fsck_counts_a_document_waiting_for_its_index_job_as_waiting_not_lost,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let document = app.document(&agency, "QT-09", "Quy trình").await;
        let uploaded = app
            .upload(
                &agency.officer,
                &document,
                "qt09.txt",
                "Nội dung".as_bytes(),
                None,
            )
            .await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
        // Nothing has run: the document is not in the index yet, and its index job waits.
        let state = &app.state;
        let report = hoso::domain::fsck::fsck(
            &state.db,
            &state.blobs,
            &state.search,
            &state.indexers,
            false,
        )
        .await
        .unwrap();
        assert!(report.is_clean(), "{report:?}");
        assert_eq!(
            report.index_waiting,
            [("document".to_owned(), document.parse().unwrap())]
        );
    }
);

db_test!(
    a_snippet_shows_the_passage_that_matched_not_the_letterhead,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let report = "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN\nSỞ KHOA HỌC VÀ CÔNG NGHỆ\n\
            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\
            Số: 45/BC-SKHCN\nĐiện Biên, ngày 12 tháng 3 năm 2026\nBÁO CÁO\n\
            Kết quả đánh giá chất lượng nội bộ năm 2026\n\
            Thực hiện kế hoạch năm 2026 của Sở Khoa học và Công nghệ tỉnh Điện Biên, đoàn đánh \
            giá đã làm việc với các phòng trong tháng 3 năm 2026. Giao đồng chí chánh văn phòng \
            Sở chủ trì khắc phục các điểm chưa phù hợp trước ngày 30 tháng 4 năm 2026.";
        issued(
            &app,
            &agency,
            "BC-45",
            "Báo cáo kết quả đánh giá chất lượng nội bộ năm 2026",
            report,
            &[],
        )
        .await;
        app.drain_jobs().await;
        let found = search(&app, &agency.staff, "chánh văn phòng tỉnh năm 2026").await;
        assert_eq!(found["total"], 1, "{found}");
        let snippet = found["hits"][0]["snippet"].as_str().unwrap();
        assert!(
            snippet.contains("<mark>chánh</mark> <mark>văn</mark> <mark>phòng</mark>"),
            "{snippet}"
        );
        assert!(!snippet.contains("ỦY BAN"), "{snippet}");
    }
);
