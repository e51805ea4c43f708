//! Read acknowledgement: staff confirm they have read an effective version.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    VersionStatus,
    access::{DocumentRights, readable_version},
};
use crate::{
    db::{
        self,
        entities::{acknowledgement, role_grant, user},
    },
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, Page, PageRequest, audit, paginate,
    },
    i18n::Message,
};

/// One person's acknowledgement state for a version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcknowledgementEntry {
    pub user_id: Uuid,
    pub display_name: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Who of the agency has and has not acknowledged a version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcknowledgementCoverage {
    pub version_id: Uuid,
    pub acknowledged: Vec<AcknowledgementEntry>,
    pub pending: Vec<AcknowledgementEntry>,
}

/// Records that the actor has read an effective version (idempotent).
pub async fn acknowledge(
    conn: &DatabaseConnection,
    actor: &Actor,
    version_id: Uuid,
) -> DomainResult<AcknowledgementEntry> {
    let user_id = actor.user_id.ok_or(DomainError::Forbidden)?;
    let txn = db::begin_write(conn).await?;
    let (version, document) = readable_version(&txn, actor, version_id).await?;
    let tree = AgencyTree::load(&txn).await?;
    actor.require(
        Action::AcknowledgeDocuments,
        Some(document.agency_id),
        &tree,
    )?;
    if version.status != VersionStatus::Effective {
        return Err(DomainError::Conflict(Message::new("not_effective")));
    }
    let existing = acknowledgement::Entity::find_by_id((version_id, user_id))
        .one(&txn)
        .await?;
    let acknowledged_at = match existing {
        Some(row) => {
            txn.rollback().await?;
            row.acknowledged_at
        }
        None => {
            let now = Utc::now().trunc_subsecs(6);
            acknowledgement::ActiveModel {
                version_id: Set(version_id),
                user_id: Set(user_id),
                acknowledged_at: Set(now),
            }
            .insert(&txn)
            .await?;
            audit(
                &txn,
                actor,
                "version.acknowledge",
                "document_version",
                version_id,
                Some(document.agency_id),
                json!({"document_id": document.id, "label": version.label}),
            )
            .await?;
            txn.commit().await?;
            now
        }
    };
    Ok(AcknowledgementEntry {
        user_id,
        display_name: actor.name.clone(),
        acknowledged_at: Some(acknowledged_at),
    })
}

/// Acknowledgement coverage among the people holding a role in the document's agency (for
/// those who maintain or approve its documents).
pub async fn coverage(
    db: &impl ConnectionTrait,
    actor: &Actor,
    version_id: Uuid,
) -> DomainResult<AcknowledgementCoverage> {
    let (_, document) = readable_version(db, actor, version_id).await?;
    let tree = AgencyTree::load(db).await?;
    if !DocumentRights::of(actor, &document, &tree).sees_drafts() {
        return Err(DomainError::Forbidden);
    }
    let member_ids: Vec<Uuid> = role_grant::Entity::find()
        .filter(role_grant::Column::AgencyId.eq(document.agency_id))
        .all(db)
        .await?
        .into_iter()
        .map(|grant| grant.user_id)
        .collect();
    let members = user::Entity::find()
        .filter(user::Column::Id.is_in(member_ids))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::DisplayName)
        .all(db)
        .await?;
    let done: HashMap<Uuid, DateTime<Utc>> = acknowledgement::Entity::find()
        .filter(acknowledgement::Column::VersionId.eq(version_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.user_id, row.acknowledged_at))
        .collect();
    let (acknowledged, pending) = members
        .into_iter()
        .map(|member| AcknowledgementEntry {
            acknowledged_at: done.get(&member.id).copied(),
            user_id: member.id,
            display_name: member.display_name,
        })
        .partition(|entry| entry.acknowledged_at.is_some());
    Ok(AcknowledgementCoverage {
        version_id,
        acknowledged,
        pending,
    })
}

/// The share of the agency's people (active users holding a role over the agency itself) who
/// have acknowledged each version in force of its documents, over all those versions: `None`
/// when it has no version in force or nobody to read it. A few queries, whatever the sizes.
pub async fn agency_coverage(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
) -> DomainResult<Option<f64>> {
    use sea_orm::{
        PaginatorTrait, QuerySelect,
        sea_query::{Expr, ExprTrait, Query},
    };

    use crate::db::entities::document_version;
    // One range of `idx_versions_agency_status`: a province's agency may hold tens of thousands
    // of documents.
    let versions = document_version::Entity::find()
        .filter(document_version::Column::AgencyId.eq(agency_id))
        .filter(document_version::Column::Status.eq(VersionStatus::Effective))
        .count(db)
        .await?;
    let granted: Vec<Uuid> = role_grant::Entity::find()
        .select_only()
        .column(role_grant::Column::UserId)
        .filter(role_grant::Column::AgencyId.eq(agency_id))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let members: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Id.is_in(granted))
        .filter(user::Column::Active.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    if versions == 0 || members.is_empty() {
        return Ok(None);
    }
    // The members' acknowledgements, each checked against its version (walking the range
    // instead would visit every version in force).
    let of_agency_in_force = Query::select()
        .expr(Expr::val(1))
        .from(document_version::Entity)
        .and_where(
            Expr::col((document_version::Entity, document_version::Column::Id))
                .equals((acknowledgement::Entity, acknowledgement::Column::VersionId)),
        )
        .and_where(document_version::Column::AgencyId.eq(agency_id))
        .and_where(document_version::Column::Status.eq(VersionStatus::Effective))
        .to_owned();
    let done = acknowledgement::Entity::find()
        .filter(acknowledgement::Column::UserId.is_in(members.iter().copied()))
        .filter(Expr::exists(of_agency_in_force))
        .count(db)
        .await?;
    Ok(Some(done as f64 / (versions as f64 * members.len() as f64)))
}

/// A version in force the person has not acknowledged yet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadingItem {
    pub version_id: Uuid,
    pub document_id: Uuid,
    pub agency_id: Uuid,
    pub code: String,
    pub title: String,
    pub label: String,
    pub effective_from: Option<chrono::NaiveDate>,
    pub change_summary: Option<String>,
}

/// "Tài liệu cần đọc": the versions in force of the documents of the agencies the actor works
/// in that they have not acknowledged, newest in force first, a page at a time. Empty for
/// someone who works in no agency (an administrator, a coordinator, an appraiser).
pub async fn reading_list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: &PageRequest,
) -> DomainResult<Page<ReadingItem>> {
    use sea_orm::sea_query::Query;

    use crate::db::entities::{document, document_version};
    let agencies = actor.own_agencies();
    let Some(user_id) = actor.user_id.filter(|_| !agencies.is_empty()) else {
        return Ok(Page::new(Vec::new(), 0, page));
    };
    // Newest first, walking `idx_versions_agency_status` backwards: the agency's versions in
    // force are one range of it.
    let query = document_version::Entity::find()
        .filter(document_version::Column::AgencyId.is_in(agencies))
        .filter(document_version::Column::Status.eq(VersionStatus::Effective))
        .filter(
            document_version::Column::Id.not_in_subquery(
                Query::select()
                    .column(acknowledgement::Column::VersionId)
                    .from(acknowledgement::Entity)
                    .and_where(acknowledgement::Column::UserId.eq(user_id))
                    .to_owned(),
            ),
        )
        .order_by_desc(document_version::Column::EffectiveFrom)
        .order_by_desc(document_version::Column::Id);
    let versions = paginate(db, query, page).await?;
    let wanted: Vec<Uuid> = versions
        .items
        .iter()
        .map(|version| version.document_id)
        .collect();
    let documents: HashMap<Uuid, document::Model> = document::Entity::find()
        .filter(document::Column::Id.is_in(wanted))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut versions = versions;
    let rows = std::mem::take(&mut versions.items);
    let items = rows
        .into_iter()
        .filter_map(|version| {
            let document = documents.get(&version.document_id)?;
            Some(ReadingItem {
                version_id: version.id,
                document_id: document.id,
                agency_id: version.agency_id,
                code: document.code.clone(),
                title: document.title.clone(),
                label: version.label,
                effective_from: version.effective_from,
                change_summary: version.change_summary,
            })
        })
        .collect();
    Ok(versions.with_items(items))
}
