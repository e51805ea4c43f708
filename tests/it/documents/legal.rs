//! Legal bases: the shared register and what its changes do to citing procedures.

use axum::http::StatusCode;
use chrono::Duration;
use hoso::clock::today;
use serde_json::json;

use crate::support::{assert_error, db_test, id_of};

db_test!(
    a_replaced_legal_reference_flags_citing_procedures_with_a_three_month_deadline,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let created = app
        .post(
            "/api/v1/legal-refs",
            &agency.officer,
            json!({"number": "19/2014/QĐ-TTg", "title": "Quyết định áp dụng TCVN ISO 9001", "issued_on": "2014-03-05", "effective_on": "2014-05-18"}),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.json["parts"]["doc_type"], "QĐ");
        let legal = id_of(&created);
        let again = app
            .post(
                "/api/v1/legal-refs",
                &agency.officer,
                json!({"number": "19/2014/qd-ttg", "title": "x"}),
            )
            .await;
        assert_error(&again, StatusCode::CONFLICT, "legal_ref_exists");
        let malformed = app
            .post(
                "/api/v1/legal-refs",
                &agency.officer,
                json!({"number": "Quyết định 19", "title": "x"}),
            )
            .await;
        assert_error(&malformed, StatusCode::BAD_REQUEST, "invalid_input");
        let by_number = app
            .get("/api/v1/legal-refs/19%2F2014%2FQD-TTG", &agency.staff)
            .await;
        assert_eq!(by_number.status, StatusCode::OK, "{}", by_number.text);
        let listed = app
            .get("/api/v1/legal-refs?number=19/2014/qđ-ttg", &agency.staff)
            .await;
        assert_eq!(listed.json["total"], 1, "{}", listed.text);
        assert_eq!(listed.json["items"][0]["id"], legal.as_str());

        // Cited by number, as officers write it.
        let unknown = app
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": agency.id, "code": "QT-05", "title": "Quy trình", "kind": "procedure", "legal_ref_ids": ["99/2099/NĐ-CP"]}),
            )
            .await;
        assert_error(&unknown, StatusCode::BAD_REQUEST, "invalid_input");
        let cited = app
        .post(
            "/api/v1/documents",
            &agency.officer,
            json!({"agency_id": agency.id, "code": "QT-05", "title": "Quy trình", "kind": "procedure", "legal_ref_ids": ["19/2014/qd-ttg"]}),
        )
        .await;
        let document = id_of(&cited);
        assert_eq!(cited.json["legal_bases"][0]["number"], "19/2014/QĐ-TTg");
        app.issue_version(&agency, &document, "QT-05", None, today())
            .await;

        // The register is shared: an agency's officer cannot repeal what every agency cites.
        let changed_on = today() - Duration::days(100);
        let by_officer = app
            .patch(
                &format!("/api/v1/legal-refs/{legal}"),
                &agency.officer,
                json!({"status": "replaced", "status_effective_on": changed_on}),
            )
            .await;
        assert_error(&by_officer, StatusCode::FORBIDDEN, "register_shared");
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        let replaced = app
            .patch(
                &format!("/api/v1/legal-refs/{legal}"),
                &coordinator,
                json!({"status": "replaced", "status_effective_on": changed_on}),
            )
            .await;
        assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
        // The citing documents are flagged by a job of their own.
        app.drain_jobs().await;
        let deadline = changed_on
            .checked_add_months(chrono::Months::new(3))
            .unwrap();
        let doc = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        assert_eq!(doc.json["status"], "needs_update");
        assert_eq!(doc.json["update_required_by"], json!(deadline));
        let impact = app
            .get(
                &format!("/api/v1/legal-refs/{legal}/impact"),
                &agency.officer,
            )
            .await;
        assert_eq!(impact.json[0]["document_id"], document.as_str());
        assert_eq!(impact.json[0]["overdue"], true);
        let overdue = app
            .get("/api/v1/documents?overdue=true", &agency.officer)
            .await;
        assert_eq!(overdue.json["total"], 1);
        // Flagged for an update, it is still in force: the in-force register lists it.
        let in_force = app
            .get("/api/v1/documents?status=effective", &agency.staff)
            .await;
        assert_eq!(in_force.json["total"], 1, "{}", in_force.text);
        assert_eq!(in_force.json["items"][0]["status"], "needs_update");
        let due = app.get("/api/v1/reviews/due", &agency.officer).await;
        assert_eq!(due.json[0]["reason"], "legal_change");
        assert_eq!(due.json[0]["overdue"], true);
        let missing_day = app
            .patch(
                &format!("/api/v1/legal-refs/{legal}"),
                &coordinator,
                json!({"status": "repealed"}),
            )
            .await;
        assert_error(&missing_day, StatusCode::BAD_REQUEST, "invalid_input");

        // Publishing the updated procedure clears the flag.
        app.issue_version(
            &agency,
            &document,
            "QT-05 moi",
            Some("Theo văn bản mới"),
            today(),
        )
        .await;
        let updated = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        assert_eq!(updated.json["status"], "effective");
        assert_eq!(updated.json["update_required_by"], json!(null));
    }
);

db_test!(
    a_flag_is_cleared_when_its_reference_is_back_in_force_or_a_review_keeps_the_document,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        let created = app
            .post(
                "/api/v1/legal-refs",
                &agency.officer,
                json!({"number": "61/2018/NĐ-CP", "title": "Nghị định về cơ chế một cửa"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let cited = app
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": agency.id, "code": "QT-09", "title": "Quy trình một cửa", "kind": "procedure", "legal_ref_ids": ["61/2018/NĐ-CP"]}),
            )
            .await;
        let document = id_of(&cited);
        app.issue_version(&agency, &document, "QT-09", None, today())
            .await;
        let set = |status: &'static str| {
            let app = &app;
            let coordinator = coordinator.clone();
            async move {
                let mut body = json!({"status": status});
                if status != "in_force" {
                    body["status_effective_on"] = json!(today());
                }
                let reply = app
                    .patch(
                        "/api/v1/legal-refs/61%2F2018%2FN%C4%90-CP",
                        &coordinator,
                        body,
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
                app.drain_jobs().await;
            }
        };
        let status = || async {
            app.get(&format!("/api/v1/documents/{document}"), &agency.officer)
                .await
                .json["status"]
                .clone()
        };
        set("amended").await;
        assert_eq!(status().await, "needs_update");
        // Entered by mistake: back in force, the flag it raised goes.
        set("in_force").await;
        assert_eq!(status().await, "effective");
        // Flagged again; the officer reviews and keeps the procedure, saying why.
        set("amended").await;
        assert_eq!(status().await, "needs_update");
        let kept = app
            .post(
                &format!("/api/v1/documents/{document}/reviews"),
                &agency.officer,
                json!({"verdict": "keep", "note": "Điều sửa đổi không liên quan đến quy trình"}),
            )
            .await;
        assert_eq!(kept.status, StatusCode::OK, "{}", kept.text);
        assert_eq!(kept.json["status"], "effective");
        assert_eq!(kept.json["update_required_by"], json!(null));
    }
);
