//! Publishing a version: in force from a day, today at once or on its day by a job, the
//! previous version superseded, the review clock restarted.

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Version, VersionStatus, refresh_document,
    versions::{fresh_document, get_version},
    workflow::Change,
};
use crate::{
    clock::{add_months, last_day_before, start_of_day_utc, today},
    db::{
        self,
        entities::{document, document_version},
    },
    domain::{Actor, DomainError, DomainResult, Trail, audit},
    i18n::Message,
    jobs::{self, Handler, Job, JobContext, JobRegistry},
};

/// Makes versions published with a future date effective on their day (whichever are due when
/// it runs, not only the one it was queued for).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActivateVersions {
    /// The version whose publication queued it.
    pub version_id: Uuid,
}

impl Job for ActivateVersions {
    const KIND: &'static str = "activate_versions";
}

/// `POST /api/v1/versions/{id}/publish`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// First day in force (today or later, Vietnam time).
    pub effective_from: NaiveDate,
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
            Message::new("not_before_today").arg("today", today),
        ));
    }
    let change = Change::load(conn, actor, id).await?;
    change.require_approver()?;
    change.require_status(&[VersionStatus::Approved], "publish")?;
    if change.version.published_at.is_some() {
        return Err(DomainError::Conflict(Message::new("already_published")));
    }
    let mut active: document_version::ActiveModel = change.version.clone().into();
    active.published_by = Set(actor.user_id);
    active.published_at = Set(Some(Utc::now().trunc_subsecs(6)));
    active.effective_from = Set(Some(request.effective_from));
    let document = if request.effective_from <= today {
        let (_, document) = activate(
            &change.txn,
            active,
            change.document.id,
            request.effective_from,
        )
        .await?;
        document
    } else {
        active.update(&change.txn).await?;
        jobs::submit_at(
            &change.txn,
            &ActivateVersions { version_id: id },
            config_max_attempts,
            start_of_day_utc(request.effective_from),
        )
        .await?;
        fresh_document(&change.txn, change.document.id).await?
    };
    let Change { txn, version, .. } = change;
    refresh_document(&txn, &document).await?;
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

/// Makes due published versions effective (the [`ActivateVersions`] job); idempotent.
pub async fn activate_due_versions(conn: &DatabaseConnection) -> DomainResult<usize> {
    let due = document_version::Entity::find()
        .filter(document_version::Column::Status.eq(VersionStatus::Approved))
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
        if current.status != VersionStatus::Approved {
            continue;
        }
        let effective_from = current.effective_from.unwrap_or_else(today);
        let (current, row) = activate(
            &txn,
            current.clone().into(),
            current.document_id,
            effective_from,
        )
        .await?;
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

/// Puts an imported version in force from `effective_from` (today or earlier: an agency's
/// procedure already in use when it moves to hoso), inside the import's transaction. Nobody
/// approved it in hoso: the audit row says it was imported in force, and by whom.
pub(crate) async fn put_in_force_on_import(
    txn: &DatabaseTransaction,
    trail: &mut Trail,
    actor: &Actor,
    version: document_version::Model,
    effective_from: NaiveDate,
) -> DomainResult<document_version::Model> {
    if effective_from > today() {
        return Err(DomainError::invalid(
            "effective_from",
            Message::new("import_not_in_future"),
        ));
    }
    // Issues come in oldest first: one in force before the issue in force would end that one
    // before it began.
    let in_force = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(version.document_id))
        .filter(document_version::Column::Status.eq(VersionStatus::Effective))
        .one(txn)
        .await?;
    if let Some(current) = in_force.and_then(|current| current.effective_from)
        && current >= effective_from
    {
        return Err(DomainError::Conflict(
            Message::new("import_out_of_order")
                .arg("day", effective_from)
                .arg("current", current),
        ));
    }
    let now = Utc::now().trunc_subsecs(6);
    let document_id = version.document_id;
    let mut active: document_version::ActiveModel = version.into();
    active.published_by = Set(actor.user_id);
    active.published_at = Set(Some(now));
    let (published, row) = activate(txn, active, document_id, effective_from).await?;
    refresh_document(txn, &row).await?;
    trail
        .audit(
            txn,
            actor,
            "version.import_in_force",
            "document_version",
            published.id,
            Some(row.agency_id),
            json!({"effective_from": effective_from, "imported_by": actor.name}),
        )
        .await?;
    Ok(published)
}

/// Makes `version` (with any other changes already set on it) the effective one of its
/// document from `effective_from`: the previous effective version is superseded the day before,
/// the review clock starts, and a pending legal-update flag is cleared. Returns the version and
/// its document as now stored.
async fn activate(
    txn: &DatabaseTransaction,
    mut version: document_version::ActiveModel,
    document_id: Uuid,
    effective_from: NaiveDate,
) -> DomainResult<(document_version::Model, document::Model)> {
    let previous = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(document_id))
        .filter(document_version::Column::Status.eq(VersionStatus::Effective))
        .all(txn)
        .await?;
    for old in previous {
        let ended = last_day_before(effective_from, old.effective_from);
        let mut active: document_version::ActiveModel = old.into();
        active.status = Set(VersionStatus::Superseded);
        active.effective_to = Set(Some(ended));
        active.updated_at = Set(Utc::now().trunc_subsecs(6));
        active.update(txn).await?;
    }
    version.status = Set(VersionStatus::Effective);
    version.effective_from = Set(Some(effective_from));
    version.updated_at = Set(Utc::now().trunc_subsecs(6));
    let version = version.update(txn).await?;
    let row = fresh_document(txn, document_id).await?;
    let mut document: document::ActiveModel = row.clone().into();
    document.next_review_on = Set(Some(add_months(
        effective_from,
        row.review_interval_months.max(1) as u32,
    )));
    document.update_required_by = Set(None);
    document.update_reason = Set(None);
    document.obsolete_reason = Set(None);
    let document = document.update(txn).await?;
    Ok((version, document))
}

/// Registers the job that activates versions on their effective day.
pub fn register(registry: &mut JobRegistry) {
    registry.add::<ActivateVersions>(Activate);
}

struct Activate;

#[async_trait::async_trait]
impl Handler<ActivateVersions> for Activate {
    async fn run(&self, context: &JobContext, _job: ActivateVersions) -> anyhow::Result<()> {
        let activated = activate_due_versions(&context.db).await?;
        tracing::info!(
            activated,
            "activated versions that reached their effective date"
        );
        Ok(())
    }
}
