//! What a record refers to: documents, document versions and other records of its agency (or
//! of the agencies under it). An id from anywhere else is "not found", so a body cannot probe
//! another agency's documents.

use std::collections::{BTreeSet, HashMap};

use chrono::{SubsecRound, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};
use uuid::Uuid;

use super::RecordLink;
use crate::{
    db::entities::{document, document_version, record, record_link},
    domain::{AgencyTree, DomainError, DomainResult},
    i18n::Message,
};

/// What a link may point at.
const TARGETS: [&str; 3] = ["document", "version", "record"];

/// Links to documents, by id.
pub fn documents(ids: &[Uuid]) -> Vec<RecordLink> {
    ids.iter()
        .map(|id| RecordLink {
            kind: "document".to_owned(),
            id: *id,
        })
        .collect()
}

/// Checks that every target exists in `agency` or an agency under it: 400 for an unknown
/// kind of target, 404 for an id that is not there (or not theirs).
pub(crate) async fn check(
    db: &impl ConnectionTrait,
    tree: &AgencyTree,
    agency: Uuid,
    links: &[RecordLink],
) -> DomainResult<()> {
    let mut wanted: HashMap<&str, BTreeSet<Uuid>> = HashMap::new();
    for link in links {
        let Some(kind) = TARGETS.iter().find(|target| **target == link.kind) else {
            return Err(DomainError::invalid(
                "links.kind",
                Message::new("one_of").arg("allowed", TARGETS.join(", ")),
            ));
        };
        wanted.entry(kind).or_default().insert(link.id);
    }
    let inside = |owner: Uuid| tree.covers(agency, owner);
    if let Some(ids) = wanted.get("document") {
        let found: HashMap<Uuid, Uuid> = document::Entity::find()
            .filter(document::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.agency_id))
            .collect();
        if ids
            .iter()
            .any(|id| !found.get(id).copied().is_some_and(inside))
        {
            return Err(DomainError::NotFound("document"));
        }
    }
    if let Some(ids) = wanted.get("version") {
        let versions = document_version::Entity::find()
            .filter(document_version::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        let owners: HashMap<Uuid, Uuid> = document::Entity::find()
            .filter(document::Column::Id.is_in(versions.iter().map(|version| version.document_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.agency_id))
            .collect();
        let found: HashMap<Uuid, Uuid> = versions
            .iter()
            .filter_map(|version| Some((version.id, *owners.get(&version.document_id)?)))
            .collect();
        if ids
            .iter()
            .any(|id| !found.get(id).copied().is_some_and(inside))
        {
            return Err(DomainError::NotFound("version"));
        }
    }
    if let Some(ids) = wanted.get("record") {
        let found: HashMap<Uuid, Uuid> = record::Entity::find()
            .filter(record::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.agency_id))
            .collect();
        if ids
            .iter()
            .any(|id| !found.get(id).copied().is_some_and(inside))
        {
            return Err(DomainError::NotFound("record"));
        }
    }
    Ok(())
}

/// Adds links to a record (those it has already are kept once).
pub(crate) async fn add(
    db: &impl ConnectionTrait,
    record_id: Uuid,
    links: &[RecordLink],
) -> DomainResult<()> {
    if links.is_empty() {
        return Ok(());
    }
    let now = Utc::now().trunc_subsecs(6);
    let rows = links.iter().map(|link| record_link::ActiveModel {
        record_id: Set(record_id),
        target_kind: Set(link.kind.clone()),
        target_id: Set(link.id),
        created_at: Set(now),
    });
    record_link::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                record_link::Column::RecordId,
                record_link::Column::TargetKind,
                record_link::Column::TargetId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Replaces the links of a record of one kind of target (`document`…) with `links`.
pub(crate) async fn replace(
    db: &impl ConnectionTrait,
    record_id: Uuid,
    target_kind: &str,
    links: &[RecordLink],
) -> DomainResult<()> {
    record_link::Entity::delete_many()
        .filter(record_link::Column::RecordId.eq(record_id))
        .filter(record_link::Column::TargetKind.eq(target_kind))
        .exec(db)
        .await?;
    add(db, record_id, links).await
}
