//! The journeys: signing in by keyboard, the ISO officer's documents, the agency head's
//! approval, the staff's reading list and search.

use axum::http::StatusCode;
use serde_json::json;

use super::{browser::Browser, browser_test};
use crate::support::{TestApp, id_of, pdf_with_pages};

/// A department with two procedures in force and a third whose first draft awaits approval.
struct Office {
    code: String,
    agency_id: String,
    officer: String,
    head: String,
    in_force: String,
    in_review: String,
    agency: crate::support::Agency,
}

async fn office(app: &TestApp) -> Office {
    let agency = app.staffed_agency("SOKHCN").await;
    let today = hoso::clock::today();
    let in_force = app
        .document(&agency, "QT-01", "Quy trình kiểm soát tài liệu")
        .await;
    app.issue_version(
        &agency,
        &in_force,
        "Quy trinh kiem soat tai lieu va ho so theo TCVN ISO 9001:2015",
        None,
        today,
    )
    .await;
    let second = app
        .document(&agency, "QT-02", "Quy trình đánh giá nội bộ")
        .await;
    app.issue_version(
        &agency,
        &second,
        "Danh gia noi bo hang nam theo ke hoach duoc phe duyet",
        None,
        today,
    )
    .await;
    let in_review = app
        .document(&agency, "QT-03", "Quy trình xử lý phản ánh, kiến nghị")
        .await;
    let uploaded = app
        .upload(
            &agency.officer,
            &in_review,
            "phan-anh.pdf",
            &pdf_with_pages(&["Tiep nhan va xu ly phan anh, kien nghi cua to chuc, ca nhan"]),
            None,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
    let submitted = app
        .post(
            &format!("/api/v1/versions/{}/submit", id_of(&uploaded)),
            &agency.officer,
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    app.drain_jobs().await;
    Office {
        code: "sokhcn".to_owned(),
        agency_id: agency.id.clone(),
        officer: agency.officer.clone(),
        head: agency.head.clone(),
        in_force,
        in_review,
        agency,
    }
}

browser_test!(signing_in_with_the_keyboard_then_searching, |app| {
    let office = office(&app).await;
    let browser = Browser::open(&app, "vi").await;

    // A page asked for without a session leads to the sign-in form, in Vietnamese.
    browser.goto("/documents").await;
    assert!(browser.path().await.starts_with("/sign-in?next="));
    assert!(browser.main_text().await.contains("Đăng nhập"));
    browser.assert_accessible().await;

    // A wrong password says so and keeps the username typed.
    browser
        .type_keys(&format!(
            "thuky-{}\u{E004}sai-mat-khau\u{E007}",
            office.code
        ))
        .await;
    browser
        .wait_for_text("Sai tên đăng nhập hoặc mật khẩu")
        .await;
    let username = browser.find("#username").await;
    assert_eq!(
        username.prop("value").await.unwrap().as_deref(),
        Some(format!("thuky-{}", office.code).as_str())
    );

    // Keyboard only: the username field, Tab, the password, Enter; back where the visitor was.
    username.click().await.unwrap();
    browser
        .type_keys(&format!("\u{E004}{}\u{E007}", crate::support::PASSWORD))
        .await;
    browser.find("nav.main").await;
    assert_eq!(browser.path().await, "/documents");
    browser.wait_for_text("Danh mục tài liệu").await;

    // Keyboard only: Tab past the skip link and the brand to the search box, type, Enter.
    browser.goto("/").await;
    browser.type_keys("\u{E004}\u{E004}\u{E004}").await;
    let focused = browser.client.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("top-q"));
    browser.type_keys("kiem soat tai lieu\u{E007}").await;
    browser.wait_for_text("kết quả").await;
    let first_hit = browser.find("ol.hits li").await.text().await.unwrap();
    assert!(first_hit.contains("QT-01"), "{first_hit}");
    let marked = browser
        .find("ol.hits li .snippet mark")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ["kiem", "soat", "tai", "lieu"].contains(&marked.to_lowercase().as_str()),
        "{marked}"
    );
    browser.assert_accessible().await;

    // Sign out: the pages need signing in again.
    browser.click_text("Đăng xuất").await;
    browser.find("#username").await;
    browser.goto("/").await;
    assert!(browser.path().await.starts_with("/sign-in"));
    browser.screenshot("sign-in-and-search").await;
    browser.close().await;
});

browser_test!(an_iso_officer_uploads_a_new_issue_and_submits_it, |app| {
    let office = office(&app).await;
    let browser = Browser::open(&app, "vi").await;
    browser.sign_in(&format!("thuky-{}", office.code)).await;

    // The dashboard: the agency's year at a glance and the drafts in progress.
    let home = browser.main_text().await;
    assert!(home.contains("Việc cần làm"), "{home}");
    assert!(home.contains("Cơ quan SOKHCN — năm"), "{home}");
    assert!(home.contains("QT-03"), "{home}");
    browser.assert_accessible().await;

    // The register, filtered to procedures in force.
    browser.click_text("Tài liệu").await;
    browser.wait_for_text("Danh mục tài liệu").await;
    browser
        .find("#f-status")
        .await
        .select_by_value("effective")
        .await
        .unwrap();
    browser.click_text("Lọc").await;
    browser.wait_for_text("Tài liệu 1–2 trong tổng số 2").await;
    assert!(!browser.main_text().await.contains("QT-03"));
    browser.assert_accessible().await;

    // The document: its issue in force, who has read it.
    browser.click_text("QT-01").await;
    browser.wait_for_text("Quy trình kiểm soát tài liệu").await;
    let page = browser.main_text().await;
    assert!(page.contains("Lần ban hành 01"), "{page}");
    assert!(page.contains("Hiệu lực"), "{page}");
    assert!(page.contains("0/3 người đã xác nhận đọc"), "{page}");
    browser.assert_accessible().await;

    // A new issue by upload, with a progress bar, then sent for approval.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quy-trinh-sua-doi.pdf");
    std::fs::write(&file, pdf_with_pages(&["Sua doi: bo sung buoc kiem tra"])).unwrap();
    browser
        .find("#file")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    browser
        .find("#change_summary")
        .await
        .send_keys("Bổ sung bước kiểm tra")
        .await
        .unwrap();
    browser.click_text("Tải lên dự thảo").await;
    browser.wait_for_text("Đã tải lên dự thảo mới.").await;
    let page = browser.main_text().await;
    assert!(page.contains("Lần ban hành 02 Dự thảo"), "{page}");
    assert!(page.contains("Bổ sung bước kiểm tra"), "{page}");
    browser.click_text("Gửi duyệt").await;
    browser.wait_for_text("Đã gửi duyệt.").await;
    assert!(
        browser
            .main_text()
            .await
            .contains("Lần ban hành 02 Chờ duyệt")
    );
    browser.assert_accessible().await;
    browser.screenshot("iso-officer-document").await;
    assert_eq!(
        browser.path().await,
        format!("/documents/{}?done=submit", office.in_force)
    );
    browser.close().await;
});

browser_test!(
    an_agency_head_approves_publishes_and_signs_off_a_review,
    |app| {
        let office = office(&app).await;
        let head = app.get("/api/v1/me", &office.head).await;
        let review = app
            .post(
                "/api/v1/management-reviews",
                &office.officer,
                json!({"agency_id": office.agency_id, "held_on": hoso::clock::today(),
                       "chair_id": head.json["id"]}),
            )
            .await;
        assert_eq!(review.status, StatusCode::CREATED, "{}", review.text);
        let browser = Browser::open(&app, "vi").await;
        browser.sign_in(&format!("lanhdao-{}", office.code)).await;

        // The inbox: the draft waiting, the review to sign.
        browser.click_text("Chờ phê duyệt").await;
        browser.wait_for_text("Việc chờ phê duyệt").await;
        let inbox = browser.main_text().await;
        assert!(
            inbox.contains("QT-03") && inbox.contains("Chờ duyệt"),
            "{inbox}"
        );
        browser.assert_accessible().await;
        browser.click_text("Ký duyệt").await;
        browser.wait_for_text("Đã ký duyệt biên bản xem xét.").await;

        browser.click_text("QT-03").await;
        browser.wait_for_text("Lần ban hành 01 Chờ duyệt").await;
        assert_eq!(
            browser.path().await,
            format!("/documents/{}", office.in_review)
        );
        // The draft is shown in the page (pdf.js), its words selectable.
        browser.find(".pdf-page.drawn").await;
        browser.wait_for_text("Trang 1/1").await;
        let drawn = browser.find(".pdf-page .textLayer").await.text().await;
        assert!(
            drawn.unwrap_or_default().contains("Tiep nhan"),
            "the draft's text layer"
        );

        // Sending back needs a reason: said beside the page, nothing changed.
        browser.click_text("Trả lại").await;
        browser.find("[role=alert]").await;
        assert!(
            browser
                .main_text()
                .await
                .contains("Lần ban hành 01 Chờ duyệt")
        );
        browser.assert_accessible().await;

        browser.click_text("Phê duyệt").await;
        browser.wait_for_text("Đã phê duyệt.").await;
        browser.click_text("Ban hành").await;
        browser.wait_for_text("Đã ban hành.").await;
        let page = browser.main_text().await;
        assert!(page.contains("Lần ban hành 01 Hiệu lực"), "{page}");
        browser.assert_accessible().await;
        browser.click_text("Chờ phê duyệt").await;
        browser.wait_for_text("Việc chờ phê duyệt").await;
        assert!(
            !browser.main_text().await.contains("QT-03"),
            "nothing waits any more"
        );
        browser.screenshot("agency-head-approvals").await;
        browser.close().await;
    }
);

browser_test!(
    staff_read_and_acknowledge_new_procedures_in_english_and_on_a_phone,
    |app| {
        let office = office(&app).await;
        let browser = Browser::open(&app, "en").await;
        browser.sign_in(&format!("canbo-{}", office.code)).await;
        assert!(
            browser
                .main_text()
                .await
                .contains("2 new documents to read")
        );

        browser.click_text("To read").await;
        browser.wait_for_text("Documents to read").await;
        let list = browser.main_text().await;
        assert!(list.contains("QT-01") && list.contains("QT-02"), "{list}");
        assert!(
            !list.contains("QT-03"),
            "a draft is nobody's reading: {list}"
        );
        browser.assert_accessible().await;

        // With scripts, the button's cell turns into the acknowledgement in place.
        browser
            .find("button[aria-label='I have read it: QT-01']")
            .await
            .click()
            .await
            .unwrap();
        browser.wait_for_text("Read on").await;
        browser.client.refresh().await.unwrap();
        let list = browser.main_text().await;
        assert!(!list.contains("QT-01") && list.contains("QT-02"), "{list}");

        // My account, under the name the header shows (the display name, not the username).
        let who = browser.find("a.who").await;
        assert_eq!(
            who.text().await.unwrap(),
            format!("Người dùng canbo-{}", office.code)
        );
        // A new password typed twice differently is refused beside the field.
        who.click().await.unwrap();
        browser.wait_for_text("My account").await;
        browser
            .find("#current_password")
            .await
            .send_keys(crate::support::PASSWORD)
            .await
            .unwrap();
        browser
            .find("#new_password")
            .await
            .send_keys("mat-khau-moi-dai-du")
            .await
            .unwrap();
        browser
            .find("#repeat_password")
            .await
            .send_keys("mat-khau-khac-han")
            .await
            .unwrap();
        browser.click_text("Save the new password").await;
        browser.wait_for_text("The two new passwords differ").await;
        browser.assert_accessible().await;
        browser.click_text("To read").await;
        browser.wait_for_text("Documents to read").await;

        // The page in Vietnamese, by the language switch, on a phone.
        browser.click_text("Tiếng Việt").await;
        browser.wait_for_text("Tài liệu cần đọc").await;
        browser.as_phone().await;
        browser.assert_accessible().await;
        browser.screenshot("staff-reading-list-phone").await;
        browser.close().await;
    }
);

browser_test!(search_narrows_by_facets_and_by_the_day_in_force, |app| {
    let office = office(&app).await;
    let browser = Browser::open(&app, "vi").await;
    browser.sign_in(&format!("thuky-{}", office.code)).await;
    browser.goto("/search?q=quy+tr%C3%ACnh").await;
    browser.wait_for_text("kết quả").await;
    let results = browser.main_text().await;
    assert!(
        results.contains("QT-01") && results.contains("QT-02"),
        "{results}"
    );
    browser.assert_accessible().await;

    // A facet narrows the hits and is shown as chosen.
    browser.click_text("Cơ quan SOKHCN").await;
    browser.find("a.chosen").await;
    assert!(browser.path().await.contains("agency="));

    // As of a day before anything was in force: nothing.
    browser
        .client
        .execute(
            "document.getElementById('s-as-of').value = '2020-01-01';",
            vec![],
        )
        .await
        .unwrap();
    browser
        .find("form.filters button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("Không tìm thấy kết quả nào.").await;
    assert!(browser.path().await.contains("as_of=2020-01-01"));

    // Back to today: the hit opens its document.
    browser
        .client
        .execute("document.getElementById('s-as-of').value = '';", vec![])
        .await
        .unwrap();
    browser
        .find("form.filters button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("QT-01").await;
    browser
        .click_text("QT-01 — Quy trình kiểm soát tài liệu")
        .await;
    browser.wait_for_text("Căn cứ pháp lý").await;
    assert_eq!(
        browser.path().await,
        format!("/documents/{}", office.in_force)
    );
    browser.screenshot("search").await;
    browser.close().await;
});

browser_test!(
    a_search_hit_opens_its_pdf_at_the_page_it_matched_with_the_words_marked,
    |app| {
        let office = office(&app).await;
        let agency = &office.agency;
        let archive = app.document(agency, "QT-07", "Quy trình lưu trữ").await;
        let version = app
            .issue_file(
                agency,
                &archive,
                (
                    "luu-tru.pdf",
                    &pdf_with_pages(&[
                        "Muc dich va pham vi ap dung",
                        "Thoi han bao quan ho so luu tru tai co quan",
                    ]),
                ),
                None,
                hoso::clock::today(),
            )
            .await;
        app.drain_jobs().await;
        let browser = Browser::open(&app, "vi").await;
        browser.sign_in(&format!("canbo-{}", office.code)).await;
        browser.goto("/search?q=bao+qu%E1%BA%A3n").await;
        browser.wait_for_text("QT-07").await;
        browser.click_text("luu-tru.pdf (trang 2)").await;
        browser.find("mark.hit").await;
        assert!(
            browser
                .path()
                .await
                .starts_with(&format!("/versions/{version}/view?page=2&q=")),
            "{}",
            browser.path().await
        );
        // The page the search matched, its words marked (diacritics aside, as search reads them).
        browser.wait_for_text("Trang 2/2 · 2 chỗ khớp").await;
        let marked = browser
            .client
            .execute(
                "return Array.from(document.querySelectorAll('mark.hit')).map(m => m.textContent).join(' ');",
                vec![],
            )
            .await
            .unwrap();
        // "bảo quản" as one mark (a phrase), and "quản" alone in "cơ quan".
        assert_eq!(marked.as_str(), Some("bao quan quan"), "{marked}");
        assert!(browser.main_text().await.contains("Tải tệp gốc"));
        browser.assert_accessible().await;
        browser.screenshot("viewer-search-hit").await;
        // On a phone the pages are drawn again to its width.
        browser.as_phone().await;
        browser
            .find(".pdf-page.drawn[style*='width: 3'] mark.hit")
            .await;
        browser.screenshot("viewer-search-hit-phone").await;
        browser.close().await;
    }
);
