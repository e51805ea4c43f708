//! A person's own account, and what an administrator does for someone locked out: change
//! one's own password, reset another's to a new random one, lift the lock that failed
//! sign-ins put on an account.

use chrono::{SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Action, Actor, AgencyTree, DomainError, DomainResult, audit, passwords,
    users::{revoke_sessions, validate_password},
};
use crate::{
    db::{
        self,
        entities::{login_attempt, session, user},
    },
    i18n::Message,
};

/// `POST /api/v1/me/password`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the actor's own password after checking the current one. Their other sessions end;
/// the one they act in (`keep_token`) goes on.
pub async fn change_own_password(
    conn: &DatabaseConnection,
    actor: &Actor,
    keep_token: &str,
    change: PasswordChange,
) -> DomainResult<()> {
    let user_id = actor.user_id.ok_or(DomainError::Forbidden)?;
    let account = user::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let matches =
        passwords::verify_password(change.current_password, account.password_hash.clone()).await?;
    if !matches {
        return Err(DomainError::invalid(
            "current_password",
            Message::new("wrong_current_password"),
        ));
    }
    validate_password(&change.new_password).map_err(|error| match error {
        DomainError::Invalid { reason, .. } => DomainError::invalid("new_password", reason),
        other => other,
    })?;
    let hash = passwords::hash_password(change.new_password).await?;
    let txn = db::begin_write(conn).await?;
    let mut row: user::ActiveModel = account.into();
    row.password_hash = Set(hash);
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    row.update(&txn).await?;
    session::Entity::update_many()
        .col_expr(
            session::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Some(Utc::now().trunc_subsecs(6))),
        )
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::TokenHash.ne(crate::domain::auth::token_hash(keep_token)))
        .exec(&txn)
        .await?;
    audit(
        &txn,
        actor,
        "user.password_change",
        "user",
        user_id,
        None,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// `PATCH /api/v1/me`: one's own name as others see it, and the language of one's pages.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    /// `vi` or `en`.
    pub language: Option<String>,
}

/// Changes the actor's own display name and language; audited with what changed.
pub async fn change_own_profile(
    conn: &DatabaseConnection,
    actor: &Actor,
    change: ProfileChange,
) -> DomainResult<user::Model> {
    let user_id = actor.user_id.ok_or(DomainError::Forbidden)?;
    let display_name = change
        .display_name
        .as_deref()
        .map(|name| super::text::required("display_name", name, 200))
        .transpose()?;
    let language = match change.language.as_deref().map(str::trim) {
        None => None,
        Some(tag) => Some(
            crate::i18n::Lang::from_tag(tag)
                .ok_or_else(|| {
                    DomainError::invalid(
                        "language",
                        Message::new("one_of").arg("allowed", "vi, en"),
                    )
                })?
                .tag()
                .to_owned(),
        ),
    };
    let txn = db::begin_write(conn).await?;
    let account = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let mut changed = serde_json::Map::new();
    let mut row: user::ActiveModel = account.clone().into();
    if let Some(name) = display_name.filter(|name| *name != account.display_name) {
        changed.insert("display_name".into(), json!([account.display_name, name]));
        row.display_name = Set(name);
    }
    if let Some(tag) = language.filter(|tag| account.language.as_deref() != Some(tag)) {
        changed.insert("language".into(), json!([account.language, tag]));
        row.language = Set(Some(tag));
    }
    if changed.is_empty() {
        return Ok(account);
    }
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    let saved = row.update(&txn).await?;
    audit(
        &txn,
        actor,
        "user.profile_change",
        "user",
        user_id,
        None,
        serde_json::Value::Object(changed),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

async fn account_to_manage(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<user::Model> {
    let tree = AgencyTree::load(conn).await?;
    actor.require(Action::ManageUsers, None, &tree)?;
    user::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("user"))
}

/// Finds an account by id or username, for the operator's command line.
pub async fn find(conn: &DatabaseConnection, id_or_username: &str) -> DomainResult<user::Model> {
    let query = match id_or_username.parse::<Uuid>() {
        Ok(id) => user::Entity::find_by_id(id),
        Err(_) => user::Entity::find()
            .filter(user::Column::Username.eq(id_or_username.trim().to_lowercase())),
    };
    query.one(conn).await?.ok_or(DomainError::NotFound("user"))
}

/// Gives someone a new random password (an administrator); their sessions end and the lock
/// of failed sign-ins is lifted. The password is returned to be handed over, never stored
/// in clear or logged.
pub async fn reset_password(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<String> {
    let account = account_to_manage(conn, actor, id).await?;
    let password = passwords::random_password();
    let hash = passwords::hash_password(password.clone()).await?;
    let txn = db::begin_write(conn).await?;
    let username = account.username.clone();
    let mut row: user::ActiveModel = account.into();
    row.password_hash = Set(hash);
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    row.update(&txn).await?;
    revoke_sessions(&txn, id).await?;
    let lifted = lift_lock(&txn, &username).await?;
    audit(
        &txn,
        actor,
        "user.password_reset",
        "user",
        id,
        None,
        json!({"failed_sign_ins_cleared": lifted}),
    )
    .await?;
    txn.commit().await?;
    Ok(password)
}

/// Lifts the lock failed sign-ins put on an account (an administrator); returns how many
/// failures were cleared. The audit trail keeps who did it.
pub async fn unlock(conn: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<u64> {
    let account = account_to_manage(conn, actor, id).await?;
    let txn = db::begin_write(conn).await?;
    let lifted = lift_lock(&txn, &account.username).await?;
    audit(
        &txn,
        actor,
        "user.unlock",
        "user",
        id,
        None,
        json!({"failed_sign_ins_cleared": lifted}),
    )
    .await?;
    txn.commit().await?;
    Ok(lifted)
}

async fn lift_lock(db: &impl sea_orm::ConnectionTrait, username: &str) -> DomainResult<u64> {
    Ok(login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::Username.eq(username))
        .filter(login_attempt::Column::Succeeded.eq(false))
        .exec(db)
        .await?
        .rows_affected)
}
