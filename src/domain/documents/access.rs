//! Who may read and work on a document: the one place that decides it, used by every read,
//! change and download of documents and their versions.

use super::DocumentStatus;
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{
    db::entities::{document, document_version},
    domain::{Action, Actor, AgencyTree, DomainError, DomainResult},
};

/// What the actor may do with a document's agency.
pub struct DocumentRights {
    pub edit: bool,
    pub approve: bool,
}

impl DocumentRights {
    pub fn of(actor: &Actor, row: &document::Model, tree: &AgencyTree) -> Self {
        let owner = actor.user_id.is_some() && actor.user_id == row.owner_id;
        Self {
            edit: owner || actor.can(Action::EditDocuments, Some(row.agency_id), tree),
            approve: actor.can(Action::ApproveDocuments, Some(row.agency_id), tree),
        }
    }

    /// Drafts and reviews in progress are for those who work on them: its owner, the agency's
    /// editors and approvers (and each version's drafter, see [`sees_version`]). The one rule for
    /// reads, lists, impact and search.
    pub fn sees_drafts(&self) -> bool {
        self.edit || self.approve
    }
}

/// Whether the actor sees a version: issued ones everyone who reads the document; one in
/// progress those who see the document's drafts, and its drafter.
pub fn sees_version(
    actor: &Actor,
    rights_see_drafts: bool,
    version: &document_version::Model,
) -> bool {
    version.status.is_public()
        || rights_see_drafts
        || (actor.user_id.is_some() && actor.user_id == version.drafted_by)
}

/// Loads a document the actor may read; otherwise `NotFound` (never revealing it exists).
pub async fn readable_document(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
) -> DomainResult<document::Model> {
    let row = document::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("document"))?;
    let owner = actor.user_id.is_some() && actor.user_id == row.owner_id;
    if !owner && !actor.can(Action::ReadRecords, Some(row.agency_id), tree) {
        return Err(DomainError::NotFound("document"));
    }
    // A document with nothing issued yet exists only for those who work on it.
    if row.status == DocumentStatus::Draft && !DocumentRights::of(actor, &row, tree).sees_drafts() {
        return Err(DomainError::NotFound("document"));
    }
    Ok(row)
}

/// A version the actor may read, with its document.
pub async fn readable_version(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<(document_version::Model, document::Model)> {
    let version = document_version::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("version"))?;
    let tree = AgencyTree::load(db).await?;
    let row = readable_document(db, actor, &tree, version.document_id)
        .await
        .map_err(|_| DomainError::NotFound("version"))?;
    let rights = DocumentRights::of(actor, &row, &tree);
    if !sees_version(actor, rights.sees_drafts(), &version) {
        return Err(DomainError::NotFound("version"));
    }
    Ok((version, row))
}
