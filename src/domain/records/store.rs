//! Writing records: creating one (with its number and retention), saving a change (revision,
//! audit row, search entry).

use chrono::{Datelike, NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use super::{RecordKind, indexing, retention};
use crate::{
    db::entities::{record, record_series},
    domain::{Actor, DomainError, DomainResult, audit, text},
    i18n::Message,
    names::Named,
};

/// A record about to be created.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub agency_id: Uuid,
    pub kind: RecordKind,
    pub parent_id: Option<Uuid>,
    pub source_id: Option<Uuid>,
    pub series_id: Option<Uuid>,
    /// Given by the agency (a decision's number), or `None` for the next free one.
    pub number: Option<String>,
    pub title: String,
    pub category: Option<String>,
    pub status: &'static str,
    pub occurred_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    /// The kind's own fields, a JSON object.
    pub details: Value,
}

impl NewRecord {
    /// A record of `kind` with nothing above it, no number given and no due day.
    pub fn new(
        kind: RecordKind,
        agency_id: Uuid,
        title: String,
        status: &'static str,
        occurred_on: NaiveDate,
        details: impl serde::Serialize,
    ) -> Self {
        Self {
            agency_id,
            kind,
            parent_id: None,
            source_id: None,
            series_id: None,
            number: None,
            title,
            category: None,
            status,
            occurred_on,
            due_on: None,
            details: serde_json::to_value(details).unwrap_or(Value::Null),
        }
    }
}

/// Creates a record in the caller's transaction, with its audit row and search entry.
pub async fn insert(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    new: NewRecord,
) -> DomainResult<record::Model> {
    let year = new.occurred_on.year();
    let number = match &new.number {
        Some(number) => {
            let number = text::required("number", number, 100)?;
            if number_taken(txn, new.agency_id, new.kind, &number).await? {
                return Err(DomainError::Conflict(
                    Message::new("record_number_taken").arg("number", &number),
                ));
            }
            number
        }
        None => next_number(txn, new.agency_id, new.kind, year).await?,
    };
    let years = match new.series_id {
        Some(series) => {
            record_series::Entity::find_by_id(series)
                .one(txn)
                .await?
                .ok_or(DomainError::NotFound("series"))?
                .retention_years
        }
        None => retention::years_for(txn, new.agency_id, new.kind).await?,
    };
    let now = Utc::now().trunc_subsecs(6);
    let row = record::ActiveModel {
        id: Set(Uuid::now_v7()),
        agency_id: Set(new.agency_id),
        kind: Set(new.kind.as_str().to_owned()),
        parent_id: Set(new.parent_id),
        source_id: Set(new.source_id),
        series_id: Set(new.series_id),
        number_key: Set(number_key(&number)),
        number: Set(number),
        title: Set(new.title),
        category: Set(new.category),
        status: Set(new.status.to_owned()),
        occurred_on: Set(new.occurred_on),
        due_on: Set(new.due_on),
        closed_on: Set(None),
        year: Set(year),
        details: Set(new.details.to_string()),
        retention_until: Set(retention::until(year, years)),
        legal_hold: Set(false),
        revision: Set(1),
        created_by: Set(actor.user_id),
        updated_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    audit(
        txn,
        actor,
        &format!("{}.create", row.kind),
        &row.kind,
        row.id,
        Some(row.agency_id),
        serde_json::json!({
            "number": row.number,
            "title": row.title,
            "status": row.status,
            "details": new.details,
        }),
    )
    .await?;
    indexing::enqueue(txn, row.id).await?;
    Ok(row)
}

/// Saves a change to a record (`row`, built from `current`): a new revision, the audit row
/// `{kind}.{verb}` with `summary`, and its search entry rebuilt.
pub async fn save(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    current: &record::Model,
    mut row: record::ActiveModel,
    verb: &str,
    summary: Value,
) -> DomainResult<record::Model> {
    row.revision = Set(current.revision + 1);
    row.updated_by = Set(actor.user_id);
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    let saved = row.update(txn).await?;
    audit(
        txn,
        actor,
        &format!("{}.{verb}", current.kind),
        &current.kind,
        current.id,
        Some(current.agency_id),
        summary,
    )
    .await?;
    indexing::enqueue(txn, current.id).await?;
    Ok(saved)
}

/// Touches a record whose parts changed (an action, an attachment, a link): a new revision,
/// the audit row and its search entry.
pub(crate) async fn touch(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    current: &record::Model,
    verb: &str,
    summary: Value,
) -> DomainResult<record::Model> {
    let row: record::ActiveModel = current.clone().into();
    save(txn, actor, current, row, verb, summary).await
}

/// The number as compared: NFC, lowercase.
fn number_key(number: &str) -> String {
    number.trim().nfc().collect::<String>().to_lowercase()
}

async fn number_taken(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
    kind: RecordKind,
    number: &str,
) -> DomainResult<bool> {
    Ok(record::Entity::find()
        .filter(record::Column::AgencyId.eq(agency_id))
        .filter(record::Column::Kind.eq(kind.as_str()))
        .filter(record::Column::NumberKey.eq(number_key(number)))
        .count(db)
        .await?
        > 0)
}

/// The next free number of the kind in the agency's year: `HDKP-2026-007`.
async fn next_number(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
    kind: RecordKind,
    year: i32,
) -> DomainResult<String> {
    let existing = record::Entity::find()
        .filter(record::Column::AgencyId.eq(agency_id))
        .filter(record::Column::Kind.eq(kind.as_str()))
        .filter(record::Column::Year.eq(year))
        .count(db)
        .await?;
    for sequence in existing + 1..existing + 1000 {
        let number = format!("{}-{year}-{sequence:03}", kind.prefix());
        if !number_taken(db, agency_id, kind, &number).await? {
            return Ok(number);
        }
    }
    Err(DomainError::Conflict(
        Message::new("code_exhausted").arg("base", kind.prefix()),
    ))
}
