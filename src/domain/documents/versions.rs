//! Versions of a document: upload, the approval workflow, publishing and "as of a date".
//!
//! draft → in_review → approved → effective → superseded | obsolete; in_review → rejected.

use chrono::{Duration, NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    DocumentRights, Version, VersionStatus, add_months, people_of, readable_document,
    refresh_document, start_of_day_utc, today,
    uploads::{UploadedFile, record_blob},
    version_view,
};
use crate::{
    db::{
        self,
        entities::{document, document_version},
    },
    domain::{Actor, AgencyTree, DomainError, DomainResult, audit, text},
    jobs,
};

/// Job kind that makes versions published with a future date effective on their day.
pub const ACTIVATE_VERSIONS: &str = "activate_versions";

/// The form fields of a version upload besides the file.
#[derive(Debug, Clone, Default)]
pub struct VersionForm {
    pub change_summary: Option<String>,
    pub label: Option<String>,
}

/// `POST /api/v1/versions/{id}/publish`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// First day in force (today or later, Vietnam time).
    pub effective_from: NaiveDate,
}

/// `POST /api/v1/versions/{id}/reject` and `/obsolete`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
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
    let public = VersionStatus::parse(&version.status).is_some_and(VersionStatus::is_public);
    if !public && !DocumentRights::of(actor, &row, &tree).sees_drafts() {
        return Err(DomainError::NotFound("version"));
    }
    Ok((version, row))
}

/// Sends a draft for approval (the drafter, the ISO officer or the owner).
pub async fn submit(conn: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Version> {
    let change = Change::load(conn, actor, id).await?;
    change.require_edit()?;
    change.require_status(&[VersionStatus::Draft], "submit")?;
    let mut active: document_version::ActiveModel = change.version.clone().into();
    active.status = Set(VersionStatus::InReview.as_str().into());
    active.submitted_at = Set(Some(Utc::now().trunc_subsecs(6)));
    change
        .finish(actor, active, "version.submit", json!({}))
        .await
}

/// Approves a version in review (an agency head of the agency, never its drafter).
pub async fn approve(conn: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Version> {
    let change = Change::load(conn, actor, id).await?;
    change.require_approver()?;
    change.require_status(&[VersionStatus::InReview], "approve")?;
    change.refuse_own_draft("approve")?;
    let mut active: document_version::ActiveModel = change.version.clone().into();
    active.status = Set(VersionStatus::Approved.as_str().into());
    active.approved_by = Set(actor.user_id);
    active.approved_at = Set(Some(Utc::now().trunc_subsecs(6)));
    change
        .finish(actor, active, "version.approve", json!({}))
        .await
}

/// Sends a version in review back with a reason; the next step is a new draft.
pub async fn reject(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    request: ReasonRequest,
) -> DomainResult<Version> {
    let reason = text::required("reason", &request.reason, 2000)?;
    let change = Change::load(conn, actor, id).await?;
    change.require_approver()?;
    change.require_status(&[VersionStatus::InReview], "reject")?;
    change.refuse_own_draft("reject")?;
    let mut active: document_version::ActiveModel = change.version.clone().into();
    active.status = Set(VersionStatus::Rejected.as_str().into());
    active.rejected_by = Set(actor.user_id);
    active.rejected_at = Set(Some(Utc::now().trunc_subsecs(6)));
    active.reject_reason = Set(Some(reason.clone()));
    change
        .finish(actor, active, "version.reject", json!({"reason": reason}))
        .await
}

/// Publishes an approved version from `effective_from` (today or later). Today's takes effect
/// at once; a later one stays approved until a job makes it effective on its day. The version
/// in force until then is superseded the day before.
pub async fn publish(
    conn: &DatabaseConnection,
    config_max_attempts: u32,
    actor: &Actor,
    id: Uuid,
    request: PublishRequest,
) -> DomainResult<Version> {
    let today = today();
    if request.effective_from < today {
        return Err(DomainError::invalid(
            "effective_from",
            format!("must be today ({today}) or later"),
        ));
    }
    let change = Change::load(conn, actor, id).await?;
    change.require_approver()?;
    change.require_status(&[VersionStatus::Approved], "publish")?;
    if change.version.published_at.is_some() {
        return Err(DomainError::conflict(
            "already_published",
            "this version is already published and waits for its effective date",
        ));
    }
    let mut active: document_version::ActiveModel = change.version.clone().into();
    active.published_by = Set(actor.user_id);
    active.published_at = Set(Some(Utc::now().trunc_subsecs(6)));
    active.effective_from = Set(Some(request.effective_from));
    let updated = active.update(&change.txn).await?;
    if request.effective_from <= today {
        activate(&change.txn, &updated).await?;
    } else {
        jobs::enqueue_at(
            &change.txn,
            ACTIVATE_VERSIONS,
            &json!({"version_id": id}),
            config_max_attempts,
            start_of_day_utc(request.effective_from),
        )
        .await?;
    }
    let Change {
        txn,
        document,
        version,
        ..
    } = change;
    refresh_document(&txn, &fresh_document(&txn, document.id).await?).await?;
    audit(
        &txn,
        actor,
        "version.publish",
        "document_version",
        version.id,
        Some(document.agency_id),
        json!({"effective_from": request.effective_from}),
    )
    .await?;
    txn.commit().await?;
    get_version(conn, actor, id).await
}

/// Withdraws a document: its effective (or scheduled) version becomes obsolete from tomorrow,
/// with a reason.
pub async fn obsolete(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    request: ReasonRequest,
) -> DomainResult<Version> {
    let reason = text::required("reason", &request.reason, 2000)?;
    let change = Change::load(conn, actor, id).await?;
    change.require_approver()?;
    change.require_status(
        &[VersionStatus::Effective, VersionStatus::Approved],
        "withdraw",
    )?;
    let mut active: document_version::ActiveModel = change.version.clone().into();
    active.status = Set(VersionStatus::Obsolete.as_str().into());
    active.obsolete_reason = Set(Some(reason.clone()));
    if change.version.status == VersionStatus::Effective.as_str() {
        active.effective_to = Set(Some(today()));
    }
    let mut document: document::ActiveModel = change.document.clone().into();
    document.obsolete_reason = Set(Some(reason.clone()));
    document.update(&change.txn).await?;
    change
        .finish(actor, active, "version.obsolete", json!({"reason": reason}))
        .await
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

/// Makes due published versions effective (the job of [`ACTIVATE_VERSIONS`]); idempotent.
pub async fn activate_due_versions(conn: &DatabaseConnection) -> DomainResult<usize> {
    let due = document_version::Entity::find()
        .filter(document_version::Column::Status.eq(VersionStatus::Approved.as_str()))
        .filter(document_version::Column::PublishedAt.is_not_null())
        .filter(document_version::Column::EffectiveFrom.lte(today()))
        .all(conn)
        .await?;
    let system = Actor::system("scheduler");
    let mut activated = 0;
    for version in due {
        let txn = db::begin_write(conn).await?;
        let Some(current) = document_version::Entity::find_by_id(version.id)
            .one(&txn)
            .await?
        else {
            continue;
        };
        if current.status != VersionStatus::Approved.as_str() {
            continue;
        }
        activate(&txn, &current).await?;
        let row = fresh_document(&txn, current.document_id).await?;
        refresh_document(&txn, &row).await?;
        audit(
            &txn,
            &system,
            "version.activate",
            "document_version",
            current.id,
            Some(row.agency_id),
            json!({"effective_from": current.effective_from}),
        )
        .await?;
        txn.commit().await?;
        activated += 1;
    }
    Ok(activated)
}

/// Makes `version` the effective one: the previous effective version is superseded the day
/// before, the review clock starts, and a pending legal-update flag is cleared.
async fn activate(
    txn: &DatabaseTransaction,
    version: &document_version::Model,
) -> DomainResult<()> {
    let effective_from = version.effective_from.unwrap_or_else(today);
    let previous = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(version.document_id))
        .filter(document_version::Column::Status.eq(VersionStatus::Effective.as_str()))
        .all(txn)
        .await?;
    for old in previous {
        let mut active: document_version::ActiveModel = old.into();
        active.status = Set(VersionStatus::Superseded.as_str().into());
        active.effective_to = Set(Some(effective_from - Duration::days(1)));
        active.updated_at = Set(Utc::now().trunc_subsecs(6));
        active.update(txn).await?;
    }
    let mut active: document_version::ActiveModel = version.clone().into();
    active.status = Set(VersionStatus::Effective.as_str().into());
    active.effective_from = Set(Some(effective_from));
    active.updated_at = Set(Utc::now().trunc_subsecs(6));
    active.update(txn).await?;
    let row = fresh_document(txn, version.document_id).await?;
    let mut document: document::ActiveModel = row.clone().into();
    document.next_review_on = Set(Some(add_months(
        effective_from,
        row.review_interval_months.max(1) as u32,
    )));
    document.update_required_by = Set(None);
    document.update_reason = Set(None);
    document.obsolete_reason = Set(None);
    document.update(txn).await?;
    Ok(())
}

async fn fresh_document(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<document::Model> {
    document::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("document"))
}

async fn view_of(
    db: &impl ConnectionTrait,
    version: document_version::Model,
) -> DomainResult<Version> {
    let people = people_of(db, std::slice::from_ref(&version)).await?;
    Ok(version_view(version, &people))
}

/// A workflow step in progress: the transaction, the version and its document.
struct Change {
    conn: DatabaseConnection,
    txn: DatabaseTransaction,
    version: document_version::Model,
    document: document::Model,
    rights: DocumentRights,
    actor_id: Option<Uuid>,
}

impl Change {
    async fn load(conn: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Self> {
        let txn = db::begin_write(conn).await?;
        let (version, document) = readable_version(&txn, actor, id).await?;
        let tree = AgencyTree::load(&txn).await?;
        let rights = DocumentRights::of(actor, &document, &tree);
        Ok(Self {
            conn: conn.clone(),
            txn,
            version,
            document,
            rights,
            actor_id: actor.user_id,
        })
    }

    fn require_edit(&self) -> DomainResult<()> {
        if self.rights.edit || (self.actor_id.is_some() && self.actor_id == self.version.drafted_by)
        {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    fn require_approver(&self) -> DomainResult<()> {
        if self.rights.approve {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    fn require_status(&self, allowed: &[VersionStatus], verb: &str) -> DomainResult<()> {
        let current = VersionStatus::parse(&self.version.status);
        if current.is_some_and(|status| allowed.contains(&status)) {
            return Ok(());
        }
        Err(DomainError::conflict(
            "invalid_transition",
            format!(
                "cannot {verb} a version that is {}; it must be {}",
                self.version.status,
                allowed
                    .iter()
                    .map(|status| status.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ))
    }

    /// Separation of duties: nobody approves or rejects a draft they drafted.
    fn refuse_own_draft(&self, verb: &str) -> DomainResult<()> {
        if self.actor_id.is_some() && self.actor_id == self.version.drafted_by {
            return Err(DomainError::RuleViolated {
                code: "own_draft",
                message: format!("you drafted this version, so someone else must {verb} it"),
            });
        }
        Ok(())
    }

    async fn finish(
        self,
        actor: &Actor,
        mut active: document_version::ActiveModel,
        action: &str,
        summary: serde_json::Value,
    ) -> DomainResult<Version> {
        active.updated_at = Set(Utc::now().trunc_subsecs(6));
        let updated = active.update(&self.txn).await?;
        let document = fresh_document(&self.txn, self.document.id).await?;
        refresh_document(&self.txn, &document).await?;
        let mut summary = summary;
        if let Some(object) = summary.as_object_mut() {
            object.insert("from".into(), json!(self.version.status));
            object.insert("to".into(), json!(updated.status));
        }
        audit(
            &self.txn,
            actor,
            action,
            "document_version",
            updated.id,
            Some(self.document.agency_id),
            summary,
        )
        .await?;
        self.txn.commit().await?;
        view_of(&self.conn, updated).await
    }
}
