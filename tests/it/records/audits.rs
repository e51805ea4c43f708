//! Internal audits: who plans them, independent auditors, findings against the standard, the
//! order of their statuses and when they close.

use axum::http::StatusCode;
use serde_json::json;

use super::{finding, planned_audit, qms_agency, user_id};
use crate::support::{assert_error, db_test, id_of};

db_test!(
    an_internal_auditor_plans_an_audit_that_the_agency_reads_and_no_one_else,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let other = app.staffed_agency("STP").await;
        let audit = planned_audit(&app, &qms).await;
        assert_eq!(audit["kind"], "internal_audit");
        assert_eq!(audit["status"], "planned");
        assert_eq!(audit["number"], "DGNB-2026-001");
        assert_eq!(audit["occurred_on"], "2026-03-10");
        assert_eq!(
            audit["details"]["scope"]["clauses"],
            json!(["7.5", "8.5.1"]),
            "clauses are normalised"
        );
        let id = audit["id"].as_str().unwrap();

        let read = app.get(&format!("/api/v1/audits/{id}"), &qms.staff).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.text);
        assert_eq!(read.headers["etag"], "\"1\"");
        assert_error(
            &app.get(&format!("/api/v1/audits/{id}"), &other.staff).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_error(
            &app.get(&format!("/api/v1/corrective-actions/{id}"), &qms.staff)
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // The ISO officer keeps the other records, not the audits.
        let by_officer = app
            .post(
                "/api/v1/audits",
                &qms.officer,
                json!({"agency_id": qms.id, "title": "x", "planned_start": "2026-04-01",
                   "planned_end": "2026-04-01", "lead_auditor_id": qms.auditor_id}),
            )
            .await;
        assert_error(&by_officer, StatusCode::FORBIDDEN, "forbidden");
        // Another agency is as unknown as an agency that does not exist.
        let elsewhere = app
            .post(
                "/api/v1/audits",
                &qms.auditor,
                json!({"agency_id": other.id, "title": "x", "planned_start": "2026-04-01",
                   "planned_end": "2026-04-01", "lead_auditor_id": qms.auditor_id}),
            )
            .await;
        assert_error(&elsewhere, StatusCode::BAD_REQUEST, "invalid_input");

        let programme = app
            .get(
                &format!("/api/v1/audits?agency={}&year=2026", qms.id),
                &qms.head,
            )
            .await;
        assert_eq!(programme.json["total"], 1, "{}", programme.text);
        let none = app
            .get(
                &format!("/api/v1/audits?agency={}&year=2025", qms.id),
                &qms.head,
            )
            .await;
        assert_eq!(none.json["total"], 0);
    }
);

db_test!(
    auditors_are_internal_auditors_who_never_audit_their_own_unit,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let other = app.staffed_agency("STP").await;
        let plan = |lead: String, units: serde_json::Value| {
            json!({"agency_id": qms.id, "title": "Đánh giá", "planned_start": "2026-03-10",
               "planned_end": "2026-03-11", "scope": {"units": units}, "lead_auditor_id": lead})
        };
        // Staff of the unit audited, though an internal auditor too.
        let own_unit = app
            .post(
                "/api/v1/audits",
                &qms.auditor,
                plan(qms.unit_auditor_id.clone(), json!([qms.unit])),
            )
            .await;
        assert_error(
            &own_unit,
            StatusCode::UNPROCESSABLE_ENTITY,
            "auditor_not_independent",
        );
        assert!(
            own_unit.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("staff")
        );
        // Nor the whole agency, which holds that unit; but another unit, yes.
        assert_error(
            &app.post(
                "/api/v1/audits",
                &qms.auditor,
                plan(qms.unit_auditor_id.clone(), json!([qms.id])),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "auditor_not_independent",
        );
        let second_unit = app
            .agency("SKHCN-KT", "sub_department", Some(&qms.id))
            .await;
        let elsewhere = app
            .post(
                "/api/v1/audits",
                &qms.auditor,
                plan(qms.unit_auditor_id.clone(), json!([second_unit])),
            )
            .await;
        assert_eq!(elsewhere.status, StatusCode::CREATED, "{}", elsewhere.text);
        // A member who is not an internal auditor.
        let staff_id = user_id(&app, &qms.staff).await;
        let not_auditor = app
            .post("/api/v1/audits", &qms.auditor, plan(staff_id, json!([])))
            .await;
        assert_error(
            &not_auditor,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_an_internal_auditor",
        );
        // Another agency's people and units are not found.
        let stranger = user_id(&app, &other.staff).await;
        assert_error(
            &app.post("/api/v1/audits", &qms.auditor, plan(stranger, json!([])))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_error(
            &app.post(
                "/api/v1/audits",
                &qms.auditor,
                plan(qms.auditor_id.clone(), json!([other.id])),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let backwards = app
            .post(
                "/api/v1/audits",
                &qms.auditor,
                json!({"agency_id": qms.id, "title": "x", "planned_start": "2026-03-10",
                   "planned_end": "2026-03-09", "lead_auditor_id": qms.auditor_id}),
            )
            .await;
        assert_error(&backwards, StatusCode::BAD_REQUEST, "invalid_input");
    }
);

db_test!(findings_have_a_grade_and_a_clause_of_the_standard, |app| {
    let qms = qms_agency(&app, "SKHCN").await;
    let other = app.staffed_agency("STP").await;
    let audit = planned_audit(&app, &qms).await;
    let id = audit["id"].as_str().unwrap();
    let path = format!("/api/v1/audits/{id}/findings");
    let wrong_grade = app
        .post(
            &path,
            &qms.auditor,
            json!({"grade": "serious", "clause": "7.5", "description": "x"}),
        )
        .await;
    assert_error(&wrong_grade, StatusCode::BAD_REQUEST, "invalid_input");
    let message = wrong_grade.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("major, minor, observation, opportunity"),
        "{message}"
    );
    let wrong_clause = app
        .post(
            &path,
            &qms.auditor,
            json!({"grade": "minor", "clause": "11.2", "description": "x"}),
        )
        .await;
    assert_error(&wrong_clause, StatusCode::BAD_REQUEST, "invalid_input");
    assert!(wrong_clause.text.contains("11.2"), "{}", wrong_clause.text);
    let foreign_document = app.document(&other, "QT-01", "Quy trình").await;
    assert_error(
        &app.post(
            &path,
            &qms.auditor,
            json!({"grade": "minor", "clause": "7.5", "description": "x", "document_ids": [foreign_document]}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let own_document = app
        .document(&qms, "QT-01", "Quy trình kiểm soát tài liệu")
        .await;
    let minor = app
        .post(
            &path,
            &qms.auditor,
            json!({"grade": "minor", "clause": "Điều 7.5.3", "description": "Hồ sơ không có danh mục",
                   "unit_id": qms.unit, "document_ids": [own_document]}),
        )
        .await;
    assert_eq!(minor.status, StatusCode::CREATED, "{}", minor.text);
    assert_eq!(minor.json["status"], "open");
    assert_eq!(minor.json["category"], "minor");
    assert_eq!(minor.json["details"]["clause"], "7.5.3");
    assert_eq!(minor.json["details"]["needs_corrective_action"], true);
    assert_eq!(
        minor.json["links"],
        json!([{"kind": "document", "id": own_document}])
    );
    let observation = finding(&app, &qms, id, "observation").await;
    let observed = app
        .get(&format!("/api/v1/findings/{observation}"), &qms.staff)
        .await;
    assert_eq!(observed.json["status"], "noted");
    let audit = app.get(&format!("/api/v1/audits/{id}"), &qms.staff).await;
    assert_eq!(audit.json["children"].as_array().unwrap().len(), 2);
    // The staff read findings but do not log them.
    assert_error(
        &app.post(
            &path,
            &qms.staff,
            json!({"grade": "minor", "clause": "7.5", "description": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    // A checklist answers questions against clauses.
    let item = app
        .post(
            &format!("/api/v1/audits/{id}/checklist"),
            &qms.auditor,
            json!({"question": "Danh mục hồ sơ có được cập nhật?", "clause": "7.5.3"}),
        )
        .await;
    assert_eq!(item.status, StatusCode::CREATED, "{}", item.text);
    assert_eq!(item.json["status"], "unanswered");
    let answered = app
        .patch(
            &format!("/api/v1/audits/{id}/checklist/{}", id_of(&item)),
            &qms.auditor,
            json!({"answer": "nonconform", "note": "Thiếu danh mục năm 2025"}),
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text);
    assert_eq!(answered.json["status"], "nonconform");
    assert_error(
        &app.patch(
            &format!("/api/v1/audits/{id}/checklist/{}", id_of(&item)),
            &qms.auditor,
            json!({"answer": "maybe"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
});

db_test!(
    an_audit_moves_in_order_and_closes_once_its_nonconformities_are_corrected,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let audit = planned_audit(&app, &qms).await;
        let id = audit["id"].as_str().unwrap();
        let path = format!("/api/v1/audits/{id}");
        assert_error(
            &app.patch_if(&path, &qms.auditor, None, json!({"status": "in_progress"}))
                .await,
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
        );
        assert_error(
            &app.patch_if(
                &path,
                &qms.auditor,
                Some("\"7\""),
                json!({"status": "in_progress"}),
            )
            .await,
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
        );
        let skipped = app
            .patch_if(&path, &qms.auditor, Some("*"), json!({"status": "closed"}))
            .await;
        assert_error(&skipped, StatusCode::CONFLICT, "record_transition");
        assert!(
            skipped.text.contains("in_progress"),
            "names the allowed move: {}",
            skipped.text
        );
        let started = app
            .patch_if(
                &path,
                &qms.auditor,
                Some("\"1\""),
                json!({"status": "in_progress"}),
            )
            .await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text);
        assert_eq!(started.json["revision"], 2);
        assert!(started.json["details"]["actual_start"].is_string());
        let nonconformity = finding(&app, &qms, id, "major").await;
        assert_error(
            &app.patch_if(
                &path,
                &qms.auditor,
                Some("*"),
                json!({"status": "reported"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "audit_report_required",
        );
        let reported = app
        .patch_if(
            &path,
            &qms.auditor,
            Some("*"),
            json!({"status": "reported", "report": "Hệ thống được duy trì; 1 điểm không phù hợp nặng."}),
        )
        .await;
        assert_eq!(reported.status, StatusCode::OK, "{}", reported.text);
        let early = app
            .patch_if(&path, &qms.auditor, Some("*"), json!({"status": "closed"}))
            .await;
        assert_error(&early, StatusCode::CONFLICT, "audit_nonconformities_open");
        assert!(
            early.text.contains("PH-"),
            "names the finding: {}",
            early.text
        );

        // The nonconformity is corrected and verified by someone who did none of it.
        let raised = app
            .post(
                "/api/v1/corrective-actions",
                &qms.officer,
                json!({"agency_id": qms.id, "source": "internal_audit", "finding_id": nonconformity,
                   "nonconformity": "Hồ sơ lưu trữ không có danh mục"}),
            )
            .await;
        assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.text);
        let action = id_of(&raised);
        let staff_id = user_id(&app, &qms.staff).await;
        let planned = app
            .post(
                &format!("/api/v1/corrective-actions/{action}/actions"),
                &qms.officer,
                json!({"description": "Lập danh mục hồ sơ", "owner_id": staff_id,
                   "due_on": hoso::clock::today() + chrono::Duration::days(30)}),
            )
            .await;
        assert_eq!(planned.status, StatusCode::CREATED, "{}", planned.text);
        let step = planned.json["actions"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.post(
            &format!("/api/v1/corrective-actions/{action}/actions/{step}/complete"),
            &qms.staff,
            json!({}),
        )
        .await;
        let verified = app
            .post(
                &format!("/api/v1/corrective-actions/{action}/verify"),
                &qms.auditor,
                json!({"effective": true, "note": "Danh mục đã lập và dùng"}),
            )
            .await;
        assert_eq!(verified.json["status"], "closed", "{}", verified.text);
        let finding_now = app
            .get(&format!("/api/v1/findings/{nonconformity}"), &qms.staff)
            .await;
        assert_eq!(finding_now.json["status"], "closed");
        assert_eq!(finding_now.json["raised"][0]["id"], action.as_str());

        let closed = app
            .patch_if(&path, &qms.auditor, Some("*"), json!({"status": "closed"}))
            .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
        assert_eq!(closed.json["status"], "closed");
        assert_error(
            &app.patch_if(&path, &qms.auditor, Some("*"), json!({"title": "Sửa"}))
                .await,
            StatusCode::CONFLICT,
            "record_locked",
        );
        assert_error(
            &app.post(
                &format!("/api/v1/audits/{id}/findings"),
                &qms.auditor,
                json!({"grade": "minor", "clause": "7.5", "description": "x"}),
            )
            .await,
            StatusCode::CONFLICT,
            "record_locked",
        );
        let trail = app
            .get(
                &format!("/api/v1/audit-log?entity_id={id}"),
                &app.admin_token,
            )
            .await;
        let actions: Vec<&str> = trail.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["internal_audit.update"; 3]
                .into_iter()
                .chain(["internal_audit.create"])
                .collect::<Vec<_>>(),
            "every change leaves a row, newest first"
        );
    }
);
