//! The document register: creating, editing, reading and listing documents.

use std::collections::BTreeSet;

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Document, DocumentKind, DocumentStatus,
    access::{DocumentRights, readable_document},
    document_view, document_views, legal_refs, refresh_document,
};
use crate::{
    clock::today,
    db::{
        self,
        entities::{document, document_legal_ref, user},
    },
    domain::concurrency::ExpectedRevision,
    domain::{
        Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult, Page, PageRequest,
        Trail,
        agencies::{contains_pattern, resolve_field},
        audit, paginate, parse_sort, text,
    },
    i18n::Message,
    names::Named,
};

/// `POST /api/v1/documents`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    /// Agency id or code.
    pub agency_id: String,
    /// Mã hiệu, e.g. `QT-01`; unique within the agency, ignoring case.
    pub code: String,
    pub title: String,
    pub kind: DocumentKind,
    /// The user responsible for the document (defaults to its creator).
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    /// Months between periodic reviews (default 12).
    #[serde(default)]
    pub review_interval_months: Option<i32>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Legal references the document cites (căn cứ pháp lý), by id or number
    /// (`19/2014/QĐ-TTg`).
    #[serde(default)]
    pub legal_ref_ids: Vec<String>,
}

/// `PATCH /api/v1/documents/{id}`: any of the fields of [`NewDocument`] but the agency.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentChanges {
    pub code: Option<String>,
    pub title: Option<String>,
    pub kind: Option<DocumentKind>,
    pub owner_id: Option<Uuid>,
    pub review_interval_months: Option<i32>,
    pub tags: Option<Vec<String>>,
    /// Replaces the cited legal references (ids or numbers).
    pub legal_ref_ids: Option<Vec<String>>,
}

/// Filters of `GET /api/v1/documents`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    /// Agency id or code; includes its sub-agencies.
    pub agency: Option<String>,
    pub kind: Option<String>,
    /// `draft`, `effective`, `needs_update`, `under_revision` or `obsolete`.
    pub status: Option<String>,
    pub tag: Option<String>,
    /// Text in the code or title.
    pub q: Option<String>,
    /// Only documents past their review date or their legal-update deadline.
    pub overdue: Option<bool>,
    /// `code`, `title`, `updated_at`, `next_review_on`; prefix `-` for descending.
    pub sort: Option<String>,
}

/// Creates a document (no version yet; upload one next).
pub async fn create_document(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewDocument,
) -> DomainResult<Document> {
    let txn = db::begin_write(conn).await?;
    let row = insert_document(&txn, &mut Trail::Now, actor, input).await?;
    txn.commit().await?;
    document_view(conn, actor, row, true).await
}

/// [`create_document`] inside the caller's transaction (the bulk import commits a document, its
/// first version and its import record together, and writes the audit rows of a batch of
/// files at its end: `trail`).
pub(crate) async fn insert_document(
    txn: &DatabaseTransaction,
    trail: &mut Trail,
    actor: &Actor,
    input: NewDocument,
) -> DomainResult<document::Model> {
    let code = text::required("code", &input.code, 100)?;
    let title = text::required("title", &input.title, 500)?;
    let interval = review_interval(input.review_interval_months.unwrap_or(12))?;
    let tags = clean_tags(&input.tags)?;
    let tree = AgencyTree::load(txn).await?;
    let agency = resolve_field(txn, "agency_id", &input.agency_id).await?;
    actor.require(Action::EditDocuments, Some(agency.id), &tree)?;
    if agency.successor_id.is_some() || !agency.active {
        let state = if agency.successor_id.is_some() {
            "merged"
        } else {
            "inactive"
        };
        return Err(DomainError::RuleViolated(
            Message::new("agency_closed")
                .arg("agency", &agency.code)
                .arg("state", state),
        ));
    }
    ensure_code_free(txn, agency.id, &code, None).await?;
    let owner_id = match input.owner_id {
        Some(owner) => Some(existing_user(txn, owner).await?),
        None => actor.user_id,
    };
    let legal_ref_ids = legal_refs::resolve_all(txn, "legal_ref_ids", &input.legal_ref_ids).await?;
    let now = Utc::now().trunc_subsecs(6);
    let row = document::ActiveModel {
        id: Set(Uuid::now_v7()),
        agency_id: Set(agency.id),
        code_key: Set(code_key(&code)),
        code: Set(code),
        title: Set(title),
        kind: Set(input.kind.as_str().to_owned()),
        owner_id: Set(owner_id),
        review_interval_months: Set(interval),
        next_review_on: Set(None),
        tags: Set(serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into())),
        status: Set(DocumentStatus::Draft),
        update_required_by: Set(None),
        update_reason: Set(None),
        obsolete_reason: Set(None),
        revision: Set(1),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    insert_legal_refs(txn, row.id, &legal_ref_ids).await?;
    trail
        .audit(
        txn,
        actor,
        "document.create",
        "document",
        row.id,
        Some(row.agency_id),
        json!({"code": row.code, "title": row.title, "kind": row.kind, "legal_ref_ids": legal_ref_ids}),
    )
    .await?;
    Ok(row)
}

/// Changes a document's register fields. `expected` is the revision (ETag) the caller read;
/// once access is granted, a different current revision fails with `StaleRevision` and
/// changes nothing.
pub async fn update_document(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected: ExpectedRevision,
    changes: DocumentChanges,
) -> DomainResult<Document> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = readable_document(&txn, actor, &tree, id).await?;
    if !DocumentRights::of(actor, &current, &tree).edit {
        return Err(DomainError::Forbidden);
    }
    expected.check(current.revision)?;
    let mut row: document::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(code) = changes.code {
        let code = text::required("code", &code, 100)?;
        if code != current.code {
            ensure_code_free(&txn, current.agency_id, &code, Some(id)).await?;
            summary.insert("code".into(), json!([current.code, code]));
            row.code_key = Set(code_key(&code));
            row.code = Set(code);
        }
    }
    if let Some(title) = changes.title {
        let title = text::required("title", &title, 500)?;
        if title != current.title {
            summary.insert("title".into(), json!([current.title, title]));
            row.title = Set(title);
        }
    }
    if let Some(kind) = changes.kind
        && kind.as_str() != current.kind
    {
        summary.insert("kind".into(), json!([current.kind, kind.as_str()]));
        row.kind = Set(kind.as_str().to_owned());
    }
    if let Some(owner) = changes.owner_id
        && Some(owner) != current.owner_id
    {
        existing_user(&txn, owner).await?;
        summary.insert("owner_id".into(), json!([current.owner_id, owner]));
        row.owner_id = Set(Some(owner));
    }
    if let Some(months) = changes.review_interval_months {
        let months = review_interval(months)?;
        if months != current.review_interval_months {
            summary.insert(
                "review_interval_months".into(),
                json!([current.review_interval_months, months]),
            );
            row.review_interval_months = Set(months);
        }
    }
    if let Some(tags) = changes.tags {
        let tags = serde_json::to_string(&clean_tags(&tags)?).unwrap_or_else(|_| "[]".into());
        if tags != current.tags {
            summary.insert("tags".into(), json!([current.tags, tags]));
            row.tags = Set(tags);
        }
    }
    if let Some(names) = &changes.legal_ref_ids {
        let ref_ids = legal_refs::resolve_all(&txn, "legal_ref_ids", names).await?;
        summary.insert("legal_ref_ids".into(), json!(ref_ids));
        set_legal_refs(&txn, id, &ref_ids).await?;
    }
    if summary.is_empty() {
        txn.rollback().await?;
        return document_view(conn, actor, current, true).await;
    }
    let updated = row.update(&txn).await?;
    let updated = refresh_document(&txn, &updated).await?;
    audit(
        &txn,
        actor,
        "document.update",
        "document",
        id,
        Some(current.agency_id),
        Value::Object(summary),
    )
    .await?;
    txn.commit().await?;
    document_view(conn, actor, updated, true).await
}

/// One document with the versions the actor may see.
pub async fn get_document(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<Document> {
    let tree = AgencyTree::load(db).await?;
    let row = readable_document(db, actor, &tree, id).await?;
    let rights = DocumentRights::of(actor, &row, &tree);
    if row.status == DocumentStatus::Draft && !rights.sees_drafts() {
        return Err(DomainError::NotFound("document"));
    }
    document_view(db, actor, row, rights.sees_drafts()).await
}

/// What the actor may do with a document they may read (a page shows only the buttons that
/// work); another agency's document is "not found".
pub async fn rights_over(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<DocumentRights> {
    let tree = AgencyTree::load(db).await?;
    let row = readable_document(db, actor, &tree, id).await?;
    Ok(DocumentRights::of(actor, &row, &tree))
}

/// Documents the actor may read, filtered, sorted and paginated.
pub async fn list_documents(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &DocumentFilter,
    page: &PageRequest,
) -> DomainResult<Page<Document>> {
    let (query, tree) = register_query(db, actor, filter).await?;
    let mut found = paginate(db, query, page).await?;
    let rows = std::mem::take(&mut found.items);
    let items = views_of(db, actor, &tree, rows).await?;
    Ok(found.with_items(items))
}

/// The first `limit` documents of [`list_documents`]'s order, without counting the rest (the
/// dashboard shows ten drafts of an agency that may hold ten thousand).
pub async fn first_documents(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &DocumentFilter,
    limit: u64,
) -> DomainResult<Vec<Document>> {
    use sea_orm::QuerySelect;
    let (query, tree) = register_query(db, actor, filter).await?;
    let rows = query.limit(limit).all(db).await?;
    views_of(db, actor, &tree, rows).await
}

async fn views_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    rows: Vec<document::Model>,
) -> DomainResult<Vec<Document>> {
    let rows = rows
        .into_iter()
        .map(|row| {
            let sees_drafts = DocumentRights::of(actor, &row, tree).sees_drafts();
            (row, sees_drafts)
        })
        .collect();
    document_views(db, actor, rows).await
}

/// The register's query for `filter` (what the actor may read, sorted), and the agency tree it
/// was read with.
async fn register_query(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &DocumentFilter,
) -> DomainResult<(sea_orm::Select<document::Entity>, AgencyTree)> {
    let tree = AgencyTree::load(db).await?;
    let mut condition = Condition::all();
    let readable = match actor.scope(Action::ReadRecords, &tree) {
        AgencyScope::All => Condition::all(),
        AgencyScope::Only(ids) => Condition::all().add(document::Column::AgencyId.is_in(ids)),
    };
    let mut workable = Condition::any();
    for action in [Action::EditDocuments, Action::ApproveDocuments] {
        workable = match actor.scope(action, &tree) {
            AgencyScope::All => workable.add(Condition::all()),
            AgencyScope::Only(ids) => workable.add(document::Column::AgencyId.is_in(ids)),
        };
    }
    // Readable agencies' documents, drafts only where the actor works on them, and always
    // the documents the actor owns.
    let mut visible = Condition::any().add(
        readable.add(
            Condition::any()
                .add(document::Column::Status.ne(DocumentStatus::Draft))
                .add(workable),
        ),
    );
    if let Some(me) = actor.user_id {
        visible = visible.add(document::Column::OwnerId.eq(me));
    }
    condition = condition.add(visible);
    if let Some(agency) = &filter.agency {
        let agency = resolve_field(db, "agency", agency).await?;
        condition = condition.add(document::Column::AgencyId.is_in(tree.covered_by(agency.id)));
    }
    if let Some(kind) = &filter.kind {
        let kind = DocumentKind::parse(kind).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                Message::new("one_of").arg("allowed", DocumentKind::names()),
            )
        })?;
        condition = condition.add(document::Column::Kind.eq(kind.as_str()));
    }
    if let Some(status) = &filter.status {
        let status = DocumentStatus::parse(status).ok_or_else(|| {
            DomainError::invalid(
                "status",
                Message::new("one_of").arg("allowed", DocumentStatus::names()),
            )
        })?;
        // A document flagged for an update, or with a revision under way, is still in force.
        condition = if status == DocumentStatus::Effective {
            condition.add(
                document::Column::Status.is_in(
                    DocumentStatus::ALL
                        .iter()
                        .copied()
                        .filter(|status| status.in_force()),
                ),
            )
        } else {
            condition.add(document::Column::Status.eq(status))
        };
    }
    if let Some(tag) = filter
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
    {
        let quoted = serde_json::to_string(&tag.nfc().collect::<String>()).unwrap_or_default();
        condition = condition.add(document::Column::Tags.like(contains_pattern(&quoted)));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let q: String = q.nfc().collect();
        condition = condition.add(
            Condition::any()
                .add(document::Column::CodeKey.like(contains_pattern(&q.to_lowercase())))
                .add(document::Column::Title.like(contains_pattern(&q))),
        );
    }
    if filter.overdue == Some(true) {
        let today = today();
        condition = condition.add(
            Condition::any()
                .add(document::Column::UpdateRequiredBy.lt(today))
                .add(
                    Condition::all()
                        .add(document::Column::NextReviewOn.lt(today))
                        .add(document::Column::Status.ne(DocumentStatus::Obsolete)),
                ),
        );
    }
    let sort = parse_sort(
        filter.sort.as_deref(),
        "code",
        &[
            ("code", document::Column::CodeKey),
            ("title", document::Column::Title),
            ("updated_at", document::Column::UpdatedAt),
            ("next_review_on", document::Column::NextReviewOn),
        ],
    )?;
    let query = document::Entity::find().filter(condition);
    // Ties broken by id in the same direction, so one index serves the whole order.
    let query = if sort.descending {
        query
            .order_by_desc(sort.column)
            .order_by_desc(document::Column::Id)
    } else {
        query
            .order_by_asc(sort.column)
            .order_by_asc(document::Column::Id)
    };
    Ok((query, tree))
}

/// The code as compared: NFC, lowercase.
pub fn code_key(code: &str) -> String {
    code.trim().nfc().collect::<String>().to_lowercase()
}

async fn ensure_code_free(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
    code: &str,
    except: Option<Uuid>,
) -> DomainResult<()> {
    let mut query = document::Entity::find()
        .filter(document::Column::AgencyId.eq(agency_id))
        .filter(document::Column::CodeKey.eq(code_key(code)));
    if let Some(id) = except {
        query = query.filter(document::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(DomainError::Conflict(
            Message::new("document_code_taken").arg("code", code),
        ));
    }
    Ok(())
}

async fn existing_user(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Uuid> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|person| person.id)
        .ok_or_else(|| DomainError::invalid("owner_id", Message::new("no_such_user")))
}

async fn set_legal_refs(
    db: &impl ConnectionTrait,
    document_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<()> {
    document_legal_ref::Entity::delete_many()
        .filter(document_legal_ref::Column::DocumentId.eq(document_id))
        .exec(db)
        .await?;
    insert_legal_refs(db, document_id, ids).await
}

/// Records the legal bases of a document that has none yet, in one statement.
async fn insert_legal_refs(
    db: &impl ConnectionTrait,
    document_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<()> {
    let unique: BTreeSet<Uuid> = ids.iter().copied().collect();
    if unique.is_empty() {
        return Ok(());
    }
    let rows = unique
        .into_iter()
        .map(|legal_ref_id| document_legal_ref::ActiveModel {
            document_id: Set(document_id),
            legal_ref_id: Set(legal_ref_id),
        });
    document_legal_ref::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn review_interval(months: i32) -> DomainResult<i32> {
    if !(1..=120).contains(&months) {
        return Err(DomainError::invalid(
            "review_interval_months",
            Message::new("between").arg("min", 1).arg("max", 120),
        ));
    }
    Ok(months)
}

fn clean_tags(tags: &[String]) -> DomainResult<Vec<String>> {
    if tags.len() > 30 {
        return Err(DomainError::invalid(
            "tags",
            Message::new("too_many").arg("max", 30),
        ));
    }
    let mut clean = BTreeSet::new();
    for tag in tags {
        clean.insert(text::required("tags", tag, 60)?);
    }
    Ok(clean.into_iter().collect())
}
