//! Complaints and feedback (phản ánh, kiến nghị) an agency receives: when, from whom, through
//! which channel, what about; how it was handled and with what result. `received` →
//! `in_progress` → `closed` (or straight to `closed`). One may raise a corrective action
//! (source `complaint`).

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, DatabaseConnection};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    CLOSED, NewRecord, Record, RecordKind, check_transition, headline, open_record, parse_named,
    store, view,
};
use crate::{
    clock::today,
    db::{self, entities::record},
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, concurrency::ExpectedRevision, text,
    },
    i18n::Message,
    names::Named,
};

pub const RECEIVED: &str = "received";
pub const IN_PROGRESS: &str = "in_progress";

const TRANSITIONS: &[(&str, &str)] = &[
    (RECEIVED, IN_PROGRESS),
    (RECEIVED, CLOSED),
    (IN_PROGRESS, CLOSED),
];

crate::named_enum! {
    /// How a complaint reached the agency.
    pub enum Channel {
        InPerson,
        Phone,
        Hotline,
        Email,
        Website,
        Letter,
        Other,
    }
}

/// `POST /api/v1/complaints`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComplaint {
    /// Agency id or code.
    pub agency_id: String,
    pub received_on: NaiveDate,
    /// Who sent it (a citizen, an organisation); may be left empty for anonymous feedback.
    #[serde(default)]
    pub from: Option<String>,
    /// `in_person`, `phone`, `hotline`, `email`, `website`, `letter` or `other`.
    pub channel: String,
    pub content: String,
    #[serde(default)]
    pub number: Option<String>,
}

/// `PATCH /api/v1/complaints/{id}`: how it is handled; `status` moves it along.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintChanges {
    pub content: Option<String>,
    pub handling: Option<String>,
    pub result: Option<String>,
    /// `in_progress` or `closed` (a result is needed to close).
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct ComplaintDetails {
    from: Option<String>,
    channel: String,
    content: String,
    handling: Option<String>,
    result: Option<String>,
}

/// Registers a complaint (the agency's ISO officer).
pub async fn create(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewComplaint,
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
    if input.received_on > today() {
        return Err(DomainError::invalid(
            "received_on",
            Message::new("not_in_future"),
        ));
    }
    let channel: Channel = parse_named("channel", &input.channel)?;
    let details = ComplaintDetails {
        from: text::optional("from", input.from.as_deref(), 300)?,
        channel: channel.as_str().to_owned(),
        content: text::required("content", &input.content, 20_000)?,
        handling: None,
        result: None,
    };
    let row = store::insert(
        &txn,
        actor,
        NewRecord {
            number: input.number,
            category: Some(channel.as_str().to_owned()),
            ..NewRecord::new(
                RecordKind::Complaint,
                agency.id,
                headline(&details.content),
                RECEIVED,
                input.received_on,
                &details,
            )
        },
    )
    .await?;
    txn.commit().await?;
    view(conn, row).await
}

/// Records how a complaint is handled, and closes it with its result.
pub async fn update(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected: ExpectedRevision,
    changes: ComplaintChanges,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = open_record(
        &txn,
        actor,
        &tree,
        id,
        RecordKind::Complaint,
        Action::ManageRecords,
    )
    .await?;
    expected.check(current.revision)?;
    let mut details: ComplaintDetails = serde_json::from_str(&current.details).unwrap_or_default();
    let mut row: record::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(content) = &changes.content {
        details.content = text::required("content", content, 20_000)?;
        row.title = Set(headline(&details.content));
        summary.insert("content".into(), json!(details.content));
    }
    if let Some(handling) = &changes.handling {
        details.handling = text::optional("handling", Some(handling), 20_000)?;
        summary.insert("handling".into(), json!(details.handling));
    }
    if let Some(result) = &changes.result {
        details.result = text::optional("result", Some(result), 20_000)?;
        summary.insert("result".into(), json!(details.result));
    }
    if let Some(status) = changes.status.as_deref().map(str::trim)
        && status != current.status
    {
        check_transition(&current, status, TRANSITIONS)?;
        if status == CLOSED {
            if details.result.is_none() {
                return Err(DomainError::invalid(
                    "result",
                    Message::new("complaint_result_required"),
                ));
            }
            row.closed_on = Set(Some(today()));
        }
        summary.insert("status".into(), json!([current.status, status]));
        row.status = Set(status.to_owned());
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
