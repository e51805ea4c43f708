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

db_test!(
    an_agency_proposes_a_change_to_the_shared_register_and_the_office_decides,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let other = app.staffed_agency("STP").await;
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        let legal = id_of(
            &app.post(
                "/api/v1/legal-refs",
                &agency.officer,
                json!({"number": "101/2020/NĐ-CP", "title": "Nghị định về đào tạo"}),
            )
            .await,
        );
        let cited = app
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": agency.id, "code": "QT-07", "title": "Quy trình đào tạo", "kind": "procedure", "legal_ref_ids": [legal]}),
            )
            .await;
        let document = id_of(&cited);
        app.issue_version(&agency, &document, "QT-07", None, today())
            .await;

        let repealed_on = today() - Duration::days(10);
        let change = json!({"status": "repealed", "status_effective_on": repealed_on});
        let path = format!("/api/v1/legal-refs/{legal}/proposals");
        let without_note = app
            .post(
                &path,
                &agency.officer,
                json!({"changes": change, "note": " "}),
            )
            .await;
        assert_error(&without_note, StatusCode::BAD_REQUEST, "invalid_input");
        let nothing = app
            .post(
                &path,
                &agency.officer,
                json!({"changes": {"status": "in_force"}, "note": "vẫn còn hiệu lực"}),
            )
            .await;
        assert_error(&nothing, StatusCode::BAD_REQUEST, "invalid_input");
        let by_staff = app
            .post(
                &path,
                &agency.staff,
                json!({"changes": change, "note": "x"}),
            )
            .await;
        assert_error(&by_staff, StatusCode::FORBIDDEN, "forbidden");
        let proposed = app
            .post(
                &path,
                &agency.officer,
                json!({"changes": change, "note": "Bãi bỏ bởi Nghị định 89/2021/NĐ-CP"}),
            )
            .await;
        assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text);
        assert_eq!(proposed.json["status"], "open");
        assert_eq!(proposed.json["number"], "101/2020/NĐ-CP");
        let proposal = id_of(&proposed);
        // Proposing changes nothing yet.
        let reference = app
            .get(&format!("/api/v1/legal-refs/{legal}"), &agency.staff)
            .await;
        assert_eq!(reference.json["status"], "in_force");

        // The proposer sees their proposal and cannot decide it; another agency does not see it.
        let mine = app
            .get("/api/v1/legal-ref-proposals", &agency.officer)
            .await;
        assert_eq!(mine.json["total"], 1, "{}", mine.text);
        let theirs = app.get("/api/v1/legal-ref-proposals", &other.officer).await;
        assert_eq!(theirs.json["total"], 0, "{}", theirs.text);
        let accept = format!("/api/v1/legal-ref-proposals/{proposal}/accept");
        let self_accepted = app.post(&accept, &agency.officer, json!({})).await;
        assert_error(&self_accepted, StatusCode::FORBIDDEN, "register_shared");
        let by_other = app.post(&accept, &other.officer, json!({})).await;
        assert_error(&by_other, StatusCode::NOT_FOUND, "not_found");

        // The office sees it among the open ones and accepts: the change is made and flags.
        let open = app
            .get("/api/v1/legal-ref-proposals?status=open", &coordinator)
            .await;
        assert_eq!(
            open.json["items"][0]["id"],
            proposal.as_str(),
            "{}",
            open.text
        );
        let accepted = app
            .post(&accept, &coordinator, json!({"note": "Đúng"}))
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
        assert_eq!(accepted.json["status"], "accepted");
        let reference = app
            .get(&format!("/api/v1/legal-refs/{legal}"), &agency.staff)
            .await;
        assert_eq!(reference.json["status"], "repealed");
        app.drain_jobs().await;
        let flagged = app
            .get(&format!("/api/v1/documents/{document}"), &agency.officer)
            .await;
        assert_eq!(flagged.json["status"], "needs_update", "{}", flagged.text);
        let twice = app.post(&accept, &coordinator, json!({})).await;
        assert_error(&twice, StatusCode::CONFLICT, "proposal_decided");
        let trail = app
            .get(
                "/api/v1/audit-log?action=legal_ref.proposal_accept",
                &app.admin_token,
            )
            .await;
        assert_eq!(trail.json["total"], 1, "{}", trail.text);

        // A declined proposal says why, and changes nothing.
        let second = id_of(
            &app.post(
                &path,
                &other.officer,
                json!({"changes": {"title": "Tên khác"}, "note": "Sai tên"}),
            )
            .await,
        );
        let decline = format!("/api/v1/legal-ref-proposals/{second}/decline");
        let no_reason = app.post(&decline, &coordinator, json!({})).await;
        assert_error(&no_reason, StatusCode::BAD_REQUEST, "invalid_input");
        let declined = app
            .post(
                &decline,
                &coordinator,
                json!({"note": "Tên đúng theo Công báo"}),
            )
            .await;
        assert_eq!(declined.json["status"], "declined", "{}", declined.text);
        let seen = app
            .get(
                "/api/v1/legal-ref-proposals?status=declined",
                &other.officer,
            )
            .await;
        assert_eq!(
            seen.json["items"][0]["decision_note"],
            "Tên đúng theo Công báo"
        );
        let reference = app
            .get(&format!("/api/v1/legal-refs/{legal}"), &agency.staff)
            .await;
        assert_eq!(reference.json["title"], "Nghị định về đào tạo");
    }
);
