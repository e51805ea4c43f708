//! Records as the API shows them, and the list of records with its filters.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Query,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{RecordKind, kind_of, readable};
use crate::{
    clock::today,
    db::entities::{file, file_link, record, record_action, record_link},
    domain::{
        Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult, Page, PageRequest,
        agencies::{contains_pattern, resolve_field},
        files::{self, Extraction},
        paginate, parse_sort,
    },
    i18n::Message,
    names::Named,
};

/// A record of any kind: the fields every kind shares, its kind's own fields (`details`), its
/// actions, attachments and links, and the records under it or raised from it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Record {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub kind: RecordKind,
    pub number: String,
    pub title: String,
    /// The kind's classifier: a finding's grade, a corrective action's source…
    pub category: Option<String>,
    pub status: String,
    /// The record's day (an audit's planned start, the day a nonconformity was found…).
    pub occurred_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub year: i32,
    /// The record it belongs to (a finding's audit).
    pub parent_id: Option<Uuid>,
    /// The record it was raised from (a corrective action's finding).
    pub source_id: Option<Uuid>,
    pub series_id: Option<Uuid>,
    /// The kind's own fields.
    #[schema(value_type = Object)]
    pub details: Value,
    pub actions: Vec<RecordAction>,
    pub attachments: Vec<Attachment>,
    pub links: Vec<RecordLink>,
    /// Records under this one (an audit's findings and checklist), oldest first.
    pub children: Vec<RecordSummary>,
    /// Records raised from this one (a finding's corrective actions).
    pub raised: Vec<RecordSummary>,
    pub retention_until: Option<NaiveDate>,
    pub legal_hold: bool,
    /// The ETag that changes expect in `If-Match`.
    pub revision: i32,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A record in a list of related records.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordSummary {
    pub id: Uuid,
    pub kind: RecordKind,
    pub number: String,
    pub title: String,
    pub category: Option<String>,
    pub status: String,
    pub occurred_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

/// An action of a record: who does what by when, and when it was done.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordAction {
    pub id: Uuid,
    pub position: i32,
    /// A management review decision's output.
    pub output: Option<String>,
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub done_note: Option<String>,
    /// Past its due day and not done.
    pub overdue: bool,
}

/// A file attached to a record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    /// The attachment's id (`GET /api/v1/attachments/{id}/file`).
    pub id: Uuid,
    pub record_id: Uuid,
    pub original_filename: String,
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    pub extraction: Extraction,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Attachment {
    pub(crate) fn of(record_id: Uuid, file: &file::Model) -> Self {
        Self {
            id: file.id,
            record_id,
            original_filename: file.original_filename.clone(),
            sha256: file.blob_sha256.clone(),
            size: file.size,
            content_type: file.content_type.clone(),
            extraction: Extraction::of(file),
            uploaded_by: file.uploaded_by,
            created_at: file.created_at,
        }
    }
}

/// What a record refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordLink {
    /// `document`, `version` or `record`.
    pub kind: String,
    pub id: Uuid,
}

impl RecordSummary {
    fn of(row: &record::Model) -> Option<Self> {
        Some(Self {
            id: row.id,
            kind: RecordKind::parse(&row.kind)?,
            number: row.number.clone(),
            title: row.title.clone(),
            category: row.category.clone(),
            status: row.status.clone(),
            occurred_on: row.occurred_on,
            due_on: row.due_on,
            closed_on: row.closed_on,
        })
    }
}

impl From<&Record> for RecordSummary {
    fn from(record: &Record) -> Self {
        Self {
            id: record.id,
            kind: record.kind,
            number: record.number.clone(),
            title: record.title.clone(),
            category: record.category.clone(),
            status: record.status.clone(),
            occurred_on: record.occurred_on,
            due_on: record.due_on,
            closed_on: record.closed_on,
        }
    }
}

/// One record the actor may read, of `kind` when given.
pub async fn get_record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    kind: Option<RecordKind>,
) -> DomainResult<Record> {
    let tree = AgencyTree::load(db).await?;
    let row = readable(db, actor, &tree, id, kind).await?;
    view(db, row).await
}

/// The view of one record.
pub async fn view(db: &impl ConnectionTrait, row: record::Model) -> DomainResult<Record> {
    views(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| DomainError::Internal("a record without its view".into()))
}

/// The views of records, in their order: six queries whatever their number.
pub async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<record::Model>,
) -> DomainResult<Vec<Record>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let today = today();
    let mut actions: HashMap<Uuid, Vec<RecordAction>> = HashMap::new();
    for row in record_action::Entity::find()
        .filter(record_action::Column::RecordId.is_in(ids.clone()))
        .order_by_asc(record_action::Column::Position)
        .all(db)
        .await?
    {
        actions
            .entry(row.record_id)
            .or_default()
            .push(RecordAction {
                id: row.id,
                position: row.position,
                output: row.category,
                description: row.description,
                owner_id: row.owner_id,
                due_on: row.due_on,
                done_on: row.done_on,
                done_note: row.done_note,
                overdue: row.done_on.is_none() && row.due_on.is_some_and(|due| due < today),
            });
    }
    let mut attachments: HashMap<Uuid, Vec<Attachment>> = HashMap::new();
    let attached = file_link::Entity::find()
        .filter(file_link::Column::OwnerKind.eq(super::indexing::KIND))
        .filter(file_link::Column::OwnerId.is_in(ids.clone()))
        .order_by_asc(file_link::Column::CreatedAt)
        .order_by_asc(file_link::Column::FileId)
        .all(db)
        .await?;
    let file_rows = files::load_many(db, attached.iter().map(|link| link.file_id)).await?;
    for link in attached {
        if let Some(file) = file_rows.get(&link.file_id) {
            attachments
                .entry(link.owner_id)
                .or_default()
                .push(Attachment::of(link.owner_id, file));
        }
    }
    let mut links: HashMap<Uuid, Vec<RecordLink>> = HashMap::new();
    for link in record_link::Entity::find()
        .filter(record_link::Column::RecordId.is_in(ids.clone()))
        .order_by_asc(record_link::Column::CreatedAt)
        .order_by_asc(record_link::Column::TargetId)
        .all(db)
        .await?
    {
        links.entry(link.record_id).or_default().push(RecordLink {
            kind: link.target_kind,
            id: link.target_id,
        });
    }
    let mut children: HashMap<Uuid, Vec<RecordSummary>> = HashMap::new();
    let mut raised: HashMap<Uuid, Vec<RecordSummary>> = HashMap::new();
    for related in record::Entity::find()
        .filter(
            Condition::any()
                .add(record::Column::ParentId.is_in(ids.clone()))
                .add(record::Column::SourceId.is_in(ids.clone())),
        )
        .order_by_asc(record::Column::CreatedAt)
        .order_by_asc(record::Column::Id)
        .all(db)
        .await?
    {
        let Some(summary) = RecordSummary::of(&related) else {
            continue;
        };
        if let Some(parent) = related.parent_id.filter(|parent| ids.contains(parent)) {
            children.entry(parent).or_default().push(summary.clone());
        }
        if let Some(source) = related.source_id.filter(|source| ids.contains(source)) {
            raised.entry(source).or_default().push(summary);
        }
    }
    rows.into_iter()
        .map(|row| {
            let kind = kind_of(&row)?;
            let details = serde_json::from_str(&row.details).unwrap_or(Value::Null);
            Ok(Record {
                kind,
                details,
                actions: actions.remove(&row.id).unwrap_or_default(),
                attachments: attachments.remove(&row.id).unwrap_or_default(),
                links: links.remove(&row.id).unwrap_or_default(),
                children: children.remove(&row.id).unwrap_or_default(),
                raised: raised.remove(&row.id).unwrap_or_default(),
                id: row.id,
                agency_id: row.agency_id,
                number: row.number,
                title: row.title,
                category: row.category,
                status: row.status,
                occurred_on: row.occurred_on,
                due_on: row.due_on,
                closed_on: row.closed_on,
                year: row.year,
                parent_id: row.parent_id,
                source_id: row.source_id,
                series_id: row.series_id,
                retention_until: row.retention_until,
                legal_hold: row.legal_hold,
                revision: row.revision,
                created_by: row.created_by,
                updated_by: row.updated_by,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        })
        .collect()
}

/// Filters of the lists of records (`GET /api/v1/records`, `/audits`, `/corrective-actions`…).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordFilter {
    /// Agency id or code; includes its sub-agencies.
    pub agency: Option<String>,
    /// The record kind (`internal_audit`, `corrective_action`…); fixed by the kind's own list.
    pub kind: Option<String>,
    pub status: Option<String>,
    /// A finding's grade, a corrective action's source…
    pub category: Option<String>,
    pub year: Option<i32>,
    /// Records under this one (an audit's findings).
    pub parent: Option<Uuid>,
    /// Records raised from this one.
    pub source: Option<Uuid>,
    /// Text in the number or title.
    pub q: Option<String>,
    /// Only records past their due day, or with an action past its due day, and not done.
    pub overdue: Option<bool>,
    /// `occurred_on`, `number`, `updated_at`, `due_on`; prefix `-` for descending (default
    /// `-occurred_on`).
    pub sort: Option<String>,
}

/// Records the actor may read, filtered, sorted and paginated.
pub async fn list_records(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &RecordFilter,
    page: &PageRequest,
) -> DomainResult<Page<Record>> {
    let tree = AgencyTree::load(db).await?;
    let mut condition = Condition::all();
    match actor.scope(Action::ReadRecords, &tree) {
        AgencyScope::All => {}
        AgencyScope::Only(ids) => {
            condition = condition.add(record::Column::AgencyId.is_in(ids));
        }
    }
    if let Some(agency) = &filter.agency {
        let agency = resolve_field(db, "agency", agency).await?;
        condition = condition.add(record::Column::AgencyId.is_in(tree.covered_by(agency.id)));
    }
    if let Some(kind) = &filter.kind {
        let kind: RecordKind = super::parse_named("kind", kind)?;
        condition = condition.add(record::Column::Kind.eq(kind.as_str()));
    }
    if let Some(status) = filter.status.as_deref().map(str::trim) {
        if !super::is_status(status) {
            return Err(DomainError::invalid(
                "status",
                Message::new("one_of").arg("allowed", super::STATUSES.join(", ")),
            ));
        }
        condition = condition.add(record::Column::Status.eq(status));
    }
    if let Some(category) = filter.category.as_deref().map(str::trim) {
        condition = condition.add(record::Column::Category.eq(category));
    }
    if let Some(year) = filter.year {
        condition = condition.add(record::Column::Year.eq(year));
    }
    if let Some(parent) = filter.parent {
        condition = condition.add(record::Column::ParentId.eq(parent));
    }
    if let Some(source) = filter.source {
        condition = condition.add(record::Column::SourceId.eq(source));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let q: String = q.nfc().collect();
        condition = condition.add(
            Condition::any()
                .add(record::Column::NumberKey.like(contains_pattern(&q.to_lowercase())))
                .add(record::Column::Title.like(contains_pattern(&q))),
        );
    }
    if filter.overdue == Some(true) {
        condition = condition.add(overdue_condition(today()));
    }
    let sort = parse_sort(
        filter.sort.as_deref(),
        "-occurred_on",
        &[
            ("occurred_on", record::Column::OccurredOn),
            ("number", record::Column::NumberKey),
            ("updated_at", record::Column::UpdatedAt),
            ("due_on", record::Column::DueOn),
        ],
    )?;
    let query = record::Entity::find().filter(condition);
    let query = if sort.descending {
        query
            .order_by_desc(sort.column)
            .order_by_desc(record::Column::Id)
    } else {
        query
            .order_by_asc(sort.column)
            .order_by_asc(record::Column::Id)
    };
    let mut found = paginate(db, query, page).await?;
    let items = views(db, std::mem::take(&mut found.items)).await?;
    Ok(found.with_items(items))
}

/// Not closed, and past its own due day or with an action past its due day and not done.
pub(crate) fn overdue_condition(today: NaiveDate) -> Condition {
    let late_actions = Query::select()
        .column(record_action::Column::RecordId)
        .from(record_action::Entity)
        .and_where(record_action::Column::DoneOn.is_null())
        .and_where(record_action::Column::DueOn.lt(today))
        .to_owned();
    Condition::all()
        .add(record::Column::ClosedOn.is_null())
        .add(
            Condition::any()
                .add(record::Column::DueOn.lt(today))
                .add(record::Column::Id.in_subquery(late_actions)),
        )
}
