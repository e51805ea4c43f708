//! A criterion's evidence: links pinned to a document version, a record or an attachment of
//! the assessed agency, or a file uploaded on the spot (kept as an evidence record); their
//! views, files and text; unlinking; and carrying last period's links forward.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::{self, Access, Context, audit_criterion};
use crate::{
    blobs::BlobStore,
    clock::today,
    db::{
        self,
        entities::{document, document_version, file, file_link, record},
    },
    domain::{
        Actor, DomainError, DomainResult,
        documents::VersionStatus,
        files::UploadedFile,
        records::{self, indexing::KIND as RECORD_OWNER},
        text,
    },
    i18n::Message,
    names::Named,
};

/// What a link points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceTarget {
    Version(Uuid),
    /// A document: pinned to the version in force when linked.
    Document(Uuid),
    Record(Uuid),
    Attachment(Uuid),
}

/// `POST …/criteria/{code}/evidence`: `{kind, id, page?, note?}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// `document_version`, `document` (its version in force), `record` or `attachment`.
    pub kind: String,
    pub id: Uuid,
    /// The page of the file that shows it (from 1).
    #[serde(default)]
    pub page: Option<i32>,
    #[serde(default)]
    pub note: Option<String>,
}

impl EvidenceInput {
    fn target(&self) -> DomainResult<EvidenceTarget> {
        Ok(match self.kind.trim() {
            "document_version" | "version" => EvidenceTarget::Version(self.id),
            "document" => EvidenceTarget::Document(self.id),
            "record" => EvidenceTarget::Record(self.id),
            "attachment" => EvidenceTarget::Attachment(self.id),
            _ => {
                return Err(DomainError::invalid(
                    "kind",
                    Message::new("one_of")
                        .arg("allowed", "document_version, document, record, attachment"),
                ));
            }
        })
    }
}

/// A piece of evidence as readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    /// The link's id (for `DELETE …/evidence/{link_id}`).
    pub id: Uuid,
    pub criterion_code: String,
    /// `document_version`, `record` or `attachment`.
    pub kind: String,
    pub title: String,
    /// The document's code or the record's number.
    pub code: String,
    /// The version's label (lần ban hành).
    pub version_label: Option<String>,
    pub document_id: Option<Uuid>,
    pub version_id: Option<Uuid>,
    pub record_id: Option<Uuid>,
    pub attachment_id: Option<Uuid>,
    /// The file, for a version or an attachment.
    pub filename: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    pub content_type: Option<String>,
    pub page: Option<i32>,
    pub note: Option<String>,
    /// The link of the previous period it was carried from.
    pub carried_from: Option<Uuid>,
    /// What it pointed at is gone (a record disposed of).
    pub missing: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// Every link of an assessment, in the order made.
pub(crate) async fn links_of(
    db: &impl ConnectionTrait,
    assessment_id: Uuid,
) -> DomainResult<Vec<evidence_link::Model>> {
    Ok(evidence_link::Entity::find()
        .filter(evidence_link::Column::AssessmentId.eq(assessment_id))
        .order_by_asc(evidence_link::Column::CreatedAt)
        .order_by_asc(evidence_link::Column::Id)
        .all(db)
        .await?)
}

use crate::db::entities::evidence_link;

/// For each assessment, the criteria that have evidence.
pub(crate) async fn criteria_with_evidence(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, HashSet<String>>> {
    let mut all: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for link in evidence_link::Entity::find()
            .filter(evidence_link::Column::AssessmentId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            all.entry(link.assessment_id)
                .or_default()
                .insert(link.criterion_code);
        }
    }
    Ok(all)
}

/// The views of links: four queries whatever their number.
pub(crate) async fn views(
    db: &impl ConnectionTrait,
    links: &[evidence_link::Model],
) -> DomainResult<Vec<Evidence>> {
    let version_ids: Vec<Uuid> = links.iter().filter_map(|link| link.version_id).collect();
    let versions: HashMap<Uuid, document_version::Model> = in_chunks(&version_ids, |chunk| {
        document_version::Entity::find()
            .filter(document_version::Column::Id.is_in(chunk))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|row| (row.id, row))
    .collect();
    let document_ids: Vec<Uuid> = versions.values().map(|row| row.document_id).collect();
    let documents: HashMap<Uuid, document::Model> = in_chunks(&document_ids, |chunk| {
        document::Entity::find()
            .filter(document::Column::Id.is_in(chunk))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|row| (row.id, row))
    .collect();
    let record_ids: Vec<Uuid> = links.iter().filter_map(|link| link.record_id).collect();
    let records: HashMap<Uuid, record::Model> = in_chunks(&record_ids, |chunk| {
        record::Entity::find()
            .filter(record::Column::Id.is_in(chunk))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|row| (row.id, row))
    .collect();
    let file_ids: Vec<Uuid> = links
        .iter()
        .filter_map(|link| link.file_id)
        .chain(versions.values().filter_map(|version| version.file_id))
        .collect();
    let files: HashMap<Uuid, file::Model> = in_chunks(&file_ids, |chunk| {
        file::Entity::find()
            .filter(file::Column::Id.is_in(chunk))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|row| (row.id, row))
    .collect();
    Ok(links
        .iter()
        .map(|link| {
            let version = link.version_id.and_then(|id| versions.get(&id));
            let document = version.and_then(|version| documents.get(&version.document_id));
            let record = link.record_id.and_then(|id| records.get(&id));
            let file = link
                .file_id
                .or(version.and_then(|version| version.file_id))
                .and_then(|id| files.get(&id));
            let (title, code, missing) = match link.target_kind.as_str() {
                "document_version" => (
                    document.map(|d| d.title.clone()),
                    document.map(|d| d.code.clone()),
                    version.is_none(),
                ),
                "attachment" => (
                    file.map(|f| f.original_filename.clone()),
                    record.map(|r| r.number.clone()),
                    file.is_none() || record.is_none(),
                ),
                _ => (
                    record.map(|r| r.title.clone()),
                    record.map(|r| r.number.clone()),
                    record.is_none(),
                ),
            };
            Evidence {
                id: link.id,
                criterion_code: link.criterion_code.clone(),
                kind: link.target_kind.clone(),
                title: title.unwrap_or_default(),
                code: code.unwrap_or_default(),
                version_label: version.map(|v| v.label.clone()),
                document_id: link.document_id,
                version_id: link.version_id,
                record_id: link.record_id,
                attachment_id: (link.target_kind == "attachment")
                    .then_some(link.file_id)
                    .flatten(),
                filename: file.map(|f| f.original_filename.clone()),
                size: file.map(|f| f.size),
                sha256: file.map(|f| f.blob_sha256.clone()),
                content_type: file.map(|f| f.content_type.clone()),
                page: link.page,
                note: link.note.clone(),
                carried_from: link.carried_from,
                missing,
                created_by: link.created_by,
                created_at: link.created_at,
            }
        })
        .collect())
}

async fn in_chunks<T, F, Fut>(ids: &[Uuid], mut query: F) -> DomainResult<Vec<T>>
where
    F: FnMut(Vec<Uuid>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, sea_orm::DbErr>>,
{
    let mut all = Vec::new();
    let unique: Vec<Uuid> = ids
        .iter()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for chunk in unique.chunks(500) {
        all.extend(query(chunk.to_vec()).await?);
    }
    Ok(all)
}

/// The evidence of an assessment by criterion code.
pub(crate) async fn views_of(
    db: &impl ConnectionTrait,
    assessment_id: Uuid,
) -> DomainResult<HashMap<String, Vec<Evidence>>> {
    let links = links_of(db, assessment_id).await?;
    let mut by_code: HashMap<String, Vec<Evidence>> = HashMap::new();
    for view in views(db, &links).await? {
        by_code
            .entry(view.criterion_code.clone())
            .or_default()
            .push(view);
    }
    Ok(by_code)
}

/// What a target is, pinned: the link's columns.
struct Pinned {
    kind: &'static str,
    document_id: Option<Uuid>,
    version_id: Option<Uuid>,
    record_id: Option<Uuid>,
    file_id: Option<Uuid>,
}

/// Resolves a target of the assessed agency; anything of another agency is "not found".
async fn pin(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
    target: EvidenceTarget,
) -> DomainResult<Pinned> {
    match target {
        EvidenceTarget::Version(id) => {
            let version = document_version::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(DomainError::NotFound("version"))?;
            let document = document::Entity::find_by_id(version.document_id)
                .one(db)
                .await?
                .filter(|document| document.agency_id == agency_id)
                .ok_or(DomainError::NotFound("version"))?;
            if !version.status.is_public() {
                return Err(DomainError::Conflict(
                    Message::new("evidence_version_not_issued")
                        .arg("status", version.status.as_str()),
                ));
            }
            Ok(Pinned {
                kind: "document_version",
                document_id: Some(document.id),
                version_id: Some(version.id),
                record_id: None,
                file_id: version.file_id,
            })
        }
        EvidenceTarget::Document(id) => {
            let document = document::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|document| document.agency_id == agency_id)
                .ok_or(DomainError::NotFound("document"))?;
            let version = document_version::Entity::find()
                .filter(document_version::Column::DocumentId.eq(document.id))
                .filter(document_version::Column::Status.eq(VersionStatus::Effective))
                .one(db)
                .await?
                .ok_or_else(|| DomainError::Conflict(Message::new("document_not_effective")))?;
            Box::pin(pin(db, agency_id, EvidenceTarget::Version(version.id))).await
        }
        EvidenceTarget::Record(id) => {
            let row = record::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|row| row.agency_id == agency_id)
                .ok_or(DomainError::NotFound("record"))?;
            Ok(Pinned {
                kind: "record",
                document_id: None,
                version_id: None,
                record_id: Some(row.id),
                file_id: None,
            })
        }
        EvidenceTarget::Attachment(id) => {
            let links = file_link::Entity::find()
                .filter(file_link::Column::FileId.eq(id))
                .filter(file_link::Column::OwnerKind.eq(RECORD_OWNER))
                .all(db)
                .await?;
            let owners: Vec<Uuid> = links.iter().map(|link| link.owner_id).collect();
            let row = record::Entity::find()
                .filter(record::Column::Id.is_in(owners))
                .filter(record::Column::AgencyId.eq(agency_id))
                .one(db)
                .await?
                .ok_or(DomainError::NotFound("attachment"))?;
            Ok(Pinned {
                kind: "attachment",
                document_id: None,
                version_id: None,
                record_id: Some(row.id),
                file_id: Some(id),
            })
        }
    }
}

/// Links a target to a criterion in the caller's transaction (the context was checked for
/// self-assessment).
#[allow(clippy::too_many_arguments)] // the link's own fields
pub(crate) async fn link_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    context: &Context,
    code: &str,
    target: EvidenceTarget,
    page: Option<i32>,
    note: Option<String>,
    carried_from: Option<Uuid>,
) -> DomainResult<evidence_link::Model> {
    let criterion = context.leaf(code)?.code.clone();
    if let Some(page) = page
        && page < 1
    {
        return Err(DomainError::invalid(
            "page",
            Message::new("must_be_positive"),
        ));
    }
    let pinned = pin(db, context.row.agency_id, target).await?;
    // A version's file is reached through the version; only an attachment is its file.
    let file_id = match pinned.kind {
        "attachment" => pinned.file_id,
        _ => None,
    };
    let existing = links_of(db, context.row.id).await?;
    if existing.iter().any(|link| {
        link.criterion_code == criterion
            && link.target_kind == pinned.kind
            && link.version_id == pinned.version_id
            && link.record_id == pinned.record_id
            && link.file_id == file_id
    }) {
        return Err(DomainError::Conflict(Message::new(
            "evidence_already_linked",
        )));
    }
    let row = evidence_link::ActiveModel {
        id: Set(Uuid::now_v7()),
        assessment_id: Set(context.row.id),
        criterion_code: Set(criterion.clone()),
        target_kind: Set(pinned.kind.to_owned()),
        document_id: Set(pinned.document_id),
        version_id: Set(pinned.version_id),
        record_id: Set(pinned.record_id),
        file_id: Set(file_id),
        page: Set(page),
        note: Set(note),
        carried_from: Set(carried_from),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    }
    .insert(db)
    .await?;
    audit_criterion(
        db,
        actor,
        context,
        &criterion,
        "assessment.link",
        json!({
            "criterion": criterion,
            "link_id": row.id,
            "kind": row.target_kind,
            "version_id": row.version_id,
            "record_id": row.record_id,
            "file_id": row.file_id,
            "page": row.page,
            "note": row.note,
            "carried_from": row.carried_from,
        }),
    )
    .await?;
    Ok(row)
}

/// Links evidence to a criterion (the agency's ISO officer, while open).
pub async fn link(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    code: &str,
    input: EvidenceInput,
) -> DomainResult<Evidence> {
    let target = input.target()?;
    let note = text::optional("note", input.note.as_deref(), 2000)?;
    let txn = db::begin_write(conn).await?;
    let context = access::context(&txn, actor, id, Access::SelfAssess).await?;
    let row = link_in(&txn, actor, &context, code, target, input.page, note, None).await?;
    txn.commit().await?;
    one(conn, row).await
}

pub(super) async fn one(
    db: &impl ConnectionTrait,
    row: evidence_link::Model,
) -> DomainResult<Evidence> {
    views(db, &[row])
        .await?
        .pop()
        .ok_or(DomainError::NotFound("evidence"))
}

/// Uploads a file as evidence of a criterion: an evidence record of the agency holding it, and
/// the link to that attachment.
#[allow(clippy::too_many_arguments)] // the upload and its form
pub async fn upload(
    conn: &DatabaseConnection,
    blobs: &BlobStore,
    max_attempts: u32,
    actor: &Actor,
    id: Uuid,
    code: &str,
    upload: UploadedFile,
    title: Option<String>,
    note: Option<String>,
) -> DomainResult<Evidence> {
    let note = text::optional("note", note.as_deref(), 2000)?;
    let txn = db::begin_write(conn).await?;
    let context = access::context(&txn, actor, id, Access::SelfAssess).await?;
    let criterion = context.leaf(code)?.clone();
    let title = match text::optional("title", title.as_deref(), 500)? {
        Some(title) => title,
        None => {
            let name = upload.original_filename.as_str();
            let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            text::required("title", stem, 500).unwrap_or_else(|_| criterion.title.clone())
        }
    };
    let (row, file) = records::evidence::file_evidence(
        &txn,
        blobs,
        max_attempts,
        actor,
        context.row.agency_id,
        title,
        today(),
        json!({
            "assessment_id": context.row.id,
            "period": context.period.name,
            "criterion": criterion.code,
            "criterion_title": criterion.title,
        }),
        &upload,
    )
    .await?;
    let link = link_in(
        &txn,
        actor,
        &context,
        &criterion.code,
        EvidenceTarget::Attachment(file.id),
        None,
        note,
        None,
    )
    .await?;
    debug_assert_eq!(link.record_id, Some(row.id));
    txn.commit().await?;
    one(conn, link).await
}

/// Removes a link (the agency's ISO officer, while open). What it pointed at stays.
pub async fn unlink(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    code: &str,
    link_id: Uuid,
) -> DomainResult<()> {
    let txn = db::begin_write(conn).await?;
    let context = access::context(&txn, actor, id, Access::SelfAssess).await?;
    let criterion = context.leaf(code)?.code.clone();
    let link = evidence_link::Entity::find_by_id(link_id)
        .one(&txn)
        .await?
        .filter(|link| link.assessment_id == context.row.id && link.criterion_code == criterion)
        .ok_or(DomainError::NotFound("evidence"))?;
    audit_criterion(
        &txn,
        actor,
        &context,
        &criterion,
        "assessment.unlink",
        json!({
            "criterion": criterion,
            "link_id": link.id,
            "kind": link.target_kind,
            "version_id": link.version_id,
            "record_id": link.record_id,
            "file_id": link.file_id,
        }),
    )
    .await?;
    link.delete(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Whether the actor may upload evidence to the criterion now: checked before any byte is
/// stored.
pub async fn authorize_upload(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    code: &str,
) -> DomainResult<()> {
    let context = access::context(db, actor, id, Access::SelfAssess).await?;
    context.leaf(code)?;
    Ok(())
}
