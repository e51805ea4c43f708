//! User accounts and their role grants.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Action, Actor, AgencyTree, DomainError, DomainResult, Grant, Page, PageRequest, Role,
    agencies::{contains_pattern, resolve_field},
    audit, paginate, passwords, text,
};
use crate::db::{
    self,
    entities::{role_grant, session, user},
};
use crate::names::Named;

use crate::i18n::Message;

/// Shortest accepted password.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A role grant as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleGrant {
    pub id: Uuid,
    pub role: Role,
    /// The agency subtree the role covers; `null` means every agency.
    pub agency_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub active: bool,
    /// The language the pages speak to them (`vi`, `en`); their browser's when unset.
    pub language: Option<String>,
    pub roles: Vec<RoleGrant>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/users`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub password: String,
}

/// `PATCH /api/v1/users/{id}`: any subset. Deactivating a user or setting a password ends their
/// sessions.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// `POST /api/v1/users/{id}/roles`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoleGrant {
    pub role: Role,
    /// Agency id or code; omit for every agency (only for `admin` and `coordinator`).
    #[serde(default)]
    pub agency_id: Option<String>,
}

/// Filters of `GET /api/v1/users`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Text in the username, display name or email.
    pub q: Option<String>,
    pub active: Option<bool>,
    /// Only users holding a role over this agency (id or code).
    pub agency: Option<String>,
    pub role: Option<String>,
}

/// Creates a user (system-wide `ManageUsers`).
pub async fn create_user(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewUser,
) -> DomainResult<User> {
    let username = text::identifier("username", &input.username, 64)?.to_lowercase();
    let display_name = text::required("display_name", &input.display_name, 200)?;
    let email = validate_email(input.email.as_deref())?;
    validate_password(&input.password)?;
    let password_hash = passwords::hash_password(input.password).await?;

    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    actor.require(Action::ManageUsers, None, &tree)?;
    if user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict(
            Message::new("username_taken").arg("username", username),
        ));
    }
    let now = Utc::now().trunc_subsecs(6);
    let row = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username),
        display_name: Set(display_name),
        email: Set(email),
        password_hash: Set(password_hash),
        active: Set(true),
        language: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit(
        &txn,
        actor,
        "user.create",
        "user",
        row.id,
        None,
        json!({"username": row.username, "display_name": row.display_name, "email": row.email}),
    )
    .await?;
    txn.commit().await?;
    Ok(to_user(row, Vec::new()))
}

/// Changes a user's profile, active flag or password.
pub async fn update_user(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    changes: UserChanges,
) -> DomainResult<User> {
    let new_hash = match &changes.password {
        Some(password) => {
            validate_password(password)?;
            Some(passwords::hash_password(password.clone()).await?)
        }
        None => None,
    };
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    actor.require(Action::ManageUsers, None, &tree)?;
    let current = user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let mut row: user::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(display_name) = changes.display_name {
        let display_name = text::required("display_name", &display_name, 200)?;
        if display_name != current.display_name {
            summary.insert(
                "display_name".into(),
                json!([current.display_name, display_name]),
            );
            row.display_name = Set(display_name);
        }
    }
    if let Some(email) = changes.email {
        let email = validate_email(Some(&email))?;
        if email != current.email {
            summary.insert("email".into(), json!([current.email, email]));
            row.email = Set(email);
        }
    }
    if let Some(active) = changes.active
        && active != current.active
    {
        if !active && Some(id) == actor.user_id {
            return Err(DomainError::RuleViolated(Message::new(
                "cannot_deactivate_self",
            )));
        }
        summary.insert("active".into(), json!([current.active, active]));
        row.active = Set(active);
    }
    if let Some(hash) = new_hash {
        summary.insert("password".into(), json!("changed"));
        row.password_hash = Set(hash);
    }
    if summary.is_empty() {
        txn.rollback().await?;
        return get_user(conn, actor, id).await;
    }
    if summary.contains_key("password") || summary.contains_key("active") {
        revoke_sessions(&txn, id).await?;
    }
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    row.update(&txn).await?;
    audit(
        &txn,
        actor,
        "user.update",
        "user",
        id,
        None,
        Value::Object(summary),
    )
    .await?;
    txn.commit().await?;
    get_user(conn, actor, id).await
}

/// Grants a role over an agency subtree (or everywhere).
pub async fn grant_role(
    conn: &DatabaseConnection,
    actor: &Actor,
    user_id: Uuid,
    input: NewRoleGrant,
) -> DomainResult<RoleGrant> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    actor.require(Action::ManageUsers, None, &tree)?;
    user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let agency_id = match input.agency_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(agency) => Some(resolve_field(&txn, "agency_id", agency).await?.id),
    };
    if agency_id.is_none() && !matches!(input.role, Role::Admin | Role::Coordinator) {
        return Err(DomainError::invalid(
            "agency_id",
            Message::new("role_needs_agency").arg("role", input.role.as_str()),
        ));
    }
    let mut duplicate = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user_id))
        .filter(role_grant::Column::Role.eq(input.role.as_str()));
    duplicate = match agency_id {
        Some(agency) => duplicate.filter(role_grant::Column::AgencyId.eq(agency)),
        None => duplicate.filter(role_grant::Column::AgencyId.is_null()),
    };
    if let Some(existing) = duplicate.one(&txn).await? {
        txn.rollback().await?;
        return Ok(to_grant(existing));
    }
    let row = role_grant::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        role: Set(input.role.as_str().to_owned()),
        agency_id: Set(agency_id),
        granted_by: Set(actor.user_id),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    }
    .insert(&txn)
    .await?;
    audit(
        &txn,
        actor,
        "user.grant_role",
        "user",
        user_id,
        agency_id,
        json!({"grant_id": row.id, "role": row.role, "agency_id": agency_id}),
    )
    .await?;
    txn.commit().await?;
    Ok(to_grant(row))
}

/// Removes a role grant.
pub async fn revoke_role(
    conn: &DatabaseConnection,
    actor: &Actor,
    user_id: Uuid,
    grant_id: Uuid,
) -> DomainResult<()> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    actor.require(Action::ManageUsers, None, &tree)?;
    let grant = role_grant::Entity::find_by_id(grant_id)
        .filter(role_grant::Column::UserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("role_grant"))?;
    if Some(user_id) == actor.user_id && grant.role == Role::Admin.as_str() {
        return Err(DomainError::RuleViolated(Message::new(
            "cannot_revoke_own_admin",
        )));
    }
    role_grant::Entity::delete_by_id(grant_id)
        .exec(&txn)
        .await?;
    audit(
        &txn,
        actor,
        "user.revoke_role",
        "user",
        user_id,
        grant.agency_id,
        json!({"grant_id": grant_id, "role": grant.role, "agency_id": grant.agency_id}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One user with roles (`ReadUsers`, or the user themself).
pub async fn get_user(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<User> {
    if actor.user_id != Some(id) {
        let tree = AgencyTree::load(db).await?;
        actor.require(Action::ReadUsers, None, &tree)?;
    }
    let row = user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let grants = grants_of(db, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(to_user(row, grants))
}

/// Users, filtered, by username (`ReadUsers`).
pub async fn list_users(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &UserFilter,
    page: &PageRequest,
) -> DomainResult<Page<User>> {
    let tree = AgencyTree::load(db).await?;
    actor.require(Action::ReadUsers, None, &tree)?;
    let mut condition = Condition::all();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let lowercase = q.to_lowercase();
        condition = condition.add(
            Condition::any()
                .add(user::Column::Username.like(contains_pattern(&lowercase)))
                .add(user::Column::DisplayName.like(contains_pattern(q)))
                .add(user::Column::Email.like(contains_pattern(&lowercase))),
        );
    }
    if let Some(active) = filter.active {
        condition = condition.add(user::Column::Active.eq(active));
    }
    let role = match filter.role.as_deref() {
        None => None,
        Some(role) => Some(Role::parse(role).ok_or_else(|| {
            DomainError::invalid("role", Message::new("one_of").arg("allowed", Role::names()))
        })?),
    };
    let agency = match filter.agency.as_deref() {
        None => None,
        Some(agency) => Some(resolve_field(db, "agency", agency).await?.id),
    };
    if role.is_some() || agency.is_some() {
        let mut grants = role_grant::Entity::find()
            .select_only()
            .column(role_grant::Column::UserId);
        if let Some(role) = role {
            grants = grants.filter(role_grant::Column::Role.eq(role.as_str()));
        }
        if let Some(agency) = agency {
            grants = grants.filter(role_grant::Column::AgencyId.eq(agency));
        }
        let ids: Vec<Uuid> = grants.into_tuple().all(db).await?;
        condition = condition.add(user::Column::Id.is_in(ids));
    }
    let query = user::Entity::find()
        .filter(condition)
        .order_by_asc(user::Column::Username);
    let found = paginate(db, query, page).await?;
    let ids: Vec<Uuid> = found.items.iter().map(|row| row.id).collect();
    let mut grants = grants_of(db, &ids).await?;
    Ok(found.map(|row| {
        let roles = grants.remove(&row.id).unwrap_or_default();
        to_user(row, roles)
    }))
}

/// The grants of a user, as the access check needs them.
pub async fn access_grants(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<Vec<Grant>> {
    Ok(access_grants_of_many(db, &[user_id])
        .await?
        .remove(&user_id)
        .unwrap_or_default())
}

/// The grants of several users, by user, in one query.
pub async fn access_grants_of_many(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<Grant>>> {
    Ok(grants_of(db, user_ids)
        .await?
        .into_iter()
        .map(|(user, grants)| {
            let grants = grants
                .into_iter()
                .map(|grant| Grant {
                    role: grant.role,
                    agency_id: grant.agency_id,
                })
                .collect();
            (user, grants)
        })
        .collect())
}

async fn grants_of(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<RoleGrant>>> {
    let mut by_user: HashMap<Uuid, Vec<RoleGrant>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(by_user);
    }
    let rows = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.is_in(user_ids.iter().copied()))
        .order_by_asc(role_grant::Column::CreatedAt)
        .all(db)
        .await?;
    for row in rows {
        let user_id = row.user_id;
        if Role::parse(&row.role).is_some() {
            by_user.entry(user_id).or_default().push(to_grant(row));
        }
    }
    Ok(by_user)
}

pub(crate) async fn revoke_sessions(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<()> {
    session::Entity::update_many()
        .col_expr(
            session::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Some(Utc::now().trunc_subsecs(6))),
        )
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

fn to_grant(row: role_grant::Model) -> RoleGrant {
    RoleGrant {
        id: row.id,
        role: Role::parse(&row.role).unwrap_or(Role::Staff),
        agency_id: row.agency_id,
        created_at: row.created_at,
    }
}

fn to_user(row: user::Model, roles: Vec<RoleGrant>) -> User {
    User {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        email: row.email,
        active: row.active,
        language: row.language,
        roles,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn validate_email(email: Option<&str>) -> DomainResult<Option<String>> {
    let Some(email) = text::optional("email", email, 254)? else {
        return Ok(None);
    };
    let valid = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if !valid {
        return Err(DomainError::invalid("email", Message::new("not_an_email")));
    }
    Ok(Some(email.to_lowercase()))
}

pub(crate) fn validate_password(password: &str) -> DomainResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            "password",
            Message::new("too_short").arg("min", MIN_PASSWORD_CHARS),
        ));
    }
    if password.len() > 1024 {
        return Err(DomainError::invalid(
            "password",
            Message::new("too_long_bytes").arg("max", 1024),
        ));
    }
    Ok(())
}
