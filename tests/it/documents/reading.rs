//! "Tài liệu cần đọc": what in force one has not acknowledged yet, a page at a time.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::db_test;

db_test!(the_reading_list_holds_what_is_in_force_and_unread, |app| {
    let agency = app.staffed_agency("SNV").await;
    let other = app.staffed_agency("STP").await;
    let today = hoso::clock::today();
    let first = app.document(&agency, "QT-01", "Quy trình một").await;
    let first_version = app
        .issue_version(&agency, &first, "Quy trinh mot", None, today)
        .await;
    let second = app.document(&agency, "QT-02", "Quy trình hai").await;
    app.issue_version(&agency, &second, "Quy trinh hai", None, today)
        .await;
    let elsewhere = app.document(&other, "QT-09", "Quy trình nơi khác").await;
    app.issue_version(&other, &elsewhere, "Noi khac", None, today)
        .await;
    // A draft is nobody's reading yet.
    app.document(&agency, "QT-03", "Quy trình đang soạn").await;

    let list = app
        .get("/api/v1/me/reading-list?per_page=1", &agency.staff)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(list.json["total"], 2, "{}", list.text);
    assert_eq!(list.json["items"].as_array().unwrap().len(), 1);

    let acknowledged = app
        .post(
            &format!("/api/v1/versions/{first_version}/acknowledge"),
            &agency.staff,
            json!({}),
        )
        .await;
    assert_eq!(acknowledged.status, StatusCode::OK, "{}", acknowledged.text);
    let list = app.get("/api/v1/me/reading-list", &agency.staff).await;
    let codes: Vec<&str> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item["code"].as_str())
        .collect();
    assert_eq!(codes, ["QT-02"]);

    // Someone who works in no agency has nothing to read.
    let nothing = app.get("/api/v1/me/reading-list", &app.admin_token).await;
    assert_eq!(nothing.json["total"], 0, "{}", nothing.text);
});
