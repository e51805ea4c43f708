//! The demo's scoring: the sample criteria set; last year's period appraised, finalised and
//! published; this year's under way with self-assessments at different stages.

use chrono::{Datelike, Days};
use serde_json::{Value, json};

use super::{
    Office,
    api::{Api, id},
};
use crate::clock::today;

/// The criteria set of the province (the sample of the design documents, with its facts).
const CRITERIA_SET: &str = include_str!("../../tests/fixtures/criteria/sample.json");

/// Scores every scorable criterion of an assessment at `share` of its points (`limit` of them
/// at most), linking the `evidence` documents to the first criteria; `appraisal` makes it an
/// appraisal.
async fn score(
    api: &Api,
    token: &str,
    assessment: &str,
    share: f64,
    limit: usize,
    appraisal: bool,
    evidence: &[String],
) -> anyhow::Result<()> {
    let mut linked = 0;
    let view = api
        .get(&format!("/api/v1/assessments/{assessment}"), token)
        .await?;
    let criteria = view["criteria"].as_array().cloned().unwrap_or_default();
    let scorable = criteria
        .iter()
        .filter(|criterion| criterion["leaf"] == true && criterion["deduction"] == false)
        .take(limit);
    for criterion in scorable {
        let code = criterion["code"].as_str().unwrap_or_default();
        if !appraisal && let Some(document) = evidence.get(linked) {
            api.post(
                &format!("/api/v1/assessments/{assessment}/criteria/{code}/evidence"),
                token,
                json!({"kind": "document", "id": document, "note": "Văn bản đang có hiệu lực"}),
            )
            .await?;
            linked += 1;
        }
        let max = criterion["max_points"].as_f64().unwrap_or(0.0);
        let points = (max * share * 2.0).round() / 2.0;
        if appraisal {
            api.put(
                &format!("/api/v1/assessments/{assessment}/criteria/{code}/appraisal"),
                token,
                json!({"score": points, "comment": "Thống nhất với kết quả tự đánh giá, trừ điểm do minh chứng chưa đầy đủ"}),
            )
            .await?;
        } else {
            api.put(
                &format!("/api/v1/assessments/{assessment}/criteria/{code}"),
                token,
                json!({"score": points, "note": "Đã có quyết định công bố, quy trình và hồ sơ kèm theo"}),
            )
            .await?;
        }
    }
    Ok(())
}

/// Two of the office's documents in force, to link as evidence.
async fn documents_in_force(api: &Api, office: &Office) -> anyhow::Result<Vec<String>> {
    let list = api
        .get(
            &format!(
                "/api/v1/documents?agency={}&status=effective&per_page=2",
                office.id
            ),
            &office.officer,
        )
        .await?;
    Ok(list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

async fn assessment_of(api: &Api, office: &Office, period: &str) -> anyhow::Result<String> {
    let list = api
        .get(
            &format!("/api/v1/assessments?period={period}"),
            &office.officer,
        )
        .await?;
    list["items"]
        .as_array()
        .and_then(|items| items.first())
        .map_or_else(|| anyhow::bail!("no assessment for {}", office.code), id)
}

async fn open_period(
    api: &Api,
    coordinator: &str,
    set: &str,
    year: i32,
    offices: &[Office],
    due_in: u64,
) -> anyhow::Result<String> {
    let today = today();
    let agencies: Vec<&str> = offices.iter().map(|office| office.id.as_str()).collect();
    let period = id(&api
        .post(
            "/api/v1/periods",
            coordinator,
            json!({"criteria_set_id": set, "year": year, "name": format!("Đánh giá, xếp hạng ISO năm {year}"),
                   "agency_ids": agencies, "self_assessment_due": today + Days::new(due_in),
                   "appraisal_due": today + Days::new(due_in + 30)}),
        )
        .await?)?;
    api.post(
        &format!("/api/v1/periods/{period}/open"),
        coordinator,
        json!({}),
    )
    .await?;
    Ok(period)
}

/// Loads both periods.
pub async fn load(
    api: &Api,
    coordinator: &str,
    appraiser: &str,
    appraiser_id: uuid::Uuid,
    offices: &[Office],
) -> anyhow::Result<()> {
    let set: Value = serde_json::from_str(CRITERIA_SET)?;
    let set = id(&api.post("/api/v1/criteria-sets", coordinator, set).await?)?;
    let year = today().year();

    // Last year: everyone submitted, one agency appraised on site, finalised and published.
    let last = open_period(api, coordinator, &set, year - 1, offices, 0).await?;
    for (office, share) in offices.iter().zip([0.9, 0.8, 0.7, 0.55]) {
        let assessment = assessment_of(api, office, &last).await?;
        let evidence = documents_in_force(api, office).await?;
        score(
            api,
            &office.officer,
            &assessment,
            share,
            usize::MAX,
            false,
            &evidence,
        )
        .await?;
        api.post(
            &format!("/api/v1/assessments/{assessment}/submit"),
            &office.head,
            json!({}),
        )
        .await?;
    }
    api.post(
        &format!("/api/v1/periods/{last}/start-appraisal"),
        coordinator,
        json!({}),
    )
    .await?;
    if let Some(office) = offices.first() {
        let assessment = assessment_of(api, office, &last).await?;
        api.post(
            &format!("/api/v1/periods/{last}/appraisers"),
            coordinator,
            json!({"assessment_id": assessment, "user_id": appraiser_id}),
        )
        .await?;
        score(api, appraiser, &assessment, 0.85, usize::MAX, true, &[]).await?;
    }
    api.post(
        &format!("/api/v1/periods/{last}/finalize"),
        coordinator,
        json!({}),
    )
    .await?;
    api.post(
        &format!("/api/v1/periods/{last}/publish"),
        coordinator,
        json!({}),
    )
    .await?;

    // This year: one submitted, one half way, the communes not started.
    let this = open_period(api, coordinator, &set, year, offices, 30).await?;
    for (index, office) in offices.iter().enumerate() {
        let assessment = assessment_of(api, office, &this).await?;
        match index {
            0 => {
                let evidence = documents_in_force(api, office).await?;
                score(
                    api,
                    &office.officer,
                    &assessment,
                    0.9,
                    usize::MAX,
                    false,
                    &evidence,
                )
                .await?;
                api.post(
                    &format!("/api/v1/assessments/{assessment}/submit"),
                    &office.head,
                    json!({}),
                )
                .await?;
            }
            // Half way, last year's evidence not carried forward yet.
            1 => score(api, &office.officer, &assessment, 0.75, 8, false, &[]).await?,
            _ => {}
        }
    }
    Ok(())
}
