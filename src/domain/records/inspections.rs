//! The province's inspections of agencies' quality systems (TT 26/2014/TT-BKHCN Art. 33–39),
//! run by the coordinating office: a yearly plan (Mẫu 19) naming the agencies inspected and
//! which of them on site, the inspection decision (Mẫu 20), and minutes per agency (Mẫu 21)
//! with the issues raised. The minutes belong to the inspected agency, so its people read them;
//! each issue opens a corrective action there (source `inspection`) whose report is due two
//! months after the minutes, overdue after that.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, DatabaseConnection};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{NewRecord, Record, RecordKind, corrective, headline, open_record, store, view};
use crate::{
    clock::{add_months, today},
    db::{self, entities::record},
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, concurrency::ExpectedRevision, text,
    },
    i18n::Message,
};

pub const PLANNED: &str = "planned";
pub const ISSUED: &str = "issued";

/// Months the inspected agency has to report on its corrective actions.
pub const REPORT_MONTHS: u32 = 2;

/// An agency in an inspection plan.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedAgency {
    pub agency_id: Uuid,
    /// Inspected at its premises (otherwise from its reports).
    #[serde(default)]
    pub on_site: bool,
}

/// `POST /api/v1/inspections`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    /// The inspecting office (id or code), where the coordinator runs inspections.
    pub agency_id: String,
    pub year: i32,
    #[serde(default)]
    pub title: Option<String>,
    /// The plan's number (Mẫu 19).
    #[serde(default)]
    pub number: Option<String>,
    pub agencies: Vec<PlannedAgency>,
    /// The inspection decision (Mẫu 20).
    #[serde(default)]
    pub decision_number: Option<String>,
    #[serde(default)]
    pub decided_on: Option<NaiveDate>,
}

/// `PATCH /api/v1/inspections/{id}`
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionChanges {
    pub title: Option<String>,
    pub agencies: Option<Vec<PlannedAgency>>,
    pub decision_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
}

/// `POST /api/v1/inspections/{id}/minutes`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMinutes {
    /// The inspected agency (one of the plan's).
    pub agency_id: Uuid,
    pub held_on: NaiveDate,
    #[serde(default)]
    pub summary: Option<String>,
    /// The issues raised; each opens a corrective action in the agency.
    #[serde(default)]
    pub issues: Vec<String>,
    #[serde(default)]
    pub number: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct InspectionDetails {
    agencies: Vec<PlannedAgency>,
    decision_number: Option<String>,
    decided_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct MinutesDetails {
    summary: Option<String>,
    issues: Vec<String>,
    report_due_on: Option<NaiveDate>,
}

/// Plans a year's inspections (the coordinating office).
pub async fn create(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewInspection,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let office = super::parties::target_agency(
        &txn,
        actor,
        &tree,
        "agency_id",
        &input.agency_id,
        Action::RunInspections,
    )
    .await?;
    let first_day = NaiveDate::from_ymd_opt(input.year, 1, 1)
        .filter(|_| (2000..=2100).contains(&input.year))
        .ok_or_else(|| {
            DomainError::invalid(
                "year",
                Message::new("between").arg("min", 2000).arg("max", 2100),
            )
        })?;
    let details = InspectionDetails {
        agencies: check_agencies(actor, &tree, input.agencies)?,
        decision_number: text::optional("decision_number", input.decision_number.as_deref(), 100)?,
        decided_on: input.decided_on,
    };
    let title = match input.title.as_deref() {
        Some(title) => text::required("title", title, 500)?,
        None => format!(
            "Kế hoạch kiểm tra việc áp dụng TCVN ISO 9001 năm {}",
            input.year
        ),
    };
    let row = store::insert(
        &txn,
        actor,
        NewRecord {
            number: input.number,
            ..NewRecord::new(
                RecordKind::Inspection,
                office.id,
                title,
                PLANNED,
                first_day,
                &details,
            )
        },
    )
    .await?;
    txn.commit().await?;
    view(conn, row).await
}

/// Changes a plan: its agencies, its decision.
pub async fn update(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected: ExpectedRevision,
    changes: InspectionChanges,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = open_record(
        &txn,
        actor,
        &tree,
        id,
        RecordKind::Inspection,
        Action::RunInspections,
    )
    .await?;
    expected.check(current.revision)?;
    let mut details: InspectionDetails = serde_json::from_str(&current.details).unwrap_or_default();
    let mut row: record::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(title) = &changes.title {
        let title = text::required("title", title, 500)?;
        summary.insert("title".into(), json!([current.title, title]));
        row.title = Set(title);
    }
    if let Some(agencies) = changes.agencies {
        details.agencies = check_agencies(actor, &tree, agencies)?;
        summary.insert("agencies".into(), json!(details.agencies));
    }
    if let Some(number) = &changes.decision_number {
        details.decision_number = text::optional("decision_number", Some(number), 100)?;
        summary.insert("decision_number".into(), json!(details.decision_number));
    }
    if let Some(day) = changes.decided_on {
        details.decided_on = Some(day);
        summary.insert("decided_on".into(), json!(day));
    }
    if summary.is_empty() {
        txn.rollback().await?;
        return view(conn, current).await;
    }
    row.details = Set(serde_json::to_value(&details)
        .unwrap_or(Value::Null)
        .to_string());
    let saved = store::save(&txn, actor, &current, row, "update", Value::Object(summary)).await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// Records the minutes of an inspected agency: each issue opens a corrective action there,
/// its report due two months after the minutes.
pub async fn record_minutes(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: NewMinutes,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let inspection = open_record(
        &txn,
        actor,
        &tree,
        id,
        RecordKind::Inspection,
        Action::RunInspections,
    )
    .await?;
    let plan: InspectionDetails = serde_json::from_str(&inspection.details).unwrap_or_default();
    if !plan
        .agencies
        .iter()
        .any(|planned| planned.agency_id == input.agency_id)
    {
        return Err(DomainError::RuleViolated(Message::new(
            "not_in_inspection_plan",
        )));
    }
    actor.require(Action::RunInspections, Some(input.agency_id), &tree)?;
    if input.held_on > today() {
        return Err(DomainError::invalid(
            "held_on",
            Message::new("not_in_future"),
        ));
    }
    if input.issues.len() > 200 {
        return Err(DomainError::invalid(
            "issues",
            Message::new("too_many").arg("max", 200),
        ));
    }
    let mut issues = Vec::with_capacity(input.issues.len());
    for issue in &input.issues {
        issues.push(text::required("issues", issue, 5_000)?);
    }
    let report_due_on = add_months(input.held_on, REPORT_MONTHS);
    let details = MinutesDetails {
        summary: text::optional("summary", input.summary.as_deref(), 50_000)?,
        issues: issues.clone(),
        report_due_on: (!issues.is_empty()).then_some(report_due_on),
    };
    let minutes = store::insert(
        &txn,
        actor,
        NewRecord {
            parent_id: Some(inspection.id),
            number: input.number,
            due_on: details.report_due_on,
            ..NewRecord::new(
                RecordKind::InspectionMinutes,
                input.agency_id,
                format!(
                    "Biên bản kiểm tra ngày {} ({})",
                    input.held_on.format("%d/%m/%Y"),
                    headline(&inspection.title)
                ),
                ISSUED,
                input.held_on,
                &details,
            )
        },
    )
    .await?;
    for issue in issues {
        corrective::raise_from_inspection(&txn, actor, &minutes, issue, report_due_on).await?;
    }
    txn.commit().await?;
    view(conn, minutes).await
}

/// The plan's agencies: each exists and is within the actor's reach (404 otherwise), once.
fn check_agencies(
    actor: &Actor,
    tree: &AgencyTree,
    agencies: Vec<PlannedAgency>,
) -> DomainResult<Vec<PlannedAgency>> {
    if agencies.len() > 2_000 {
        return Err(DomainError::invalid(
            "agencies",
            Message::new("too_many").arg("max", 2_000),
        ));
    }
    let mut checked: Vec<PlannedAgency> = Vec::new();
    for planned in agencies {
        if !tree.contains(planned.agency_id)
            || !actor.can(Action::RunInspections, Some(planned.agency_id), tree)
        {
            return Err(DomainError::NotFound("agency"));
        }
        match checked
            .iter_mut()
            .find(|known| known.agency_id == planned.agency_id)
        {
            Some(known) => known.on_site |= planned.on_site,
            None => checked.push(planned),
        }
    }
    Ok(checked)
}
