//! Versions of a document: uploading a new draft, reading one, and the version in force on a
//! day. The approval workflow is in `workflow`, publishing in `publication`.

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Version, VersionStatus,
    access::{DocumentRights, readable_document, readable_version},
    files_of, indexing, people_of, refresh_document, version_view,
};
use crate::db::entities::file::ExtractionStatus;
use crate::{
    blobs::BlobStore,
    db::{
        self,
        entities::{document, document_version, file},
    },
    domain::{
        Actor, AgencyTree, DomainError, DomainResult, Trail,
        files::{self, UploadedFile},
        text,
    },
    i18n::Message,
    names::Named,
};

/// The form fields of a version upload besides the file.
#[derive(Debug, Clone, Default)]
pub struct VersionForm {
    pub change_summary: Option<String>,
    pub label: Option<String>,
}

/// Checks that the actor may add a version to the document, before any byte is stored.
pub async fn authorize_upload(
    db: &impl ConnectionTrait,
    actor: &Actor,
    document_id: Uuid,
) -> DomainResult<()> {
    let tree = AgencyTree::load(db).await?;
    let row = readable_document(db, actor, &tree, document_id).await?;
    if !DocumentRights::of(actor, &row, &tree).edit {
        return Err(DomainError::Forbidden);
    }
    Ok(())
}

/// Records a new draft version of a stored file and queues the extraction of its text.
pub async fn create_version(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    max_attempts: u32,
    actor: &Actor,
    document_id: Uuid,
    file: UploadedFile,
    form: VersionForm,
) -> DomainResult<Version> {
    let txn = db::begin_write(conn).await?;
    let (version, document) = insert_version(
        &txn,
        &mut Trail::Now,
        blobs,
        max_attempts,
        actor,
        document_id,
        file,
        form,
    )
    .await?;
    refresh_document(&txn, &document).await?;
    txn.commit().await?;
    view_of(conn, version).await
}

/// [`create_version`] inside the caller's transaction, its audit row written or kept by
/// `trail`; returns the version and its document. The caller refreshes the document (its
/// status, revision and index job) once, after whatever else it changes in the transaction (the
/// import puts the version in force first).
#[allow(clippy::too_many_arguments)] // create_version's own, plus the transaction and trail
pub(crate) async fn insert_version(
    txn: &DatabaseTransaction,
    trail: &mut Trail,
    blobs: &BlobStore,
    max_attempts: u32,
    actor: &Actor,
    document_id: Uuid,
    file: UploadedFile,
    form: VersionForm,
) -> DomainResult<(document_version::Model, document::Model)> {
    let tree = AgencyTree::load(txn).await?;
    let row = readable_document(txn, actor, &tree, document_id).await?;
    if !DocumentRights::of(actor, &row, &tree).edit {
        return Err(DomainError::Forbidden);
    }
    let existing = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(document_id))
        .order_by_desc(document_version::Column::Seq)
        .all(txn)
        .await?;
    if let Some(open) = existing.iter().find(|version| version.status.is_open()) {
        return Err(DomainError::Conflict(
            Message::new("revision_in_progress")
                .arg("label", &open.label)
                .arg("status", open.status.as_str()),
        ));
    }
    let seq = existing.first().map_or(1, |latest| latest.seq + 1);
    let change_summary = text::optional("change_summary", form.change_summary.as_deref(), 2000)?;
    if seq > 1 && change_summary.is_none() {
        return Err(DomainError::invalid(
            "change_summary",
            Message::new("change_summary_required"),
        ));
    }
    let label = match text::optional("label", form.label.as_deref(), 32)? {
        Some(label) => label,
        None => format!("{seq:02}"),
    };
    if existing.iter().any(|version| version.label == label) {
        return Err(DomainError::Conflict(
            Message::new("label_taken").arg("label", &label),
        ));
    }
    let now = Utc::now().trunc_subsecs(6);
    let stored = files::record_file(txn, blobs, actor, &file, max_attempts).await?;
    files::link(txn, indexing::KIND, document_id, stored.id).await?;
    let version = document_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        document_id: Set(document_id),
        agency_id: Set(row.agency_id),
        seq: Set(seq),
        label: Set(label),
        status: Set(VersionStatus::Draft),
        change_summary: Set(change_summary),
        drafted_by: Set(actor.user_id),
        submitted_at: Set(None),
        approved_by: Set(None),
        approved_at: Set(None),
        rejected_by: Set(None),
        rejected_at: Set(None),
        reject_reason: Set(None),
        published_by: Set(None),
        published_at: Set(None),
        effective_from: Set(None),
        effective_to: Set(None),
        obsolete_reason: Set(None),
        file_id: Set(Some(stored.id)),
        blob_sha256: Set(stored.blob_sha256.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    trail
        .audit(
            txn,
            actor,
            "version.create",
            "document_version",
            version.id,
            Some(row.agency_id),
            json!({"document_id": document_id, "label": version.label, "file_id": stored.id,
               "sha256": stored.blob_sha256, "original_filename": stored.original_filename,
               "size": stored.size}),
        )
        .await?;
    Ok((version, row))
}

/// One version (drafts only for those who work on the document).
pub async fn get_version(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<Version> {
    let (version, _) = readable_version(db, actor, id).await?;
    view_of(db, version).await
}

/// The version in force on `on`, if any: an issued version whose days cover it, or one
/// published to take effect by then.
pub async fn effective_on(
    db: &impl ConnectionTrait,
    actor: &Actor,
    document_id: Uuid,
    on: NaiveDate,
) -> DomainResult<Version> {
    let tree = AgencyTree::load(db).await?;
    readable_document(db, actor, &tree, document_id).await?;
    let found = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(document_id))
        .filter(
            Condition::any()
                .add(document_version::Column::Status.is_in([
                    VersionStatus::Effective.as_str(),
                    VersionStatus::Superseded.as_str(),
                    VersionStatus::Obsolete.as_str(),
                ]))
                // Published for a later day: in force from that day, whether or not the job
                // that switches it over has run yet.
                .add(
                    Condition::all()
                        .add(document_version::Column::Status.eq(VersionStatus::Approved))
                        .add(document_version::Column::PublishedAt.is_not_null()),
                ),
        )
        .filter(document_version::Column::EffectiveFrom.lte(on))
        .filter(
            Condition::any()
                .add(document_version::Column::EffectiveTo.is_null())
                .add(document_version::Column::EffectiveTo.gte(on)),
        )
        .order_by_desc(document_version::Column::Seq)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("version_in_force"))?;
    view_of(db, found).await
}

pub(super) async fn view_of(
    db: &impl ConnectionTrait,
    version: document_version::Model,
) -> DomainResult<Version> {
    let people = people_of(db, std::slice::from_ref(&version)).await?;
    let files = files_of(db, std::slice::from_ref(&version)).await?;
    Ok(version_view(version, &people, &files))
}

pub(super) async fn fresh_document(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<document::Model> {
    document::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("document"))
}

/// The extracted text of a version's file, as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionText {
    pub version_id: Uuid,
    /// Where reading its text stands.
    pub status: ExtractionStatus,
    /// The text of each page (one entry for formats without pages).
    pub pages: Vec<String>,
}

/// The stored text of a version the actor may read.
pub async fn version_text(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<VersionText> {
    let (version, _) = readable_version(db, actor, id).await?;
    let Some(file_id) = version.file_id else {
        return Ok(VersionText {
            version_id: id,
            status: ExtractionStatus::Failed,
            pages: Vec::new(),
        });
    };
    let file = files::get(db, file_id).await?;
    Ok(VersionText {
        version_id: id,
        status: file.extraction_status,
        pages: files::pages(db, file_id).await?,
    })
}

/// A version the actor may read, with its document and its file (for downloads).
pub async fn readable_version_file(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<(document_version::Model, document::Model, file::Model)> {
    let (version, document) = readable_version(db, actor, id).await?;
    let file_id = version.file_id.ok_or(DomainError::NotFound("file"))?;
    let file = files::get(db, file_id).await?;
    Ok((version, document, file))
}
