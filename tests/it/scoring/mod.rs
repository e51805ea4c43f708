//! Scoring against a criteria set: sets, periods, self-assessment with evidence, suggestions,
//! appraisal, ranking, publication and exports.

mod assessments;
pub mod sets;
mod walk;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{Agency, TestApp, id_of};

/// The sample set of `../shared/domain/criteria-sample.json`, with its facts.
pub fn sample_set() -> Value {
    serde_json::from_str(include_str!("../../fixtures/criteria/sample.json")).expect("parses")
}

/// The sample set exactly as issued (no facts, no late deduction rate).
pub fn pristine_set() -> Value {
    serde_json::from_str(include_str!("../../fixtures/criteria/pristine.json")).expect("parses")
}

/// The province with its coordinator (DOST), as a token and the province's id.
pub struct Province {
    pub id: String,
    pub coordinator: String,
}

pub async fn province(app: &TestApp) -> Province {
    let id = app.agency("TINH", "province", None).await;
    let coordinator = app.user_with_role("sokhcn", "coordinator", Some(&id)).await;
    Province { id, coordinator }
}

/// A department of the province with its ISO officer, head and staff.
pub async fn department(app: &TestApp, province: &Province, code: &str) -> Agency {
    app.staffed_agency_in(code, "department", Some(&province.id))
        .await
}

/// Imports the sample set as the coordinator; returns its id.
pub async fn import_sample(app: &TestApp, province: &Province) -> String {
    let imported = app
        .post("/api/v1/criteria-sets", &province.coordinator, sample_set())
        .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.text);
    id_of(&imported)
}

/// Creates and opens a period of `agencies` with the self-assessment due `due`; returns the
/// period's id.
pub async fn open_period(
    app: &TestApp,
    province: &Province,
    set: &str,
    agencies: &[&str],
    due: chrono::NaiveDate,
) -> String {
    let created = app
        .post(
            "/api/v1/periods",
            &province.coordinator,
            json!({
                "criteria_set_id": set, "year": 2026, "name": "Đánh giá năm 2026",
                "agency_ids": agencies,
                "self_assessment_due": due,
                "appraisal_due": due + chrono::Days::new(30),
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let period = id_of(&created);
    let opened = app
        .post(
            &format!("/api/v1/periods/{period}/open"),
            &province.coordinator,
            json!({}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
    period
}

/// The assessment of `agency` in `period`, as its ISO officer finds it.
pub async fn assessment_of(app: &TestApp, agency: &Agency, period: &str) -> String {
    let list = app
        .get(
            &format!("/api/v1/assessments?period={period}"),
            &agency.officer,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let items = list.json["items"].as_array().expect("items");
    assert_eq!(
        items.len(),
        1,
        "an officer sees their agency's only: {}",
        list.text
    );
    items[0]["id"].as_str().expect("an id").to_owned()
}

/// The codes of the sample's scorable criteria that are not deductions.
pub fn scorable(assessment: &Value) -> Vec<(String, f64)> {
    assessment["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .filter(|c| c["leaf"] == true && c["deduction"] == false)
        .map(|c| {
            (
                c["code"].as_str().expect("code").to_owned(),
                c["max_points"].as_f64().expect("points"),
            )
        })
        .collect()
}

/// Scores every scorable criterion at `share` of its points.
pub async fn score_all(app: &TestApp, token: &str, assessment: &str, share: f64) -> Value {
    let view = app
        .get(&format!("/api/v1/assessments/{assessment}"), token)
        .await;
    let mut last = view.json.clone();
    for (code, max) in scorable(&view.json) {
        let scored = app
            .put(
                &format!("/api/v1/assessments/{assessment}/criteria/{code}"),
                token,
                json!({"score": (max * share * 2.0).round() / 2.0, "note": "Tự chấm"}),
            )
            .await;
        assert_eq!(scored.status, StatusCode::OK, "{code}: {}", scored.text);
        last = scored.json;
    }
    last
}

/// The criterion `code` of an assessment view.
pub fn criterion<'a>(assessment: &'a Value, code: &str) -> &'a Value {
    assessment["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no criterion {code}"))
}
