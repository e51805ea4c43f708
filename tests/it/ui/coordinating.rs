//! The coordinator's journey in the browser: a criteria workbook with mistakes refused with
//! every problem by row, the sample set imported from JSON, a period created over the
//! departments and opened, an appraiser assigned and the on-site sample drawn.

use super::{browser::Browser, browser_test};
use crate::scoring::{department, province, sets::workbook};

browser_test!(a_coordinator_imports_criteria_and_runs_a_period, |app| {
    let province = province(&app).await;
    department(&app, &province, "SNV").await;
    department(&app, &province, "STC").await;
    app.user_with_role("thamdinh", "appraiser", Some(&province.id))
        .await;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let broken = dir.join("bo-tieu-chi-loi.xlsx");
    std::fs::write(
        &broken,
        workbook(&[
            ["1", "", "Nhóm", "", "", ""],
            ["1.1", "9", "Không có cha", "40", "", ""],
            ["1.2", "1", "Điểm chữ", "nhiều", "", ""],
        ]),
    )
    .unwrap();
    let sample = dir.join("bo-tieu-chi.json");
    std::fs::write(&sample, include_str!("../../fixtures/criteria/sample.json")).unwrap();
    let today = hoso::clock::today();
    let browser = Browser::open(&app, "vi").await;
    browser.sign_in("sokhcn").await;

    // A workbook with mistakes: nothing imported, every problem named by its row.
    browser.click_text("Bộ tiêu chí").await;
    browser.wait_for_text("Chưa có bộ tiêu chí nào.").await;
    browser
        .find("#cs-file")
        .await
        .send_keys(broken.to_str().unwrap())
        .await
        .unwrap();
    browser
        .find("#cs-code")
        .await
        .send_keys("BTC-LOI")
        .await
        .unwrap();
    browser
        .find("#cs-name")
        .await
        .send_keys("Bộ lỗi")
        .await
        .unwrap();
    browser.click_text("Nhập").await;
    browser.find("[role=alert]").await;
    let problems = browser.find("table.problems").await.text().await.unwrap();
    assert!(
        problems.contains("trang criteria, dòng 3, cột parent")
            && problems.contains("trang criteria, dòng 4, cột max_points"),
        "{problems}"
    );
    assert!(
        browser
            .main_text()
            .await
            .contains("Chưa có bộ tiêu chí nào.")
    );
    browser.assert_accessible().await;

    // The sample set from its JSON file.
    browser
        .find("#cs-file")
        .await
        .send_keys(sample.to_str().unwrap())
        .await
        .unwrap();
    browser.click_text("Nhập").await;
    browser.wait_for_text("Đã nhập bộ tiêu chí.").await;

    // A period over the province's departments, opened.
    browser
        .find("#np-name")
        .await
        .send_keys("Chấm điểm ISO năm nay")
        .await
        .unwrap();
    browser.select("#np-tree", "TINH").await;
    browser
        .find("input[name=kinds][value=commune]")
        .await
        .click()
        .await
        .unwrap();
    let due = |days: u64| {
        (today + chrono::Days::new(days))
            .format("%Y-%m-%d")
            .to_string()
    };
    browser.set_value("#np-self", &due(20)).await;
    browser.set_value("#np-appraisal", &due(40)).await;
    browser.click_text("Tạo kỳ chấm điểm").await;
    browser
        .wait_for_text("Đã tạo kỳ chấm điểm (bản nháp).")
        .await;
    browser.click_text("Mở kỳ tự đánh giá").await;
    browser.wait_for_text("Đã mở kỳ tự đánh giá.").await;
    let page = browser.main_text().await;
    assert!(
        page.contains("Cơ quan SNV") && page.contains("Cơ quan STC"),
        "{page}"
    );

    // The appraiser assigned to one department, the sample drawn.
    let form = browser.find("form[action$='/appraisers'] button").await;
    form.click().await.unwrap();
    browser.wait_for_text("Đã phân công người thẩm định.").await;
    assert!(
        browser.main_text().await.contains("Người dùng thamdinh"),
        "the appraiser shows beside the agency"
    );
    browser.click_text("Chọn mẫu kiểm tra thực tế").await;
    browser.wait_for_text("Đã chọn mẫu kiểm tra thực tế.").await;
    let page = browser.main_text().await;
    assert!(
        page.contains("cơ quan để kiểm tra thực tế") && page.contains("Kiểm tra thực tế"),
        "{page}"
    );
    browser.assert_accessible().await;
    browser.screenshot("coordinator-period").await;
    browser.close().await;
});
