//! Signing in and out: argon2id passwords, random tokens stored hashed, login throttling, and the
//! first administrator.

use std::collections::HashMap;

use base64::Engine;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    Actor, DomainError, DomainResult, Grant, Role, audit,
    passwords::{DECOY_HASH, random_password, verify_password},
    users,
};
use crate::{
    config::Config,
    db::{
        self,
        entities::{login_attempt, role_grant, session, user},
    },
    names::Named,
};

/// Prefix of every token, so leaked tokens are easy to recognise and scan for.
const TOKEN_PREFIX: &str = "hoso_";

/// Where a login comes from.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: Option<String>,
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The bearer token; shown once, stored only as its hash.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: users::User,
}

/// Checks a username and password. Wrong passwords and unknown users both answer
/// `BadCredentials` (the same words, the same time); too many recent failures for the username or the address answer
/// `Throttled`, even with the right password.
pub async fn login(
    conn: &DatabaseConnection,
    config: &Config,
    username: &str,
    password: &str,
    client: &ClientInfo,
) -> DomainResult<LoginOutcome> {
    let username = username.trim().to_lowercase();
    let username: String = username.chars().take(64).collect();
    let window = Duration::minutes(i64::from(config.login_window_minutes.max(1)));
    throttle(conn, config, &username, &client.ip, window).await?;

    let found = user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .one(conn)
        .await?;
    let hash = found
        .as_ref()
        .map_or_else(|| DECOY_HASH.to_owned(), |row| row.password_hash.clone());
    let password_ok = verify_password(password.to_owned(), hash).await?;
    let account = found.filter(|row| password_ok && row.active);

    let txn = db::begin_write(conn).await?;
    let now = Utc::now().trunc_subsecs(6);
    login_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username.clone()),
        client_ip: Set(client.ip.chars().take(64).collect()),
        succeeded: Set(account.is_some()),
        attempted_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let Some(account) = account else {
        txn.commit().await?;
        return Err(DomainError::BadCredentials);
    };

    let token = new_token();
    let expires_at = now + Duration::hours(i64::from(config.session_ttl_hours));
    let session_id = Uuid::now_v7();
    session::ActiveModel {
        id: Set(session_id),
        user_id: Set(account.id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        user_agent: Set(client
            .user_agent
            .as_ref()
            .map(|agent| agent.chars().take(300).collect())),
        client_ip: Set(Some(client.ip.chars().take(64).collect())),
    }
    .insert(&txn)
    .await?;
    let actor = Actor {
        user_id: Some(account.id),
        name: account.username.clone(),
        grants: Vec::new(),
    };
    audit(
        &txn,
        &actor,
        "auth.login",
        "session",
        session_id,
        None,
        json!({"client_ip": client.ip, "expires_at": expires_at}),
    )
    .await?;
    txn.commit().await?;
    let user = users::get_user(conn, &actor, account.id).await?;
    Ok(LoginOutcome {
        token,
        expires_at,
        user,
    })
}

async fn throttle(
    db: &impl ConnectionTrait,
    config: &Config,
    username: &str,
    ip: &str,
    window: Duration,
) -> DomainResult<()> {
    let since = Utc::now() - window;
    let failures_for_user = login_attempt::Entity::find()
        .filter(login_attempt::Column::Username.eq(username))
        .filter(login_attempt::Column::Succeeded.eq(false))
        .filter(login_attempt::Column::AttemptedAt.gt(since))
        .count(db)
        .await?;
    let failures_from_ip = login_attempt::Entity::find()
        .filter(login_attempt::Column::ClientIp.eq(ip))
        .filter(login_attempt::Column::Succeeded.eq(false))
        .filter(login_attempt::Column::AttemptedAt.gt(since))
        .count(db)
        .await?;
    let limit = u64::from(config.login_max_failures.max(1));
    if failures_for_user >= limit || failures_from_ip >= limit * 4 {
        return Err(DomainError::Throttled {
            retry_after_secs: window.num_seconds().max(1) as u64,
        });
    }
    Ok(())
}

/// Who a token belongs to, remembered for a few seconds so a signed-in request does not read
/// the session, the user and their grants from the database every time (that was most of what
/// the HTTP path added to a search). This process forgets a token at once when it signs out and
/// a user's tokens when their account or roles change; another process of a cluster notices
/// within `ttl`. A `ttl` of zero remembers nothing.
pub struct SessionCache {
    ttl: std::time::Duration,
    entries: std::sync::Mutex<HashMap<String, Remembered>>,
}

struct Remembered {
    actor: Actor,
    until: std::time::Instant,
    expires_at: DateTime<Utc>,
}

/// Most tokens remembered at once; past it the cache starts afresh.
const CACHED_SESSIONS: usize = 10_000;

impl SessionCache {
    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            ttl,
            entries: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Remembered>> {
        match self.entries.lock() {
            Ok(entries) => entries,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn get(&self, key: &str) -> Option<Actor> {
        let entries = self.entries();
        let found = entries.get(key)?;
        (found.until > std::time::Instant::now() && found.expires_at > Utc::now())
            .then(|| found.actor.clone())
    }

    fn put(&self, key: String, actor: Actor, expires_at: DateTime<Utc>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= CACHED_SESSIONS {
            entries.clear();
        }
        entries.insert(
            key,
            Remembered {
                actor,
                until: std::time::Instant::now() + self.ttl,
                expires_at,
            },
        );
    }

    /// Forgets one token (it was signed out).
    pub fn forget_token(&self, token: &str) {
        self.entries().remove(&token_hash(token));
    }

    /// Forgets every token of a user (their account or roles changed).
    pub fn forget_user(&self, user_id: Uuid) {
        self.entries()
            .retain(|_, remembered| remembered.actor.user_id != Some(user_id));
    }
}

/// The actor behind a token, or `SessionEnded` when it is unknown, expired or revoked;
/// remembered in `cache` for its time to live.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    cache: &SessionCache,
    token: &str,
) -> DomainResult<Actor> {
    let key = token_hash(token);
    if let Some(actor) = cache.get(&key) {
        return Ok(actor);
    }
    let (actor, expires_at) = authenticate_with_expiry(db, token).await?;
    cache.put(key, actor.clone(), expires_at);
    Ok(actor)
}

/// The actor behind a token read from the database, with the moment its session expires.
async fn authenticate_with_expiry(
    db: &impl ConnectionTrait,
    token: &str,
) -> DomainResult<(Actor, DateTime<Utc>)> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
        return Err(DomainError::SessionEnded);
    }
    let now = Utc::now();
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash(token)))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or(DomainError::SessionEnded)?;
    let account = user::Entity::find_by_id(found.user_id)
        .one(db)
        .await?
        .filter(|row| row.active)
        .ok_or(DomainError::SessionEnded)?;
    let grants = users::access_grants(db, account.id).await?;
    let actor = Actor {
        user_id: Some(account.id),
        name: account.username,
        grants,
    };
    Ok((actor, found.expires_at))
}

/// Revokes the session of `token`.
pub async fn logout(conn: &DatabaseConnection, actor: &Actor, token: &str) -> DomainResult<()> {
    let txn = db::begin_write(conn).await?;
    let Some(found) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash(token)))
        .filter(session::Column::RevokedAt.is_null())
        .one(&txn)
        .await?
    else {
        return Err(DomainError::Unauthenticated);
    };
    let mut row: session::ActiveModel = found.clone().into();
    row.revoked_at = Set(Some(Utc::now().trunc_subsecs(6)));
    row.update(&txn).await?;
    audit(
        &txn,
        actor,
        "auth.logout",
        "session",
        found.id,
        None,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The first administrator, created when no user exists yet.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    pub username: String,
    /// Set when the password was generated: it must be shown once, to the operator only.
    pub generated_password: Option<String>,
}

/// Creates the first administrator if there is no user: from `bootstrap_admin` and
/// `bootstrap_password`, else `admin` with a random password. `None` when users exist.
pub async fn ensure_bootstrap_admin(
    conn: &DatabaseConnection,
    config: &Config,
) -> DomainResult<Option<BootstrapAdmin>> {
    if user::Entity::find().count(conn).await? > 0 {
        return Ok(None);
    }
    let username = config
        .bootstrap_admin
        .clone()
        .unwrap_or_else(|| "admin".to_owned());
    let (password, generated) = match &config.bootstrap_password {
        Some(password) => (password.clone(), false),
        None => (random_password(), true),
    };
    let operator = Actor::system("bootstrap");
    let created = users::create_user(
        conn,
        &operator,
        users::NewUser {
            username,
            display_name: "Quản trị hệ thống".to_owned(),
            email: None,
            password: password.clone(),
        },
    )
    .await;
    let created = match created {
        Ok(created) => created,
        // Another process created the first user at the same moment.
        Err(DomainError::Conflict(_)) => return Ok(None),
        Err(error) => return Err(error),
    };
    users::grant_role(
        conn,
        &operator,
        created.id,
        users::NewRoleGrant {
            role: Role::Admin,
            agency_id: None,
        },
    )
    .await?;
    Ok(Some(BootstrapAdmin {
        username: created.username,
        generated_password: generated.then_some(password),
    }))
}

/// Builds the actor for a grant list; used where a user acts outside HTTP.
pub async fn actor_for_user(db: &impl ConnectionTrait, username: &str) -> DomainResult<Actor> {
    let account = user::Entity::find()
        .filter(user::Column::Username.eq(username.to_lowercase()))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let grants: Vec<Grant> = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(account.id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|grant| {
            Role::parse(&grant.role).map(|role| Grant {
                role,
                agency_id: grant.agency_id,
            })
        })
        .collect();
    Ok(Actor {
        user_id: Some(account.id),
        name: account.username,
        grants,
    })
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone(user: Uuid) -> Actor {
        Actor {
            user_id: Some(user),
            name: "canbo".into(),
            grants: Vec::new(),
        }
    }

    #[test]
    fn the_session_cache_forgets_on_sign_out_role_changes_expiry_and_time() {
        let cache = SessionCache::new(std::time::Duration::from_secs(60));
        let (first, second) = (new_token(), new_token());
        let user = Uuid::now_v7();
        let later = Utc::now() + Duration::hours(1);
        cache.put(token_hash(&first), someone(user), later);
        cache.put(token_hash(&second), someone(user), later);
        assert!(cache.get(&token_hash(&first)).is_some());
        cache.forget_token(&first);
        assert!(cache.get(&token_hash(&first)).is_none(), "signed out");
        assert!(cache.get(&token_hash(&second)).is_some());
        cache.forget_user(user);
        assert!(
            cache.get(&token_hash(&second)).is_none(),
            "the user changed"
        );
        cache.put(
            token_hash(&first),
            someone(user),
            Utc::now() - Duration::seconds(1),
        );
        assert!(
            cache.get(&token_hash(&first)).is_none(),
            "the session expired"
        );
        let off = SessionCache::new(std::time::Duration::ZERO);
        off.put(token_hash(&first), someone(user), later);
        assert!(
            off.get(&token_hash(&first)).is_none(),
            "a zero time to live remembers nothing"
        );
    }

    #[test]
    fn tokens_are_random_prefixed_and_stored_hashed() {
        let first = new_token();
        let second = new_token();
        assert!(first.starts_with("hoso_") && first.len() > 40);
        assert_ne!(first, second);
        assert_eq!(token_hash(&first).len(), 64);
        assert_ne!(token_hash(&first), first);
    }
}
