//! Proposed changes to the shared legal register. The register is shared by every agency, so
//! only the coordinating office (or an administrator) changes a reference; an agency that sees a
//! law amended or repealed proposes the change, and the office accepts it (the change is made as
//! if the office had made it, flagging the citing procedures) or declines it with a reason.

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::legal_refs::{
    LegalRefChanges, apply_changes, find, may_maintain_register, plan_changes,
    require_register_keeper,
};
use crate::{
    db::{
        self,
        entities::{legal_ref, legal_ref_proposal},
    },
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, Page, PageRequest, audit, paginate,
        text,
    },
    i18n::Message,
    names::Named,
};

/// Where a proposal stands.
pub use crate::db::entities::legal_ref_proposal::ProposalStatus;

/// `POST /api/v1/legal-refs/{id}/proposals`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProposal {
    /// The change proposed, as the coordinating office would make it.
    pub changes: LegalRefChanges,
    /// Why: the amending document, where it was published.
    pub note: String,
}

/// `POST /api/v1/legal-ref-proposals/{id}/accept` and `…/decline`
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Required to decline: the reason the proposer reads.
    #[serde(default)]
    pub note: Option<String>,
}

/// Filters of `GET /api/v1/legal-ref-proposals`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalFilter {
    /// `open`, `accepted` or `declined`.
    pub status: Option<String>,
}

/// A proposal as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Proposal {
    pub id: Uuid,
    pub legal_ref_id: Uuid,
    /// The reference's number, for reading the list.
    pub number: String,
    pub changes: LegalRefChanges,
    pub note: String,
    pub status: ProposalStatus,
    pub proposed_by: Option<Uuid>,
    pub proposer_name: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<chrono::DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
}

/// Proposes a change to a reference (anyone who may add references). The change is checked now
/// as it would be when made, so the office is never asked to accept what cannot be done.
pub async fn propose(
    conn: &DatabaseConnection,
    actor: &Actor,
    id_or_number: &str,
    input: NewProposal,
) -> DomainResult<Proposal> {
    let note = text::required("note", &input.note, 2000)?;
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    if !may_maintain_register(actor, &tree) {
        return Err(DomainError::Forbidden);
    }
    let reference = find(&txn, id_or_number).await?;
    if plan_changes(&txn, &reference, input.changes.clone())
        .await?
        .is_none()
    {
        return Err(DomainError::invalid(
            "changes",
            Message::new("proposal_changes_nothing"),
        ));
    }
    let changes = serde_json::to_string(&input.changes)
        .map_err(|error| DomainError::Internal(error.to_string()))?;
    let row = legal_ref_proposal::ActiveModel {
        id: Set(Uuid::now_v7()),
        legal_ref_id: Set(reference.id),
        changes: Set(changes),
        note: Set(note),
        status: Set(ProposalStatus::Open),
        proposed_by: Set(actor.user_id),
        proposer_name: Set(actor.name.clone()),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(None),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    }
    .insert(&txn)
    .await?;
    audit(
        &txn,
        actor,
        "legal_ref.propose",
        "legal_ref",
        reference.id,
        None,
        json!({"proposal_id": row.id, "number": reference.number}),
    )
    .await?;
    txn.commit().await?;
    view(row, &reference.number)
}

/// Proposals, newest first: the coordinating office (and administrators) see every agency's;
/// others see their own.
pub async fn list_proposals(
    conn: &DatabaseConnection,
    actor: &Actor,
    filter: &ProposalFilter,
    page: &PageRequest,
) -> DomainResult<Page<Proposal>> {
    let tree = AgencyTree::load(conn).await?;
    let mut query = legal_ref_proposal::Entity::find()
        .order_by_desc(legal_ref_proposal::Column::CreatedAt)
        .order_by_desc(legal_ref_proposal::Column::Id);
    if actor.scope(Action::ManageLegalRegister, &tree).is_empty() {
        let Some(user_id) = actor.user_id else {
            return Ok(Page::new(Vec::new(), 0, page));
        };
        query = query.filter(legal_ref_proposal::Column::ProposedBy.eq(user_id));
    }
    if let Some(status) = &filter.status {
        let status = ProposalStatus::parse(status).ok_or_else(|| {
            DomainError::invalid(
                "status",
                Message::new("one_of").arg("allowed", ProposalStatus::names()),
            )
        })?;
        query = query.filter(legal_ref_proposal::Column::Status.eq(status));
    }
    let rows = paginate(conn, query, page).await?;
    let ids: Vec<Uuid> = rows.items.iter().map(|row| row.legal_ref_id).collect();
    let numbers: std::collections::HashMap<Uuid, String> = legal_ref::Entity::find()
        .filter(legal_ref::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|reference| (reference.id, reference.number))
        .collect();
    let mut rows = rows;
    let items = std::mem::take(&mut rows.items)
        .into_iter()
        .map(|row| {
            let number = numbers.get(&row.legal_ref_id).cloned().unwrap_or_default();
            view(row, &number)
        })
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(rows.with_items(items))
}

/// Accepts an open proposal: its change is made now, by the office, as `PATCH` would make it.
pub async fn accept(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    decision: Decision,
) -> DomainResult<Proposal> {
    let note = text::optional("note", decision.note.as_deref(), 2000)?;
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let proposal = open_proposal(&txn, actor, &tree, id).await?;
    let reference = find(&txn, &proposal.legal_ref_id.to_string()).await?;
    let changes: LegalRefChanges = serde_json::from_str(&proposal.changes)
        .map_err(|error| DomainError::Internal(error.to_string()))?;
    // The reference may have changed since: what is left to change is made, and a proposal
    // overtaken entirely is still accepted (nothing more to do).
    if let Some(planned) = plan_changes(&txn, &reference, changes).await? {
        apply_changes(&txn, actor, &reference, planned).await?;
    }
    let row = decide(&txn, actor, proposal, ProposalStatus::Accepted, note).await?;
    txn.commit().await?;
    view(row, &reference.number)
}

/// Declines an open proposal, with the reason the proposer reads.
pub async fn decline(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    decision: Decision,
) -> DomainResult<Proposal> {
    let note = text::required("note", decision.note.as_deref().unwrap_or_default(), 2000)?;
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let proposal = open_proposal(&txn, actor, &tree, id).await?;
    let reference = find(&txn, &proposal.legal_ref_id.to_string()).await?;
    let row = decide(&txn, actor, proposal, ProposalStatus::Declined, Some(note)).await?;
    txn.commit().await?;
    view(row, &reference.number)
}

/// The proposal to decide: the office's to decide, and still open.
async fn open_proposal(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
) -> DomainResult<legal_ref_proposal::Model> {
    let proposal = legal_ref_proposal::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound("proposal"))?;
    // A proposer sees their proposal, but only the office decides it; to anyone else it is
    // not there.
    if let Err(refused) = require_register_keeper(actor, tree) {
        let own = proposal.proposed_by.is_some() && proposal.proposed_by == actor.user_id;
        return Err(if own {
            refused
        } else {
            DomainError::NotFound("proposal")
        });
    }
    if proposal.status != ProposalStatus::Open {
        return Err(DomainError::Conflict(
            Message::new("proposal_decided").arg("status", proposal.status.as_str()),
        ));
    }
    Ok(proposal)
}

async fn decide(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    proposal: legal_ref_proposal::Model,
    status: ProposalStatus,
    note: Option<String>,
) -> DomainResult<legal_ref_proposal::Model> {
    let legal_ref_id = proposal.legal_ref_id;
    let mut row: legal_ref_proposal::ActiveModel = proposal.into();
    row.status = Set(status);
    row.decided_by = Set(actor.user_id);
    row.decided_at = Set(Some(Utc::now().trunc_subsecs(6)));
    row.decision_note = Set(note.clone());
    let row = row.update(txn).await?;
    let action = if status == ProposalStatus::Accepted {
        "legal_ref.proposal_accept"
    } else {
        "legal_ref.proposal_decline"
    };
    audit(
        txn,
        actor,
        action,
        "legal_ref",
        legal_ref_id,
        None,
        json!({"proposal_id": row.id, "note": note}),
    )
    .await?;
    Ok(row)
}

fn view(row: legal_ref_proposal::Model, number: &str) -> DomainResult<Proposal> {
    let changes = serde_json::from_str(&row.changes)
        .map_err(|error| DomainError::Internal(error.to_string()))?;
    Ok(Proposal {
        id: row.id,
        legal_ref_id: row.legal_ref_id,
        number: number.to_owned(),
        changes,
        note: row.note,
        status: row.status,
        proposed_by: row.proposed_by,
        proposer_name: row.proposer_name,
        decided_by: row.decided_by,
        decided_at: row.decided_at,
        decision_note: row.decision_note,
        created_at: row.created_at,
    })
}
