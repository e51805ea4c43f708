//! How records reach the search index: one entry for the record (its number, title, its kind's
//! text fields and actions) and one per attachment (the file's text), the record being the unit
//! replaced together. The record kind is the entry's subtype, so search's `kind` facet and
//! filter name it (`kind=corrective_action`).

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    db::entities::{file_link, record, record_action},
    domain::{
        DomainResult, files,
        indexing::{self, Indexer},
    },
    search::IndexItem,
};

/// The search kind of records, as `index` jobs and file links name it.
pub const KIND: &str = "record";
/// The entry kind of a record's attachment.
pub const ATTACHMENT: &str = "attachment";

/// Queues the re-indexing of a record, inside the caller's transaction.
pub async fn enqueue(db: &impl ConnectionTrait, record_id: Uuid) -> DomainResult<()> {
    indexing::enqueue(db, KIND, record_id).await
}

/// Builds the entries of records from the database.
pub struct RecordIndexer;

#[async_trait::async_trait]
impl Indexer for RecordIndexer {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn items(
        &self,
        db: &DatabaseConnection,
        units: &[Uuid],
    ) -> DomainResult<Vec<(Uuid, Vec<IndexItem>)>> {
        index_items(db, units).await
    }

    async fn units(&self, db: &DatabaseConnection) -> DomainResult<Vec<Uuid>> {
        Ok(record::Entity::find()
            .select_only()
            .column(record::Column::Id)
            .order_by_asc(record::Column::Id)
            .into_tuple::<Uuid>()
            .all(db)
            .await?)
    }
}

/// The entries of records, by record: a few queries per batch of records.
pub async fn index_items(
    db: &impl ConnectionTrait,
    record_ids: &[Uuid],
) -> DomainResult<Vec<(Uuid, Vec<IndexItem>)>> {
    let mut entries = Vec::with_capacity(record_ids.len());
    for chunk in record_ids.chunks(500) {
        let rows: HashMap<Uuid, record::Model> = record::Entity::find()
            .filter(record::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        let mut actions: HashMap<Uuid, Vec<String>> = HashMap::new();
        for action in record_action::Entity::find()
            .filter(record_action::Column::RecordId.is_in(chunk.to_vec()))
            .order_by_asc(record_action::Column::Position)
            .all(db)
            .await?
        {
            let texts = actions.entry(action.record_id).or_default();
            texts.push(action.description);
            texts.extend(action.done_note);
        }
        let links = file_link::Entity::find()
            .filter(file_link::Column::OwnerKind.eq(KIND))
            .filter(file_link::Column::OwnerId.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        let file_rows = files::load_many(db, links.iter().map(|link| link.file_id)).await?;
        let mut texts = files::pages_of_many(db, links.iter().map(|link| link.file_id)).await?;
        let mut attached: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for link in &links {
            attached
                .entry(link.owner_id)
                .or_default()
                .push(link.file_id);
        }
        for id in chunk {
            let Some(row) = rows.get(id) else {
                entries.push((*id, Vec::new()));
                continue;
            };
            let mut body = Vec::new();
            if let Ok(details) = serde_json::from_str::<Value>(&row.details) {
                collect_text(&details, &mut body);
            }
            body.extend(actions.remove(id).unwrap_or_default());
            let entry =
                |kind: &'static str, item_id: Uuid, body: String, filename: String| IndexItem {
                    kind,
                    id: item_id.to_string(),
                    group: id.to_string(),
                    agency_id: row.agency_id.to_string(),
                    subtype: row.kind.clone(),
                    status: row.status.clone(),
                    public: true,
                    people: Vec::new(),
                    code: row.number.clone(),
                    identifiers: Vec::new(),
                    title: row.title.clone(),
                    body,
                    tags: row.category.iter().cloned().collect(),
                    filename,
                    effective_from: None,
                    effective_to: None,
                    year: u64::try_from(row.year).ok(),
                };
            let mut items = vec![entry(KIND, row.id, body.join("\n"), String::new())];
            for file_id in attached.remove(id).unwrap_or_default() {
                let Some(file) = file_rows.get(&file_id) else {
                    continue;
                };
                let text = texts.remove(&file_id).unwrap_or_default().join("\u{000C}");
                items.push(entry(
                    ATTACHMENT,
                    file_id,
                    text,
                    file.original_filename.clone(),
                ));
            }
            entries.push((*id, items));
        }
    }
    Ok(entries)
}

/// A record's own text as people read it: its title, then its fields' text, one per line.
pub(crate) fn plain_text(row: &record::Model) -> String {
    let mut lines = vec![row.title.clone()];
    if let Ok(details) = serde_json::from_str::<Value>(&row.details) {
        collect_text(&details, &mut lines);
    }
    lines.join("\n")
}

/// The text values of a kind's fields, in order (ids, days and numbers left out).
fn collect_text(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(text) => {
            let text = text.trim();
            if !text.is_empty() && uuid::Uuid::parse_str(text).is_err() && !looks_like_day(text) {
                into.push(text.to_owned());
            }
        }
        Value::Array(values) => values.iter().for_each(|value| collect_text(value, into)),
        Value::Object(fields) => fields.values().for_each(|value| collect_text(value, into)),
        _ => {}
    }
}

fn looks_like_day(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}
