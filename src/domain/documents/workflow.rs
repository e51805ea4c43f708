//! The approval workflow of a version: submit, approve, reject, withdraw.
//!
//! draft → in_review → approved → effective → superseded | obsolete; in_review → rejected.
//! Publishing (approved → effective) is in `publication`.

use chrono::{SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, DatabaseTransaction, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Version, VersionStatus,
    access::{DocumentRights, readable_version},
    refresh_document,
    versions::{fresh_document, view_of},
};
use crate::{
    clock::{last_day_before, today},
    db::{
        self,
        entities::{document, document_version},
    },
    domain::{Actor, AgencyTree, DomainError, DomainResult, audit, text},
    i18n::Message,
    names::Named,
};

/// `POST /api/v1/versions/{id}/reject` and `/obsolete`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

/// Sends a draft for approval (the drafter, the ISO officer or the owner).
pub async fn submit(conn: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Version> {
    let change = Change::load(conn, actor, id).await?;
    change.require_edit()?;
    change.require_status(&[VersionStatus::Draft], "submit")?;
    let mut active: document_version::ActiveModel = change.version.clone().into();
    active.status = Set(VersionStatus::InReview);
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
    active.status = Set(VersionStatus::Approved);
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
    active.status = Set(VersionStatus::Rejected);
    active.rejected_by = Set(actor.user_id);
    active.rejected_at = Set(Some(Utc::now().trunc_subsecs(6)));
    active.reject_reason = Set(Some(reason.clone()));
    change
        .finish(actor, active, "version.reject", json!({"reason": reason}))
        .await
}

/// Withdraws a document, with a reason: its effective version is withdrawn today (in force until
/// yesterday, or until today if it took effect today); a version scheduled for a later day is
/// never in force.
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
    active.status = Set(VersionStatus::Obsolete);
    active.obsolete_reason = Set(Some(reason.clone()));
    if change.version.status == VersionStatus::Effective {
        active.effective_to = Set(Some(last_day_before(
            today(),
            change.version.effective_from,
        )));
    } else if let Some(first) = change.version.effective_from {
        // Published for a later day, withdrawn before it: it ends before it would have begun.
        active.effective_to = Set(Some(first.pred_opt().unwrap_or(first)));
    }
    let mut document: document::ActiveModel = change.document.clone().into();
    document.obsolete_reason = Set(Some(reason.clone()));
    document.update(&change.txn).await?;
    change
        .finish(actor, active, "version.obsolete", json!({"reason": reason}))
        .await
}

/// A workflow step in progress: the transaction, the version and its document.
pub(super) struct Change {
    pub(super) conn: DatabaseConnection,
    pub(super) txn: DatabaseTransaction,
    pub(super) version: document_version::Model,
    pub(super) document: document::Model,
    pub(super) rights: DocumentRights,
    pub(super) actor_id: Option<Uuid>,
}

impl Change {
    pub(super) async fn load(
        conn: &DatabaseConnection,
        actor: &Actor,
        id: Uuid,
    ) -> DomainResult<Self> {
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

    pub(super) fn require_edit(&self) -> DomainResult<()> {
        if self.rights.edit || (self.actor_id.is_some() && self.actor_id == self.version.drafted_by)
        {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    pub(super) fn require_approver(&self) -> DomainResult<()> {
        if self.rights.approve {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    pub(super) fn require_status(&self, allowed: &[VersionStatus], verb: &str) -> DomainResult<()> {
        if allowed.contains(&self.version.status) {
            return Ok(());
        }
        Err(DomainError::Conflict(
            Message::new("invalid_transition")
                .arg("action", verb)
                .arg("status", self.version.status.as_str()),
        ))
    }

    /// Separation of duties: nobody approves or rejects a draft they drafted.
    fn refuse_own_draft(&self, verb: &str) -> DomainResult<()> {
        if self.actor_id.is_some() && self.actor_id == self.version.drafted_by {
            return Err(DomainError::RuleViolated(
                Message::new("own_draft").arg("action", verb),
            ));
        }
        Ok(())
    }

    pub(super) async fn finish(
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

/// A version waiting for an approver: in review (to approve or send back) or approved and not
/// yet published.
#[derive(Debug, Clone, serde::Serialize, ToSchema)]
pub struct AwaitingDecision {
    pub version_id: Uuid,
    pub document_id: Uuid,
    pub agency_id: Uuid,
    pub code: String,
    pub title: String,
    pub label: String,
    pub status: VersionStatus,
    pub submitted_at: Option<chrono::DateTime<Utc>>,
}

/// The approvals inbox: versions in review or approved and unpublished in the agencies where
/// the actor approves documents, the longest waiting first.
pub async fn awaiting_decision(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
) -> DomainResult<Vec<AwaitingDecision>> {
    use std::collections::HashMap;

    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

    use crate::domain::{Action, AgencyScope};
    let tree = AgencyTree::load(db).await?;
    let mut versions = document_version::Entity::find()
        .filter(
            document_version::Column::Status
                .is_in([VersionStatus::InReview, VersionStatus::Approved]),
        )
        .filter(document_version::Column::EffectiveFrom.is_null());
    match actor.scope(Action::ApproveDocuments, &tree) {
        AgencyScope::All => {}
        AgencyScope::Only(ids) if ids.is_empty() => return Ok(Vec::new()),
        AgencyScope::Only(ids) => {
            versions = versions.filter(document_version::Column::AgencyId.is_in(ids));
        }
    }
    let versions = versions
        .order_by_asc(document_version::Column::SubmittedAt)
        .all(db)
        .await?;
    let mut documents: HashMap<Uuid, document::Model> = HashMap::new();
    let wanted: Vec<Uuid> = versions.iter().map(|version| version.document_id).collect();
    for chunk in wanted.chunks(500) {
        for row in document::Entity::find()
            .filter(document::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            documents.insert(row.id, row);
        }
    }
    Ok(versions
        .into_iter()
        .filter_map(|version| {
            let document = documents.get(&version.document_id)?;
            Some(AwaitingDecision {
                version_id: version.id,
                document_id: document.id,
                agency_id: document.agency_id,
                code: document.code.clone(),
                title: document.title.clone(),
                label: version.label,
                status: version.status,
                submitted_at: version.submitted_at,
            })
        })
        .collect())
}
