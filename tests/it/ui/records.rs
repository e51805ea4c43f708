//! Record pages without a browser: another agency's audit is a page that was never there, a
//! refused plan comes back with the reason and what was typed, the staff cannot log findings,
//! and the dashboard's deadlines of records open the record.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::json;

use crate::support::{TestApp, db_test, id_of};

fn page(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, format!("hoso_session={token}"))
        .body(Body::empty())
        .unwrap()
}

fn form(path: &str, token: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, format!("hoso_session={token}"))
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// An audit of `agency` planned by its internal auditor; returns (auditor's token, audit id).
async fn audit(app: &TestApp, agency: &crate::support::Agency, auditor: &str) -> (String, String) {
    let token = app
        .user_with_role(auditor, "internal_auditor", Some(&agency.id))
        .await;
    let me = app.get("/api/v1/me", &token).await;
    let today = hoso::clock::today();
    let created = app
        .post(
            "/api/v1/audits",
            &token,
            json!({"agency_id": agency.id, "title": "Đánh giá nội bộ bí mật", "planned_start": today,
                   "planned_end": today, "lead_auditor_id": me.json["id"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    (token, id_of(&created))
}

db_test!(
    another_agencys_audit_is_not_there_and_staff_cannot_log_findings,
    |app| {
        let mine = app.staffed_agency("SONV").await;
        let theirs = app.staffed_agency("SOYT").await;
        let (_, their_audit) = audit(&app, &theirs, "danhgia-soyt").await;
        let (auditor, my_audit) = audit(&app, &mine, "danhgia-sonv").await;

        let shown = app
            .send(page(&format!("/records/{my_audit}"), &auditor))
            .await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(
            shown.text.contains("Đánh giá nội bộ bí mật")
                && shown.text.contains("Ghi nhận phát hiện")
        );

        let hidden = app
            .send(page(&format!("/records/{their_audit}"), &auditor))
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        assert!(!hidden.text.contains("bí mật"), "nothing of it shows");
        let posted = app
            .send(form(
                &format!("/audits/{their_audit}/checklist"),
                &auditor,
                "question=Co+khong",
            ))
            .await;
        assert_eq!(posted.status, StatusCode::NOT_FOUND);

        // The staff read the audit but are offered no form, and a finding posted anyway is refused.
        let staff_view = app
            .send(page(&format!("/records/{my_audit}"), &mine.staff))
            .await;
        assert_eq!(staff_view.status, StatusCode::OK);
        assert!(!staff_view.text.contains("Ghi nhận phát hiện"));
        let asked = app
            .send(form(
                &format!("/audits/{my_audit}/checklist"),
                &mine.staff,
                "question=Co+khong",
            ))
            .await;
        assert_eq!(asked.status, StatusCode::FORBIDDEN);
        assert!(
            asked.text.contains("role=\"alert\""),
            "said on the page: {}",
            asked.text
        );
    }
);

db_test!(a_refused_plan_keeps_what_was_typed, |app| {
    let agency = app.staffed_agency("SOXD").await;
    let auditor = app
        .user_with_role("danhgia-soxd", "internal_auditor", Some(&agency.id))
        .await;
    let me = app.get("/api/v1/me", &auditor).await;
    let second = app
        .user_with_role("danhgia2-soxd", "internal_auditor", Some(&agency.id))
        .await;
    let second = app.get("/api/v1/me", &second).await;
    let second_id = second.json["id"].as_str().unwrap();
    let body = format!(
        "agency_id={}&title=%C4%90%C3%A1nh+gi%C3%A1+qu%C3%BD+IV&planned_start=2026-12-20&planned_end=2026-12-10&lead_auditor_id={}&processes=Ti%E1%BA%BFp+nh%E1%BA%ADn",
        agency.id,
        me.json["id"].as_str().unwrap()
    );
    let refused = app
        .send(form(
            "/audits",
            &auditor,
            &format!("{body}&team_ids={second_id}&clauses=7.5&clauses=9.2"),
        ))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert!(refused.text.contains("role=\"alert\""));
    assert!(
        refused.text.contains("value=\"Đánh giá quý IV\""),
        "the title kept"
    );
    assert!(
        refused.text.contains(">Tiếp nhận</textarea>"),
        "the processes kept"
    );
    assert!(refused.text.contains("id=\"p-end\" name=\"planned_end\" type=\"date\" required value=\"2026-12-10\" aria-invalid=\"true\""));
    // Every choice of the multiple choices is kept, not only the last.
    assert!(
        refused
            .text
            .contains(&format!("<option value=\"{second_id}\" selected>")),
        "the team kept"
    );
    for clause in ["7.5", "9.2"] {
        assert!(
            refused
                .text
                .contains(&format!("<option value=\"{clause}\" selected>")),
            "clause {clause} kept"
        );
    }

    // Planned with a second auditor in the team, who is named on the audit's page.
    let planned = app
        .send(form(
            "/audits",
            &auditor,
            &format!(
                "{}&team_ids={}",
                body.replace("2026-12-10", "2026-12-22"),
                second_id
            ),
        ))
        .await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.text);
    let record = planned.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let shown = app.send(page(&record, &auditor)).await;
    assert!(
        shown.text.contains("Đã lập kế hoạch đánh giá.") && shown.text.contains("Đánh giá quý IV")
    );
    assert!(
        shown
            .text
            .contains(second.json["display_name"].as_str().unwrap()),
        "the team member: {}",
        shown.text
    );
    let programme = app.send(page("/audits?year=2026", &auditor)).await;
    assert!(programme.text.contains("Đánh giá quý IV"));
});

db_test!(the_dashboards_deadlines_of_records_open_the_record, |app| {
    let demo = hoso::demo::load(&app.state, app.router.clone())
        .await
        .expect("the demo loads");
    let officer = demo
        .accounts
        .iter()
        .find(|account| account.username == "thuky.skhcn")
        .expect("the science department's ISO officer");
    let token = app.login(&officer.username, &officer.password).await;
    let dashboard = app.send(page("/", &token)).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    // The overdue step of a corrective action links to the corrective action's page.
    let link = dashboard
        .text
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.starts_with("/records/"))
        .expect("a deadline that opens a record")
        .to_owned();
    let record = app.send(page(&link, &token)).await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.text.contains("HDKP-"), "a corrective action's page");

    // The coordinator reads every agency's: each deadline says whose it is (both departments
    // number their first corrective action HDKP-2026-001).
    let coordinator = demo
        .accounts
        .iter()
        .find(|account| account.username == "dieuphoi")
        .expect("the coordinator");
    let token = app
        .login(&coordinator.username, &coordinator.password)
        .await;
    let dashboard = app.send(page("/", &token)).await;
    for agency in ["Sở Khoa học và Công nghệ", "Sở Tư pháp"] {
        assert!(
            dashboard
                .text
                .contains(&format!("<span class=\"muted small\">{agency}</span>")),
            "{agency}: {}",
            dashboard.text
        );
    }
});

db_test!(
    a_management_reviews_page_shows_its_inputs_under_their_titles,
    |app| {
        let agency = app.staffed_agency("SOKHCN").await;
        let head = app.get("/api/v1/me", &agency.head).await;
        let created = app
            .post(
                "/api/v1/management-reviews",
                &agency.officer,
                json!({"agency_id": agency.id, "held_on": hoso::clock::today(),
                       "chair_id": head.json["id"]}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let shown = app
            .send(page(&format!("/records/{}", id_of(&created)), &agency.head))
            .await;
        assert_eq!(shown.status, StatusCode::OK);
        // Each input of ISO 9001 9.3.2 under its Vietnamese title, with what hoso prefilled.
        assert!(shown.text.contains("Kết quả đánh giá"), "{}", shown.text);
        assert!(shown.text.contains("0 cuộc đánh giá"), "{}", shown.text);
        assert!(
            shown.text.contains("Mức độ đạt được mục tiêu chất lượng"),
            "{}",
            shown.text
        );
        assert!(!shown.text.contains("audit_results"), "{}", shown.text);
    }
);

db_test!(
    a_records_pdf_attachment_opens_in_the_viewer_for_its_agency_only,
    |app| {
        let qms = crate::records::qms_agency(&app, "SKHCN").await;
        let other = app.staffed_agency("STP").await;
        let raised = app
            .post(
                "/api/v1/corrective-actions",
                &qms.officer,
                json!({"agency_id": qms.id, "source": "other",
                       "nonconformity": "Máy chủ lưu trữ hỏng ổ đĩa"}),
            )
            .await;
        let id = id_of(&raised);
        let attached = app
            .upload_to(
                &qms.officer,
                &format!("/api/v1/corrective-actions/{id}/attachments"),
                "bien-ban.pdf",
                &crate::support::pdf_with_pages(&["Biên bản khắc phục sự cố"]),
                &[],
            )
            .await;
        assert_eq!(attached.status, StatusCode::CREATED, "{}", attached.text);
        let attachment = id_of(&attached);

        // The record's page offers to read it in the page.
        let record = app.send(page(&format!("/records/{id}"), &qms.staff)).await;
        let view = format!("/attachments/{attachment}/view");
        assert!(
            record.text.contains(&format!("href=\"{view}\"")),
            "{}",
            record.text
        );
        let shown = app.send(page(&view, &qms.staff)).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert!(
            shown.text.contains(&format!(
                "data-src=\"/api/v1/attachments/{attachment}/file?pdf=true"
            )),
            "{}",
            shown.text
        );
        assert!(shown.text.contains("bien-ban.pdf"), "the file's name");
        assert!(
            shown.text.contains(&format!("href=\"/records/{id}\"")),
            "the way back to the record"
        );

        // Someone of another agency is told there is no such page.
        let outsider = app.send(page(&view, &other.staff)).await;
        assert_eq!(outsider.status, StatusCode::NOT_FOUND);
        assert!(!outsider.text.contains("bien-ban.pdf"));
    }
);

db_test!(
    an_announcements_page_shows_its_facts_in_the_readers_words,
    |app| {
        let qms = crate::records::qms_agency(&app, "SKHCN").await;
        let announced = app
            .post(
                "/api/v1/announcements",
                &qms.officer,
                json!({"agency_id": qms.id, "decision_number": "12/QĐ-SKHCN",
                       "decided_on": "2024-03-01", "scope": "Toàn bộ thủ tục hành chính",
                       "notified_on": "2024-03-05", "posted_at_office": true,
                       "website_url": "https://skhcn.example.gov.vn/iso"}),
            )
            .await;
        assert_eq!(announced.status, StatusCode::CREATED, "{}", announced.text);
        let path = format!("/records/{}", id_of(&announced));
        let shown = app.send(page(&path, &qms.staff)).await;
        assert_eq!(shown.status, StatusCode::OK);
        for expected in [
            "Số quyết định",
            "Ngày quyết định",
            "01/03/2024",
            "Phạm vi",
            "Toàn bộ thủ tục hành chính",
            "Tiêu chuẩn áp dụng",
            "TCVN ISO 9001:2015",
            "Trang thông tin điện tử",
        ] {
            assert!(shown.text.contains(expected), "{expected}: {}", shown.text);
        }
        // Stored field names never reach the reader.
        assert!(!shown.text.contains("decision_number"));
        assert!(!shown.text.contains("website_url"));
    }
);

db_test!(
    a_stale_form_says_someone_else_changed_it_and_shows_both,
    |app| {
        let qms = crate::records::qms_agency(&app, "SKHCN").await;
        let audit = crate::records::planned_audit(&app, &qms).await;
        let id = audit["id"].as_str().unwrap();
        let started = app
            .patch_if(
                &format!("/api/v1/audits/{id}"),
                &qms.auditor,
                Some(&format!("\"{}\"", audit["revision"])),
                json!({"status": "in_progress"}),
            )
            .await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text);
        // The lead auditor has the audit open in two tabs; in the first a file is attached.
        let opened = started.json["revision"].to_string();
        let attached = app
            .upload_to(
                &qms.auditor,
                &format!("/api/v1/audits/{id}/attachments"),
                "bien-ban-hop-khai-mac.pdf",
                &crate::support::pdf_with_pages(&["Biên bản họp khai mạc"]),
                &[],
            )
            .await;
        assert_eq!(attached.status, StatusCode::CREATED, "{}", attached.text);

        // The second tab reports the audit as it was when opened.
        let stale = app
            .send(form(
                &format!("/audits/{id}/move"),
                &qms.auditor,
                &format!(
                    "revision={opened}&to=reported&report=K%E1%BA%BFt+lu%E1%BA%ADn%3A+%C4%91%E1%BA%A1t"
                ),
            ))
            .await;
        assert_eq!(
            stale.status,
            StatusCode::PRECONDITION_FAILED,
            "{}",
            stale.text
        );
        assert!(
            stale
                .text
                .contains("Người khác đã thay đổi nội dung này trong lúc bạn đang mở"),
            "{}",
            stale.text
        );
        // What it is now (the file attached meanwhile, still in progress) and what was typed.
        assert!(stale.text.contains("bien-ban-hop-khai-mac.pdf"));
        assert!(stale.text.contains(">Kết luận: đạt</textarea>"));
        let current = app.get(&format!("/api/v1/audits/{id}"), &qms.auditor).await;
        assert_eq!(
            current.json["status"], "in_progress",
            "nothing was reported"
        );
        assert!(stale.text.contains(&format!(
            "name=\"revision\" value=\"{}\"",
            current.json["revision"]
        )));
    }
);
