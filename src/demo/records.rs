//! The demo's QMS records of a department: this year's internal audit with its checklist and
//! findings, corrective actions raised from them (one overdue, one done), a management review
//! waiting for the head's signature, and the current announcement of conformity.

use chrono::{Datelike, Days};
use serde_json::json;

use super::{
    Office,
    api::{Api, id},
};
use crate::clock::today;

/// The office's records; returns how many were made.
pub async fn load(api: &Api, office: &Office) -> anyhow::Result<usize> {
    let today = today();
    let year = today.year();
    let started = today - Days::new(40);
    let audit = id(&api
        .post(
            "/api/v1/audits",
            &office.auditor,
            json!({
                "agency_id": office.id,
                "title": format!("Đánh giá nội bộ năm {year}"),
                "planned_start": started,
                "planned_end": started + Days::new(2),
                "scope": {"clauses": ["7.5", "8.5.1", "9.1"], "processes": ["Tiếp nhận và trả kết quả TTHC", "Kiểm soát tài liệu"]},
                "lead_auditor_id": office.auditor_id,
            }),
        )
        .await?)?;
    api.call(
        axum::http::Method::PATCH,
        &format!("/api/v1/audits/{audit}"),
        &office.auditor,
        json!({"status": "in_progress", "actual_start": started}),
    )
    .await?;
    let question = id(&api
        .post(
            &format!("/api/v1/audits/{audit}/checklist"),
            &office.auditor,
            json!({"question": "Danh mục hồ sơ có được cập nhật và phê duyệt?", "clause": "7.5.3"}),
        )
        .await?)?;
    api.call(
        axum::http::Method::PATCH,
        &format!("/api/v1/audits/{audit}/checklist/{question}"),
        &office.auditor,
        json!({"answer": "nonconform", "note": "Danh mục hồ sơ năm nay chưa được phê duyệt"}),
    )
    .await?;
    let major = id(&api
        .post(
            &format!("/api/v1/audits/{audit}/findings"),
            &office.auditor,
            json!({"grade": "major", "clause": "8.5.1", "description": "Có 3 hồ sơ một cửa trả kết quả trễ hạn trong quý I mà không có văn bản xin lỗi"}),
        )
        .await?)?;
    let minor = id(&api
        .post(
            &format!("/api/v1/audits/{audit}/findings"),
            &office.auditor,
            json!({"grade": "minor", "clause": "7.5.3", "description": "Danh mục hồ sơ năm nay chưa được lãnh đạo phê duyệt"}),
        )
        .await?)?;
    api.call(
        axum::http::Method::PATCH,
        &format!("/api/v1/audits/{audit}"),
        &office.auditor,
        json!({"status": "reported", "report": "Một điểm không phù hợp nặng, một điểm không phù hợp nhẹ; hệ thống được duy trì."}),
    )
    .await?;

    // The major finding's action is overdue; the minor one's is done.
    for (finding, nonconformity, cause, due, done) in [
        (
            &major,
            "Trả kết quả trễ hạn không có văn bản xin lỗi",
            "Chưa phân công người theo dõi hạn",
            today - Days::new(10),
            false,
        ),
        (
            &minor,
            "Danh mục hồ sơ chưa được phê duyệt",
            "Thư ký ISO nghỉ phép, chưa bàn giao",
            today - Days::new(5),
            true,
        ),
    ] {
        let corrective = api
            .post(
                "/api/v1/corrective-actions",
                &office.officer,
                json!({"agency_id": office.id, "source": "internal_audit", "finding_id": finding,
                       "nonconformity": nonconformity, "root_cause": cause, "root_cause_method": "five_whys"}),
            )
            .await?;
        let corrective = id(&corrective)?;
        let planned = api
            .post(
                &format!("/api/v1/corrective-actions/{corrective}/actions"),
                &office.officer,
                json!({"description": "Phân công công chức theo dõi hạn giải quyết hằng ngày", "owner_id": office.staff_id, "due_on": due}),
            )
            .await?;
        if done {
            let step = planned["actions"][0]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            api.post(
                &format!("/api/v1/corrective-actions/{corrective}/actions/{step}/complete"),
                &office.staff,
                json!({"note": "Đã thực hiện"}),
            )
            .await?;
        }
    }

    api.post(
        "/api/v1/management-reviews",
        &office.officer,
        json!({"agency_id": office.id, "held_on": today, "chair_id": office.head_id,
               "attendee_ids": [office.staff_id, office.auditor_id]}),
    )
    .await?;
    api.post(
        "/api/v1/announcements",
        &office.officer,
        json!({"agency_id": office.id, "decision_number": format!("15/QĐ-{}", office.code),
               "decided_on": today - Days::new(200), "scope": "Toàn bộ thủ tục hành chính thuộc thẩm quyền giải quyết",
               "notified_on": today - Days::new(195), "posted_at_office": true}),
    )
    .await?;
    Ok(7)
}
