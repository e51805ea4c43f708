//! The internal auditor's journey in the browser: plan the audit, ask the checklist, log a
//! finding with its file (a wrong clause refused first, the text kept), raise the corrective
//! action from it; the ISO officer plans and completes its step; the auditor verifies it and
//! the finding closes.

use super::{browser::Browser, browser_test};
use crate::support::pdf_with_pages;

browser_test!(
    an_internal_auditor_audits_and_verifies_the_correction,
    |app| {
        let agency = app.staffed_agency("SOTP").await;
        app.user_with_role("danhgia-sotp", "internal_auditor", Some(&agency.id))
            .await;
        let photo = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("so-theo-doi.pdf");
        std::fs::write(
            &photo,
            pdf_with_pages(&["So theo doi ho so mot cua quy I chua ghi ngay tra ket qua"]),
        )
        .unwrap();
        let today = hoso::clock::today().format("%Y-%m-%d").to_string();
        let browser = Browser::open(&app, "vi").await;
        browser.sign_in("danhgia-sotp").await;

        // The programme is empty; the audit is planned from it.
        browser.click_text("Đánh giá nội bộ").await;
        browser
            .wait_for_text("Chưa có cuộc đánh giá nội bộ nào")
            .await;
        browser.assert_accessible().await;
        browser
            .find("#p-title")
            .await
            .send_keys("Đánh giá nội bộ đợt 1")
            .await
            .unwrap();
        browser.set_value("#p-start", &today).await;
        browser.set_value("#p-end", &today).await;
        browser
            .find("#p-processes")
            .await
            .send_keys("Tiếp nhận và trả kết quả TTHC")
            .await
            .unwrap();
        browser.click_text("Lập kế hoạch").await;
        browser.wait_for_text("Đã lập kế hoạch đánh giá.").await;
        let audit_path = browser.path().await;
        let page = browser.main_text().await;
        assert!(
            page.contains("Đánh giá nội bộ đợt 1") && page.contains("Người dùng danhgia-sotp"),
            "{page}"
        );

        // The checklist: a question asked and answered.
        browser.click_text("Bắt đầu đánh giá").await;
        browser.wait_for_text("Đang thực hiện").await;
        browser.find("details summary").await.click().await.unwrap();
        browser
            .find("#q-question")
            .await
            .send_keys("Sổ theo dõi hồ sơ có ghi đủ ngày trả kết quả?")
            .await
            .unwrap();
        browser.select("#q-clause", "8.5.1").await;
        browser.select("#q-answer", "nonconform").await;
        browser.click_text("Thêm câu hỏi").await;
        browser.wait_for_text("Đã thêm câu hỏi.").await;
        assert!(
            browser.main_text().await.contains("Không phù hợp"),
            "the answer shows as a word"
        );
        browser.assert_accessible().await;

        // A finding with a clause that does not exist: refused, the description kept.
        browser
            .find("input[name=grade][value=minor]")
            .await
            .click()
            .await
            .unwrap();
        browser
            .find("#f-clause")
            .await
            .send_keys("99.9")
            .await
            .unwrap();
        browser
            .find("#f-description")
            .await
            .send_keys("Sổ theo dõi quý I thiếu ngày trả kết quả")
            .await
            .unwrap();
        browser
            .find("#f-files")
            .await
            .send_keys(photo.to_str().unwrap())
            .await
            .unwrap();
        browser.click_text("Ghi nhận phát hiện").await;
        browser.find("[role=alert]").await;
        assert_eq!(
            browser
                .find("#f-description")
                .await
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("Sổ theo dõi quý I thiếu ngày trả kết quả")
        );
        browser.assert_accessible().await;
        let clause = browser.find("#f-clause").await;
        clause.clear().await.unwrap();
        clause.send_keys("8.5.1").await.unwrap();
        browser
            .find("input[name=grade][value=minor]")
            .await
            .click()
            .await
            .unwrap();
        browser
            .find("#f-files")
            .await
            .send_keys(photo.to_str().unwrap())
            .await
            .unwrap();
        browser.click_text("Ghi nhận phát hiện").await;
        browser.wait_for_text("Đã ghi nhận phát hiện.").await;
        let finding = browser.main_text().await;
        assert!(
            finding.contains("Không phù hợp nhẹ")
                && finding.contains("8.5.1 — Kiểm soát sản xuất và cung cấp dịch vụ")
                && finding.contains("so-theo-doi.pdf"),
            "{finding}"
        );
        browser.assert_accessible().await;

        // The corrective action raised from it, the nonconformity filled in.
        browser
            .find("#c-cause")
            .await
            .send_keys("Chưa phân công người ghi sổ")
            .await
            .unwrap();
        browser.click_text("Lập phiếu hành động khắc phục").await;
        browser
            .wait_for_text("Đã lập phiếu hành động khắc phục.")
            .await;
        let corrective_path = browser.path().await;
        assert!(
            browser
                .main_text()
                .await
                .contains("Sổ theo dõi quý I thiếu ngày trả kết quả")
        );
        browser.click_text("Đăng xuất").await;

        // The ISO officer plans the step and marks it done.
        browser.sign_in("thuky-sotp").await;
        browser
            .goto(corrective_path.split('?').next().unwrap())
            .await;
        browser
            .find("#s-what")
            .await
            .send_keys("Phân công công chức ghi sổ hằng ngày")
            .await
            .unwrap();
        browser.set_value("#s-due", &today).await;
        browser.click_text("Thêm bước thực hiện").await;
        browser.wait_for_text("Đã thêm bước thực hiện.").await;
        browser.click_text("Đánh dấu đã xong").await;
        browser.wait_for_text("Chờ kiểm tra hiệu lực").await;
        browser.assert_accessible().await;
        browser.click_text("Đăng xuất").await;

        // The auditor verifies: effective closes the corrective action and the finding.
        browser.sign_in("danhgia-sotp").await;
        browser
            .goto(corrective_path.split('?').next().unwrap())
            .await;
        browser
            .find("input[name=effective][value=yes]")
            .await
            .click()
            .await
            .unwrap();
        browser
            .find("#v-note")
            .await
            .send_keys("Sổ quý II ghi đủ ngày trả kết quả")
            .await
            .unwrap();
        browser.click_text("Ghi kết quả kiểm tra").await;
        browser
            .wait_for_text("Đã ghi kết quả kiểm tra hiệu lực.")
            .await;
        let verified = browser.main_text().await;
        assert!(
            verified.contains("Đã đóng") && verified.contains("Có hiệu lực: Sổ quý II"),
            "{verified}"
        );
        browser.goto(audit_path.split('?').next().unwrap()).await;
        browser.wait_for_text("Phát hiện").await;
        let audit = browser.main_text().await;
        assert!(
            audit.contains("Sổ theo dõi quý I thiếu ngày trả kết quả"),
            "{audit}"
        );
        browser.assert_accessible().await;
        browser.as_phone().await;
        browser.screenshot("internal-auditor-audit").await;
        browser.close().await;
    }
);
