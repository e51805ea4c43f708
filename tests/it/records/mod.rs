//! QMS records: internal audits and findings, corrective actions, attachments and search.

mod attachments;
mod audits;
mod corrective;
mod costs;
mod inspections;
mod registers;
mod retention;
mod reviews;
mod walk;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{Agency, TestApp, id_of};

/// An agency with its people, a unit under it, and two internal auditors: `auditor` (no other
/// role) and `unit_auditor` (also staff of the unit).
pub struct QmsAgency {
    pub agency: Agency,
    pub unit: String,
    pub auditor: String,
    pub auditor_id: String,
    pub unit_auditor_id: String,
}

impl std::ops::Deref for QmsAgency {
    type Target = Agency;

    fn deref(&self) -> &Agency {
        &self.agency
    }
}

pub async fn user_id(app: &TestApp, token: &str) -> String {
    let me = app.get("/api/v1/me", token).await;
    me.json["id"].as_str().expect("an id").to_owned()
}

pub async fn qms_agency(app: &TestApp, code: &str) -> QmsAgency {
    let agency = app.staffed_agency(code).await;
    let unit = app
        .agency(&format!("{code}-VP"), "sub_department", Some(&agency.id))
        .await;
    let lower = code.to_lowercase();
    let auditor = app
        .user_with_role(
            &format!("dgnb-{lower}"),
            "internal_auditor",
            Some(&agency.id),
        )
        .await;
    let unit_auditor = app
        .user_with_role(
            &format!("dgnb2-{lower}"),
            "internal_auditor",
            Some(&agency.id),
        )
        .await;
    let unit_auditor_id = user_id(app, &unit_auditor).await;
    let granted = app
        .post(
            &format!("/api/v1/users/{unit_auditor_id}/roles"),
            &app.admin_token,
            json!({"role": "staff", "agency_id": unit}),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.text);
    QmsAgency {
        auditor_id: user_id(app, &auditor).await,
        agency,
        unit,
        auditor,
        unit_auditor_id,
    }
}

/// Plans an audit of the agency led by its independent auditor; returns the audit.
pub async fn planned_audit(app: &TestApp, qms: &QmsAgency) -> Value {
    let created = app
        .post(
            "/api/v1/audits",
            &qms.auditor,
            json!({
                "agency_id": qms.id,
                "title": "Đánh giá nội bộ lần 1 năm 2026",
                "planned_start": "2026-03-10",
                "planned_end": "2026-03-12",
                "scope": {"units": [qms.unit], "clauses": ["7.5", "Điều 8.5.1"], "processes": ["Tiếp nhận hồ sơ"]},
                "lead_auditor_id": qms.auditor_id,
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    created.json
}

/// Logs a finding of `grade` on the audit; returns its id.
pub async fn finding(app: &TestApp, qms: &QmsAgency, audit: &str, grade: &str) -> String {
    let created = app
        .post(
            &format!("/api/v1/audits/{audit}/findings"),
            &qms.auditor,
            json!({"grade": grade, "clause": "7.5.3", "description": "Hồ sơ lưu trữ không có danh mục"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    id_of(&created)
}
