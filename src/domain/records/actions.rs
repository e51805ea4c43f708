//! Actions of a record, each with an owner and a due day: a corrective action's actions, a
//! management review's decisions. Planned by those who keep the record, marked done by their
//! owner (or the agency's ISO officer).

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use uuid::Uuid;

use super::not_before;
use crate::{
    clock::today,
    db::entities::{record, record_action},
    domain::{Action, Actor, AgencyTree, DomainError, DomainResult, text},
    i18n::Message,
};

/// An action about to be added.
pub(crate) struct NewStep {
    /// A management review decision's output.
    pub category: Option<String>,
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<NaiveDate>,
}

/// Adds an action to `record`: its owner must be one of the agency's people (404 otherwise),
/// its due day no earlier than `earliest` (the day the record's matter arose; 400).
pub(crate) async fn add(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    record: &record::Model,
    step: NewStep,
    earliest: (&str, NaiveDate),
) -> DomainResult<record_action::Model> {
    let description = text::required("description", &step.description, 5_000)?;
    if let Some(owner) = step.owner_id {
        super::parties::agency_person(db, tree, record.agency_id, owner).await?;
    }
    if let Some(due) = step.due_on {
        not_before("due_on", due, earliest.0, earliest.1)?;
    }
    let position = record_action::Entity::find()
        .filter(record_action::Column::RecordId.eq(record.id))
        .count(db)
        .await?;
    let now = Utc::now().trunc_subsecs(6);
    Ok(record_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        record_id: Set(record.id),
        position: Set(i32::try_from(position + 1).unwrap_or(i32::MAX)),
        category: Set(step.category),
        description: Set(description),
        owner_id: Set(step.owner_id),
        due_on: Set(step.due_on),
        done_on: Set(None),
        done_note: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// Marks an action of `record` done today: by its owner, or whoever keeps the agency's records
/// (403 for anyone else; 409 when it is done already). Returns how many of the record's
/// actions are still open.
pub(crate) async fn complete(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    record: &record::Model,
    action_id: Uuid,
    note: Option<&str>,
) -> DomainResult<(record_action::Model, u64)> {
    let action = record_action::Entity::find_by_id(action_id)
        .one(db)
        .await?
        .filter(|action| action.record_id == record.id)
        .ok_or(DomainError::NotFound("action"))?;
    let owner = action.owner_id.is_some() && action.owner_id == actor.user_id;
    if !owner && !actor.can(Action::ManageRecords, Some(record.agency_id), tree) {
        return Err(DomainError::NotAllowed(Message::new("action_owner_only")));
    }
    if action.done_on.is_some() {
        return Err(DomainError::Conflict(Message::new("action_already_done")));
    }
    let note = text::optional("note", note, 20_000)?;
    let mut done: record_action::ActiveModel = action.into();
    done.done_on = Set(Some(today()));
    done.done_note = Set(note);
    done.updated_at = Set(Utc::now().trunc_subsecs(6));
    let done = done.update(db).await?;
    let open_left = record_action::Entity::find()
        .filter(record_action::Column::RecordId.eq(record.id))
        .filter(record_action::Column::DoneOn.is_null())
        .count(db)
        .await?;
    Ok((done, open_left))
}

/// Whether the user owns one of the record's actions.
pub(crate) async fn owns_any(
    db: &impl ConnectionTrait,
    record_id: Uuid,
    user: Option<Uuid>,
) -> DomainResult<bool> {
    let Some(user) = user else {
        return Ok(false);
    };
    Ok(record_action::Entity::find()
        .filter(record_action::Column::RecordId.eq(record_id))
        .filter(record_action::Column::OwnerId.eq(user))
        .count(db)
        .await?
        > 0)
}
