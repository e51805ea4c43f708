//! The scoring year end to end, as the issue's "done when" tells it: the coordinator imports the
//! sample set and opens a period for several agencies; each ISO officer scores every criterion
//! with evidence found by suggestions and linked in one step each, and submits; the coordinator
//! assigns appraisers and picks the sample; an appraiser finds evidence by search inside the
//! assessment and appraises; the ranking is published and the dossier's files match its
//! manifest's hashes.

use std::io::Read;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    assessment_of, criterion, department, import_sample, open_period, province, score_all,
};
use crate::records::user_id;
use crate::support::{assert_error, db_test, pdf_with_pages};

/// Today in Vietnam, as hoso counts days (UTC's date differs from 17:00 UTC on).
fn today() -> chrono::NaiveDate {
    hoso::clock::today()
}

db_test!(a_scoring_year_from_import_to_published_ranking, |app| {
    let province = province(&app).await;
    let a = department(&app, &province, "SNV").await;
    let b = department(&app, &province, "STP").await;
    // Their documents: titles that do not repeat the criteria's words.
    let control = app
        .document(&a, "QT-01", "Quy trình quản lý văn bản nội bộ")
        .await;
    app.issue_version(
        &a,
        &control,
        "Quy dinh ma hieu tai lieu, lan ban hanh, phe duyet, phan phoi va thu hoi tai lieu loi thoi. Bang theo doi sua doi.",
        None,
        today(),
    )
    .await;
    let steering = app.document(&a, "QD-15", "Quyết định số 15/QĐ-SNV").await;
    app.issue_version(
        &a,
        &steering,
        "Quyet dinh thanh lap Ban chi dao ISO cua So va phan cong nhiem vu cac thanh vien.",
        None,
        today(),
    )
    .await;
    let other = app.document(&b, "QT-09", "Quy trình quản lý văn bản").await;
    app.issue_version(
        &b,
        &other,
        "Quy dinh ma hieu tai lieu, lan ban hanh, phe duyet, phan phoi va thu hoi tai lieu loi thoi.",
        None,
        today(),
    )
    .await;
    app.drain_jobs().await;

    let set = import_sample(&app, &province).await;
    let period = open_period(
        &app,
        &province,
        &set,
        &[&a.id, &b.id],
        today() + chrono::Days::new(10),
    )
    .await;
    let mine = assessment_of(&app, &a, &period).await;
    let theirs = assessment_of(&app, &b, &period).await;

    // Suggestions for 1.3.2 (document control): the agency's own procedure, first.
    let suggested = app
        .get(
            &format!("/api/v1/assessments/{mine}/criteria/1.3.2/suggestions?limit=5"),
            &a.officer,
        )
        .await;
    assert_eq!(suggested.status, StatusCode::OK, "{}", suggested.text);
    let first = suggested.json["items"][0].clone();
    assert_eq!(first["document_id"], control.as_str(), "{}", suggested.text);
    assert_eq!(first["linked"], false);
    assert!(
        first["snippet"]
            .as_str()
            .unwrap_or_default()
            .contains("<mark>"),
        "{first}"
    );
    assert!(
        suggested.json["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|item| item["agency_id"] == a.id.as_str()),
        "only the agency's own: {}",
        suggested.text
    );
    // Linking a suggestion is one request, pinned to the version suggested.
    let linked = app
        .post(
            &format!("/api/v1/assessments/{mine}/criteria/1.3.2/evidence"),
            &a.officer,
            json!({"kind": first["kind"], "id": first["id"], "page": 1}),
        )
        .await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text);
    assert_eq!(linked.json["version_id"], first["id"]);
    assert_eq!(linked.json["version_label"], "01");
    let again = app
        .get(
            &format!("/api/v1/assessments/{mine}/criteria/1.3.2/suggestions?limit=5"),
            &a.officer,
        )
        .await;
    assert_eq!(again.json["items"][0]["linked"], true, "{}", again.text);
    // 2.1 (steering committee): found without the document's title saying so.
    let steering_hits = app
        .get(
            &format!("/api/v1/assessments/{mine}/criteria/2.1/suggestions"),
            &a.officer,
        )
        .await;
    let top = steering_hits.json["items"][0].clone();
    assert_eq!(
        top["document_id"],
        steering.as_str(),
        "{}",
        steering_hits.text
    );
    let linked = app
        .post(
            &format!("/api/v1/assessments/{mine}/criteria/2.1/evidence"),
            &a.officer,
            json!({"kind": top["kind"], "id": top["id"]}),
        )
        .await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text);
    // A file uploaded on the spot for 2.2 becomes an evidence record, extracted and searchable.
    let uploaded = app
        .upload_to(
            &a.officer,
            &format!("/api/v1/assessments/{mine}/criteria/2.2/evidence"),
            "xac-nhan-hieu-luc.pdf",
            &pdf_with_pages(&[
                "Giam doc So xac nhan hieu luc cua he thong quan ly chat luong nam 2026.",
            ]),
            &[("note", "Bản ký ngày 20/11")],
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
    assert_eq!(uploaded.json["kind"], "attachment");
    assert_eq!(uploaded.json["filename"], "xac-nhan-hieu-luc.pdf");
    app.drain_jobs().await;

    // Both officers score every criterion and submit.
    let scored = score_all(&app, &a.officer, &mine, 1.0).await;
    assert_eq!(
        scored["progress"]["scored"], 16,
        "every criterion but the late deduction"
    );
    assert_eq!(scored["progress"]["with_evidence"], 3);
    assert_eq!(scored["progress"]["total"], 17);
    assert_eq!(
        criterion(&scored, "1.3")["self_score"],
        10.0,
        "a group sums its criteria"
    );
    let submitted = app
        .post(
            &format!("/api/v1/assessments/{mine}/submit"),
            &a.head,
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    assert_eq!(submitted.json["status"], "submitted");
    assert_eq!(submitted.json["late_days"], 0);
    assert_eq!(submitted.json["self_total"], 100.0);
    assert_eq!(
        criterion(&submitted.json, "3.1")["self_score"],
        0.0,
        "on time: no deduction"
    );
    score_all(&app, &b.officer, &theirs, 0.8).await;
    let submitted = app
        .post(
            &format!("/api/v1/assessments/{theirs}/submit"),
            &b.officer,
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);

    // Appraisers: nobody appraises their own agency.
    let insider = app
        .user_with_role("tdinh-snv", "appraiser", Some(&province.id))
        .await;
    let insider_id = user_id(&app, &insider).await;
    let granted = app
        .post(
            &format!("/api/v1/users/{insider_id}/roles"),
            &app.admin_token,
            json!({"role": "staff", "agency_id": a.id}),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.text);
    let outsider = app
        .user_with_role("tdinh-tinh", "appraiser", Some(&province.id))
        .await;
    let outsider_id = user_id(&app, &outsider).await;
    let refused = app
        .post(
            &format!("/api/v1/periods/{period}/appraisers"),
            &province.coordinator,
            json!({"assessment_id": mine, "user_id": insider_id}),
        )
        .await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "appraiser_own_agency",
    );
    for (assessment, user) in [(&mine, &outsider_id), (&theirs, &insider_id)] {
        let assigned = app
            .post(
                &format!("/api/v1/periods/{period}/appraisers"),
                &province.coordinator,
                json!({"assessment_id": assessment, "user_id": user}),
            )
            .await;
        assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.text);
    }
    // The on-site sample: a third of the provincial agencies, reproducible from its seed.
    let sample = app
        .post(
            &format!("/api/v1/periods/{period}/sample"),
            &province.coordinator,
            json!({"seed": 42}),
        )
        .await;
    assert_eq!(sample.status, StatusCode::OK, "{}", sample.text);
    assert_eq!(
        (
            sample.json["seed"].clone(),
            sample.json["provincial_picked"].clone()
        ),
        (json!(42), json!(1))
    );
    let redrawn = app
        .post(
            &format!("/api/v1/periods/{period}/sample"),
            &province.coordinator,
            json!({"seed": 42}),
        )
        .await;
    assert_eq!(redrawn.json["agencies"], sample.json["agencies"]);

    // The appraiser searches inside the assessment: that agency only, its evidence marked.
    let found = app
        .get(
            &format!("/api/v1/assessments/{mine}/search?q=thu+hoi+tai+lieu+loi+thoi"),
            &outsider,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    let hits = found.json["hits"].as_array().expect("hits");
    assert!(!hits.is_empty(), "{}", found.text);
    assert!(
        hits.iter().all(|hit| hit["agency_id"] == a.id.as_str()),
        "{}",
        found.text
    );
    assert_eq!(hits[0]["document_id"], control.as_str());
    assert_eq!(hits[0]["evidence_of"], json!(["1.3.2"]));
    let uploaded_found = app
        .get(
            &format!("/api/v1/assessments/{mine}/search?q=xac+nhan+hieu+luc"),
            &outsider,
        )
        .await;
    assert!(
        uploaded_found.json["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .any(|hit| hit["evidence_of"] == json!(["2.2"])),
        "the uploaded evidence is found: {}",
        uploaded_found.text
    );
    // The text preview of a piece of evidence.
    let view = app
        .get(&format!("/api/v1/assessments/{mine}"), &outsider)
        .await;
    let link = criterion(&view.json, "1.3.2")["evidence"][0]["id"]
        .as_str()
        .expect("a link")
        .to_owned();
    let preview = app
        .get(
            &format!("/api/v1/assessments/{mine}/evidence/{link}/text"),
            &outsider,
        )
        .await;
    assert!(
        preview.json["pages"][0]
            .as_str()
            .unwrap_or_default()
            .contains("thu hoi"),
        "{}",
        preview.text
    );
    let file = app
        .get(
            &format!("/api/v1/assessments/{mine}/evidence/{link}/file"),
            &outsider,
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.bytes.starts_with(b"%PDF"));

    // Appraising: the assigned appraiser only.
    let appraised = app
        .put(
            &format!("/api/v1/assessments/{mine}/criteria/1.1/appraisal"),
            &outsider,
            json!({"score": 6, "comment": "Còn 2 TTHC chưa có quy trình"}),
        )
        .await;
    assert_eq!(appraised.status, StatusCode::OK, "{}", appraised.text);
    assert_eq!(appraised.json["appraised_total"], 98.0);
    let not_theirs = app
        .put(
            &format!("/api/v1/assessments/{theirs}/criteria/1.1/appraisal"),
            &outsider,
            json!({"score": 1}),
        )
        .await;
    assert_error(&not_theirs, StatusCode::FORBIDDEN, "appraisal_not_assigned");
    let reader_not_assigned = app
        .put(
            &format!("/api/v1/assessments/{mine}/criteria/1.1/appraisal"),
            &province.coordinator,
            json!({"score": 1}),
        )
        .await;
    assert_error(
        &reader_not_assigned,
        StatusCode::FORBIDDEN,
        "appraisal_not_assigned",
    );
    let officer_after_submit = app
        .put(
            &format!("/api/v1/assessments/{mine}/criteria/1.1"),
            &a.officer,
            json!({"score": 1}),
        )
        .await;
    assert_error(
        &officer_after_submit,
        StatusCode::CONFLICT,
        "assessment_locked",
    );

    // Finalise, rank, publish.
    let finalized = app
        .post(
            &format!("/api/v1/periods/{period}/finalize"),
            &province.coordinator,
            json!({}),
        )
        .await;
    assert_eq!(finalized.status, StatusCode::OK, "{}", finalized.text);
    assert_eq!(finalized.json["status"], "final");
    let ranking = app
        .get(
            &format!("/api/v1/periods/{period}/ranking"),
            &province.coordinator,
        )
        .await;
    assert_eq!(ranking.status, StatusCode::OK, "{}", ranking.text);
    assert_eq!(ranking.json["provisional"], false);
    let rows = ranking.json["rows"].as_array().expect("rows");
    assert_eq!(rows[0]["agency_code"], "SNV");
    assert_eq!(
        (rows[0]["total"].clone(), rows[0]["rank_code"].clone()),
        (json!(98.0), json!("tot"))
    );
    assert_eq!(rows[1]["position"], 2);
    assert_eq!(ranking.json["by_kind"][0]["kind"], "department");
    assert_eq!(ranking.json["by_kind"][0]["agencies"], 2);
    let hidden = app
        .call(
            Method::GET,
            &format!("/public/periods/{period}/ranking"),
            None,
            None,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "not published yet");
    let published = app
        .post(
            &format!("/api/v1/periods/{period}/publish"),
            &province.coordinator,
            json!({}),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    let public = app
        .call(
            Method::GET,
            &format!("/public/periods/{period}/ranking"),
            None,
            None,
        )
        .await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text);
    assert_eq!(public.json["rows"][0]["rank_label"], "Tốt");
    assert!(
        !public.text.contains("assessment_id"),
        "totals and ranks only"
    );

    // The workbook of results.
    let workbook = app
        .get(
            &format!("/api/v1/periods/{period}/results.xlsx"),
            &province.coordinator,
        )
        .await;
    assert_eq!(workbook.status, StatusCode::OK);
    let mut sheets =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(workbook.bytes.clone()))
            .expect("a workbook");
    use calamine::Reader;
    assert_eq!(
        sheets.sheet_names(),
        vec!["Tổng hợp".to_owned(), "Sở, ban, ngành".to_owned()]
    );
    let range = sheets.worksheet_range("Tổng hợp").expect("the summary");
    let first_row: Vec<String> = range
        .rows()
        .nth(3)
        .expect("a row")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        &first_row[1..3],
        &["SNV".to_owned(), "Cơ quan SNV".to_owned()]
    );
    assert!(first_row.contains(&"Tốt".to_owned()), "{first_row:?}");

    // The dossier: its files match its manifest's hashes.
    let dossier = app
        .get(
            &format!("/api/v1/assessments/{mine}/dossier.zip"),
            &province.coordinator,
        )
        .await;
    assert_eq!(dossier.status, StatusCode::OK, "{}", dossier.text);
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(dossier.bytes.clone())).expect("a zip");
    let manifest: Value = {
        let mut text = String::new();
        archive
            .by_name("manifest.json")
            .expect("manifest.json")
            .read_to_string(&mut text)
            .expect("utf-8");
        serde_json::from_str(&text).expect("json")
    };
    assert!(archive.by_name("manifest.csv").is_ok());
    let mut files = 0;
    for criterion in manifest["criteria"].as_array().expect("criteria") {
        for item in criterion["evidence"].as_array().expect("evidence") {
            let path = item["path"].as_str().expect("a path");
            let mut bytes = Vec::new();
            archive
                .by_name(path)
                .expect("the file")
                .read_to_end(&mut bytes)
                .expect("read");
            assert_eq!(
                hex::encode(Sha256::digest(&bytes)),
                item["sha256"].as_str().expect("a hash")
            );
            assert_eq!(bytes.len() as u64, item["size"].as_u64().expect("a size"));
            files += 1;
        }
    }
    assert_eq!(files, 3);

    // Every score is traceable: who, when, before and after.
    let history = app
        .get(
            &format!("/api/v1/assessments/{mine}/criteria/1.1/history"),
            &province.coordinator,
        )
        .await;
    let actions: Vec<&str> = history
        .json
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for expected in [
        "assessment.score",
        "assessment.submit",
        "assessment.assign",
        "assessment.appraise",
        "assessment.finalize",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let appraisal = history
        .json
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["action"] == "assessment.appraise")
        .expect("the appraisal");
    assert_eq!(appraisal["actor_name"], "tdinh-tinh");
    assert_eq!(appraisal["summary"]["appraised_score"], json!([null, 6.0]));
});
