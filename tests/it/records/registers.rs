//! Quality objectives with results, announcements of conformity, complaints; and what each
//! raises.

use axum::http::StatusCode;
use chrono::Duration;
use hoso::clock::today;
use serde_json::json;

use super::qms_agency;
use crate::support::{assert_error, db_test, id_of};

db_test!(
    an_objective_records_results_and_a_missed_one_raises_a_corrective_action,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let objective = json!({"agency_id": qms.id, "year": 2026,
        "title": "Giải quyết đúng hạn hồ sơ thủ tục hành chính", "target": "≥ 98%", "unit": "%",
        "method": "Số hồ sơ đúng hạn / tổng số hồ sơ", "frequency": "quarterly"});
        assert_error(
            &app.post("/api/v1/objectives", &qms.officer, {
                let mut wrong = objective.clone();
                wrong["frequency"] = json!("daily");
                wrong
            })
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        let created = app
            .post("/api/v1/objectives", &qms.officer, objective.clone())
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.json["status"], "active");
        assert_eq!(created.json["year"], 2026);
        let id = id_of(&created);
        let results = format!("/api/v1/objectives/{id}/results");
        let met = app
            .post(
                &results,
                &qms.officer,
                json!({"period": "2026-Q1", "value": "98.6", "achieved": true}),
            )
            .await;
        assert_eq!(met.json["status"], "achieved", "{}", met.text);
        let missed = app
        .post(
            &results,
            &qms.officer,
            json!({"period": "2026-Q2", "value": "95.1", "achieved": false, "note": "Thiếu người"}),
        )
        .await;
        assert_eq!(missed.json["status"], "missed");
        assert_eq!(
            missed.json["details"]["results"].as_array().unwrap().len(),
            2
        );
        let raised = app
            .post(
                "/api/v1/corrective-actions",
                &qms.officer,
                json!({"agency_id": qms.id, "source": "objective", "source_record_id": id,
                   "nonconformity": "Mục tiêu quý 2 không đạt"}),
            )
            .await;
        assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.text);
        let objective_now = app
            .get(&format!("/api/v1/objectives/{id}"), &qms.staff)
            .await;
        assert_eq!(objective_now.json["raised"][0]["kind"], "corrective_action");
        let status = app
            .get("/api/v1/agencies/SKHCN/qms-status?year=2026", &qms.head)
            .await;
        assert_eq!(
            status.json["objectives"],
            json!({"total": 1, "achieved": 0})
        );
    }
);

db_test!(
    one_announcement_is_current_and_a_new_one_names_what_it_replaces,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let first = app
        .post(
            "/api/v1/announcements",
            &qms.officer,
            json!({"agency_id": qms.id, "decision_number": "12/QĐ-SKHCN", "decided_on": "2024-03-01",
                   "scope": "Toàn bộ thủ tục hành chính", "notified_on": "2024-03-05",
                   "posted_at_office": true, "website_url": "https://skhcn.example.gov.vn/iso"}),
        )
        .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        assert_eq!(first.json["status"], "current");
        assert_eq!(first.json["number"], "12/QĐ-SKHCN");
        assert_eq!(first.json["details"]["standard"], "TCVN ISO 9001:2015");
        let again = json!({"agency_id": qms.id, "decision_number": "40/QĐ-SKHCN", "decided_on": "2026-02-01",
                       "scope": "Toàn bộ thủ tục hành chính sau sáp nhập"});
        assert_error(
            &app.post("/api/v1/announcements", &qms.officer, again.clone())
                .await,
            StatusCode::CONFLICT,
            "announcement_current_exists",
        );
        let mut replacing = again.clone();
        replacing["previous_id"] = first.json["id"].clone();
        assert_error(
            &app.post("/api/v1/announcements", &qms.officer, replacing.clone())
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        );
        replacing["reason"] = json!("Sáp nhập Sở");
        let second = app
            .post("/api/v1/announcements", &qms.officer, replacing)
            .await;
        assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
        let old = app
            .get(
                &format!(
                    "/api/v1/announcements/{}",
                    first.json["id"].as_str().unwrap()
                ),
                &qms.staff,
            )
            .await;
        assert_eq!(old.json["status"], "superseded");
        assert_eq!(old.json["raised"][0]["id"], second.json["id"]);
        let current = app
            .get(
                &format!("/api/v1/announcements?agency={}&status=current", qms.id),
                &qms.staff,
            )
            .await;
        assert_eq!(current.json["total"], 1);
        assert_eq!(current.json["items"][0]["number"], "40/QĐ-SKHCN");
        let status = app
            .get("/api/v1/agencies/SKHCN/qms-status", &qms.head)
            .await;
        assert_eq!(status.json["announcement_current"], true);
        let bad_link = app
            .post(
                "/api/v1/announcements",
                &qms.officer,
                json!({"agency_id": qms.id, "decision_number": "1/QĐ", "decided_on": "2026-01-01",
                   "scope": "x", "website_url": "javascript:alert(1)"}),
            )
            .await;
        assert_error(&bad_link, StatusCode::BAD_REQUEST, "invalid_input");
    }
);

db_test!(a_complaint_is_handled_then_closed_with_its_result, |app| {
    let qms = qms_agency(&app, "SKHCN").await;
    let unknown = app
        .post(
            "/api/v1/complaints",
            &qms.officer,
            json!({"agency_id": qms.id, "received_on": today(), "channel": "pigeon", "content": "x"}),
        )
        .await;
    assert_error(&unknown, StatusCode::BAD_REQUEST, "invalid_input");
    assert!(unknown.text.contains("hotline"), "{}", unknown.text);
    assert_error(
        &app.post(
            "/api/v1/complaints",
            &qms.officer,
            json!({"agency_id": qms.id, "received_on": today() + Duration::days(1), "channel": "email", "content": "x"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    let created = app
        .post(
            "/api/v1/complaints",
            &qms.officer,
            json!({"agency_id": qms.id, "received_on": today(), "from": "Ông Nguyễn Văn B",
                   "channel": "hotline", "content": "Hồ sơ cấp phép chậm hai tuần"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["status"], "received");
    let id = id_of(&created);
    let path = format!("/api/v1/complaints/{id}");
    assert_error(
        &app.patch_if(&path, &qms.officer, Some("*"), json!({"status": "closed"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    let closed = app
        .patch_if(
            &path,
            &qms.officer,
            Some("*"),
            json!({"handling": "Kiểm tra hồ sơ", "result": "Đã trả kết quả, xin lỗi công dân", "status": "closed"}),
        )
        .await;
    assert_eq!(closed.json["status"], "closed", "{}", closed.text);
    assert_error(
        &app.patch_if(&path, &qms.officer, Some("*"), json!({"handling": "x"}))
            .await,
        StatusCode::CONFLICT,
        "record_locked",
    );
    let status = app
        .get("/api/v1/agencies/SKHCN/qms-status", &qms.head)
        .await;
    assert_eq!(
        status.json["complaints"],
        json!({"total": 1, "achieved": 1})
    );
});

db_test!(a_series_keeps_its_records_for_its_own_retention, |app| {
    let qms = qms_agency(&app, "SKHCN").await;
    let other = qms_agency(&app, "STP").await;
    let series = app
        .post(
            "/api/v1/record-series",
            &qms.officer,
            json!({"agency_id": qms.id, "name": "Hồ sơ đào tạo", "record_type": "training", "retention_years": 5}),
        )
        .await;
    assert_eq!(series.status, StatusCode::CREATED, "{}", series.text);
    assert_error(
        &app.post(
            "/api/v1/record-series",
            &qms.officer,
            json!({"agency_id": qms.id, "name": "HỒ SƠ ĐÀO TẠO"}),
        )
        .await,
        StatusCode::CONFLICT,
        "series_name_taken",
    );
    let their_series = app
        .post(
            "/api/v1/record-series",
            &other.officer,
            json!({"agency_id": other.id, "name": "Khác", "permanent": true}),
        )
        .await;
    assert_eq!(
        their_series.json["retention_years"],
        serde_json::Value::Null
    );
    let record = app
        .post(
            "/api/v1/records",
            &qms.officer,
            json!({"agency_id": qms.id, "series_id": id_of(&series), "title": "Lớp nhận thức ISO tháng 3",
                   "occurred_on": "2026-03-15", "description": "Danh sách 40 học viên"}),
        )
        .await;
    assert_eq!(record.status, StatusCode::CREATED, "{}", record.text);
    assert_eq!(record.json["kind"], "record");
    assert_eq!(record.json["category"], "training");
    assert_eq!(record.json["retention_until"], "2031-12-31");
    assert_error(
        &app.post(
            "/api/v1/records",
            &qms.officer,
            json!({"agency_id": qms.id, "series_id": id_of(&their_series), "title": "x"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let listed = app.get("/api/v1/record-series", &qms.staff).await;
    assert_eq!(
        listed.json.as_array().unwrap().len(),
        1,
        "own agency's only: {}",
        listed.text
    );
});
