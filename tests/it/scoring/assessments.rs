//! Self-assessment rules: bounds, evidence of the agency only, locks, the late deduction,
//! reopening, finalising with agencies that never submitted, carrying evidence forward, and
//! facts the system knows.

use axum::http::StatusCode;
use serde_json::json;

use super::{
    assessment_of, criterion, department, import_sample, open_period, province, score_all,
};
use crate::support::{assert_error, db_test, id_of};

/// Today in Vietnam, as hoso counts days (UTC's date differs from 17:00 UTC on).
fn today() -> chrono::NaiveDate {
    hoso::clock::today()
}

db_test!(
    scores_stay_within_their_bounds_and_groups_add_up_by_themselves,
    |app| {
        let province = province(&app).await;
        let agency = department(&app, &province, "SNV").await;
        let set = import_sample(&app, &province).await;
        let period = open_period(&app, &province, &set, &[&agency.id], today()).await;
        let id = assessment_of(&app, &agency, &period).await;
        let put = |code: &str, score: serde_json::Value| {
            let path = format!("/api/v1/assessments/{id}/criteria/{code}");
            let token = agency.officer.clone();
            let app = &app;
            async move { app.put(&path, &token, json!({"score": score})).await }
        };
        assert_error(
            &put("1.1", json!(9)).await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        assert_error(
            &put("1.1", json!(-1)).await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        assert_error(
            &put("3.1", json!(-6)).await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        assert_error(
            &put("3.1", json!(1)).await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        assert_error(
            &put("1.3", json!(5)).await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        assert_error(
            &put("9.9", json!(1)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let half = put("1.3.1", json!(3.5)).await;
        assert_eq!(half.status, StatusCode::OK, "{}", half.text);
        assert_eq!(criterion(&half.json, "1.3")["self_score"], 3.5);
        assert_eq!(criterion(&half.json, "1")["self_score"], 3.5);
        // Staff read it but do not score it; another agency's people do not see it at all.
        let staff = app
            .put(
                &format!("/api/v1/assessments/{id}/criteria/1.1"),
                &agency.staff,
                json!({"score": 1}),
            )
            .await;
        assert_error(&staff, StatusCode::FORBIDDEN, "forbidden");
        let stranger = department(&app, &province, "STP").await;
        let hidden = app
            .get(&format!("/api/v1/assessments/{id}"), &stranger.officer)
            .await;
        assert_error(&hidden, StatusCode::NOT_FOUND, "not_found");
        // Submitting with criteria unscored names them.
        let early = app
            .post(
                &format!("/api/v1/assessments/{id}/submit"),
                &agency.officer,
                json!({}),
            )
            .await;
        assert_error(
            &early,
            StatusCode::UNPROCESSABLE_ENTITY,
            "assessment_unscored",
        );
        assert!(early.text.contains("1.1"), "{}", early.text);
    }
);

db_test!(evidence_comes_from_the_agency_itself_and_is_pinned, |app| {
    let province = province(&app).await;
    let agency = department(&app, &province, "SNV").await;
    let other = department(&app, &province, "STP").await;
    let own = app
        .document(&agency, "QT-01", "Quy trình kiểm soát tài liệu")
        .await;
    let first = app
        .issue_version(&agency, &own, "Lan ban hanh thu nhat", None, today())
        .await;
    let foreign = app
        .document(&other, "QT-01", "Quy trình kiểm soát tài liệu")
        .await;
    let foreign_version = app
        .issue_version(&other, &foreign, "Cua so khac", None, today())
        .await;
    let set = import_sample(&app, &province).await;
    let period = open_period(&app, &province, &set, &[&agency.id], today()).await;
    let id = assessment_of(&app, &agency, &period).await;
    let path = format!("/api/v1/assessments/{id}/criteria/1.3.2/evidence");
    let refused = app
        .post(
            &path,
            &agency.officer,
            json!({"kind": "document_version", "id": foreign_version}),
        )
        .await;
    assert_error(&refused, StatusCode::NOT_FOUND, "not_found");
    let refused = app
        .post(
            &path,
            &agency.officer,
            json!({"kind": "document", "id": foreign}),
        )
        .await;
    assert_error(&refused, StatusCode::NOT_FOUND, "not_found");
    // A document is pinned to its version in force; a revision later leaves the link alone.
    let linked = app
        .post(
            &path,
            &agency.officer,
            json!({"kind": "document", "id": own, "note": "Mục 5"}),
        )
        .await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text);
    assert_eq!(linked.json["version_id"], first.as_str());
    let twice = app
        .post(
            &path,
            &agency.officer,
            json!({"kind": "document_version", "id": first}),
        )
        .await;
    assert_error(&twice, StatusCode::CONFLICT, "evidence_already_linked");
    let second = app
        .issue_version(
            &agency,
            &own,
            "Lan ban hanh thu hai",
            Some("Sửa đổi"),
            today(),
        )
        .await;
    let view = app
        .get(&format!("/api/v1/assessments/{id}"), &agency.officer)
        .await;
    let evidence = &criterion(&view.json, "1.3.2")["evidence"][0];
    assert_eq!(
        evidence["version_id"],
        first.as_str(),
        "pinned, not {second}"
    );
    assert_eq!(evidence["version_label"], "01");
    // A draft is not evidence.
    let draft = app
        .upload(
            &agency.officer,
            &own,
            "du-thao.pdf",
            &crate::support::pdf_with_pages(&["Du thao"]),
            Some("Dự thảo"),
        )
        .await;
    let refused = app
        .post(
            &path,
            &agency.officer,
            json!({"kind": "document_version", "id": id_of(&draft)}),
        )
        .await;
    assert_error(
        &refused,
        StatusCode::CONFLICT,
        "evidence_version_not_issued",
    );
    // Unlinking removes the link and leaves the document.
    let link = evidence["id"].as_str().expect("a link id");
    let removed = app.delete(&format!("{path}/{link}"), &agency.officer).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    let history = app
        .get(
            &format!("/api/v1/assessments/{id}/criteria/1.3.2/history"),
            &agency.officer,
        )
        .await;
    let actions: Vec<&str> = history
        .json
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    assert_eq!(actions, ["assessment.link", "assessment.unlink"]);
});

db_test!(
    a_late_submission_takes_the_deduction_and_the_coordinator_reopens_it,
    |app| {
        let province = province(&app).await;
        let agency = department(&app, &province, "SNV").await;
        let set = import_sample(&app, &province).await;
        let due = today() - chrono::Days::new(3);
        let period = open_period(&app, &province, &set, &[&agency.id], due).await;
        let id = assessment_of(&app, &agency, &period).await;
        score_all(&app, &agency.officer, &id, 1.0).await;
        let submitted = app
            .post(
                &format!("/api/v1/assessments/{id}/submit"),
                &agency.officer,
                json!({}),
            )
            .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
        assert_eq!(submitted.json["late_days"], 3);
        let late = criterion(&submitted.json, "3.1");
        assert_eq!(late["self_score"], -3.0, "one point a day");
        assert_eq!(late["note"], "Nộp chậm 3 ngày so với thời hạn");
        assert_eq!(submitted.json["self_total"], 97.0);
        // Only the coordinator reopens, and says why.
        let refused = app
            .post(
                &format!("/api/v1/assessments/{id}/reopen"),
                &agency.head,
                json!({"reason": "Sửa"}),
            )
            .await;
        assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
        let no_reason = app
            .post(
                &format!("/api/v1/assessments/{id}/reopen"),
                &province.coordinator,
                json!({"reason": " "}),
            )
            .await;
        assert_error(&no_reason, StatusCode::BAD_REQUEST, "invalid_input");
        let reopened = app
            .post(
                &format!("/api/v1/assessments/{id}/reopen"),
                &province.coordinator,
                json!({"reason": "Bổ sung minh chứng tiêu chí 1.6"}),
            )
            .await;
        assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.text);
        assert_eq!(reopened.json["status"], "open");
        let changed = app
            .put(
                &format!("/api/v1/assessments/{id}/criteria/1.6"),
                &agency.officer,
                json!({"score": 7}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        let history = app
            .get(
                &format!("/api/v1/assessments/{id}/criteria/1.6/history"),
                &province.coordinator,
            )
            .await;
        let reopen = history
            .json
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["action"] == "assessment.reopen")
            .expect("the reopening");
        assert_eq!(
            reopen["summary"]["reason"],
            "Bổ sung minh chứng tiêu chí 1.6"
        );
        let last = history
            .json
            .as_array()
            .expect("rows")
            .last()
            .expect("a row")
            .clone();
        assert_eq!(last["summary"]["score"], json!([8.0, 7.0]));
    }
);

db_test!(finalising_waits_for_every_agency_unless_forced, |app| {
    let province = province(&app).await;
    let quick = department(&app, &province, "SNV").await;
    let slow = department(&app, &province, "STP").await;
    let set = import_sample(&app, &province).await;
    let period = open_period(&app, &province, &set, &[&quick.id, &slow.id], today()).await;
    let id = assessment_of(&app, &quick, &period).await;
    score_all(&app, &quick.officer, &id, 0.8).await;
    let submitted = app
        .post(
            &format!("/api/v1/assessments/{id}/submit"),
            &quick.officer,
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    let provisional = app
        .get(
            &format!("/api/v1/periods/{period}/ranking"),
            &province.coordinator,
        )
        .await;
    assert_eq!(
        provisional.json["provisional"], true,
        "{}",
        provisional.text
    );
    let hidden = app
        .get(&format!("/api/v1/periods/{period}/ranking"), &quick.officer)
        .await;
    assert_error(&hidden, StatusCode::FORBIDDEN, "forbidden");
    let waiting = app
        .post(
            &format!("/api/v1/periods/{period}/finalize"),
            &province.coordinator,
            json!({}),
        )
        .await;
    assert_error(&waiting, StatusCode::CONFLICT, "period_not_all_submitted");
    assert!(waiting.text.contains("STP"), "{}", waiting.text);
    let forced = app
        .post(
            &format!("/api/v1/periods/{period}/finalize"),
            &province.coordinator,
            json!({"force": true}),
        )
        .await;
    assert_eq!(forced.status, StatusCode::OK, "{}", forced.text);
    let ranking = app
        .get(&format!("/api/v1/periods/{period}/ranking"), &quick.officer)
        .await;
    assert_eq!(ranking.status, StatusCode::OK, "{}", ranking.text);
    let rows = ranking.json["rows"].as_array().expect("rows");
    let last = rows.last().expect("a row");
    assert_eq!(
        (
            last["agency_code"].clone(),
            last["total"].clone(),
            last["not_submitted"].clone(),
            last["rank_code"].clone()
        ),
        (json!("STP"), json!(0.0), json!(true), json!("yeu"))
    );
    assert_eq!(rows[0]["rank_code"], "kha", "{}", ranking.text);
    let locked = app
        .put(
            &format!("/api/v1/assessments/{id}/criteria/1.1"),
            &quick.officer,
            json!({"score": 1}),
        )
        .await;
    assert_error(&locked, StatusCode::CONFLICT, "assessment_locked");
    let again = app
        .post(
            &format!("/api/v1/periods/{period}/finalize"),
            &province.coordinator,
            json!({}),
        )
        .await;
    assert_error(&again, StatusCode::CONFLICT, "period_transition");
});

db_test!(a_period_needs_agencies_and_sane_deadlines, |app| {
    let province = province(&app).await;
    let set = import_sample(&app, &province).await;
    let base = json!({"criteria_set_id": set, "year": 2026, "name": "Kỳ 2026",
        "self_assessment_due": "2026-11-30", "appraisal_due": "2026-12-20"});
    let mut empty = base.clone();
    empty["agency_ids"] = json!([]);
    assert_error(
        &app.post("/api/v1/periods", &province.coordinator, empty)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    // By subtree and kind: the communes under the province.
    app.agency("XA-1", "commune", Some(&province.id)).await;
    app.agency("XA-2", "commune", Some(&province.id)).await;
    app.agency("SO-1", "department", Some(&province.id)).await;
    let mut communes = base.clone();
    communes["subtree"] = json!("TINH");
    communes["kinds"] = json!(["commune"]);
    let created = app
        .post("/api/v1/periods", &province.coordinator, communes)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["agencies"], 2);
    let mut none = base.clone();
    none["subtree"] = json!("TINH");
    none["kinds"] = json!(["public_service_unit"]);
    assert_error(
        &app.post("/api/v1/periods", &province.coordinator, none)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    let mut backwards = base.clone();
    backwards["subtree"] = json!("TINH");
    backwards["appraisal_due"] = json!("2026-11-01");
    assert_error(
        &app.post("/api/v1/periods", &province.coordinator, backwards)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    // The sample of communes: a tenth, rounded up.
    let period = id_of(&created);
    app.post(
        &format!("/api/v1/periods/{period}/open"),
        &province.coordinator,
        json!({}),
    )
    .await;
    let sample = app
        .post(
            &format!("/api/v1/periods/{period}/sample"),
            &province.coordinator,
            json!({}),
        )
        .await;
    assert_eq!(sample.status, StatusCode::OK, "{}", sample.text);
    assert_eq!(
        (
            sample.json["communes"].clone(),
            sample.json["communes_picked"].clone()
        ),
        (json!(2), json!(1))
    );
    assert!(
        sample.json["seed"].is_i64(),
        "a seed is drawn and recorded: {}",
        sample.text
    );
    let picked = sample.json["agencies"][0]["assessment_id"]
        .as_str()
        .expect("picked")
        .to_owned();
    let list = app
        .get(
            &format!("/api/v1/assessments?period={period}&sampled=false"),
            &province.coordinator,
        )
        .await;
    let outside = list.json["items"][0]["id"]
        .as_str()
        .expect("outside")
        .to_owned();
    let swapped = app
        .post(
            &format!("/api/v1/periods/{period}/sample/swap"),
            &province.coordinator,
            json!({"remove": picked, "add": outside, "reason": "Xã đã được kiểm tra năm trước"}),
        )
        .await;
    assert_eq!(swapped.status, StatusCode::OK, "{}", swapped.text);
    assert_eq!(
        swapped.json["agencies"][0]["assessment_id"],
        outside.as_str()
    );
    assert_eq!(
        swapped.json["agencies"][0]["note"],
        "Xã đã được kiểm tra năm trước"
    );
});

db_test!(
    last_years_evidence_carries_forward_to_the_version_in_force,
    |app| {
        let province = province(&app).await;
        let agency = department(&app, &province, "SNV").await;
        let kept = app
            .document(&agency, "QT-01", "Quy trình kiểm soát tài liệu")
            .await;
        let old = app
            .issue_version(&agency, &kept, "Ban cu", None, today())
            .await;
        let dropped = app.document(&agency, "QT-02", "Quy trình đã bãi bỏ").await;
        let dropped_version = app
            .issue_version(&agency, &dropped, "Ban bi bai bo", None, today())
            .await;
        let set = import_sample(&app, &province).await;
        let last_year = app
        .post(
            "/api/v1/periods",
            &province.coordinator,
            json!({"criteria_set_id": set, "year": 2025, "name": "Kỳ 2025", "agency_ids": [agency.id],
                   "self_assessment_due": "2025-11-30", "appraisal_due": "2025-12-20"}),
        )
        .await;
        let last_year = id_of(&last_year);
        app.post(
            &format!("/api/v1/periods/{last_year}/open"),
            &province.coordinator,
            json!({}),
        )
        .await;
        let previous = assessment_of(&app, &agency, &last_year).await;
        for (code, version) in [("1.3.2", &old), ("1.4", &dropped_version)] {
            let linked = app
                .post(
                    &format!("/api/v1/assessments/{previous}/criteria/{code}/evidence"),
                    &agency.officer,
                    json!({"kind": "document_version", "id": version}),
                )
                .await;
            assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text);
        }
        // This year: a new issue of one, the other withdrawn.
        let new = app
            .issue_version(&agency, &kept, "Ban moi", Some("Sửa đổi năm 2026"), today())
            .await;
        let withdrawn = app
            .post(
                &format!("/api/v1/versions/{dropped_version}/obsolete"),
                &agency.head,
                json!({"reason": "Bãi bỏ"}),
            )
            .await;
        assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
        let period = open_period(&app, &province, &set, &[&agency.id], today()).await;
        let id = assessment_of(&app, &agency, &period).await;
        let carried = app
            .post(
                &format!("/api/v1/assessments/{id}/carry-forward"),
                &agency.officer,
                json!({}),
            )
            .await;
        assert_eq!(carried.status, StatusCode::OK, "{}", carried.text);
        assert_eq!(carried.json["from_assessment_id"], previous.as_str());
        assert_eq!(
            carried.json["carried"][0]["version_id"],
            new.as_str(),
            "{}",
            carried.text
        );
        assert_eq!(carried.json["not_carried"][0]["criterion_code"], "1.4");
        assert_eq!(
            carried.json["not_carried"][0]["reason"],
            "document_obsolete"
        );
        // Last year's evidence still shows last year's version.
        let before = app
            .get(&format!("/api/v1/assessments/{previous}"), &agency.officer)
            .await;
        assert_eq!(
            criterion(&before.json, "1.3.2")["evidence"][0]["version_id"],
            old.as_str()
        );
    }
);

db_test!(
    facts_the_system_knows_are_proposed_and_accepted_with_their_records,
    |app| {
        let province = province(&app).await;
        let agency = department(&app, &province, "SNV").await;
        let announced = app
        .post(
            "/api/v1/announcements",
            &agency.officer,
            json!({"agency_id": agency.id, "decision_number": "12/QĐ-SNV", "decided_on": "2024-03-01",
                   "scope": "Toàn bộ thủ tục hành chính", "notified_on": "2024-03-05",
                   "posted_at_office": true, "website_url": "https://snv.example.gov.vn/iso"}),
        )
        .await;
        assert_eq!(announced.status, StatusCode::CREATED, "{}", announced.text);
        let set = import_sample(&app, &province).await;
        let period = open_period(&app, &province, &set, &[&agency.id], today()).await;
        let id = assessment_of(&app, &agency, &period).await;
        let facts = app
            .get(&format!("/api/v1/assessments/{id}/facts"), &agency.officer)
            .await;
        assert_eq!(facts.status, StatusCode::OK, "{}", facts.text);
        let by_code = |code: &str| {
            facts
                .json
                .as_array()
                .expect("proposals")
                .iter()
                .find(|p| p["criterion_code"] == code)
                .cloned()
                .unwrap_or_else(|| panic!("no {code}: {}", facts.text))
        };
        let announcement = by_code("2.3");
        assert_eq!(announcement["findings"][0]["holds"], true);
        assert_eq!(announcement["proposed_score"], 6.0);
        assert_eq!(
            announcement["evidence"][0]["record_id"],
            announced.json["id"]
        );
        let review = by_code("1.5");
        assert_eq!(
            (
                review["findings"][0]["holds"].clone(),
                review["proposed_score"].clone()
            ),
            (json!(false), json!(0.0))
        );
        // Accepting links the records and sets the score; overriding keeps a note.
        let accepted = app
            .post(
                &format!("/api/v1/assessments/{id}/facts/2.3/accept"),
                &agency.officer,
                json!({}),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
        assert_eq!(
            (
                accepted.json["state"].clone(),
                accepted.json["self_score"].clone()
            ),
            (json!("accepted"), json!(6.0))
        );
        assert_eq!(accepted.json["evidence"][0]["linked"], true);
        let overridden = app
            .post(
                &format!("/api/v1/assessments/{id}/facts/1.5/override"),
                &agency.officer,
                json!({"note": "Họp xem xét ngày 15/12, biên bản đang ký"}),
            )
            .await;
        assert_eq!(overridden.status, StatusCode::OK, "{}", overridden.text);
        assert_eq!(overridden.json["state"], "overridden");
        let view = app
            .get(&format!("/api/v1/assessments/{id}"), &agency.officer)
            .await;
        assert_eq!(
            criterion(&view.json, "2.3")["evidence"][0]["kind"],
            "record"
        );
        assert_eq!(
            criterion(&view.json, "1.5")["fact_note"],
            "Họp xem xét ngày 15/12, biên bản đang ký"
        );
    }
);

db_test!(an_appraiser_withdrawn_no_longer_appraises, |app| {
    let province = province(&app).await;
    let agency = department(&app, &province, "SNV").await;
    let set = import_sample(&app, &province).await;
    let period = open_period(&app, &province, &set, &[&agency.id], today()).await;
    let id = assessment_of(&app, &agency, &period).await;
    score_all(&app, &agency.officer, &id, 1.0).await;
    app.post(
        &format!("/api/v1/assessments/{id}/submit"),
        &agency.officer,
        json!({}),
    )
    .await;
    let appraiser = app
        .user_with_role("tdinh", "appraiser", Some(&province.id))
        .await;
    let appraiser_id = crate::records::user_id(&app, &appraiser).await;
    let officer_id = crate::records::user_id(&app, &agency.officer).await;
    // Someone without the appraiser role is refused.
    let refused = app
        .post(
            &format!("/api/v1/periods/{period}/appraisers"),
            &province.coordinator,
            json!({"assessment_id": id, "user_id": officer_id}),
        )
        .await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "appraiser_role_missing",
    );
    let assigned = app
        .post(
            &format!("/api/v1/periods/{period}/appraisers"),
            &province.coordinator,
            json!({"assessment_id": id, "user_id": appraiser_id}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.text);
    let mine = app
        .get("/api/v1/assessments?assigned_to_me=true", &appraiser)
        .await;
    assert_eq!(mine.json["items"][0]["id"], id.as_str(), "{}", mine.text);
    let withdrawn = app
        .delete(
            &format!("/api/v1/periods/{period}/appraisers/{}", id_of(&assigned)),
            &province.coordinator,
        )
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::NO_CONTENT,
        "{}",
        withdrawn.text
    );
    let refused = app
        .put(
            &format!("/api/v1/assessments/{id}/criteria/1.1/appraisal"),
            &appraiser,
            json!({"score": 4}),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "appraisal_not_assigned");
    let history = app
        .get(
            &format!("/api/v1/assessments/{id}/criteria/1.1/history"),
            &province.coordinator,
        )
        .await;
    assert!(
        history.text.contains("assessment.unassign"),
        "{}",
        history.text
    );
});
