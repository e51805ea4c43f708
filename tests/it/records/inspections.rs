//! The coordinator's inspections, and everything due that `deadlines` lists.

use axum::http::StatusCode;
use chrono::{Datelike, Duration};
use hoso::clock::today;
use serde_json::json;

use super::{planned_audit, qms_agency, user_id};
use crate::support::{assert_error, db_test, id_of};

db_test!(
    inspection_minutes_open_corrective_actions_due_two_months_later,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let office = app.agency("STC-TDC", "department", None).await;
        let other = app.staffed_agency("STP").await;
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        let plan = app
            .post(
                "/api/v1/inspections",
                &coordinator,
                json!({"agency_id": office, "year": 2026,
                   "agencies": [{"agency_id": qms.id, "on_site": true}, {"agency_id": other.id}],
                   "decision_number": "15/QĐ-TĐC", "decided_on": "2026-05-01"}),
            )
            .await;
        assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.text);
        assert_eq!(plan.json["details"]["agencies"][0]["on_site"], true);
        let id = id_of(&plan);
        // Agencies do not run inspections.
        assert_error(
            &app.post(
                "/api/v1/inspections",
                &qms.officer,
                json!({"agency_id": qms.id, "year": 2026, "agencies": []}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let outside = app.agency("SYT", "department", None).await;
        assert_error(
            &app.post(
                &format!("/api/v1/inspections/{id}/minutes"),
                &coordinator,
                json!({"agency_id": outside, "held_on": "2026-06-10", "issues": []}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_in_inspection_plan",
        );
        let held_on = today() - Duration::days(70);
        let minutes = app
            .post(
                &format!("/api/v1/inspections/{id}/minutes"),
                &coordinator,
                json!({"agency_id": qms.id, "held_on": held_on, "summary": "Duy trì tốt",
                   "issues": ["Chưa cập nhật Nghị định 30/2020/NĐ-CP vào quy trình văn thư",
                              "Thiếu hồ sơ đánh giá nội bộ năm 2025"]}),
            )
            .await;
        assert_eq!(minutes.status, StatusCode::CREATED, "{}", minutes.text);
        assert_eq!(minutes.json["agency_id"], qms.id.as_str());
        assert_eq!(minutes.json["raised"].as_array().unwrap().len(), 2);
        let due = hoso::clock::add_months(held_on, 2);
        // The inspected agency reads its minutes and has two corrective actions, now overdue.
        let mine = app
            .get(
                "/api/v1/corrective-actions?agency=SKHCN&category=inspection",
                &qms.officer,
            )
            .await;
        assert_eq!(mine.json["total"], 2, "{}", mine.text);
        assert_eq!(mine.json["items"][0]["due_on"], due.to_string());
        let overdue = app
            .get(
                "/api/v1/corrective-actions?agency=SKHCN&overdue=true",
                &qms.head,
            )
            .await;
        assert_eq!(overdue.json["total"], 2, "{}", overdue.text);
        assert_error(
            &app.get(
                &format!("/api/v1/records/{}", id_of(&minutes)),
                &other.staff,
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let deadlines = app
            .get("/api/v1/deadlines?agency=SKHCN", &qms.officer)
            .await;
        let reports: Vec<_> = deadlines
            .json
            .as_array()
            .unwrap()
            .iter()
            .filter(|due| due["kind"] == "corrective_action_report")
            .collect();
        assert_eq!(reports.len(), 2, "{}", deadlines.text);
        assert!(reports.iter().all(|report| report["overdue"] == true));
    }
);

db_test!(
    deadlines_list_what_is_due_for_the_caller_and_nothing_of_others,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let other = qms_agency(&app, "STP").await;
        let staff_id = user_id(&app, &qms.staff).await;
        let raised = app
        .post(
            "/api/v1/corrective-actions",
            &qms.officer,
            json!({"agency_id": qms.id, "source": "other", "found_on": today() - Duration::days(40),
                   "nonconformity": "Sổ công văn đến không ghi đủ"}),
        )
        .await;
        let id = id_of(&raised);
        for (description, days) in [
            ("Ghi bổ sung sổ", -3),
            ("Tập huấn văn thư", 10),
            ("Rà soát cuối năm", 200),
        ] {
            let planned = app
            .post(
                &format!("/api/v1/corrective-actions/{id}/actions"),
                &qms.officer,
                json!({"description": description, "owner_id": staff_id, "due_on": today() + Duration::days(days)}),
            )
            .await;
            assert_eq!(planned.status, StatusCode::CREATED, "{}", planned.text);
        }
        // The other agency keeps a system too, with nothing overdue but its yearly duties.
        planned_audit(&app, &other).await;
        let due = app
            .get("/api/v1/deadlines?within_days=30", &qms.officer)
            .await;
        assert_eq!(due.status, StatusCode::OK, "{}", due.text);
        let items = due.json.as_array().unwrap();
        let steps: Vec<_> = items
            .iter()
            .filter(|d| d["kind"] == "corrective_action_step")
            .collect();
        assert_eq!(
            steps.len(),
            2,
            "the action due in 200 days waits: {}",
            due.text
        );
        assert_eq!(steps[0]["title"], "Ghi bổ sung sổ");
        assert_eq!(steps[0]["overdue"], true);
        assert_eq!(steps[1]["overdue"], false);
        assert_eq!(steps[0]["owner_id"], staff_id.as_str());
        assert!(
            items.iter().all(|d| d["agency_id"] == qms.id.as_str()),
            "{}",
            due.text
        );
        // The year's audit and review are due by 30 November: today is past it.
        if today() > chrono::NaiveDate::from_ymd_opt(today().year(), 11, 30).unwrap() {
            let duties: Vec<_> = items
                .iter()
                .filter(|d| {
                    d["kind"] == "internal_audit_due" || d["kind"] == "management_review_due"
                })
                .collect();
            assert_eq!(duties.len(), 2, "{}", due.text);
            assert!(duties.iter().all(|d| d["overdue"] == true));
        }
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        let province = app
            .get("/api/v1/deadlines?within_days=400", &coordinator)
            .await;
        assert_error(&province, StatusCode::BAD_REQUEST, "invalid_input");
        let province = app.get("/api/v1/deadlines", &coordinator).await;
        let agencies: std::collections::BTreeSet<_> = province
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["agency_id"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            agencies.contains(&other.id),
            "the coordinator sees every agency: {}",
            province.text
        );
    }
);
