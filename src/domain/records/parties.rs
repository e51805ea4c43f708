//! The agencies and people a record's body names: the agency it belongs to (one the actor may
//! keep such records for), and its owners, auditors, chairs and attendees (people of that
//! agency). Anything else is as unknown as what does not exist.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    db::entities::{agency, role_grant, user},
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, Grant, Role, agencies,
        users::access_grants_of_many,
    },
    i18n::Message,
    names::Named,
};

/// The agency a new record belongs to, named by id or code in `field`: one the actor cannot
/// read is as unknown as one that does not exist (400); one they read but may not keep records
/// of this kind for is 403.
pub(crate) async fn target_agency(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    field: &str,
    id_or_code: &str,
    action: Action,
) -> DomainResult<agency::Model> {
    let unknown = || {
        DomainError::invalid(
            field,
            Message::new("no_such_agency").arg("value", id_or_code),
        )
    };
    let agency = agencies::resolve(db, id_or_code.trim())
        .await
        .map_err(|error| match error {
            DomainError::NotFound(_) => unknown(),
            other => other,
        })?;
    if !actor.can(Action::ReadRecords, Some(agency.id), tree) {
        return Err(unknown());
    }
    actor.require(action, Some(agency.id), tree)?;
    Ok(agency)
}

/// People a record names (owners, auditors, attendees), with their roles: each must be an
/// active user holding a role over `agency`; anyone else is "not found" (404), so a body cannot
/// probe another agency's people.
pub(crate) async fn agency_people(
    db: &impl ConnectionTrait,
    tree: &AgencyTree,
    agency: Uuid,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<Grant>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let active: Vec<Uuid> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|person| person.id)
        .collect();
    let grants = access_grants_of_many(db, &active).await?;
    let mut people = HashMap::new();
    for id in ids {
        let held: Vec<Grant> = grants.get(id).cloned().unwrap_or_default();
        let belongs = held.iter().any(|grant| match grant.agency_id {
            None => true,
            Some(root) => tree.covers(root, agency),
        });
        if !belongs {
            return Err(DomainError::NotFound("user"));
        }
        people.insert(*id, held);
    }
    Ok(people)
}

/// One person a record names, as [`agency_people`].
pub(crate) async fn agency_person(
    db: &impl ConnectionTrait,
    tree: &AgencyTree,
    agency: Uuid,
    id: Uuid,
) -> DomainResult<Vec<Grant>> {
    Ok(agency_people(db, tree, agency, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// Someone a record of an agency may name (an owner, an auditor, an attendee), as a form's
/// list offers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    /// Membership roles held over the agency or a unit above it.
    pub roles: Vec<Role>,
}

/// The active people working in `agency` (holding a membership role there or in a unit above
/// it), by name, for those who may read the agency's records. Province-wide roles and the
/// appraisers and coordinators above it are not listed: a record names the agency's own people.
pub async fn people_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    agency: Uuid,
) -> DomainResult<Vec<Person>> {
    let tree = AgencyTree::load(db).await?;
    if !actor.can(Action::ReadRecords, Some(agency), &tree) {
        return Err(DomainError::NotFound("agency"));
    }
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::AgencyId.is_in(tree.ancestors_and_self(agency)))
        .all(db)
        .await?;
    let mut roles: HashMap<Uuid, Vec<Role>> = HashMap::new();
    for grant in grants {
        if let Some(role) = Role::parse(&grant.role).filter(|role| role.is_membership()) {
            roles.entry(grant.user_id).or_default().push(role);
        }
    }
    let rows = user::Entity::find()
        .filter(user::Column::Id.is_in(roles.keys().copied()))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?;
    let mut people: Vec<Person> = rows
        .into_iter()
        .map(|row| Person {
            roles: roles.remove(&row.id).unwrap_or_default(),
            id: row.id,
            name: row.display_name,
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(people)
}
