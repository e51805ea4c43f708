//! The legal numbers a version's text cites, proposed as the document's legal bases: each
//! citation of a number in the legal register that is not a legal basis yet is proposed, and the
//! ISO officer accepts it (it becomes a legal basis) or dismisses it (never proposed again).

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::{DocumentRights, readable_document, readable_version},
    legal_refs::number_key,
    register::{self, DocumentChanges},
};
use crate::{
    db::{
        self,
        entities::{citation_dismissal, document_legal_ref},
    },
    domain::{
        Actor, AgencyTree, DomainError, DomainResult, audit,
        concurrency::ExpectedRevision,
        files::citations::{self, Citation},
    },
    i18n::Message,
};

/// A citation of a version's text and where it stands for its document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionCitation {
    #[serde(flatten)]
    pub citation: Citation,
    /// Already a legal basis of the document.
    pub basis: bool,
    /// Dismissed as a legal basis by the ISO officer.
    pub dismissed: bool,
    /// In the register, neither a basis nor dismissed: proposed as a legal basis.
    pub proposed: bool,
}

/// `{number}`: the number as cited or as the register has it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationChoice {
    pub number: String,
}

/// The citations of a version the actor may read.
pub async fn version_citations(
    db: &impl ConnectionTrait,
    actor: &Actor,
    version_id: Uuid,
) -> DomainResult<Vec<VersionCitation>> {
    let (version, document) = readable_version(db, actor, version_id).await?;
    let found = citations::of_files(db, &version.file_id.into_iter().collect::<Vec<_>>()).await?;
    let bases: Vec<Uuid> = document_legal_ref::Entity::find()
        .filter(document_legal_ref::Column::DocumentId.eq(document.id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.legal_ref_id)
        .collect();
    let dismissed: Vec<String> = citation_dismissal::Entity::find()
        .filter(citation_dismissal::Column::DocumentId.eq(document.id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.number_key)
        .collect();
    Ok(found
        .into_iter()
        .map(|citation| {
            let basis = citation
                .legal_ref
                .as_ref()
                .is_some_and(|known| bases.contains(&known.id));
            let is_dismissed = dismissed.contains(&citation.key);
            VersionCitation {
                proposed: citation.legal_ref.is_some() && !basis && !is_dismissed,
                basis,
                dismissed: is_dismissed,
                citation,
            }
        })
        .collect())
}

/// Accepts a cited number of the register as a legal basis of the document (its editors).
pub async fn accept(
    conn: &DatabaseConnection,
    actor: &Actor,
    document_id: Uuid,
    choice: CitationChoice,
) -> DomainResult<super::Document> {
    let tree = AgencyTree::load(conn).await?;
    let document = readable_document(conn, actor, &tree, document_id).await?;
    if !DocumentRights::of(actor, &document, &tree).edit {
        return Err(DomainError::Forbidden);
    }
    let mut numbers: Vec<String> = document_legal_ref::Entity::find()
        .filter(document_legal_ref::Column::DocumentId.eq(document_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.legal_ref_id.to_string())
        .collect();
    numbers.push(choice.number);
    register::update_document(
        conn,
        actor,
        document_id,
        ExpectedRevision::Any,
        DocumentChanges {
            legal_ref_ids: Some(numbers),
            ..DocumentChanges::default()
        },
    )
    .await
}

/// Dismisses a cited number as a legal basis of the document: it is no longer proposed.
pub async fn dismiss(
    conn: &DatabaseConnection,
    actor: &Actor,
    document_id: Uuid,
    choice: CitationChoice,
) -> DomainResult<()> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let document = readable_document(&txn, actor, &tree, document_id).await?;
    if !DocumentRights::of(actor, &document, &tree).edit {
        return Err(DomainError::Forbidden);
    }
    let key = number_key(&choice.number);
    if key.is_empty() || key.len() > 100 {
        return Err(DomainError::invalid(
            "number",
            Message::new("legal_number_format"),
        ));
    }
    citation_dismissal::Entity::insert(citation_dismissal::ActiveModel {
        document_id: Set(document_id),
        number_key: Set(key.clone()),
        dismissed_by: Set(actor.user_id),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    })
    .on_conflict(
        OnConflict::columns([
            citation_dismissal::Column::DocumentId,
            citation_dismissal::Column::NumberKey,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit(
        &txn,
        actor,
        "document.citation_dismiss",
        "document",
        document_id,
        Some(document.agency_id),
        json!({"number": choice.number, "key": key}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
