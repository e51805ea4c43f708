//! Announcements of conformity (công bố hệ thống quản lý chất lượng phù hợp TCVN ISO
//! 9001:2015, QĐ 19/2014/QĐ-TTg Art. 4): the head's decision (number, day), the scope, the
//! standard's edition, the day the Department of Science and Technology was notified, where it
//! was posted (at the office, on the website). One announcement per agency is `current`; a
//! re-announcement names the one it replaces and why, which becomes `superseded`.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{NewRecord, Record, RecordKind, open_record, readable, store, view};
use crate::{
    clock::today,
    db::{self, entities::record},
    domain::{Action, Actor, AgencyTree, DomainError, DomainResult, text},
    i18n::Message,
    names::Named,
};

pub const CURRENT: &str = "current";
pub const SUPERSEDED: &str = "superseded";

/// `POST /api/v1/announcements`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnnouncement {
    /// Agency id or code.
    pub agency_id: String,
    /// The decision's number, e.g. `125/QĐ-SKHCN`; the announcement's number.
    pub decision_number: String,
    pub decided_on: NaiveDate,
    /// The processes and units the system covers.
    pub scope: String,
    /// Default `TCVN ISO 9001:2015`.
    #[serde(default)]
    pub standard: Option<String>,
    /// The day the Department of Science and Technology was notified.
    #[serde(default)]
    pub notified_on: Option<NaiveDate>,
    /// Posted at the office's notice board.
    #[serde(default)]
    pub posted_at_office: bool,
    /// Where it was published on the agency's website.
    #[serde(default)]
    pub website_url: Option<String>,
    /// The announcement this one replaces (required while one is current).
    #[serde(default)]
    pub previous_id: Option<Uuid>,
    /// Why it is announced again (a new scope, a new edition, a merger), with `previous_id`.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct AnnouncementDetails {
    decision_number: String,
    decided_on: Option<NaiveDate>,
    scope: String,
    standard: String,
    notified_on: Option<NaiveDate>,
    posted_at_office: bool,
    website_url: Option<String>,
    previous_id: Option<Uuid>,
    reason: Option<String>,
    superseded_by: Option<Uuid>,
}

/// Records an announcement (the agency's ISO officer); it becomes the current one, replacing
/// the one it names.
pub async fn create(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewAnnouncement,
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
    for (field, day) in [
        ("decided_on", Some(input.decided_on)),
        ("notified_on", input.notified_on),
    ] {
        if day.is_some_and(|day| day > today()) {
            return Err(DomainError::invalid(field, Message::new("not_in_future")));
        }
    }
    let website_url = text::optional("website_url", input.website_url.as_deref(), 2_000)?;
    if let Some(url) = &website_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(DomainError::invalid(
            "website_url",
            Message::new("not_a_web_address"),
        ));
    }
    let current = record::Entity::find()
        .filter(record::Column::AgencyId.eq(agency.id))
        .filter(record::Column::Kind.eq(RecordKind::Announcement.as_str()))
        .filter(record::Column::Status.eq(CURRENT))
        .one(&txn)
        .await?;
    let previous = match input.previous_id {
        Some(id) => {
            let previous = readable(&txn, actor, &tree, id, Some(RecordKind::Announcement)).await?;
            if previous.agency_id != agency.id {
                return Err(DomainError::NotFound(RecordKind::Announcement.what()));
            }
            if previous.status != CURRENT {
                return Err(DomainError::Conflict(Message::new(
                    "announcement_not_current",
                )));
            }
            Some(previous)
        }
        None => None,
    };
    if let (Some(current), None) = (&current, &previous) {
        return Err(DomainError::Conflict(
            Message::new("announcement_current_exists").arg("number", &current.number),
        ));
    }
    let reason = text::optional("reason", input.reason.as_deref(), 5_000)?;
    if previous.is_some() && reason.is_none() {
        return Err(DomainError::invalid(
            "reason",
            Message::new("reannouncement_reason"),
        ));
    }
    let decision_number = text::required("decision_number", &input.decision_number, 100)?;
    let details = AnnouncementDetails {
        decision_number: decision_number.clone(),
        decided_on: Some(input.decided_on),
        scope: text::required("scope", &input.scope, 20_000)?,
        standard: text::optional("standard", input.standard.as_deref(), 100)?
            .unwrap_or_else(|| "TCVN ISO 9001:2015".to_owned()),
        notified_on: input.notified_on,
        posted_at_office: input.posted_at_office,
        website_url,
        previous_id: previous.as_ref().map(|previous| previous.id),
        reason,
        superseded_by: None,
    };
    let title = format!("Công bố HTQLCL phù hợp {}", details.standard);
    let row = store::insert(
        &txn,
        actor,
        NewRecord {
            number: Some(decision_number),
            source_id: details.previous_id,
            ..NewRecord::new(
                RecordKind::Announcement,
                agency.id,
                title,
                CURRENT,
                input.decided_on,
                &details,
            )
        },
    )
    .await?;
    if let Some(previous) = previous {
        let previous = open_record(
            &txn,
            actor,
            &tree,
            previous.id,
            RecordKind::Announcement,
            Action::ManageRecords,
        )
        .await?;
        let mut old: AnnouncementDetails =
            serde_json::from_str(&previous.details).unwrap_or_default();
        old.superseded_by = Some(row.id);
        let mut change: record::ActiveModel = previous.clone().into();
        change.status = Set(SUPERSEDED.to_owned());
        change.closed_on = Set(Some(input.decided_on));
        change.details = Set(serde_json::to_value(&old)
            .unwrap_or(Value::Null)
            .to_string());
        store::save(
            &txn,
            actor,
            &previous,
            change,
            "supersede",
            json!({"status": [CURRENT, SUPERSEDED], "superseded_by": row.id}),
        )
        .await?;
    }
    txn.commit().await?;
    view(conn, row).await
}
