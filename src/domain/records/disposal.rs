//! Disposing of records whose retention has run out, never silently: the ISO officer asks, with
//! a reason; the agency head (someone else) approves or refuses. Approval removes the record
//! with the records under it (an audit with its findings and checklist), their actions, links
//! and attachments, leaves a tombstone in the audit log (kind, number, title, the files' hashes,
//! who asked, who approved, why), and removes each file's bytes once nothing else refers to
//! them. A legal hold on the record, or on one under it, blocks disposal.

use std::collections::BTreeSet;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Record, RecordFilter, RecordKind, indexing, kind_of, readable, store, views};
use crate::{
    blobs::BlobStore,
    clock::today,
    db::{
        self,
        entities::{
            document_version, file, file_citation, file_link, file_text, record, record_action,
            record_disposal, record_link,
        },
    },
    domain::{
        Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult, Page, PageRequest,
        agencies::resolve_field, audit, files, paginate, text,
    },
    i18n::Message,
    names::Named,
};

pub const REQUESTED: &str = "requested";
pub const APPROVED: &str = "approved";
pub const REFUSED: &str = "refused";

/// A request to dispose of a record, and its outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Disposal {
    pub id: Uuid,
    pub record_id: Uuid,
    pub agency_id: Uuid,
    pub kind: String,
    pub number: String,
    pub title: String,
    /// `requested`, `approved` (the record is gone) or `refused`.
    pub status: String,
    pub reason: String,
    pub requested_by: Option<Uuid>,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

impl From<record_disposal::Model> for Disposal {
    fn from(row: record_disposal::Model) -> Self {
        Self {
            id: row.id,
            record_id: row.record_id,
            agency_id: row.agency_id,
            kind: row.kind,
            number: row.number,
            title: row.title,
            status: row.status,
            reason: row.reason,
            requested_by: row.requested_by,
            requested_at: row.requested_at,
            decided_by: row.decided_by,
            decided_at: row.decided_at,
            decision_note: row.decision_note,
        }
    }
}

/// `{reason}` / `{note}`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposalReason {
    pub reason: String,
}

/// `PUT /api/v1/records/{id}/legal-hold`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalHold {
    pub hold: bool,
    pub reason: String,
}

/// Top-level records past their retention and not on hold, oldest retention first.
pub async fn disposition_due(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &RecordFilter,
    page: &PageRequest,
) -> DomainResult<Page<Record>> {
    let tree = AgencyTree::load(db).await?;
    let mut condition = Condition::all()
        .add(record::Column::ParentId.is_null())
        .add(record::Column::LegalHold.eq(false))
        .add(record::Column::RetentionUntil.lt(today()));
    if let AgencyScope::Only(ids) = actor.scope(Action::ReadRecords, &tree) {
        condition = condition.add(record::Column::AgencyId.is_in(ids));
    }
    if let Some(agency) = &filter.agency {
        let agency = resolve_field(db, "agency", agency).await?;
        condition = condition.add(record::Column::AgencyId.is_in(tree.covered_by(agency.id)));
    }
    if let Some(kind) = &filter.kind {
        let kind: RecordKind = super::parse_named("kind", kind)?;
        condition = condition.add(record::Column::Kind.eq(kind.as_str()));
    }
    let query = record::Entity::find()
        .filter(condition)
        .order_by_asc(record::Column::RetentionUntil)
        .order_by_asc(record::Column::Id);
    let mut found = paginate(db, query, page).await?;
    let items = views(db, std::mem::take(&mut found.items)).await?;
    Ok(found.with_items(items))
}

/// Puts a record under legal hold, or lifts it (the ISO officer or the head), with a reason.
pub async fn set_legal_hold(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: LegalHold,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = readable(&txn, actor, &tree, id, None).await?;
    if !actor.can(Action::ManageRecords, Some(current.agency_id), &tree)
        && !actor.can(Action::ApproveRecords, Some(current.agency_id), &tree)
    {
        return Err(DomainError::Forbidden);
    }
    let reason = text::required("reason", &input.reason, 2_000)?;
    if current.legal_hold == input.hold {
        txn.rollback().await?;
        return super::view(conn, current).await;
    }
    let mut row: record::ActiveModel = current.clone().into();
    row.legal_hold = Set(input.hold);
    let saved = store::save(
        &txn,
        actor,
        &current,
        row,
        if input.hold { "hold" } else { "release" },
        json!({"legal_hold": input.hold, "reason": reason}),
    )
    .await?;
    txn.commit().await?;
    super::view(conn, saved).await
}

/// Asks to dispose of a record whose retention has run out (the ISO officer): 409 while it is
/// kept, on hold, under another record, or already asked for.
pub async fn request(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: DisposalReason,
) -> DomainResult<Disposal> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = readable(&txn, actor, &tree, id, None).await?;
    actor.require(Action::ManageRecords, Some(current.agency_id), &tree)?;
    let reason = text::required("reason", &input.reason, 5_000)?;
    ensure_disposable(&txn, &current).await?;
    let pending = record_disposal::Entity::find()
        .filter(record_disposal::Column::RecordId.eq(id))
        .filter(record_disposal::Column::Status.eq(REQUESTED))
        .count(&txn)
        .await?;
    if pending > 0 {
        return Err(DomainError::Conflict(Message::new("disposal_pending")));
    }
    let row = record_disposal::ActiveModel {
        id: Set(Uuid::now_v7()),
        record_id: Set(id),
        agency_id: Set(current.agency_id),
        kind: Set(current.kind.clone()),
        number: Set(current.number.clone()),
        title: Set(current.title.clone()),
        status: Set(REQUESTED.to_owned()),
        reason: Set(reason.clone()),
        requested_by: Set(actor.user_id),
        requested_at: Set(Utc::now().trunc_subsecs(6)),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(None),
    }
    .insert(&txn)
    .await?;
    audit(
        &txn,
        actor,
        &format!("{}.disposal_request", current.kind),
        &current.kind,
        id,
        Some(current.agency_id),
        json!({"disposal_id": row.id, "reason": reason}),
    )
    .await?;
    txn.commit().await?;
    Ok(row.into())
}

/// Disposal requests the actor may read (`?agency=&status=`), newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    agency: Option<&str>,
    status: Option<&str>,
    page: &PageRequest,
) -> DomainResult<Page<Disposal>> {
    let tree = AgencyTree::load(db).await?;
    let mut condition = Condition::all();
    if let AgencyScope::Only(ids) = actor.scope(Action::ReadRecords, &tree) {
        condition = condition.add(record_disposal::Column::AgencyId.is_in(ids));
    }
    if let Some(agency) = agency {
        let agency = resolve_field(db, "agency", agency).await?;
        condition =
            condition.add(record_disposal::Column::AgencyId.is_in(tree.covered_by(agency.id)));
    }
    if let Some(status) = status {
        condition = condition.add(record_disposal::Column::Status.eq(status.trim()));
    }
    let query = record_disposal::Entity::find()
        .filter(condition)
        .order_by_desc(record_disposal::Column::RequestedAt)
        .order_by_desc(record_disposal::Column::Id);
    Ok(paginate(db, query, page).await?.map(Disposal::from))
}

/// The head's decision on a request: approving disposes of the record (never by the person who
/// asked: 422); refusing keeps it, with the reason.
pub async fn decide(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    actor: &Actor,
    disposal_id: Uuid,
    approve: bool,
    note: Option<String>,
) -> DomainResult<Disposal> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let asked = record_disposal::Entity::find_by_id(disposal_id)
        .one(&txn)
        .await?
        .filter(|asked| actor.can(Action::ReadRecords, Some(asked.agency_id), &tree))
        .ok_or(DomainError::NotFound("disposal"))?;
    actor.require(Action::ApproveRecords, Some(asked.agency_id), &tree)?;
    if asked.status != REQUESTED {
        return Err(DomainError::Conflict(
            Message::new("disposal_decided").arg("status", &asked.status),
        ));
    }
    let note = text::optional("note", note.as_deref(), 5_000)?;
    if !approve && note.is_none() {
        return Err(DomainError::invalid(
            "note",
            Message::new("must_not_be_empty"),
        ));
    }
    if approve && asked.requested_by.is_some() && asked.requested_by == actor.user_id {
        return Err(DomainError::RuleViolated(Message::new(
            "disposal_own_request",
        )));
    }
    let mut decided: record_disposal::ActiveModel = asked.clone().into();
    decided.status = Set(if approve { APPROVED } else { REFUSED }.to_owned());
    decided.decided_by = Set(actor.user_id);
    decided.decided_at = Set(Some(Utc::now().trunc_subsecs(6)));
    decided.decision_note = Set(note.clone());
    let mut freed = Vec::new();
    if approve {
        let current = readable(&txn, actor, &tree, asked.record_id, None).await?;
        ensure_disposable(&txn, &current).await?;
        freed = dispose(&txn, actor, &current, &asked, note.as_deref()).await?;
    } else {
        audit(
            &txn,
            actor,
            &format!("{}.disposal_refuse", asked.kind),
            &asked.kind,
            asked.record_id,
            Some(asked.agency_id),
            json!({"disposal_id": asked.id, "note": note}),
        )
        .await?;
    }
    let decided = decided.update(&txn).await?;
    txn.commit().await?;
    // The bytes go once nothing refers to them (checked again under the blob's lock).
    for sha256 in freed {
        if let Err(error) = files::remove_unreferenced_blob(conn, blobs, &sha256).await {
            tracing::warn!(%sha256, %error, "a disposed file's bytes stay until clean-up");
        }
    }
    Ok(decided.into())
}

/// 409 unless the record is a top-level record past its retention, with nothing under it on
/// legal hold.
async fn ensure_disposable(db: &impl ConnectionTrait, row: &record::Model) -> DomainResult<()> {
    if let Some(parent) = row.parent_id {
        return Err(DomainError::Conflict(
            Message::new("dispose_with_parent").arg("parent", parent.to_string()),
        ));
    }
    match row.retention_until {
        None => return Err(DomainError::Conflict(Message::new("kept_permanently"))),
        Some(until) if until >= today() => {
            return Err(DomainError::Conflict(
                Message::new("retention_not_over").arg("until", until.to_string()),
            ));
        }
        Some(_) => {}
    }
    let family = family_of(db, row.id).await?;
    let held = record::Entity::find()
        .filter(record::Column::Id.is_in(family.iter().copied()))
        .filter(record::Column::LegalHold.eq(true))
        .count(db)
        .await?;
    if held > 0 {
        return Err(DomainError::Conflict(Message::new("legal_hold")));
    }
    Ok(())
}

/// The record and every record under it, parents before children.
async fn family_of(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Vec<Uuid>> {
    let mut family = vec![id];
    let mut layer = vec![id];
    while !layer.is_empty() && family.len() < 100_000 {
        layer = record::Entity::find()
            .filter(record::Column::ParentId.is_in(layer))
            .all(db)
            .await?
            .into_iter()
            .map(|child| child.id)
            .collect();
        family.extend(&layer);
    }
    Ok(family)
}

/// Removes the record, those under it and their parts; writes the tombstone. Returns the hashes
/// of files no longer referred to, whose bytes go after the commit.
async fn dispose(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    top: &record::Model,
    asked: &record_disposal::Model,
    note: Option<&str>,
) -> DomainResult<Vec<String>> {
    let family = family_of(txn, top.id).await?;
    let members = record::Entity::find()
        .filter(record::Column::Id.is_in(family.clone()))
        .all(txn)
        .await?;
    let links = file_link::Entity::find()
        .filter(file_link::Column::OwnerKind.eq(indexing::KIND))
        .filter(file_link::Column::OwnerId.is_in(family.clone()))
        .all(txn)
        .await?;
    let file_ids: BTreeSet<Uuid> = links.iter().map(|link| link.file_id).collect();
    let file_rows = files::load_many(txn, file_ids.iter().copied()).await?;
    file_link::Entity::delete_many()
        .filter(file_link::Column::OwnerKind.eq(indexing::KIND))
        .filter(file_link::Column::OwnerId.is_in(family.clone()))
        .exec(txn)
        .await?;
    record_link::Entity::delete_many()
        .filter(record_link::Column::RecordId.is_in(family.clone()))
        .exec(txn)
        .await?;
    record_action::Entity::delete_many()
        .filter(record_action::Column::RecordId.is_in(family.clone()))
        .exec(txn)
        .await?;
    // Children before their parents.
    for id in family.iter().rev() {
        record::Entity::delete_by_id(*id).exec(txn).await?;
        indexing::enqueue(txn, *id).await?;
    }
    let mut freed = Vec::new();
    let mut tombstone_files = Vec::new();
    for file_id in &file_ids {
        let Some(row) = file_rows.get(file_id) else {
            continue;
        };
        tombstone_files.push(json!({
            "file_id": row.id,
            "filename": row.original_filename,
            "sha256": row.blob_sha256,
            "size": row.size,
        }));
        let still_linked = file_link::Entity::find()
            .filter(file_link::Column::FileId.eq(*file_id))
            .count(txn)
            .await?
            > 0;
        let a_version = document_version::Entity::find()
            .filter(document_version::Column::FileId.eq(*file_id))
            .count(txn)
            .await?
            > 0;
        if still_linked || a_version {
            continue;
        }
        file_text::Entity::delete_many()
            .filter(file_text::Column::FileId.eq(*file_id))
            .exec(txn)
            .await?;
        file_citation::Entity::delete_many()
            .filter(file_citation::Column::FileId.eq(*file_id))
            .exec(txn)
            .await?;
        file::Entity::delete_by_id(*file_id).exec(txn).await?;
        freed.push(row.blob_sha256.clone());
    }
    let kind = kind_of(top)?;
    audit(
        txn,
        actor,
        &format!("{}.dispose", kind.as_str()),
        kind.as_str(),
        top.id,
        Some(top.agency_id),
        json!({
            "kind": kind.as_str(),
            "number": top.number,
            "title": top.title,
            "year": top.year,
            "retention_until": top.retention_until,
            "records": members.iter().map(|member| json!({
                "id": member.id, "kind": member.kind, "number": member.number, "title": member.title,
            })).collect::<Vec<_>>(),
            "files": tombstone_files,
            "reason": asked.reason,
            "requested_by": asked.requested_by,
            "approved_by": actor.user_id,
            "note": note,
        }),
    )
    .await?;
    Ok(freed)
}
