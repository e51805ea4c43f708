//! `hoso demo`: a living province loads into an empty database, never into one in use.

use axum::http::StatusCode;
use serde_json::Value;

use crate::support::db_test;

db_test!(
    the_demo_province_loads_into_an_empty_database_with_every_role_and_status,
    |app| {
        let report = hoso::demo::load(&app.state, app.router.clone())
            .await
            .expect("the demo loads");
        let roles: std::collections::BTreeSet<&str> =
            report.accounts.iter().map(|account| account.role).collect();
        assert_eq!(
            roles.into_iter().collect::<Vec<_>>(),
            [
                "agency_head",
                "appraiser",
                "coordinator",
                "internal_auditor",
                "iso_officer",
                "staff"
            ]
        );

        // Each printed password signs its person in.
        let officer = report
            .accounts
            .iter()
            .find(|account| account.username == "thuky.skhcn")
            .expect("the ISO officer of the department");
        let token = app.login(&officer.username, &officer.password).await;

        // Versions at every status.
        let documents = app.get("/api/v1/documents?per_page=200", &token).await;
        assert_eq!(documents.status, StatusCode::OK, "{}", documents.text);
        let mut statuses: Vec<&str> = documents.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|document| document["versions"].as_array().unwrap().iter())
            .filter_map(|version| version["status"].as_str())
            .collect();
        statuses.sort_unstable();
        statuses.dedup();
        assert_eq!(
            statuses,
            [
                "approved",
                "draft",
                "effective",
                "in_review",
                "obsolete",
                "superseded"
            ]
        );

        // One corrective action overdue; a review waiting for its chair.
        let deadlines = app.get("/api/v1/deadlines", &token).await;
        let overdue_steps = deadlines
            .json
            .as_array()
            .unwrap()
            .iter()
            .filter(|due| due["kind"] == "corrective_action_step" && due["overdue"] == true)
            .count();
        assert_eq!(overdue_steps, 1, "{}", deadlines.text);
        let reviews = app
            .get("/api/v1/management-reviews?status=draft", &token)
            .await;
        assert_eq!(reviews.json["total"], 1, "{}", reviews.text);

        // Last year's ranking is public; this year's assessments are at different stages.
        let coordinator = report
            .accounts
            .iter()
            .find(|account| account.role == "coordinator")
            .expect("the coordinating office");
        let coordinator = app
            .login(&coordinator.username, &coordinator.password)
            .await;
        let periods = app.get("/api/v1/periods", &coordinator).await;
        let items = periods.json.as_array().cloned().unwrap_or_default();
        let published: Vec<&Value> = items
            .iter()
            .filter(|p| p["status"] == "published")
            .collect();
        assert_eq!(published.len(), 1, "{}", periods.text);
        let ranking = app
            .get(
                &format!(
                    "/public/periods/{}/ranking",
                    published[0]["id"].as_str().unwrap()
                ),
                "",
            )
            .await;
        assert_eq!(ranking.status, StatusCode::OK, "{}", ranking.text);

        // The generated files carry real Vietnamese text: search finds it with its diacritics.
        app.drain_jobs().await;
        let found = app
            .get(
                "/api/v1/search?q=%22ki%E1%BB%83m%20so%C3%A1t%20t%C3%A0i%20li%E1%BB%87u%22",
                &token,
            )
            .await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.text);
        assert!(found.json["total"].as_u64().unwrap() >= 1, "{}", found.text);
        let snippets: String = found.json["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|hit| hit["snippet"].as_str())
            .collect();
        assert!(snippets.contains("<mark>"), "{snippets}");

        // A second load refuses: the database is in use.
        assert!(
            hoso::demo::load(&app.state, app.router.clone())
                .await
                .is_err()
        );
    }
);
