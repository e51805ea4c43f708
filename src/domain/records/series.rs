//! The agency's other record series (training lists, TTHC handling logs, reports to the
//! province…): a series has a name, a type and a retention; its records carry attachments.

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{NewRecord, Record, RecordKind, parties, retention, store, view};
use crate::{
    clock::today,
    db::{
        self,
        entities::{agency, record_series},
    },
    domain::{
        Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult, agencies, audit, text,
    },
    i18n::Message,
};

/// The status of a record of a series: kept.
pub const KEPT: &str = "kept";

/// A record series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Series {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    pub record_type: String,
    /// Years its records are kept after their year; `null`: permanently.
    pub retention_years: Option<i32>,
    pub created_at: chrono::DateTime<Utc>,
}

impl From<record_series::Model> for Series {
    fn from(row: record_series::Model) -> Self {
        Self {
            id: row.id,
            agency_id: row.agency_id,
            name: row.name,
            record_type: row.record_type,
            retention_years: row.retention_years,
            created_at: row.created_at,
        }
    }
}

/// `POST /api/v1/record-series`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSeries {
    /// Agency id or code.
    pub agency_id: String,
    /// Unique within the agency, ignoring case: "Hồ sơ đào tạo".
    pub name: String,
    /// What its records are: `training`, `tthc_log`, `report`… (free text, default `other`).
    #[serde(default)]
    pub record_type: Option<String>,
    /// Years kept (1 to 100); absent: the agency's retention of records; `null` via
    /// `permanent: true`.
    #[serde(default)]
    pub retention_years: Option<i32>,
    #[serde(default)]
    pub permanent: bool,
}

/// `POST /api/v1/records`: a record of one of the agency's series.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSeriesRecord {
    /// Agency id or code.
    pub agency_id: String,
    /// The series, by id.
    pub series_id: Uuid,
    pub title: String,
    /// The record's day (default: today).
    #[serde(default)]
    pub occurred_on: Option<NaiveDate>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// The series of the agencies the actor reads, by name.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    agency: Option<&str>,
) -> DomainResult<Vec<Series>> {
    let tree = AgencyTree::load(db).await?;
    let mut query = record_series::Entity::find().order_by_asc(record_series::Column::NameKey);
    if let AgencyScope::Only(ids) = actor.scope(Action::ReadRecords, &tree) {
        query = query.filter(record_series::Column::AgencyId.is_in(ids));
    }
    if let Some(agency) = agency {
        let agency = agencies::resolve(db, agency).await?;
        query = query.filter(record_series::Column::AgencyId.eq(agency.id));
    }
    // In Vietnamese order: "Đào tạo" before "Sổ theo dõi", as a reader expects (by bytes, đ
    // comes after every ASCII letter).
    let mut found: Vec<Series> = query.all(db).await?.into_iter().map(Series::from).collect();
    found.sort_by_cached_key(|series| {
        (
            crate::domain::text::fold_diacritics(&series.name).to_lowercase(),
            series.name.clone(),
        )
    });
    Ok(found)
}

/// Opens a series for an agency (its ISO officer).
pub async fn create(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewSeries,
) -> DomainResult<Series> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let agency = parties::target_agency(
        &txn,
        actor,
        &tree,
        "agency_id",
        &input.agency_id,
        Action::ManageRecords,
    )
    .await?;
    let name = text::required("name", &input.name, 300)?;
    if find_by_name(&txn, agency.id, &name).await?.is_some() {
        return Err(DomainError::Conflict(
            Message::new("series_name_taken").arg("name", &name),
        ));
    }
    let years = match (input.permanent, input.retention_years) {
        (true, _) => None,
        (false, Some(years)) if (1..=100).contains(&years) => Some(years),
        (false, Some(_)) => {
            return Err(DomainError::invalid(
                "retention_years",
                Message::new("between").arg("min", 1).arg("max", 100),
            ));
        }
        (false, None) => retention::years_for(&txn, agency.id, RecordKind::Record).await?,
    };
    let record_type = text::optional("record_type", input.record_type.as_deref(), 64)?
        .unwrap_or_else(|| "other".to_owned());
    let row = insert_series(&txn, actor, &agency, name, record_type, years).await?;
    txn.commit().await?;
    Ok(row.into())
}

/// The agency's series of this name (ignoring case), if any.
pub(crate) async fn find_by_name(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
    name: &str,
) -> DomainResult<Option<record_series::Model>> {
    Ok(record_series::Entity::find()
        .filter(record_series::Column::AgencyId.eq(agency_id))
        .filter(record_series::Column::NameKey.eq(name_key(name)))
        .one(db)
        .await?)
}

/// Stores a series with its audit row.
pub(crate) async fn insert_series(
    db: &impl ConnectionTrait,
    actor: &Actor,
    agency: &agency::Model,
    name: String,
    record_type: String,
    retention_years: Option<i32>,
) -> DomainResult<record_series::Model> {
    let row = record_series::ActiveModel {
        id: Set(Uuid::now_v7()),
        agency_id: Set(agency.id),
        name_key: Set(name_key(&name)),
        name: Set(name),
        record_type: Set(record_type),
        retention_years: Set(retention_years),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    }
    .insert(db)
    .await?;
    audit(
        db,
        actor,
        "record_series.create",
        "record_series",
        row.id,
        Some(agency.id),
        json!({"name": row.name, "record_type": row.record_type, "retention_years": row.retention_years}),
    )
    .await?;
    Ok(row)
}

/// Adds a record to one of the agency's series; attach its files next.
pub async fn create_record(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewSeriesRecord,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let agency = parties::target_agency(
        &txn,
        actor,
        &tree,
        "agency_id",
        &input.agency_id,
        Action::ManageRecords,
    )
    .await?;
    let series = record_series::Entity::find_by_id(input.series_id)
        .one(&txn)
        .await?
        .filter(|series| series.agency_id == agency.id)
        .ok_or(DomainError::NotFound("series"))?;
    let occurred_on = input.occurred_on.unwrap_or_else(today);
    let row = store::insert(
        &txn,
        actor,
        NewRecord {
            series_id: Some(series.id),
            number: input.number,
            category: Some(series.record_type.clone()),
            ..NewRecord::new(
                RecordKind::Record,
                agency.id,
                text::required("title", &input.title, 500)?,
                KEPT,
                occurred_on,
                json!({
                    "series": series.name,
                    "description": text::optional("description", input.description.as_deref(), 20_000)?,
                }),
            )
        },
    )
    .await?;
    txn.commit().await?;
    view(conn, row).await
}

fn name_key(name: &str) -> String {
    name.trim().nfc().collect::<String>().to_lowercase()
}
