//! What a legal reference's change does to the procedures citing it: an amended, replaced or
//! repealed reference flags every effective citing document "needs update" with a deadline three
//! months after the change takes effect (QĐ 19/2014/QĐ-TTg); set back in force, it clears the
//! flags it raised. A job updates the citing documents, a few per transaction.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{DocumentStatus, refresh_document};
use crate::{
    clock::add_months,
    db::{
        self,
        entities::{document, document_legal_ref, legal_ref},
    },
    domain::{Actor, DomainResult, audit},
    jobs::{Handler, Job, JobContext, JobRegistry},
    names::Named,
};

/// Months an agency has to bring a legal change into its procedures.
pub const UPDATE_DEADLINE_MONTHS: u32 = 3;

/// A document affected by a change of a legal reference.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImpactedDocument {
    pub document_id: Uuid,
    pub agency_id: Uuid,
    pub code: String,
    pub title: String,
    pub status: DocumentStatus,
    pub update_required_by: Option<NaiveDate>,
    pub overdue: bool,
}

/// Flags (from `changed_on`) or clears (`None`: back in force) the documents citing a legal
/// reference, on behalf of whoever changed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpdateCitingDocuments {
    pub legal_ref_id: Uuid,
    pub changed_on: Option<NaiveDate>,
    pub by_user: Option<Uuid>,
    pub by_name: String,
}

impl Job for UpdateCitingDocuments {
    const KIND: &'static str = "update_citing_documents";
}

/// Attempts of the job that updates citing documents.
pub(super) const CITING_ATTEMPTS: u32 = 5;
/// Documents flagged per transaction.
const CITING_CHUNK: usize = 50;

/// Registers the job that flags documents citing a changed reference.
pub fn register(registry: &mut JobRegistry) {
    registry.add::<UpdateCitingDocuments>(FlagCiting);
}

struct FlagCiting;

#[async_trait::async_trait]
impl Handler<UpdateCitingDocuments> for FlagCiting {
    async fn run(&self, context: &JobContext, job: UpdateCitingDocuments) -> anyhow::Result<()> {
        let Some(reference) = legal_ref::Entity::find_by_id(job.legal_ref_id)
            .one(&context.db)
            .await?
        else {
            return Ok(());
        };
        // The audit rows name the person who changed the reference.
        let actor = Actor {
            user_id: job.by_user,
            name: job.by_name.clone(),
            grants: Vec::new(),
        };
        let ids: Vec<Uuid> = citing_documents(&context.db, reference.id)
            .await?
            .into_iter()
            .map(|row| row.id)
            .collect();
        for chunk in ids.chunks(CITING_CHUNK) {
            let txn = db::begin_write(&context.db).await?;
            let rows = document::Entity::find()
                .filter(document::Column::Id.is_in(chunk.to_vec()))
                .all(&txn)
                .await?;
            match job.changed_on {
                Some(changed_on) => {
                    flag_documents(&txn, &actor, &reference, changed_on, rows).await?;
                }
                None => clear_flags_of(&txn, &actor, &reference, rows).await?,
            }
            txn.commit().await?;
        }
        Ok(())
    }
}

/// The reason a document carries while flagged because of `reference`.
fn flag_reason(reference: &legal_ref::Model, changed_on: NaiveDate) -> String {
    format!(
        "{} was {} from {}",
        reference.number,
        reference.status.as_str(),
        changed_on
    )
}

/// Clears the "needs update" flags a reference raised, when it is set back in force (the
/// change was entered by mistake, or withdrawn). A flag another reference raised since stays.
async fn clear_flags_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    reference: &legal_ref::Model,
    rows: Vec<document::Model>,
) -> DomainResult<()> {
    let raised_here = format!("{} was ", reference.number);
    for row in rows {
        let ours = row
            .update_reason
            .as_deref()
            .is_some_and(|reason| reason.starts_with(&raised_here));
        if !ours {
            continue;
        }
        let mut active: document::ActiveModel = row.clone().into();
        active.update_required_by = Set(None);
        active.update_reason = Set(None);
        let cleared = active.update(db).await?;
        refresh_document(db, &cleared).await?;
        audit(
            db,
            actor,
            "document.clear_update_flag",
            "document",
            row.id,
            Some(row.agency_id),
            json!({"legal_ref_id": reference.id, "number": reference.number,
                   "reason": "the legal reference is in force again"}),
        )
        .await?;
    }
    Ok(())
}

/// Flags documents citing a reference changed on `changed_on`: in force ones must be updated
/// within three months.
async fn flag_documents(
    db: &impl ConnectionTrait,
    actor: &Actor,
    reference: &legal_ref::Model,
    changed_on: NaiveDate,
    rows: Vec<document::Model>,
) -> DomainResult<()> {
    let deadline = add_months(changed_on, UPDATE_DEADLINE_MONTHS);
    let reason = flag_reason(reference, changed_on);
    for row in rows {
        if !row.status.in_force() {
            continue;
        }
        // An earlier deadline from another change stands.
        let required_by = match row.update_required_by {
            Some(existing) if existing <= deadline => existing,
            _ => deadline,
        };
        let mut active: document::ActiveModel = row.clone().into();
        active.update_required_by = Set(Some(required_by));
        active.update_reason = Set(Some(reason.clone()));
        let flagged = active.update(db).await?;
        refresh_document(db, &flagged).await?;
        audit(
            db,
            actor,
            "document.flag_update",
            "document",
            row.id,
            Some(row.agency_id),
            json!({"legal_ref_id": reference.id, "number": reference.number,
                   "update_required_by": required_by, "reason": reason}),
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn citing_documents(
    db: &impl ConnectionTrait,
    legal_ref_id: Uuid,
) -> DomainResult<Vec<document::Model>> {
    let ids: Vec<Uuid> = document_legal_ref::Entity::find()
        .filter(document_legal_ref::Column::LegalRefId.eq(legal_ref_id))
        .all(db)
        .await?
        .into_iter()
        .map(|link| link.document_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(document::Entity::find()
        .filter(document::Column::Id.is_in(ids))
        .order_by_asc(document::Column::CodeKey)
        .all(db)
        .await?)
}
