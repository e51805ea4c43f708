//! Versions of a document: uploading a new draft, reading one, and the version in force on a
//! day. The approval workflow is in `workflow`, publishing in `publication`.

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    Version, VersionStatus,
    access::{DocumentRights, readable_document, readable_version},
    people_of, refresh_document,
    uploads::{UploadedFile, record_blob},
    version_view,
};
use crate::{
    db::{
        self,
        entities::{document, document_version},
    },
    domain::{Actor, AgencyTree, DomainError, DomainResult, audit, text},
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
    max_attempts: u32,
    actor: &Actor,
    document_id: Uuid,
    file: UploadedFile,
    form: VersionForm,
) -> DomainResult<Version> {
    let txn = db::begin_write(conn).await?;
    let version = insert_version(&txn, max_attempts, actor, document_id, file, form).await?;
    txn.commit().await?;
    view_of(conn, version).await
}

/// [`create_version`] inside the caller's transaction.
pub(crate) async fn insert_version(
    txn: &DatabaseTransaction,
    max_attempts: u32,
    actor: &Actor,
    document_id: Uuid,
    file: UploadedFile,
    form: VersionForm,
) -> DomainResult<document_version::Model> {
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
    if let Some(open) = existing
        .iter()
        .find(|version| VersionStatus::parse(&version.status).is_some_and(VersionStatus::is_open))
    {
        return Err(DomainError::conflict(
            "revision_in_progress",
            format!(
                "version {} is still {}; finish or reject it before uploading another",
                open.label, open.status
            ),
        ));
    }
    let seq = existing.first().map_or(1, |latest| latest.seq + 1);
    let change_summary = text::optional("change_summary", form.change_summary.as_deref(), 2000)?;
    if seq > 1 && change_summary.is_none() {
        return Err(DomainError::invalid(
            "change_summary",
            "describe what changed: it is required from the second version on",
        ));
    }
    let label = match text::optional("label", form.label.as_deref(), 32)? {
        Some(label) => label,
        None => format!("{seq:02}"),
    };
    if existing.iter().any(|version| version.label == label) {
        return Err(DomainError::conflict(
            "label_taken",
            format!("this document already has a version labelled {label}"),
        ));
    }
    let now = Utc::now().trunc_subsecs(6);
    record_blob(txn, &file).await?;
    let version = document_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        document_id: Set(document_id),
        seq: Set(seq),
        label: Set(label),
        status: Set(VersionStatus::Draft.as_str().into()),
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
        blob_sha256: Set(file.blob.sha256.clone()),
        original_filename: Set(file.original_filename.clone()),
        size: Set(file.blob.size as i64),
        content_type: Set(file.content_type.to_owned()),
        extraction_status: Set("pending".into()),
        extraction_method: Set(None),
        extraction_pages: Set(None),
        extraction_legacy_encoding: Set(None),
        extraction_error: Set(None),
        ocr_pages_done: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    refresh_document(txn, &row).await?;
    super::extraction::enqueue(txn, version.id, max_attempts).await?;
    audit(
        txn,
        actor,
        "version.create",
        "document_version",
        version.id,
        Some(row.agency_id),
        json!({"document_id": document_id, "label": version.label, "sha256": version.blob_sha256,
               "original_filename": version.original_filename, "size": version.size}),
    )
    .await?;
    Ok(version)
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

/// The version in force on `on`, if any.
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
        .filter(document_version::Column::Status.is_in([
            VersionStatus::Effective.as_str(),
            VersionStatus::Superseded.as_str(),
            VersionStatus::Obsolete.as_str(),
        ]))
        .filter(document_version::Column::EffectiveFrom.lte(on))
        .filter(
            Condition::any()
                .add(document_version::Column::EffectiveTo.is_null())
                .add(document_version::Column::EffectiveTo.gte(on)),
        )
        .order_by_desc(document_version::Column::Seq)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("version in force on that day"))?;
    view_of(db, found).await
}

pub(super) async fn view_of(
    db: &impl ConnectionTrait,
    version: document_version::Model,
) -> DomainResult<Version> {
    let people = people_of(db, std::slice::from_ref(&version)).await?;
    Ok(version_view(version, &people))
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
