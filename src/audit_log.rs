//! The hash-chained audit trail: one row per change, written in the change's own transaction.
//!
//! Row `n` stores the hash of row `n-1` and its own hash: SHA-256 over a canonical JSON array of
//! its fields followed by the previous hash. The `audit_head` row holds the last sequence number
//! and hash, so removing rows at the end is detected too. Appending locks `audit_head`
//! (`FOR UPDATE` on PostgreSQL; SQLite write transactions are serialised by `BEGIN IMMEDIATE`), so
//! concurrent changes extend one chain instead of forking it.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::entities::{audit_head, audit_log};

/// The hash before the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change to record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    /// What happened, `entity.verb`: `agency.create`, `user.grant_role`…
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub agency_id: Option<Uuid>,
    /// What changed, as JSON (for an update: the changed fields with old and new values).
    pub summary: Value,
}

/// Appends `entry` to the chain inside the caller's transaction; returns its sequence number.
pub async fn record(db: &impl ConnectionTrait, entry: AuditEntry) -> Result<i64, DbErr> {
    record_many(db, [entry]).await
}

/// Rows of one multi-row insert: 11 values each, well under SQLite's 32,766 parameters.
const ROWS_PER_INSERT: usize = 500;

/// Appends `entries`, in order, to the chain inside the caller's transaction: the chain's head
/// is read and moved once, and the rows go in a few multi-row inserts, so a bulk change pays
/// three statements for its trail rather than three per row. Returns the last sequence number
/// (the head's, when there are no entries).
pub async fn record_many(
    db: &impl ConnectionTrait,
    entries: impl IntoIterator<Item = AuditEntry>,
) -> Result<i64, DbErr> {
    let mut entries = entries.into_iter().peekable();
    let head = audit_head::Entity::find_by_id(1)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_head row is missing".into()))?;
    if entries.peek().is_none() {
        return Ok(head.last_seq);
    }
    let at = Utc::now().trunc_subsecs(6);
    let (mut seq, mut hash) = (head.last_seq, head.last_hash);
    let mut rows = Vec::new();
    for entry in entries {
        seq += 1;
        let mut row = audit_log::Model {
            seq,
            at,
            actor_id: entry.actor_id,
            actor_name: entry.actor_name,
            action: entry.action,
            entity_type: entry.entity_type,
            entity_id: entry.entity_id,
            agency_id: entry.agency_id,
            summary: entry.summary.to_string(),
            prev_hash: hash,
            hash: String::new(),
        };
        row.hash = row_hash(&row);
        hash = row.hash.clone();
        // Every column set, so each row of a multi-row insert has the same columns.
        rows.push(audit_log::ActiveModel::from(row).reset_all());
    }
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(ROWS_PER_INSERT));
        audit_log::Entity::insert_many(std::mem::replace(&mut rows, rest))
            .exec_without_returning(db)
            .await?;
    }
    audit_head::ActiveModel {
        id: Set(1),
        last_seq: Set(seq),
        last_hash: Set(hash),
    }
    .update(db)
    .await?;
    Ok(seq)
}

/// The hash a row must carry, computed from its fields and its `prev_hash`.
pub fn row_hash(row: &audit_log::Model) -> String {
    let canonical = serde_json::json!([
        row.seq,
        timestamp(&row.at),
        row.actor_id.map(|id| id.to_string()),
        row.actor_name,
        row.action,
        row.entity_type,
        row.entity_id,
        row.agency_id.map(|id| id.to_string()),
        row.summary,
        row.prev_hash,
    ]);
    let mut hasher = Sha256::new();
    hasher.update(canonical.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

fn timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The sequence number of the first row that fails (or where a row is missing).
    pub seq: i64,
    pub reason: String,
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub rows_checked: u64,
    pub first_broken: Option<BrokenLink>,
}

/// Walks the whole chain in order and reports the first edited, inserted or removed row.
pub async fn verify(db: &impl ConnectionTrait) -> Result<VerifyReport, DbErr> {
    const BATCH: u64 = 1000;
    let mut expected_seq = 1i64;
    let mut previous_hash = GENESIS_HASH.to_owned();
    let mut rows_checked = 0u64;
    loop {
        let batch = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        let batch_len = batch.len() as u64;
        for row in batch {
            let broken = |reason: String| VerifyReport {
                rows_checked,
                first_broken: Some(BrokenLink {
                    seq: row.seq,
                    reason,
                }),
            };
            if row.seq != expected_seq {
                return Ok(broken(format!(
                    "row {expected_seq} is missing (next row is {})",
                    row.seq
                )));
            }
            if row.prev_hash != previous_hash {
                return Ok(broken(
                    "previous-hash link does not match the row before it (a row was removed or inserted)"
                        .into(),
                ));
            }
            if row_hash(&row) != row.hash {
                return Ok(broken(
                    "contents do not match the row's hash (the row was edited)".into(),
                ));
            }
            previous_hash = row.hash;
            expected_seq += 1;
            rows_checked += 1;
        }
        if batch_len < BATCH {
            break;
        }
    }
    // Anything before the first row that is not 1 was caught above; check the end of the chain.
    let head = audit_head::Entity::find_by_id(1).one(db).await?;
    let last_seq = expected_seq - 1;
    let head_matches = head
        .as_ref()
        .is_some_and(|head| head.last_seq == last_seq && head.last_hash == previous_hash);
    if !head_matches {
        let head_seq = head.map_or(0, |head| head.last_seq);
        return Ok(VerifyReport {
            rows_checked,
            first_broken: Some(BrokenLink {
                seq: last_seq + 1,
                reason: format!(
                    "the chain ends at row {last_seq} but the head records row {head_seq} (rows at the end were removed)"
                ),
            }),
        });
    }
    Ok(VerifyReport {
        rows_checked,
        first_broken: None,
    })
}

/// Number of rows in the trail.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    audit_log::Entity::find().count(db).await
}
