//! Controlled documents (tài liệu): the register, versions and their approval workflow, legal
//! bases, periodic review and read acknowledgement (DOMAIN.md §3).

pub mod access;
pub mod acknowledgements;
pub mod citations;
pub mod import;
pub mod indexing;
pub mod legal_impact;
pub mod legal_proposals;
pub mod legal_refs;
pub mod publication;
pub mod register;
pub mod reviews;
pub mod stamping;
pub mod titles;
pub mod versions;
pub mod workflow;

use std::collections::HashMap;

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    DomainResult,
    files::{self, Extraction},
};
use crate::db::entities::{document, document_legal_ref, document_version, file, legal_ref, user};
use crate::names::Named;

/// What kind of document this is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DocumentKind {
    Policy,
    Objectives,
    Manual,
    Procedure,
    WorkInstruction,
    Form,
    RecordTemplate,
    External,
    Legal,
    Other,
}

pub use crate::db::entities::document_version::VersionStatus;

impl VersionStatus {
    /// A version on its way to becoming effective.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Draft | Self::InReview | Self::Approved)
    }

    /// A version everyone who may read the agency sees (not a draft in progress).
    pub fn is_public(self) -> bool {
        matches!(self, Self::Effective | Self::Superseded | Self::Obsolete)
    }
}

pub use crate::db::entities::document::DocumentStatus;

impl DocumentStatus {
    /// A version of the document is in force (flagged or under revision included).
    pub fn in_force(self) -> bool {
        matches!(
            self,
            Self::Effective | Self::NeedsUpdate | Self::UnderRevision
        )
    }
}

/// A person named on a version (drafter, approver…).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub display_name: String,
}

/// A version as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Version {
    pub id: Uuid,
    pub document_id: Uuid,
    /// Issue label: "01", "02"…
    pub label: String,
    pub status: VersionStatus,
    pub change_summary: Option<String>,
    pub drafted_by: Option<PersonRef>,
    pub submitted_at: Option<chrono::DateTime<Utc>>,
    pub approved_by: Option<PersonRef>,
    pub approved_at: Option<chrono::DateTime<Utc>>,
    pub rejected_by: Option<PersonRef>,
    pub rejected_at: Option<chrono::DateTime<Utc>>,
    pub reject_reason: Option<String>,
    pub published_by: Option<PersonRef>,
    pub published_at: Option<chrono::DateTime<Utc>>,
    pub effective_from: Option<NaiveDate>,
    pub effective_to: Option<NaiveDate>,
    pub obsolete_reason: Option<String>,
    pub original_filename: String,
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    pub extraction: Extraction,
    /// The version's file (`files`).
    pub file_id: Uuid,
    pub created_at: chrono::DateTime<Utc>,
}

/// A legal reference as a document lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalBasis {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub status: crate::db::entities::legal_ref::LegalRefStatus,
}

/// A document as the API shows it, with its versions and legal bases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Document {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: DocumentKind,
    pub owner_id: Option<Uuid>,
    pub review_interval_months: i32,
    pub next_review_on: Option<NaiveDate>,
    pub tags: Vec<String>,
    pub status: DocumentStatus,
    /// When a cited legal document changed: the day the procedure must be updated by.
    pub update_required_by: Option<NaiveDate>,
    pub update_reason: Option<String>,
    pub obsolete_reason: Option<String>,
    pub legal_bases: Vec<LegalBasis>,
    /// Newest first; drafts only for people who may edit or approve them.
    pub versions: Vec<Version>,
    pub revision: i32,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

/// Recomputes a document's derived status, bumps its revision (its ETag) and queues its
/// re-indexing after any change to it or its versions.
pub(crate) async fn refresh_document(
    db: &impl ConnectionTrait,
    row: &document::Model,
) -> DomainResult<document::Model> {
    let versions = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(row.id))
        .all(db)
        .await?;
    let statuses: Vec<VersionStatus> = versions.iter().map(|version| version.status).collect();
    let has_effective = statuses.contains(&VersionStatus::Effective);
    let has_open = statuses.iter().any(|status| status.is_open());
    let withdrawn = !has_effective && statuses.contains(&VersionStatus::Obsolete);
    let status = if withdrawn && !has_open {
        DocumentStatus::Obsolete
    } else if has_effective && row.update_required_by.is_some() {
        DocumentStatus::NeedsUpdate
    } else if has_effective && has_open {
        DocumentStatus::UnderRevision
    } else if has_effective {
        DocumentStatus::Effective
    } else {
        DocumentStatus::Draft
    };
    let mut active: document::ActiveModel = row.clone().into();
    active.status = Set(status);
    active.revision = Set(row.revision + 1);
    active.updated_at = Set(Utc::now().trunc_subsecs(6));
    let updated = active.update(db).await?;
    indexing::enqueue_index(db, row.id).await?;
    Ok(updated)
}

/// Builds the API view of a document, with the versions the actor may see.
pub(crate) async fn document_view(
    db: &impl ConnectionTrait,
    viewer: &super::Actor,
    row: document::Model,
    sees_drafts: bool,
) -> DomainResult<Document> {
    let mut views = document_views(db, viewer, vec![(row, sees_drafts)]).await?;
    views.pop().ok_or(super::DomainError::NotFound("document"))
}

/// Builds the API views of documents (each with whether the actor sees its drafts) in a
/// constant number of queries, however many documents and versions: versions, the people named
/// on them, their files, the cited references.
pub(crate) async fn document_views(
    db: &impl ConnectionTrait,
    viewer: &super::Actor,
    rows: Vec<(document::Model, bool)>,
) -> DomainResult<Vec<Document>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|(row, _)| row.id).collect();
    let mut versions = versions_of(db, &ids).await?;
    let sees: HashMap<Uuid, bool> = rows.iter().map(|(row, sees)| (row.id, *sees)).collect();
    for (document_id, list) in versions.iter_mut() {
        let sees_drafts = sees.get(document_id).copied().unwrap_or(false);
        list.retain(|version| access::sees_version(viewer, sees_drafts, version));
        // Newest first.
        list.reverse();
    }
    let all_versions: Vec<document_version::Model> = versions.values().flatten().cloned().collect();
    let people = people_of(db, &all_versions).await?;
    let files = files_of(db, &all_versions).await?;
    let mut cited = cited_by(db, &ids).await?;
    let mut views = Vec::with_capacity(rows.len());
    for (row, _) in rows {
        let legal_bases = cited
            .remove(&row.id)
            .unwrap_or_default()
            .into_iter()
            .map(|reference| LegalBasis {
                id: reference.id,
                number: reference.number,
                title: reference.title,
                status: reference.status,
            })
            .collect();
        let own_versions = versions.remove(&row.id).unwrap_or_default();
        views.push(Document {
            id: row.id,
            agency_id: row.agency_id,
            code: row.code,
            title: row.title,
            kind: DocumentKind::parse(&row.kind).unwrap_or(DocumentKind::Other),
            owner_id: row.owner_id,
            review_interval_months: row.review_interval_months,
            next_review_on: row.next_review_on,
            tags: serde_json::from_str(&row.tags).unwrap_or_default(),
            status: row.status,
            update_required_by: row.update_required_by,
            update_reason: row.update_reason,
            obsolete_reason: row.obsolete_reason,
            legal_bases,
            versions: own_versions
                .into_iter()
                .map(|version| version_view(version, &people, &files))
                .collect(),
            revision: row.revision,
            created_at: row.created_at,
            updated_at: row.updated_at,
        });
    }
    Ok(views)
}

/// The versions of documents, by document, oldest first.
pub(crate) async fn versions_of(
    db: &impl ConnectionTrait,
    document_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<document_version::Model>>> {
    let mut versions: HashMap<Uuid, Vec<document_version::Model>> = HashMap::new();
    for chunk in document_ids.chunks(500) {
        for version in document_version::Entity::find()
            .filter(document_version::Column::DocumentId.is_in(chunk.to_vec()))
            .order_by_asc(document_version::Column::Seq)
            .all(db)
            .await?
        {
            versions
                .entry(version.document_id)
                .or_default()
                .push(version);
        }
    }
    Ok(versions)
}

/// The legal references documents cite, by document, in number order.
pub(crate) async fn cited_by(
    db: &impl ConnectionTrait,
    document_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<legal_ref::Model>>> {
    let mut links: Vec<(Uuid, Uuid)> = Vec::new();
    for chunk in document_ids.chunks(500) {
        for link in document_legal_ref::Entity::find()
            .filter(document_legal_ref::Column::DocumentId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            links.push((link.document_id, link.legal_ref_id));
        }
    }
    let mut ref_ids: Vec<Uuid> = links.iter().map(|(_, reference)| *reference).collect();
    ref_ids.sort_unstable();
    ref_ids.dedup();
    let mut references: HashMap<Uuid, legal_ref::Model> = HashMap::new();
    for chunk in ref_ids.chunks(500) {
        for reference in legal_ref::Entity::find()
            .filter(legal_ref::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            references.insert(reference.id, reference);
        }
    }
    let mut cited: HashMap<Uuid, Vec<legal_ref::Model>> = HashMap::new();
    for (document, reference) in links {
        if let Some(reference) = references.get(&reference) {
            cited.entry(document).or_default().push(reference.clone());
        }
    }
    for list in cited.values_mut() {
        list.sort_by(|a, b| a.number_key.cmp(&b.number_key));
    }
    Ok(cited)
}

/// Display names of everyone named on these versions.
pub(crate) async fn people_of(
    db: &impl ConnectionTrait,
    versions: &[document_version::Model],
) -> DomainResult<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = versions
        .iter()
        .flat_map(|version| {
            [
                version.drafted_by,
                version.approved_by,
                version.rejected_by,
                version.published_by,
            ]
        })
        .flatten()
        .collect();
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    let mut names = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for person in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            names.insert(person.id, person.display_name);
        }
    }
    Ok(names)
}

/// The files of these versions, by id.
pub(crate) async fn files_of(
    db: &impl ConnectionTrait,
    versions: &[document_version::Model],
) -> DomainResult<HashMap<Uuid, file::Model>> {
    files::load_many(db, versions.iter().filter_map(|version| version.file_id)).await
}

/// The API view of one version, with its file from `files` (loaded with [`files_of`]).
pub(crate) fn version_view(
    row: document_version::Model,
    people: &HashMap<Uuid, String>,
    files: &HashMap<Uuid, file::Model>,
) -> Version {
    let file = row.file_id.and_then(|id| files.get(&id));
    let person = |id: Option<Uuid>| {
        id.map(|id| PersonRef {
            id,
            display_name: people.get(&id).cloned().unwrap_or_default(),
        })
    };
    Version {
        id: row.id,
        document_id: row.document_id,
        label: row.label,
        status: row.status,
        change_summary: row.change_summary,
        drafted_by: person(row.drafted_by),
        submitted_at: row.submitted_at,
        approved_by: person(row.approved_by),
        approved_at: row.approved_at,
        rejected_by: person(row.rejected_by),
        rejected_at: row.rejected_at,
        reject_reason: row.reject_reason,
        published_by: person(row.published_by),
        published_at: row.published_at,
        effective_from: row.effective_from,
        effective_to: row.effective_to,
        obsolete_reason: row.obsolete_reason,
        original_filename: file
            .map(|file| file.original_filename.clone())
            .unwrap_or_default(),
        sha256: row.blob_sha256,
        size: file.map_or(0, |file| file.size),
        content_type: file
            .map(|file| file.content_type.clone())
            .unwrap_or_default(),
        extraction: file.map_or_else(
            || Extraction {
                status: crate::db::entities::file::ExtractionStatus::Failed,
                method: None,
                pages: None,
                legacy_encoding: None,
                error: Some("the version has no file".to_owned()),
                ocr_pages_done: None,
                ocr_pages_total: None,
            },
            Extraction::of,
        ),
        file_id: row.file_id.unwrap_or_default(),
        created_at: row.created_at,
    }
}
