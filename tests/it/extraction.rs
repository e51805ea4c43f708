//! Text extraction from the formats agencies keep, on fixtures made with LibreOffice.

use hoso::extract::{ExtractError, LegacyEncoding, Limits, extract};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|error| panic!("fixture {name}: {error}"))
}

/// Lowercase without diacritics (đ → d), for assertions that hold either way.
fn folded(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.to_lowercase()
        .replace('đ', "d")
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

#[test]
fn every_office_format_yields_the_vietnamese_text() {
    for (name, content_type) in [
        ("vanban.docx", DOCX),
        ("vanban.doc", "application/msword"),
        ("vanban.odt", "application/vnd.oasis.opendocument.text"),
        ("vanban.pdf", "application/pdf"),
        ("vanban.html", "text/html"),
    ] {
        let extracted = extract(&fixture(name), content_type, &Limits::default())
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        let text = extracted.text();
        assert!(
            text.contains("Chấm điểm, đánh giá nội bộ"),
            "{name}: {text}"
        );
        assert!(text.contains("19/2014/QĐ-TTg"), "{name}: {text}");
        assert!(
            folded(&text).contains("cham diem, danh gia noi bo"),
            "{name}"
        );
        // The runs typed in .VnTime (TCVN3) and VNI-Times fonts come out as Unicode.
        assert!(
            text.contains("Báo cáo kết quả đánh giá nội bộ")
                || text.contains("báo cáo kết quả đánh giá nội bộ"),
            "{name}: {text}"
        );
        assert!(
            text.contains("Cộng hòa xã hội chủ nghĩa Việt Nam"),
            "{name}: {text}"
        );
        assert!(extracted.legacy_encoding.is_some(), "{name}");
    }
}

#[test]
fn spreadsheets_old_and_new_yield_their_cells() {
    for (name, content_type) in [
        ("bang.xls", "application/vnd.ms-excel"),
        (
            "bang.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("bang.ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("bang.csv", "text/csv"),
    ] {
        let text = extract(&fixture(name), content_type, &Limits::default())
            .unwrap_or_else(|error| panic!("{name}: {error}"))
            .text();
        assert!(
            text.contains("Phiếu yêu cầu hành động khắc phục"),
            "{name}: {text}"
        );
        assert!(text.contains("BM-02-QT05"), "{name}: {text}");
    }
}

#[test]
fn legacy_plain_text_files_are_converted() {
    let tcvn3 = extract(&fixture("tcvn3.txt"), "text/plain", &Limits::default()).unwrap();
    assert_eq!(tcvn3.legacy_encoding, Some(LegacyEncoding::Tcvn3));
    assert!(
        tcvn3.text().contains("báo cáo đánh giá nội bộ năm 2024"),
        "{}",
        tcvn3.text()
    );
    let vni = extract(&fixture("vni.txt"), "text/plain", &Limits::default()).unwrap();
    assert_eq!(vni.legacy_encoding, Some(LegacyEncoding::Vni));
    assert!(
        vni.text()
            .contains("Quyết định về việc áp dụng hệ thống quản lý chất lượng"),
        "{}",
        vni.text()
    );
    let utf16 = extract(&fixture("utf16.txt"), "text/plain", &Limits::default()).unwrap();
    assert_eq!(utf16.text(), "Sổ tay chất lượng");
}

#[test]
fn a_scanned_pdf_page_is_reported_for_ocr_and_an_image_needs_ocr() {
    let scan = extract(&fixture("scan.pdf"), "application/pdf", &Limits::default()).unwrap();
    assert_eq!(scan.pages_without_text, vec![1]);
    assert_eq!(
        extract(&fixture("scan.png"), "image/png", &Limits::default()),
        Err(ExtractError::NeedsOcr)
    );
}
