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
fn spreadsheet_dates_read_as_dates_not_serial_numbers() {
    // A one-sheet workbook whose cells A1 and B1 hold 15/03/2026 (serial 46096) in a date format.
    let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Ngày đánh giá</t></is></c><c r="B1" s="1"><v>46096</v></c><c r="C1" s="2"><v>46096.5</v></c></row></sheetData></worksheet>"#;
    let styles = r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#;
    let workbook = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Kế hoạch" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let workbook_rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let types = r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;
    let xlsx = zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
        ("xl/styles.xml", styles.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    let text = extract(
        &xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &Limits::default(),
    )
    .unwrap()
    .text();
    assert!(
        text.contains("Ngày đánh giá\t15/03/2026\t15/03/2026 12:00"),
        "{text}"
    );
    assert!(!text.contains("46096"), "{text}");
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

#[test]
fn a_blank_page_in_a_text_pdf_is_not_sent_to_ocr() {
    let pdf = crate::support::pdf_with_pages(&["Quy trinh kiem soat tai lieu", "", "Trang ba"]);
    let text = extract(&pdf, "application/pdf", &Limits::default()).unwrap();
    assert_eq!(text.pages.len(), 3);
    assert!(
        text.pages_without_text.is_empty(),
        "a blank page paints no image: {:?}",
        text.pages_without_text
    );
}

/// A zip archive with the given (name, content) entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn powerpoint_slides_become_pages() {
    let slide = |text: &str| {
        format!(
            "<p:sld xmlns:p=\"p\" xmlns:a=\"a\"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    };
    let (first, second) = (
        slide("Mục tiêu chất lượng"),
        slide("Xem xét của lãnh đạo &amp; cải tiến"),
    );
    let pptx = zip_of(&[
        ("ppt/slides/slide2.xml", second.as_bytes()),
        ("ppt/slides/slide1.xml", first.as_bytes()),
    ]);
    let extracted = extract(
        &pptx,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(extracted.pages.len(), 2);
    assert_eq!(extracted.pages[0].trim(), "Mục tiêu chất lượng");
    assert_eq!(extracted.pages[1].trim(), "Xem xét của lãnh đạo & cải tiến");
}

#[test]
fn a_zip_bomb_fails_with_a_clear_reason() {
    let huge = vec![b' '; 8 * 1024 * 1024];
    let bomb = zip_of(&[("word/document.xml", &huge)]);
    assert!(bomb.len() < 64 * 1024);
    let limits = Limits {
        max_decompressed_bytes: 1024 * 1024,
        ..Limits::default()
    };
    assert!(matches!(
        extract(&bomb, DOCX, &limits),
        Err(ExtractError::TooLarge(_))
    ));
    let sheet = zip_of(&[
        ("xl/worksheets/sheet1.xml", &huge),
        ("[Content_Types].xml", b"<Types/>"),
    ]);
    assert!(matches!(
        extract(
            &sheet,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &limits
        ),
        Err(ExtractError::TooLarge(_))
    ));
}

#[test]
fn billion_laughs_expands_nothing() {
    let mut xml = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for level in 1..10 {
        let previous = if level == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", level - 1)
        };
        xml.push_str(&format!(
            "<!ENTITY lol{level} \"{}\">",
            format!("&{previous};").repeat(10)
        ));
    }
    xml.push_str("]><w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>Quy trình &lol9;</w:t></w:r></w:p></w:body></w:document>");
    let docx = zip_of(&[("word/document.xml", xml.as_bytes())]);
    let extracted = extract(&docx, DOCX, &Limits::default()).unwrap();
    assert_eq!(extracted.text().trim(), "Quy trình");
}

#[test]
fn absurdly_deep_xml_is_refused() {
    let xml = format!(
        "<w:document xmlns:w=\"w\">{}{}</w:document>",
        "<w:x>".repeat(5000),
        "</w:x>".repeat(5000)
    );
    let docx = zip_of(&[("word/document.xml", xml.as_bytes())]);
    assert!(matches!(
        extract(&docx, DOCX, &Limits::default()),
        Err(ExtractError::TooLarge(_))
    ));
}

#[tokio::test]
async fn damaged_and_encrypted_files_fail_cleanly() {
    let pdf = fixture("vanban.pdf");
    let noise: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 11) as u8)
        .collect();
    for (bytes, content_type) in [
        (noise.clone(), "application/pdf"),
        (noise.clone(), DOCX),
        (noise.clone(), "application/msword"),
        (noise.clone(), "application/vnd.ms-excel"),
        (pdf[..pdf.len() / 3].to_vec(), "application/pdf"),
        (fixture("vanban.doc")[..3000].to_vec(), "application/msword"),
        (fixture("vanban.docx")[..2000].to_vec(), DOCX),
    ] {
        // Whatever the outcome, it is an answer: no panic, no hang.
        let limits = Limits {
            timeout: std::time::Duration::from_secs(10),
            ..Limits::default()
        };
        let outcome = hoso::extract::extract_async(bytes, content_type.into(), limits).await;
        assert!(
            !matches!(
                outcome,
                Err(ExtractError::TimedOut(_) | ExtractError::Crashed)
            ),
            "{content_type}: {outcome:?}"
        );
    }
    assert_eq!(
        extract(
            &fixture("encrypted.pdf"),
            "application/pdf",
            &Limits::default()
        ),
        Err(ExtractError::Encrypted)
    );
}

#[tokio::test]
async fn a_pdf_whose_page_tree_loops_fails_without_hanging_or_crashing() {
    let looped = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[2 0 R 3 0 R]/Count 2>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/Contents 4 0 R>>endobj\n4 0 obj<</Length 999999999>>stream\nBT ET\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    let limits = Limits {
        timeout: std::time::Duration::from_secs(10),
        ..Limits::default()
    };
    let outcome =
        hoso::extract::extract_async(looped.to_vec(), "application/pdf".into(), limits).await;
    assert!(
        !matches!(
            outcome,
            Err(ExtractError::TimedOut(_) | ExtractError::Crashed)
        ),
        "{outcome:?}"
    );
}

mod jobs {
    use axum::http::StatusCode;

    use hoso::jobs::Lane;

    use super::fixture;
    use crate::support::{Engine, TestApp, db_test, id_of};

    db_test!(
        an_uploaded_office_file_becomes_searchable_text_in_the_background,
        |app| {
            let agency = app.staffed_agency("SKHCN").await;
            let document = app.document(&agency, "QT-01", "Quy trình").await;
            let uploaded = app
                .upload(
                    &agency.officer,
                    &document,
                    "vanban.docx",
                    &fixture("vanban.docx"),
                    None,
                )
                .await;
            assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
            assert_eq!(uploaded.json["extraction"]["status"], "queued");
            let version = id_of(&uploaded);
            app.drain_jobs().await;
            let after = app
                .get(&format!("/api/v1/versions/{version}"), &agency.officer)
                .await;
            assert_eq!(after.json["extraction"]["status"], "done", "{}", after.text);
            assert_eq!(after.json["extraction"]["method"], "docx");
            assert!(after.json["extraction"]["legacy_encoding"].is_string());
            let text = app
                .get(&format!("/api/v1/versions/{version}/text"), &agency.officer)
                .await;
            assert!(
                text.json["pages"][0]
                    .as_str()
                    .unwrap()
                    .contains("Chấm điểm, đánh giá nội bộ")
            );
        }
    );

    db_test!(
        a_file_that_cannot_be_read_fails_extraction_but_stays_usable,
        |app| {
            let agency = app.staffed_agency("SKHCN").await;
            let document = app.document(&agency, "QT-01", "Quy trình").await;
            let mut broken = b"%PDF-1.7\n".to_vec();
            broken.extend((0..4000u32).map(|i| (i.wrapping_mul(2654435761) >> 9) as u8));
            let uploaded = app
                .upload(&agency.officer, &document, "hong.pdf", &broken, None)
                .await;
            let version = id_of(&uploaded);
            app.drain_jobs().await;
            let after = app
                .get(&format!("/api/v1/versions/{version}"), &agency.officer)
                .await;
            assert_eq!(after.json["extraction"]["status"], "failed");
            assert!(
                after.json["extraction"]["error"]
                    .as_str()
                    .unwrap()
                    .contains("damaged")
            );
            let file = app
                .get(&format!("/api/v1/versions/{version}/file"), &agency.officer)
                .await;
            assert_eq!(file.bytes, broken, "the original stays downloadable");
            let submitted = app
                .call(
                    axum::http::Method::POST,
                    &format!("/api/v1/versions/{version}/submit"),
                    Some(&agency.officer),
                    None,
                )
                .await;
            assert_eq!(
                submitted.status,
                StatusCode::OK,
                "and usable in the workflow"
            );
        }
    );

    #[tokio::test]
    async fn a_scan_without_tesseract_is_marked_needs_ocr_and_says_so() {
        for engine in crate::support::engines() {
            let app = TestApp::start_with(engine, |config| {
                config.ocr_command = "tesseract-not-installed".into()
            })
            .await;
            let agency = app.staffed_agency("SKHCN").await;
            let document = app.document(&agency, "QT-01", "Quy trình").await;
            let version = id_of(
                &app.upload(
                    &agency.officer,
                    &document,
                    "scan.pdf",
                    &fixture("scan.pdf"),
                    None,
                )
                .await,
            );
            app.drain_jobs().await;
            let after = app
                .get(&format!("/api/v1/versions/{version}"), &agency.officer)
                .await;
            assert_eq!(after.json["extraction"]["status"], "needs_ocr");
            assert!(
                after.json["extraction"]["error"]
                    .as_str()
                    .unwrap()
                    .contains("not installed")
            );
            app.finish().await;
        }
        let _ = Engine::Sqlite;
    }

    #[tokio::test]
    #[cfg_attr(
        not(hoso_ocr_tests),
        ignore = "OCR variant: install tesseract-ocr tesseract-ocr-vie and poppler-utils"
    )]
    async fn a_scanned_pdf_and_an_image_are_read_by_ocr() {
        for engine in crate::support::engines() {
            let app = TestApp::start(engine).await;
            let agency = app.staffed_agency("SKHCN").await;
            let document = app.document(&agency, "QT-01", "Quy trình").await;
            let version = id_of(
                &app.upload(
                    &agency.officer,
                    &document,
                    "scan.pdf",
                    &fixture("scan.pdf"),
                    None,
                )
                .await,
            );
            app.drain_jobs().await;
            let after = app
                .get(&format!("/api/v1/versions/{version}"), &agency.officer)
                .await;
            assert_eq!(after.json["extraction"]["status"], "done", "{}", after.text);
            assert_eq!(after.json["extraction"]["method"], "pdf+ocr");
            let text = app
                .get(&format!("/api/v1/versions/{version}/text"), &agency.officer)
                .await;
            let page = text.json["pages"][0].as_str().unwrap().to_owned();
            assert!(page.contains("đánh giá nội bộ"), "{page}");
            assert!(page.contains("QT-01"), "{page}");

            let image_doc = app.document(&agency, "HS-01", "Hồ sơ").await;
            let image = id_of(
                &app.upload(
                    &agency.officer,
                    &image_doc,
                    "scan.png",
                    &fixture("scan.png"),
                    None,
                )
                .await,
            );
            app.drain_jobs().await;
            let text = app
                .get(&format!("/api/v1/versions/{image}/text"), &agency.officer)
                .await;
            assert!(
                text.json["pages"][0]
                    .as_str()
                    .unwrap()
                    .contains("Chấm điểm"),
                "{}",
                text.text
            );
            app.finish().await;
        }
    }

    /// A PDF of `pages` scanned pages: each paints an image and has no text layer.
    fn scanned_pdf(pages: usize) -> Vec<u8> {
        use lopdf::{Document, Object, Stream, dictionary};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut kids = Vec::new();
        for _ in 0..pages {
            let image = doc.add_object(Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
                    "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
                },
                vec![128],
            ));
            let content = doc.add_object(Stream::new(
                dictionary! {},
                b"q 500 0 0 700 50 50 cm /Im1 Do Q".to_vec(),
            ));
            let page = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image } },
            });
            kids.push(Object::Reference(page));
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        bytes
    }

    /// Writes an executable shell script.
    fn script(path: &std::path::Path, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Two scans uploaded together are read page by page in turns, not one whole scan after
    /// the other; each shows its pages done of total while it waits. (Stand-ins for pdftoppm
    /// and Tesseract record the order they are asked for pages.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_pages_of_several_scans_take_turns() {
        for engine in crate::support::engines() {
            let tools = tempfile::tempdir().unwrap();
            let log = tools.path().join("pages.log");
            let pdftoppm = tools.path().join("pdftoppm");
            let tesseract = tools.path().join("tesseract");
            // pdftoppm -r 200 -gray -png -singlefile -f N -l N input.pdf prefix: note the input
            // and the page, and make prefix.png.
            script(
                &pdftoppm,
                &format!(
                    "echo \"$(basename \"${{10}}\") $7\" >> {log}\n: > \"${{11}}.png\"",
                    log = log.display()
                ),
            );
            script(
                &tesseract,
                "if [ \"$1\" = --list-langs ]; then printf 'List of languages:\\neng\\nvie\\n'; exit 0; fi\necho \"Văn bản quét\"",
            );
            let (ocr, render) = (tesseract.clone(), pdftoppm.clone());
            let app = TestApp::start_with(engine, move |config| {
                config.ocr_command = ocr.display().to_string();
                config.pdftoppm_command = render.display().to_string();
            })
            .await;
            let agency = app.staffed_agency("SKHCN").await;
            let mut versions = Vec::new();
            for code in ["HS-A", "HS-B"] {
                let document = app.document(&agency, code, "Hồ sơ quét").await;
                let uploaded = app
                    .upload(
                        &agency.officer,
                        &document,
                        "scan.pdf",
                        &scanned_pdf(3),
                        None,
                    )
                    .await;
                assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
                versions.push(id_of(&uploaded));
            }
            // Extraction finds three scanned pages in each; OCR waits in its lane.
            let extract = app.worker_with(app.jobs.clone()).in_lane(Lane::Extract);
            extract.drain().await.unwrap();
            let waiting = app
                .get(
                    &format!("/api/v1/versions/{}", versions[0]),
                    &agency.officer,
                )
                .await;
            assert_eq!(
                waiting.json["extraction"]["status"], "queued",
                "{}",
                waiting.text
            );
            assert_eq!(waiting.json["extraction"]["ocr_pages_total"], 3);
            assert_eq!(waiting.json["extraction"]["ocr_pages_done"], 0);

            let ocr = app.worker_with(app.jobs.clone()).in_lane(Lane::Ocr);
            ocr.drain().await.unwrap();
            let order: Vec<String> = std::fs::read_to_string(&log)
                .unwrap()
                .lines()
                .map(|line| {
                    line.split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
            assert_eq!(order, ["1", "1", "2", "2", "3", "3"], "pages in turns");
            let files: Vec<String> = std::fs::read_to_string(&log)
                .unwrap()
                .lines()
                .map(|line| {
                    line.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
            assert_ne!(
                files[0], files[1],
                "the second scan's first page comes second"
            );
            for version in &versions {
                let after = app
                    .get(&format!("/api/v1/versions/{version}"), &agency.officer)
                    .await;
                assert_eq!(after.json["extraction"]["status"], "done", "{}", after.text);
                assert_eq!(after.json["extraction"]["ocr_pages_done"], 3);
                let text = app
                    .get(&format!("/api/v1/versions/{version}/text"), &agency.officer)
                    .await;
                assert_eq!(text.json["pages"][2], "Văn bản quét");
            }
            app.finish().await;
        }
    }
}
