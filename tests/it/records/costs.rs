//! What the year at a glance and the list of deadlines cost the database: the same few
//! statements however many records an agency has (no query per record).

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use chrono::Duration;
use hoso::{
    clock::today,
    domain::{
        Actor,
        records::{
            deadlines::{DeadlineFilter, deadlines},
            status::qms_status,
        },
    },
};
use serde_json::json;

use super::{planned_audit, qms_agency, user_id};
use crate::support::{TestApp, db_test, id_of};

/// Statements of one `qms-status` and one `deadlines` call for the agency.
async fn costs(app: &TestApp) -> (usize, usize) {
    let mut db = sea_orm::Database::connect(&app.database.url).await.unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    db.set_metric_callback(move |_| {
        seen.fetch_add(1, Ordering::Relaxed);
    });
    let actor = Actor::system("test");
    qms_status(&db, &actor, "SKHCN", None).await.unwrap();
    let status = count.swap(0, Ordering::Relaxed);
    let filter = DeadlineFilter {
        agency: Some("SKHCN".into()),
        within_days: Some(30),
    };
    deadlines(&db, &actor, &filter, (11, 30)).await.unwrap();
    let due = count.load(Ordering::Relaxed);
    db.close().await.ok();
    (status, due)
}

/// Raises a corrective action with two actions, one overdue.
async fn corrective_action(app: &TestApp, officer: &str, agency: &str, owner: &str) {
    let raised = app
        .post(
            "/api/v1/corrective-actions",
            officer,
            json!({"agency_id": agency, "source": "other", "found_on": today() - Duration::days(30),
                   "nonconformity": "Thiếu hồ sơ"}),
        )
        .await;
    for days in [-2, 5] {
        let planned = app
            .post(
                &format!("/api/v1/corrective-actions/{}/actions", id_of(&raised)),
                officer,
                json!({"description": "Bổ sung", "owner_id": owner, "due_on": today() + Duration::days(days)}),
            )
            .await;
        assert_eq!(
            planned.status,
            axum::http::StatusCode::CREATED,
            "{}",
            planned.text
        );
    }
}

db_test!(
    the_year_at_a_glance_and_the_deadlines_cost_the_same_whatever_the_records,
    |app| {
        let qms = qms_agency(&app, "SKHCN").await;
        let staff_id = user_id(&app, &qms.staff).await;
        planned_audit(&app, &qms).await;
        corrective_action(&app, &qms.officer, &qms.id, &staff_id).await;
        let few = costs(&app).await;
        for _ in 0..5 {
            planned_audit(&app, &qms).await;
            corrective_action(&app, &qms.officer, &qms.id, &staff_id).await;
        }
        let many = costs(&app).await;
        assert_eq!(
            few, many,
            "(qms-status, deadlines) statements with 1 and with 6 of each"
        );
        assert!(
            many.0 <= 12 && many.1 <= 16,
            "a fixed few statements: {many:?}"
        );
    }
);
