//! Legal numbers found in a version's text: listed with their pages, proposed as legal bases,
//! accepted or dismissed, and a replaced or repealed one in a procedure in force shows in
//! `deadlines` even when nobody linked it.

use axum::http::StatusCode;
use chrono::Duration;
use hoso::clock::today;
use serde_json::json;

use crate::support::{assert_error, db_test, id_of};

db_test!(
    cited_legal_numbers_are_proposed_and_a_repealed_one_is_due,
    |app| {
        let agency = app.staffed_agency("SKHCN").await;
        let other = app.staffed_agency("STP").await;
        for (number, title) in [
            ("30/2020/NĐ-CP", "Nghị định về công tác văn thư"),
            ("19/2014/QĐ-TTg", "Quyết định về áp dụng TCVN ISO 9001"),
        ] {
            let added = app
                .post(
                    "/api/v1/legal-refs",
                    &agency.officer,
                    json!({"number": number, "title": title, "issued_on": "2014-03-05"}),
                )
                .await;
            assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
        }
        let document = app.document(&agency, "QT-01", "Quy trình văn thư").await;
        let version = app
            .issue_version(
                &agency,
                &document,
                "Can cu Nghi dinh so 30/2020/ND-CP, Quyet dinh 19/2014/QD-TTg va TT 26/2014",
                None,
                today(),
            )
            .await;
        app.drain_jobs().await;
        let path = format!("/api/v1/versions/{version}/citations");
        let cited = app.get(&path, &agency.staff).await;
        assert_eq!(cited.status, StatusCode::OK, "{}", cited.text);
        let list = cited.json.as_array().unwrap();
        let keys: Vec<&str> = list.iter().map(|c| c["key"].as_str().unwrap()).collect();
        assert_eq!(
            keys,
            ["19/2014/QD-TTG", "26/2014/TT", "30/2020/ND-CP"],
            "{}",
            cited.text
        );
        let decree = list.iter().find(|c| c["key"] == "30/2020/ND-CP").unwrap();
        assert_eq!(decree["pages"], json!([1]));
        assert_eq!(decree["legal_ref"]["number"], "30/2020/NĐ-CP");
        assert_eq!(decree["proposed"], true);
        let circular = list.iter().find(|c| c["key"] == "26/2014/TT").unwrap();
        assert_eq!(
            circular["legal_ref"],
            serde_json::Value::Null,
            "not in the register"
        );
        assert_eq!(circular["proposed"], false);
        assert_error(
            &app.get(&path, &other.staff).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        let accepted = app
            .post(
                &format!("/api/v1/documents/{document}/citations/accept"),
                &agency.officer,
                json!({"number": "30/2020/NĐ-CP"}),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
        assert_eq!(accepted.json["legal_bases"].as_array().unwrap().len(), 1);
        assert_error(
            &app.post(
                &format!("/api/v1/documents/{document}/citations/dismiss"),
                &agency.staff,
                json!({"number": "19/2014/QĐ-TTg"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let now = app.get(&path, &agency.officer).await;
        let decree = now
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "30/2020/ND-CP")
            .unwrap()
            .clone();
        assert_eq!(decree["basis"], true);
        assert_eq!(decree["proposed"], false);

        // The decision cited but never linked is repealed: the procedure in force must follow.
        let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
        let decision = app
            .get("/api/v1/legal-refs/19%2F2014%2FQ%C4%90-TTg", &coordinator)
            .await;
        let changed_on = today() - Duration::days(100);
        let repealed = app
            .patch(
                &format!("/api/v1/legal-refs/{}", id_of(&decision)),
                &coordinator,
                json!({"status": "repealed", "status_effective_on": changed_on}),
            )
            .await;
        assert_eq!(repealed.status, StatusCode::OK, "{}", repealed.text);
        app.drain_jobs().await;
        let due = app
            .get("/api/v1/deadlines?agency=SKHCN", &agency.officer)
            .await;
        let cited_due: Vec<_> = due
            .json
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] == "cited_reference_changed")
            .collect();
        assert_eq!(cited_due.len(), 1, "{}", due.text);
        assert_eq!(cited_due[0]["document_id"], document.as_str());
        assert_eq!(
            cited_due[0]["due_on"],
            hoso::clock::add_months(changed_on, 3).to_string()
        );
        assert_eq!(
            cited_due[0]["overdue"], true,
            "three months after the repeal have passed"
        );
        // Dismissed, it is no longer due.
        let dismissed = app
            .post(
                &format!("/api/v1/documents/{document}/citations/dismiss"),
                &agency.officer,
                json!({"number": "19/2014/QĐ-TTg"}),
            )
            .await;
        assert_eq!(
            dismissed.status,
            StatusCode::NO_CONTENT,
            "{}",
            dismissed.text
        );
        let due = app
            .get("/api/v1/deadlines?agency=SKHCN", &agency.officer)
            .await;
        assert!(
            due.json
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["kind"] != "cited_reference_changed"),
            "{}",
            due.text
        );
        let other_due = app.get("/api/v1/deadlines", &other.officer).await;
        assert!(
            other_due
                .json
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["agency_id"] != agency.id.as_str())
        );
    }
);
