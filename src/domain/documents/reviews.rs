//! Periodic review (xem xét định kỳ): what is due, and recording a verdict.

use chrono::{Duration, NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Document, DocumentStatus, VersionStatus,
    access::{DocumentRights, readable_document},
    document_view, legal_impact, refresh_document,
};
use crate::{
    clock::{add_months, last_day_before, today},
    db::{
        self,
        entities::{document, document_review, document_version},
    },
    domain::{Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult, audit, text},
    i18n::Message,
};

/// A document that needs attention, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueReview {
    pub document_id: Uuid,
    pub agency_id: Uuid,
    pub code: String,
    pub title: String,
    pub status: DocumentStatus,
    /// `periodic_review` or `legal_change`.
    pub reason: String,
    /// For a legal change: what changed.
    pub detail: Option<String>,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// Query of `GET /api/v1/reviews/due`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueFilter {
    /// Include reviews due within this many days (default 30, at most 366).
    pub within_days: Option<i64>,
    /// Agency id or code: that agency and those under it.
    pub agency: Option<String>,
}

/// `POST /api/v1/documents/{id}/reviews`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewVerdict {
    /// `keep`, `revise` or `obsolete`.
    pub verdict: String,
    pub note: String,
}

/// Reviews and legal updates due for the agencies where the actor maintains or approves
/// documents, soonest first.
pub async fn reviews_due(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &DueFilter,
) -> DomainResult<Vec<DueReview>> {
    let within = filter.within_days.unwrap_or(30);
    if !(0..=366).contains(&within) {
        return Err(DomainError::invalid(
            "within_days",
            Message::new("between").arg("min", 0).arg("max", 366),
        ));
    }
    let tree = AgencyTree::load(db).await?;
    let mut agencies = Condition::any();
    let mut any_scope = false;
    for action in [Action::EditDocuments, Action::ApproveDocuments] {
        match actor.scope(action, &tree) {
            AgencyScope::All => {
                agencies = agencies.add(Condition::all());
                any_scope = true;
            }
            AgencyScope::Only(ids) if !ids.is_empty() => {
                agencies = agencies.add(document::Column::AgencyId.is_in(ids));
                any_scope = true;
            }
            AgencyScope::Only(_) => {}
        }
    }
    if let Some(me) = actor.user_id {
        agencies = agencies.add(document::Column::OwnerId.eq(me));
        any_scope = true;
    }
    if !any_scope {
        return Ok(Vec::new());
    }
    if let Some(agency) = &filter.agency {
        let agency = crate::domain::agencies::resolve_field(db, "agency", agency).await?;
        agencies = Condition::all()
            .add(agencies)
            .add(document::Column::AgencyId.is_in(tree.covered_by(agency.id)));
    }
    let today = today();
    let horizon = today + Duration::days(within);
    // Two narrow reads, each from its index, rather than one that scans every document.
    let in_scope = || {
        document::Entity::find()
            .filter(agencies.clone())
            .filter(document::Column::Status.ne(DocumentStatus::Obsolete))
            .filter(document::Column::Status.ne(DocumentStatus::Draft))
    };
    // Flagged: a deadline from the first day there is. SQLite walks the index of such a range,
    // but beside the agencies' OR it read `IS NOT NULL` by scanning every document.
    let first_day = chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default();
    let mut rows = in_scope()
        .filter(document::Column::UpdateRequiredBy.gte(first_day))
        .all(db)
        .await?;
    let flagged: std::collections::HashSet<Uuid> = rows.iter().map(|row| row.id).collect();
    rows.extend(
        in_scope()
            .filter(document::Column::NextReviewOn.lte(horizon))
            .all(db)
            .await?
            .into_iter()
            .filter(|row| !flagged.contains(&row.id)),
    );
    let mut due = Vec::new();
    for row in rows {
        if let Some(deadline) = row.update_required_by {
            due.push(DueReview {
                document_id: row.id,
                agency_id: row.agency_id,
                code: row.code.clone(),
                title: row.title.clone(),
                status: row.status,
                reason: "legal_change".into(),
                detail: row.update_reason.clone(),
                due_on: deadline,
                overdue: deadline < today,
            });
        }
        if let Some(review_on) = row.next_review_on.filter(|day| *day <= horizon) {
            due.push(DueReview {
                document_id: row.id,
                agency_id: row.agency_id,
                code: row.code,
                title: row.title,
                status: row.status,
                reason: "periodic_review".into(),
                detail: None,
                due_on: review_on,
                overdue: review_on < today,
            });
        }
    }
    due.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.code.cmp(&b.code)));
    Ok(due)
}

/// Records a review verdict: `keep` restarts the review clock and clears a "needs update" flag
/// (the reviewer judged the document still right, and the note says why); `revise` restarts it
/// and flags the document for an update within three months; `obsolete` withdraws the effective version
/// (agency heads only).
pub async fn record_review(
    conn: &DatabaseConnection,
    actor: &Actor,
    document_id: Uuid,
    input: ReviewVerdict,
) -> DomainResult<Document> {
    let note = text::required("note", &input.note, 2000)?;
    let verdict = input.verdict.trim().to_owned();
    if !matches!(verdict.as_str(), "keep" | "revise" | "obsolete") {
        return Err(DomainError::invalid(
            "verdict",
            Message::new("one_of").arg("allowed", "keep, revise, obsolete"),
        ));
    }
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let row = readable_document(&txn, actor, &tree, document_id).await?;
    let rights = DocumentRights::of(actor, &row, &tree);
    let allowed = match verdict.as_str() {
        "obsolete" => rights.approve,
        _ => rights.edit || rights.approve,
    };
    if !allowed {
        return Err(DomainError::Forbidden);
    }
    let effective = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(document_id))
        .filter(document_version::Column::Status.eq(VersionStatus::Effective))
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::Conflict(Message::new("nothing_to_review")))?;
    let today = today();
    let now = Utc::now().trunc_subsecs(6);
    let mut active: document::ActiveModel = row.clone().into();
    active.next_review_on = Set(Some(add_months(
        today,
        row.review_interval_months.max(1) as u32,
    )));
    match verdict.as_str() {
        "revise" => {
            let deadline = add_months(today, legal_impact::UPDATE_DEADLINE_MONTHS);
            let required_by = row
                .update_required_by
                .map_or(deadline, |day| day.min(deadline));
            active.update_required_by = Set(Some(required_by));
            active.update_reason = Set(Some(format!("periodic review: {note}")));
        }
        "obsolete" => {
            active.next_review_on = Set(None);
            active.obsolete_reason = Set(Some(note.clone()));
            let ended = last_day_before(today, effective.effective_from);
            let mut withdrawn: document_version::ActiveModel = effective.into();
            withdrawn.status = Set(VersionStatus::Obsolete);
            withdrawn.effective_to = Set(Some(ended));
            withdrawn.obsolete_reason = Set(Some(note.clone()));
            withdrawn.updated_at = Set(now);
            withdrawn.update(&txn).await?;
        }
        _ => {
            active.update_required_by = Set(None);
            active.update_reason = Set(None);
        }
    }
    let updated = active.update(&txn).await?;
    document_review::ActiveModel {
        id: Set(Uuid::now_v7()),
        document_id: Set(document_id),
        verdict: Set(verdict.clone()),
        note: Set(note.clone()),
        reviewed_by: Set(actor.user_id),
        reviewed_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let refreshed = refresh_document(&txn, &updated).await?;
    audit(
        &txn,
        actor,
        "document.review",
        "document",
        document_id,
        Some(row.agency_id),
        json!({"verdict": verdict, "note": note, "next_review_on": refreshed.next_review_on,
               "update_required_by": [row.update_required_by, refreshed.update_required_by]}),
    )
    .await?;
    txn.commit().await?;
    document_view(conn, actor, refreshed, true).await
}
