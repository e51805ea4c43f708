//! Quality objectives (ISO 9001 6.2) of an agency's year: the objective, its target, unit,
//! method and frequency of measurement, and its results per period (value, achieved or not,
//! note). The objective is `active` until a result is recorded, then `achieved` or `missed` as
//! its latest result says. A missed objective can raise a corrective action (source
//! `objective`).

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, DatabaseConnection};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{NewRecord, Record, RecordKind, open_record, parse_named, store, view};
use crate::{
    clock::today,
    db::{self, entities::record},
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, concurrency::ExpectedRevision, text,
    },
    i18n::Message,
    names::Named,
};

pub const ACTIVE: &str = "active";
pub const ACHIEVED: &str = "achieved";
pub const MISSED: &str = "missed";

crate::named_enum! {
    /// How often an objective is measured.
    pub enum Frequency {
        Monthly,
        Quarterly,
        HalfYearly,
        Yearly,
    }
}

/// `POST /api/v1/objectives`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjective {
    /// Agency id or code.
    pub agency_id: String,
    pub year: i32,
    /// The objective, e.g. "Giải quyết đúng hạn hồ sơ thủ tục hành chính".
    pub title: String,
    /// The target, e.g. "≥ 98%".
    pub target: String,
    /// The unit measured (`%`, `hồ sơ`…).
    #[serde(default)]
    pub unit: Option<String>,
    /// How it is measured.
    #[serde(default)]
    pub method: Option<String>,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub frequency: String,
    #[serde(default)]
    pub number: Option<String>,
}

/// `PATCH /api/v1/objectives/{id}`
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveChanges {
    pub title: Option<String>,
    pub target: Option<String>,
    pub unit: Option<String>,
    pub method: Option<String>,
    pub frequency: Option<String>,
}

/// `POST /api/v1/objectives/{id}/results`
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveResult {
    /// The period measured, e.g. `2026-Q1`, `2026-06`, `2026`.
    pub period: String,
    /// The value measured, e.g. `97.5`.
    pub value: String,
    pub achieved: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct ObjectiveDetails {
    target: String,
    unit: Option<String>,
    method: Option<String>,
    frequency: String,
    #[serde(default)]
    results: Vec<StoredResult>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
struct StoredResult {
    period: String,
    value: String,
    achieved: bool,
    note: Option<String>,
    recorded_on: NaiveDate,
    recorded_by: Option<Uuid>,
}

/// Sets an objective for an agency's year (its ISO officer).
pub async fn create(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewObjective,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let agency = super::parties::target_agency(
        &txn,
        actor,
        &tree,
        "agency_id",
        &input.agency_id,
        Action::ManageRecords,
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
    let frequency: Frequency = parse_named("frequency", &input.frequency)?;
    let details = ObjectiveDetails {
        target: text::required("target", &input.target, 500)?,
        unit: text::optional("unit", input.unit.as_deref(), 100)?,
        method: text::optional("method", input.method.as_deref(), 5_000)?,
        frequency: frequency.as_str().to_owned(),
        results: Vec::new(),
    };
    let row = store::insert(
        &txn,
        actor,
        NewRecord {
            number: input.number,
            ..NewRecord::new(
                RecordKind::QualityObjective,
                agency.id,
                text::required("title", &input.title, 500)?,
                ACTIVE,
                first_day,
                &details,
            )
        },
    )
    .await?;
    txn.commit().await?;
    view(conn, row).await
}

/// Changes an objective; `expected` is the revision read.
pub async fn update(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected: ExpectedRevision,
    changes: ObjectiveChanges,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = editable(&txn, actor, &tree, id).await?;
    expected.check(current.revision)?;
    let mut details: ObjectiveDetails = serde_json::from_str(&current.details).unwrap_or_default();
    let mut row: record::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(title) = &changes.title {
        let title = text::required("title", title, 500)?;
        summary.insert("title".into(), json!([current.title, title]));
        row.title = Set(title);
    }
    if let Some(target) = &changes.target {
        details.target = text::required("target", target, 500)?;
        summary.insert("target".into(), json!(details.target));
    }
    if let Some(unit) = &changes.unit {
        details.unit = text::optional("unit", Some(unit), 100)?;
        summary.insert("unit".into(), json!(details.unit));
    }
    if let Some(method) = &changes.method {
        details.method = text::optional("method", Some(method), 5_000)?;
        summary.insert("method".into(), json!(details.method));
    }
    if let Some(frequency) = &changes.frequency {
        let frequency: Frequency = parse_named("frequency", frequency)?;
        details.frequency = frequency.as_str().to_owned();
        summary.insert("frequency".into(), json!(details.frequency));
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

/// Records the result of a period; a period recorded again replaces its result. The
/// objective is then `achieved` or `missed` as its latest result says.
pub async fn record_result(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: ObjectiveResult,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = editable(&txn, actor, &tree, id).await?;
    let period = text::required("period", &input.period, 20)?;
    let value = text::required("value", &input.value, 100)?;
    let note = text::optional("note", input.note.as_deref(), 5_000)?;
    let mut details: ObjectiveDetails = serde_json::from_str(&current.details).unwrap_or_default();
    details.results.retain(|result| result.period != period);
    details.results.push(StoredResult {
        period: period.clone(),
        value: value.clone(),
        achieved: input.achieved,
        note,
        recorded_on: today(),
        recorded_by: actor.user_id,
    });
    details.results.sort_by(|a, b| a.period.cmp(&b.period));
    let latest = details.results.last().map(|result| result.achieved);
    let status = if latest == Some(true) {
        ACHIEVED
    } else {
        MISSED
    };
    let mut row: record::ActiveModel = current.clone().into();
    row.status = Set(status.to_owned());
    row.details = Set(serde_json::to_value(&details)
        .unwrap_or(Value::Null)
        .to_string());
    let saved = store::save(
        &txn,
        actor,
        &current,
        row,
        "result",
        json!({"period": period, "value": value, "achieved": input.achieved, "status": [current.status, status]}),
    )
    .await?;
    txn.commit().await?;
    view(conn, saved).await
}

async fn editable(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
) -> DomainResult<record::Model> {
    open_record(
        db,
        actor,
        tree,
        id,
        RecordKind::QualityObjective,
        Action::ManageRecords,
    )
    .await
}
