//! PDFs of text documents: a DOCX procedure is shown in the browser and stamped through the PDF
//! LibreOffice makes of it, once per content; without LibreOffice, or when it cannot read the
//! file, the answer says so and the original stays downloadable.

use axum::http::StatusCode;
use hoso::{clock::today, export::docx::docx, extract};

use crate::support::{TestApp, assert_error, engines, id_of};

const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn procedure() -> Vec<u8> {
    docx(
        "Quy trình kiểm soát tài liệu",
        &[
            "Mục đích: thống nhất cách ban hành, sửa đổi và thu hồi tài liệu nội bộ.",
            "Phạm vi: áp dụng cho các phòng chuyên môn của Sở.",
        ],
    )
    .expect("a DOCX")
}

/// An agency whose officer uploaded the procedure as a DOCX draft: the agency and the version.
async fn docx_draft(app: &TestApp) -> (crate::support::Agency, String) {
    let agency = app.staffed_agency("SKHCN").await;
    let document = app.document(&agency, "QT-01", "Quy trình").await;
    let version = id_of(
        &app.upload(&agency.officer, &document, "qt.docx", &procedure(), None)
            .await,
    );
    (agency, version)
}

fn text_of(pdf: &[u8]) -> String {
    extract::extract(pdf, "application/pdf", &extract::Limits::default())
        .expect("a readable PDF")
        .text()
}

#[tokio::test]
#[cfg_attr(
    not(hoso_render_tests),
    ignore = "LibreOffice variant: install libreoffice-writer-nogui and fonts-liberation2"
)]
async fn a_docx_procedure_is_shown_and_stamped_through_its_pdf() {
    for engine in engines() {
        let app = TestApp::start(engine).await;
        let agency = app.staffed_agency("SKHCN").await;
        let document = app
            .document(&agency, "QT-01", "Quy trình kiểm soát tài liệu")
            .await;
        let version = app
            .issue_file(
                &agency,
                &document,
                ("QT-01 Kiểm soát tài liệu.docx", &procedure()),
                None,
                today(),
            )
            .await;

        // Asked before its job ran: being made, and the original is there all along.
        let early = app
            .get(
                &format!("/api/v1/versions/{version}/file?pdf=true"),
                &agency.staff,
            )
            .await;
        assert_error(&early, StatusCode::CONFLICT, "rendition_pending");
        let original = app
            .get(&format!("/api/v1/versions/{version}/file"), &agency.staff)
            .await;
        assert_eq!(original.status, StatusCode::OK);
        assert_eq!(original.headers["content-type"], DOCX_TYPE);

        app.drain_jobs().await;
        let pdf = app
            .get(
                &format!("/api/v1/versions/{version}/file?pdf=true&inline=true"),
                &agency.staff,
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text);
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        let disposition = pdf.headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("inline") && disposition.contains(".pdf"),
            "{disposition}"
        );
        let shown = text_of(&pdf.bytes);
        assert!(shown.contains("Quy trình kiểm soát tài liệu"), "{shown}");
        assert!(shown.contains("thu hồi tài liệu nội bộ"), "{shown}");

        // The controlled copy of the procedure in force: its text, stamped on every page.
        let stamped = app
            .get(
                &format!("/api/v1/versions/{version}/file?stamped=true"),
                &agency.staff,
            )
            .await;
        assert_eq!(stamped.status, StatusCode::OK, "{}", stamped.text);
        let copy = text_of(&stamped.bytes);
        assert!(copy.contains("BẢN CÓ KIỂM SOÁT"), "{copy}");
        assert!(copy.contains("Phạm vi: áp dụng"), "{copy}");

        // The same bytes again (another document): converted once, not twice.
        let other = app.document(&agency, "QT-09", "Bản sao").await;
        let again = app
            .upload(&agency.officer, &other, "ban-sao.docx", &procedure(), None)
            .await;
        let again = id_of(&again);
        app.drain_jobs().await;
        let reused = app
            .get(
                &format!("/api/v1/versions/{again}/file?pdf=true"),
                &agency.officer,
            )
            .await;
        assert_eq!(reused.status, StatusCode::OK, "{}", reused.text);
        assert_eq!(reused.headers["etag"], pdf.headers["etag"]);
        let conversions = app
            .get("/api/v1/jobs?kind=render_pdf", &app.admin_token)
            .await;
        assert_eq!(
            conversions.json["items"].as_array().map(Vec::len),
            Some(1),
            "{}",
            conversions.text
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn without_libreoffice_the_answer_says_so_and_offers_the_original() {
    for engine in engines() {
        let app = TestApp::start_with(engine, |config| {
            config.render_command = "/nonexistent/soffice".into();
        })
        .await;
        let (agency, version) = docx_draft(&app).await;
        app.drain_jobs().await;
        let asked = app
            .get(
                &format!("/api/v1/versions/{version}/file?pdf=true"),
                &agency.officer,
            )
            .await;
        assert_error(&asked, StatusCode::CONFLICT, "rendition_unavailable");
        assert!(asked.text.contains("LibreOffice"), "{}", asked.text);
        let original = app
            .get(&format!("/api/v1/versions/{version}/file"), &agency.officer)
            .await;
        assert_eq!(original.status, StatusCode::OK);
        assert_eq!(original.bytes, procedure());
        app.finish().await;
    }
}

/// A stand-in `soffice` running `body` (a shell script's lines); returns its path.
fn stand_in(dir: &std::path::Path, body: &str) -> String {
    let script = dir.join("soffice");
    std::fs::write(&script, format!("#!/bin/sh\n{body}")).unwrap();
    let mut permissions = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&script, permissions).unwrap();
    script.to_string_lossy().into_owned()
}

#[tokio::test]
async fn a_file_libreoffice_cannot_read_is_a_failure_said_once() {
    // A stand-in for LibreOffice that answers but never writes a PDF (a damaged file).
    let dir = tempfile::tempdir().unwrap();
    let command = stand_in(
        dir.path(),
        "echo 'source file could not be loaded' >&2\nexit 0\n",
    );
    for engine in engines() {
        let app = TestApp::start_with(engine, |config| {
            config.render_command = command.clone();
        })
        .await;
        let (agency, version) = docx_draft(&app).await;
        let statuses = app.drain_jobs().await;
        assert!(
            statuses
                .iter()
                .all(|(_, status)| *status == hoso::jobs::JobStatus::Done),
            "the failure is the file's, recorded, not retried: {statuses:?}"
        );
        let asked = app
            .get(
                &format!("/api/v1/versions/{version}/file?pdf=true"),
                &agency.officer,
            )
            .await;
        assert_error(&asked, StatusCode::CONFLICT, "rendition_failed");
        assert!(asked.text.contains("could not be loaded"), "{}", asked.text);

        // A spreadsheet or a text file has no PDF at all.
        let other = app.document(&agency, "BM-01", "Biểu mẫu").await;
        let text = id_of(
            &app.upload(
                &agency.officer,
                &other,
                "bm.txt",
                "Biểu mẫu".as_bytes(),
                None,
            )
            .await,
        );
        let refused = app
            .get(
                &format!("/api/v1/versions/{text}/file?pdf=true"),
                &agency.officer,
            )
            .await;
        assert_error(&refused, StatusCode::CONFLICT, "no_pdf_of_type");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_pdf_the_machine_failed_to_make_says_so_and_is_made_when_asked_again_later() {
    // A stand-in for LibreOffice that writes a PDF of whatever it is given.
    let dir = tempfile::tempdir().unwrap();
    let command = stand_in(
        dir.path(),
        "out=''; previous=''\nfor arg in \"$@\"; do [ \"$previous\" = --outdir ] && out=\"$arg\"; previous=\"$arg\"; done\n\
         [ -n \"$out\" ] && printf '%%PDF-1.4\\n%%%%EOF\\n' > \"$out/source.pdf\"\nexit 0\n",
    );
    for engine in engines() {
        let app = TestApp::start_with(engine, |config| {
            config.render_command = command.clone();
            // One attempt: the job is dead after the failure, as after its last retry.
            config.job_max_attempts = 1;
        })
        .await;
        let (agency, version) = docx_draft(&app).await;
        // The stored file is lost before its PDF is made (a disk or a bucket failing).
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(procedure()));
        app.state.blobs.delete(&sha256).await.unwrap();
        let ran = app.drain_jobs().await;
        assert!(
            ran.iter()
                .any(|(_, status)| *status == hoso::jobs::JobStatus::Dead),
            "{ran:?}"
        );
        let pdf = format!("/api/v1/versions/{version}/file?pdf=true");
        let asked = app.get(&pdf, &agency.officer).await;
        assert_error(&asked, StatusCode::CONFLICT, "rendition_interrupted");

        // The file is back; someone asking after ten minutes gets it made again.
        app.state.blobs.put_bytes(procedure().into()).await.unwrap();
        {
            use hoso::db::entities::rendition;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
            rendition::Entity::update_many()
                .col_expr(
                    rendition::Column::UpdatedAt,
                    Expr::value(chrono::Utc::now() - chrono::Duration::minutes(11)),
                )
                .filter(rendition::Column::SourceSha256.eq(&sha256))
                .exec(&app.state.db)
                .await
                .unwrap();
        }
        let asked = app.get(&pdf, &agency.officer).await;
        assert_error(&asked, StatusCode::CONFLICT, "rendition_pending");
        app.drain_jobs().await;
        let made = app.get(&pdf, &agency.officer).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.text);
        assert!(made.bytes.starts_with(b"%PDF-"));
        app.finish().await;
    }
}
