//! The agency tree: creating, renaming, moving, merging, and who sees what.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{assert_error, db_test};

db_test!(
    an_admin_builds_the_tree_and_codes_are_unique_ignoring_case,
    |app| {
        let province = app.agency("BG", "province", None).await;
        let dost = app.agency("SKHCN", "department", Some(&province)).await;
        // The parent may be named by its code too.
        let branch = app
        .post(
            "/api/v1/agencies",
            &app.admin_token,
            json!({"code": "ccTDC", "name": "Chi cục Tiêu chuẩn Đo lường Chất lượng", "kind": "sub_department", "parent_id": "skhcn"}),
        )
        .await;
        assert_eq!(branch.status, StatusCode::CREATED, "{}", branch.text);
        assert_eq!(branch.json["code"], "CCTDC");
        assert_eq!(branch.json["parent_id"], dost.as_str());
        let duplicate = app
            .post(
                "/api/v1/agencies",
                &app.admin_token,
                json!({"code": "skhcn", "name": "Trùng mã", "kind": "department"}),
            )
            .await;
        assert_error(&duplicate, StatusCode::CONFLICT, "agency_code_taken");
        let children = app
            .get(
                &format!("/api/v1/agencies?parent={province}"),
                &app.admin_token,
            )
            .await;
        assert_eq!(children.json["total"], 1);
        assert_eq!(children.json["items"][0]["code"], "SKHCN");
    }
);

db_test!(bad_agency_input_is_a_clear_400, |app| {
    for body in [
        json!({"code": "", "name": "X", "kind": "department"}),
        json!({"code": "A B", "name": "X", "kind": "department"}),
        json!({"code": "AB", "name": "  ", "kind": "department"}),
        json!({"code": "AB", "name": "X", "kind": "ministry"}),
        json!({"code": "AB", "name": "X", "kind": "department", "parent_id": "NOPE"}),
    ] {
        let response = app
            .post("/api/v1/agencies", &app.admin_token, body.clone())
            .await;
        assert_error(&response, StatusCode::BAD_REQUEST, "invalid_input");
    }
    let list = app.get("/api/v1/agencies", &app.admin_token).await;
    assert_eq!(list.json["total"], 0, "nothing was created");
});

db_test!(
    renaming_an_agency_keeps_its_former_name_in_its_history,
    |app| {
        let commune = app.agency("XA-A", "commune", None).await;
        let response = app
            .patch(
                &format!("/api/v1/agencies/{commune}"),
                &app.admin_token,
                json!({"name": "UBND phường Mới", "code": "PHUONG-MOI"}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        assert_eq!(response.json["name"], "UBND phường Mới");
        let detail = app
            .get("/api/v1/agencies/PHUONG-MOI", &app.admin_token)
            .await;
        assert_eq!(detail.status, StatusCode::OK);
        assert_eq!(detail.json["history"][0]["name"], "Cơ quan XA-A");
        assert_eq!(detail.json["history"][0]["code"], "XA-A");
    }
);

db_test!(
    merging_an_agency_lets_the_successor_read_its_records,
    |app| {
        let province = app.agency("BG", "province", None).await;
        let old_commune = app.agency("XA-CU", "commune", Some(&province)).await;
        let new_commune = app.agency("XA-MOI", "commune", Some(&province)).await;
        let sibling = app.agency("XA-KHAC", "commune", Some(&province)).await;
        let staff = app.user_with_role("canbo", "staff", Some("XA-MOI")).await;
        assert_eq!(
            app.get(&format!("/api/v1/agencies/{old_commune}"), &staff)
                .await
                .status,
            StatusCode::NOT_FOUND,
            "before the merger the old commune is not theirs"
        );
        // Changed by its code, as the README documents.
        let merged = app
            .patch(
                "/api/v1/agencies/xa-cu",
                &app.admin_token,
                json!({"successor_id": "XA-MOI"}),
            )
            .await;
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
        assert_eq!(merged.json["id"], old_commune.as_str());
        // A merged agency registers nothing new: its work goes on in its successor.
        let officer = app
            .user_with_role("thuky", "iso_officer", Some(&province))
            .await;
        let refused = app
            .post(
                "/api/v1/documents",
                &officer,
                json!({"agency_id": "XA-CU", "code": "QT-01", "title": "Quy trình", "kind": "procedure"}),
            )
            .await;
        crate::support::assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "agency_closed");
        assert_eq!(merged.json["active"], false);
        assert_eq!(merged.json["successor_id"], new_commune.as_str());
        assert_eq!(
            app.get(&format!("/api/v1/agencies/{old_commune}"), &staff)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.get(&format!("/api/v1/agencies/{sibling}"), &staff)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let detail = app
            .get(&format!("/api/v1/agencies/{new_commune}"), &staff)
            .await;
        assert_eq!(detail.json["predecessor_ids"][0], old_commune.as_str());
    }
);

db_test!(an_agency_cannot_move_under_its_own_sub_agency, |app| {
    let province = app.agency("BG", "province", None).await;
    let dost = app.agency("SKHCN", "department", Some(&province)).await;
    let response = app
        .patch(
            &format!("/api/v1/agencies/{province}"),
            &app.admin_token,
            json!({"parent_id": dost}),
        )
        .await;
    assert_error(&response, StatusCode::UNPROCESSABLE_ENTITY, "agency_cycle");
    let merge_self = app
        .patch(
            &format!("/api/v1/agencies/{dost}"),
            &app.admin_token,
            json!({"successor_id": dost}),
        )
        .await;
    assert_error(
        &merge_self,
        StatusCode::UNPROCESSABLE_ENTITY,
        "agency_merge_cycle",
    );
});

db_test!(a_coordinator_reads_every_agency_but_changes_none, |app| {
    let province = app.agency("BG", "province", None).await;
    app.agency("SKHCN", "department", Some(&province)).await;
    let coordinator = app.user_with_role("dieuphoi", "coordinator", None).await;
    let list = app.get("/api/v1/agencies", &coordinator).await;
    assert_eq!(list.json["total"], 2);
    let create = app
        .post(
            "/api/v1/agencies",
            &coordinator,
            json!({"code": "X", "name": "X", "kind": "other"}),
        )
        .await;
    assert_error(&create, StatusCode::FORBIDDEN, "forbidden");
    let rename = app
        .patch(
            &format!("/api/v1/agencies/{province}"),
            &coordinator,
            json!({"name": "Khác"}),
        )
        .await;
    assert_error(&rename, StatusCode::FORBIDDEN, "forbidden");
});

db_test!(staff_see_only_their_own_subtree, |app| {
    let province = app.agency("BG", "province", None).await;
    let dost = app.agency("SKHCN", "department", Some(&province)).await;
    app.agency("CCTDC", "sub_department", Some(&dost)).await;
    app.agency("STP", "department", Some(&province)).await;
    let staff = app.user_with_role("canbo", "staff", Some(&dost)).await;
    let list = app.get("/api/v1/agencies", &staff).await;
    let codes: Vec<&str> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CCTDC", "SKHCN"]);
    assert_eq!(list.json["total"], 2);
});

db_test!(agency_lists_filter_and_paginate, |app| {
    let province = app.agency("BG", "province", None).await;
    for index in 0..12 {
        app.agency(&format!("XA-{index:02}"), "commune", Some(&province))
            .await;
    }
    let page = app
        .get(
            "/api/v1/agencies?kind=commune&page=2&per_page=5",
            &app.admin_token,
        )
        .await;
    assert_eq!(page.json["total"], 12);
    assert_eq!(page.json["page"], 2);
    assert_eq!(page.json["per_page"], 5);
    assert_eq!(page.json["items"][0]["code"], "XA-05");
    let search = app.get("/api/v1/agencies?q=xa-1", &app.admin_token).await;
    assert_eq!(search.json["total"], 2);
    let bad = app
        .get("/api/v1/agencies?kind=ministry", &app.admin_token)
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_input");
    let capped = app
        .get("/api/v1/agencies?per_page=5000", &app.admin_token)
        .await;
    assert_eq!(capped.json["per_page"], 200);
});

db_test!(
    two_agencies_created_at_once_with_one_code_end_as_one_and_a_conflict,
    |app| {
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let router = app.router.clone();
            let token = app.admin_token.clone();
            tasks.push(tokio::spawn(async move {
                use tower::ServiceExt;
                let request = axum::http::Request::post("/api/v1/agencies")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(
                        json!({"code": "TRUNG", "name": "Trùng", "kind": "other"}).to_string(),
                    ))
                    .unwrap();
                router.oneshot(request).await.unwrap().status()
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::CREATED)
                .count(),
            1
        );
        assert!(
            statuses
                .iter()
                .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
            "{statuses:?}"
        );
    }
);
