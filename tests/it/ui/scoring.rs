//! Scoring in the browser: the ISO officer scores a criterion, links a suggested document
//! and submits; the appraiser assigned to the agency appraises it.

use axum::http::StatusCode;
use serde_json::json;

use super::{browser::Browser, browser_test};
use crate::{
    records::user_id,
    scoring::{assessment_of, department, import_sample, open_period, province, score_all},
};

browser_test!(an_officer_self_assesses_and_an_appraiser_appraises, |app| {
    let province = province(&app).await;
    let agency = department(&app, &province, "SNV").await;
    // A decision the criterion's evidence hints describe, in force: the suggestion to link.
    let decision = app
        .document_of_kind(
            &agency,
            "QD-01",
            "Quyết định công bố phạm vi áp dụng",
            "other",
        )
        .await;
    app.issue_version(
        &agency,
        &decision,
        "Quyet dinh cong bo pham vi ap dung he thong quan ly chat luong cho toan bo thu tuc hanh chinh",
        None,
        hoso::clock::today(),
    )
    .await;
    app.drain_jobs().await;
    let set = import_sample(&app, &province).await;
    let due = hoso::clock::today() + chrono::Days::new(10);
    let period = open_period(&app, &province, &set, &[&agency.id], due).await;
    let assessment = assessment_of(&app, &agency, &period).await;

    let browser = Browser::open(&app, "vi").await;
    browser.sign_in("thuky-snv").await;
    browser.click_text("Đánh giá, xếp hạng").await;
    browser.wait_for_text("Cơ quan SNV").await;
    browser.assert_accessible().await;
    browser.click_text("Cơ quan SNV").await;
    browser.wait_for_text("0/").await;
    browser.assert_accessible().await;
    browser
        .click_text("1.1 Phạm vi áp dụng bao gồm toàn bộ hoạt động liên quan đến thực hiện thủ tục hành chính thuộc thẩm quyền giải quyết của cơ quan")
        .await;
    browser.wait_for_text("Gợi ý minh chứng").await;

    // Too many points: said beside the field, what was typed kept.
    let score = browser.find("#score").await;
    score.send_keys("99").await.unwrap();
    browser.click_text("Lưu điểm tự chấm").await;
    browser.find("#score-error").await;
    assert_eq!(
        browser
            .find("#score")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("99")
    );
    browser.assert_accessible().await;
    let score = browser.find("#score").await;
    score.clear().await.unwrap();
    score.send_keys("7,5").await.unwrap();
    browser
        .find("#text")
        .await
        .send_keys("Còn 1 TTHC chưa có quy trình")
        .await
        .unwrap();
    browser.click_text("Lưu điểm tự chấm").await;
    browser.wait_for_text("Đã lưu điểm tự chấm.").await;
    assert_eq!(
        browser
            .find("#score")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("7,5")
    );

    // One click links the suggested decision.
    browser
        .find("button[aria-label='Gắn làm minh chứng: QD-01']")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("Đã gắn minh chứng.").await;
    assert!(
        browser
            .main_text()
            .await
            .contains("QD-01 Quyết định công bố phạm vi áp dụng")
    );

    // The rest scored (as the API would), then submitted from the page.
    score_all(&app, &agency.officer, &assessment, 1.0).await;
    browser.goto(&format!("/assessments/{assessment}")).await;
    browser.click_text("Nộp bản tự đánh giá").await;
    browser.wait_for_text("Đã nộp bản tự đánh giá.").await;
    browser.screenshot("self-assessment-submitted").await;
    browser.close().await;

    // The appraiser, assigned, appraises the criterion.
    let appraiser = app
        .user_with_role("tdinh-tinh", "appraiser", Some(&province.id))
        .await;
    let started = app
        .post(
            &format!("/api/v1/periods/{period}/start-appraisal"),
            &province.coordinator,
            json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let assigned = app
        .post(
            &format!("/api/v1/periods/{period}/appraisers"),
            &province.coordinator,
            json!({"assessment_id": assessment, "user_id": user_id(&app, &appraiser).await}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.text);
    let browser = Browser::open(&app, "vi").await;
    browser.sign_in("tdinh-tinh").await;
    browser
        .goto(&format!("/assessments/{assessment}/criteria/1.1"))
        .await;
    browser.wait_for_text("Thẩm định").await;
    assert!(
        browser.main_text().await.contains("QD-01"),
        "the evidence is listed"
    );
    browser.find("#score").await.send_keys("7").await.unwrap();
    browser
        .find("#text")
        .await
        .send_keys("Minh chứng đầy đủ")
        .await
        .unwrap();
    browser.click_text("Lưu điểm thẩm định").await;
    browser.wait_for_text("Đã lưu điểm thẩm định.").await;
    browser.assert_accessible().await;
    browser.screenshot("appraisal").await;

    // The evidence opens in the page, drawn by the viewer, with the way back to the criterion.
    browser.click_text("Xem trên trình duyệt").await;
    browser.wait_for_text("Trang 1/1").await;
    assert!(
        browser.path().await.contains("/evidence/"),
        "{}",
        browser.path().await
    );
    browser.find(".pdf-page.drawn canvas").await;
    browser.assert_accessible().await;

    // A search inside the agency finds the decision, marked as the criterion's evidence.
    browser.goto(&format!("/assessments/{assessment}")).await;
    browser
        .find("#a-q")
        .await
        .send_keys("pham vi ap dung\u{E007}")
        .await
        .unwrap();
    browser.wait_for_text("Minh chứng của 1.1").await;
    assert!(browser.main_text().await.contains("QD-01"));
    browser.assert_accessible().await;
    browser.close().await;
});

browser_test!(an_officer_carries_last_years_evidence_forward, |app| {
    let demo = hoso::demo::load(&app.state, app.router.clone())
        .await
        .expect("the demo loads");
    // The justice department is half way through this year, last year's evidence not carried.
    let officer = demo
        .accounts
        .iter()
        .find(|account| account.username == "thuky.stp")
        .expect("the justice department's ISO officer");
    let token = app.login(&officer.username, &officer.password).await;
    let listed = app.get("/api/v1/assessments?status=open", &token).await;
    let assessment = listed.json["items"][0]["id"]
        .as_str()
        .expect("this year's assessment")
        .to_owned();
    let browser = Browser::open(&app, "vi").await;
    browser
        .sign_in_with(&officer.username, &officer.password)
        .await;
    browser.goto(&format!("/assessments/{assessment}")).await;
    browser.click_text("Mang minh chứng năm trước sang").await;
    browser.wait_for_text("minh chứng của năm trước").await;
    let page = browser.main_text().await;
    assert!(page.contains("Đã mang sang 2 minh chứng"), "{page}");
    browser.assert_accessible().await;
    browser.close().await;
});
