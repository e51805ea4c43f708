//! Attachments of records: the one file pipeline (typed by their bytes, extracted, indexed),
//! downloads, search by kind, and nothing for those outside the agency.

use axum::http::StatusCode;
use serde_json::json;

use super::{finding, planned_audit, qms_agency};
use crate::support::{assert_error, db_test, id_of, pdf_with_pages};

db_test!(
    an_attachment_is_stored_read_and_found_by_those_who_may_see_its_record,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let other = app.staffed_agency("STP").await;
        let raised = app
        .post(
            "/api/v1/corrective-actions",
            &qms.officer,
            json!({"agency_id": qms.id, "source": "other", "nonconformity": "Máy chủ lưu trữ hỏng ổ đĩa"}),
        )
        .await;
        let id = id_of(&raised);
        let pdf = pdf_with_pages(&["Bien ban khac phuc su co sao luu du lieu"]);
        let attached = app
            .upload_to(
                &qms.officer,
                &format!("/api/v1/corrective-actions/{id}/attachments"),
                "bien-ban.pdf",
                &pdf,
                &[],
            )
            .await;
        assert_eq!(attached.status, StatusCode::CREATED, "{}", attached.text);
        assert_eq!(attached.json["content_type"], "application/pdf");
        let attachment = id_of(&attached);

        // A hostile file is refused and leaves nothing behind.
        let hostile = app
            .upload_to(
                &qms.officer,
                &format!("/api/v1/corrective-actions/{id}/attachments"),
                "report.pdf",
                b"MZ\x90\x00\x03\x00\x00\x00 this is a program",
                &[],
            )
            .await;
        assert_error(
            &hostile,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
        // Nobody outside may attach, and a wrong kind in the path is not found.
        let outsider = app
            .upload_to(
                &other.officer,
                &format!("/api/v1/corrective-actions/{id}/attachments"),
                "x.pdf",
                &pdf,
                &[],
            )
            .await;
        assert_error(&outsider, StatusCode::NOT_FOUND, "not_found");
        let wrong_kind = app
            .upload_to(
                &qms.officer,
                &format!("/api/v1/audits/{id}/attachments"),
                "x.pdf",
                &pdf,
                &[],
            )
            .await;
        assert_error(&wrong_kind, StatusCode::NOT_FOUND, "not_found");

        let record = app.get(&format!("/api/v1/records/{id}"), &qms.staff).await;
        let attachments = record.json["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 1, "{}", record.text);
        assert_eq!(attachments[0]["original_filename"], "bien-ban.pdf");
        assert_eq!(
            record.json["revision"], 2,
            "attaching is a change of the record"
        );

        let download = app
            .get(
                &format!("/api/v1/attachments/{attachment}/file"),
                &qms.staff,
            )
            .await;
        assert_eq!(download.status, StatusCode::OK);
        assert_eq!(download.bytes, pdf);
        assert!(
            download.headers["etag"]
                .to_str()
                .unwrap()
                .contains(attached.json["sha256"].as_str().unwrap())
        );
        assert_error(
            &app.get(
                &format!("/api/v1/attachments/{attachment}/file"),
                &other.staff,
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        app.drain_jobs().await;
        let found = app
            .get(
                "/api/v1/search?q=sao+luu+du+lieu&kind=corrective_action",
                &qms.staff,
            )
            .await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.text);
        let hits = found.json["hits"].as_array().unwrap();
        assert_eq!(hits.len(), 1, "{}", found.text);
        assert_eq!(hits[0]["kind"], "attachment");
        assert_eq!(hits[0]["record_id"], id.as_str());
        assert_eq!(hits[0]["attachment_id"], attachment.as_str());
        assert_eq!(hits[0]["record_kind"], "corrective_action");
        assert_eq!(hits[0]["page"], 1);
        assert!(
            hits[0]["snippet"].as_str().unwrap().contains("<mark>"),
            "{}",
            found.text
        );
        // The record's own words are found too, with or without diacritics.
        let own = app.get("/api/v1/search?q=may+chu+o+dia", &qms.staff).await;
        assert_eq!(own.json["hits"][0]["kind"], "record", "{}", own.text);
        let facets = own.json["facets"]["kind"].to_string();
        assert!(facets.contains("corrective_action"), "{facets}");
        // Other kinds filter it out; other agencies never see it.
        let audits_only = app
            .get(
                "/api/v1/search?q=sao+luu+du+lieu&kind=internal_audit",
                &qms.staff,
            )
            .await;
        assert_eq!(audits_only.json["total"], 0, "{}", audits_only.text);
        let outside = app
            .get("/api/v1/search?q=sao+luu+du+lieu", &other.staff)
            .await;
        assert_eq!(outside.json["total"], 0, "{}", outside.text);
        assert_error(
            &app.get("/api/v1/search?q=x&kind=gossip", &qms.staff).await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
    }
);

db_test!(the_records_list_filters_by_kind_agency_and_text, |app| {
    let qms = qms_agency(&app, "SKHCN").await;
    let other = qms_agency(&app, "STP").await;
    let audit = planned_audit(&app, &qms).await;
    planned_audit(&app, &other).await;
    finding(&app, &qms, audit["id"].as_str().unwrap(), "minor").await;
    let all = app.get("/api/v1/records", &qms.staff).await;
    assert_eq!(all.json["total"], 2, "own agency only: {}", all.text);
    let findings = app.get("/api/v1/records?kind=finding", &qms.staff).await;
    assert_eq!(findings.json["total"], 1);
    assert_eq!(findings.json["items"][0]["parent_id"], audit["id"]);
    let by_text = app
        .get("/api/v1/records?q=n%E1%BB%99i+b%E1%BB%99", &app.admin_token)
        .await;
    assert_eq!(by_text.json["total"], 2, "{}", by_text.text);
    assert_error(
        &app.get("/api/v1/records?kind=memo", &qms.staff).await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    assert_error(
        &app.get("/api/v1/records?status=lost", &qms.staff).await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    assert_error(
        &app.get("/api/v1/records?sort=colour", &qms.staff).await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    let clauses = app.get("/api/v1/iso-clauses", &qms.staff).await;
    assert!(
        clauses
            .json
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["clause"] == "9.2.2")
    );
});
