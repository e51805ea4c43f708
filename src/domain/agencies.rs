//! Agencies (cơ quan, đơn vị): a tree of any depth that is renamed, moved and merged over time.

use chrono::{SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set, sea_query::LikeExpr,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Action, Actor, AgencyScope, AgencyTree, DomainError, DomainResult, Page, PageRequest, audit,
    paginate, text,
};
use crate::db::{
    self,
    entities::{agency, agency_history},
};
use crate::names::Named;

use crate::i18n::Message;

/// What kind of body an agency is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AgencyKind {
    /// Tỉnh / UBND tỉnh.
    Province,
    /// Sở, ban, ngành.
    Department,
    /// Chi cục.
    SubDepartment,
    /// Huyện (abolished from 01/07/2025, kept for history).
    District,
    /// UBND xã, phường.
    Commune,
    /// Đơn vị sự nghiệp công lập.
    PublicServiceUnit,
    Other,
}

/// An agency as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agency {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<Uuid>,
    /// The agency this one was merged into, if any.
    pub successor_id: Option<Uuid>,
    pub active: bool,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

impl From<agency::Model> for Agency {
    fn from(row: agency::Model) -> Self {
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            kind: row.kind,
            parent_id: row.parent_id,
            successor_id: row.successor_id,
            active: row.active,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A former code, name or parent of an agency, valid until a change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyFormerState {
    pub code: String,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub valid_until: chrono::DateTime<Utc>,
    pub changed_by: Option<Uuid>,
}

/// An agency with its history and the agencies merged into it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyDetail {
    #[serde(flatten)]
    pub agency: Agency,
    pub history: Vec<AgencyFormerState>,
    pub predecessor_ids: Vec<Uuid>,
}

/// `POST /api/v1/agencies`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
    /// The parent agency's id or code; none for a root (a province).
    #[serde(default)]
    pub parent_id: Option<String>,
}

/// `PATCH /api/v1/agencies/{id}`: any subset of the fields. Setting `successor_id` records a
/// merger: the agency becomes inactive and the successor sees its records.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: Option<AgencyKind>,
    /// New parent (id or code); `null` makes the agency a root.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<Option<String>>,
    /// The agency this one was merged into (id or code).
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub successor_id: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Filters of `GET /api/v1/agencies`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyFilter {
    /// Text in the code or name.
    pub q: Option<String>,
    pub kind: Option<String>,
    /// Only the children of this agency (id or code).
    pub parent: Option<String>,
    pub active: Option<bool>,
}

/// Distinguishes a missing field from an explicit `null` in PATCH bodies.
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// Finds an agency by id or by code (codes compare case-insensitively).
pub async fn resolve(db: &impl ConnectionTrait, id_or_code: &str) -> DomainResult<agency::Model> {
    let id_or_code = id_or_code.trim();
    let found = match Uuid::parse_str(id_or_code) {
        Ok(id) => agency::Entity::find_by_id(id).one(db).await?,
        Err(_) => {
            agency::Entity::find()
                .filter(agency::Column::Code.eq(id_or_code.to_uppercase()))
                .one(db)
                .await?
        }
    };
    found.ok_or(DomainError::NotFound("agency"))
}

/// Creates an agency under `parent` (or a root). Needs `ManageAgencies` on the parent, or
/// system-wide for a root.
pub async fn create_agency(
    conn: &sea_orm::DatabaseConnection,
    actor: &Actor,
    input: NewAgency,
) -> DomainResult<Agency> {
    let code = text::identifier("code", &input.code, 64)?.to_uppercase();
    let name = text::required("name", &input.name, 300)?;
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let parent_id = match input.parent_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(parent) => Some(resolve_field(&txn, "parent_id", parent).await?.id),
    };
    actor.require(Action::ManageAgencies, parent_id, &tree)?;
    ensure_code_free(&txn, &code, None).await?;
    let now = Utc::now().trunc_subsecs(6);
    let row = agency::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(name),
        kind: Set(input.kind.as_str().to_owned()),
        parent_id: Set(parent_id),
        successor_id: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit(
        &txn,
        actor,
        "agency.create",
        "agency",
        row.id,
        Some(row.id),
        json!({"code": row.code, "name": row.name, "kind": row.kind, "parent_id": row.parent_id}),
    )
    .await?;
    txn.commit().await?;
    Ok(row.into())
}

/// Changes an agency. A changed code, name or parent keeps the former state in the history.
pub async fn update_agency(
    conn: &sea_orm::DatabaseConnection,
    actor: &Actor,
    id_or_code: &str,
    changes: AgencyChanges,
) -> DomainResult<Agency> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = resolve(&txn, id_or_code).await?;
    let id = current.id;
    if !actor.can(Action::ReadDirectory, Some(id), &tree) {
        return Err(DomainError::NotFound("agency"));
    }
    actor.require(Action::ManageAgencies, Some(id), &tree)?;

    let mut summary = Map::new();
    let mut row: agency::ActiveModel = current.clone().into();
    if let Some(code) = changes.code {
        let code = text::identifier("code", &code, 64)?.to_uppercase();
        if code != current.code {
            ensure_code_free(&txn, &code, Some(id)).await?;
            summary.insert("code".into(), json!([current.code, code]));
            row.code = Set(code);
        }
    }
    if let Some(name) = changes.name {
        let name = text::required("name", &name, 300)?;
        if name != current.name {
            summary.insert("name".into(), json!([current.name, name]));
            row.name = Set(name);
        }
    }
    if let Some(kind) = changes.kind
        && kind.as_str() != current.kind
    {
        summary.insert("kind".into(), json!([current.kind, kind.as_str()]));
        row.kind = Set(kind.as_str().to_owned());
    }
    if let Some(parent) = changes.parent_id {
        let parent_id = match parent.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(parent) => Some(resolve_field(&txn, "parent_id", parent).await?.id),
        };
        if parent_id != current.parent_id {
            if let Some(new_parent) = parent_id
                && tree.would_cycle(id, new_parent)
            {
                return Err(DomainError::RuleViolated(Message::new("agency_cycle")));
            }
            // Moving an agency needs the right over its new place too.
            actor.require(Action::ManageAgencies, parent_id, &tree)?;
            summary.insert("parent_id".into(), json!([current.parent_id, parent_id]));
            row.parent_id = Set(parent_id);
        }
    }
    if let Some(successor) = changes.successor_id {
        let successor_id = match successor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(successor) => Some(resolve_field(&txn, "successor_id", successor).await?.id),
        };
        if let Some(successor_id) = successor_id {
            if successor_id == id || merges_into(&txn, successor_id, id).await? {
                return Err(DomainError::RuleViolated(Message::new(
                    "agency_merge_cycle",
                )));
            }
            actor.require(Action::ManageAgencies, Some(successor_id), &tree)?;
            // A merged agency no longer operates on its own.
            if current.active {
                summary.insert("active".into(), json!([true, false]));
            }
            row.active = Set(false);
        }
        if successor_id != current.successor_id {
            summary.insert(
                "successor_id".into(),
                json!([current.successor_id, successor_id]),
            );
            row.successor_id = Set(successor_id);
        }
    }
    if let Some(active) = changes.active
        && !summary.contains_key("active")
        && active != current.active
    {
        summary.insert("active".into(), json!([current.active, active]));
        row.active = Set(active);
    }
    if summary.is_empty() {
        txn.rollback().await?;
        return Ok(current.into());
    }
    let now = Utc::now().trunc_subsecs(6);
    if ["code", "name", "parent_id"]
        .iter()
        .any(|field| summary.contains_key(*field))
    {
        agency_history::ActiveModel {
            id: Set(Uuid::now_v7()),
            agency_id: Set(id),
            code: Set(current.code.clone()),
            name: Set(current.name.clone()),
            parent_id: Set(current.parent_id),
            valid_until: Set(now),
            changed_by: Set(actor.user_id),
        }
        .insert(&txn)
        .await?;
    }
    row.updated_at = Set(now);
    let updated = row.update(&txn).await?;
    audit(
        &txn,
        actor,
        "agency.update",
        "agency",
        id,
        Some(id),
        Value::Object(summary),
    )
    .await?;
    txn.commit().await?;
    Ok(updated.into())
}

/// One agency with its history; needs `ReadDirectory` on it.
pub async fn get_agency(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id_or_code: &str,
) -> DomainResult<AgencyDetail> {
    let row = resolve(db, id_or_code).await?;
    let tree = AgencyTree::load(db).await?;
    if !actor.can(Action::ReadDirectory, Some(row.id), &tree) {
        // Not revealing whether an agency exists to someone who may not see it.
        return Err(DomainError::NotFound("agency"));
    }
    let history = agency_history::Entity::find()
        .filter(agency_history::Column::AgencyId.eq(row.id))
        .order_by_desc(agency_history::Column::ValidUntil)
        .all(db)
        .await?
        .into_iter()
        .map(|former| AgencyFormerState {
            code: former.code,
            name: former.name,
            parent_id: former.parent_id,
            valid_until: former.valid_until,
            changed_by: former.changed_by,
        })
        .collect();
    let predecessor_ids = agency::Entity::find()
        .filter(agency::Column::SuccessorId.eq(row.id))
        .order_by_asc(agency::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|predecessor| predecessor.id)
        .collect();
    Ok(AgencyDetail {
        agency: row.into(),
        history,
        predecessor_ids,
    })
}

/// Agencies the actor may see, filtered, by code.
pub async fn list_agencies(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &AgencyFilter,
    page: &PageRequest,
) -> DomainResult<Page<Agency>> {
    let tree = AgencyTree::load(db).await?;
    let mut condition = Condition::all();
    match actor.scope(Action::ReadDirectory, &tree) {
        AgencyScope::All => {}
        AgencyScope::Only(ids) => {
            condition = condition.add(agency::Column::Id.is_in(ids));
        }
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        condition = condition.add(
            Condition::any()
                .add(agency::Column::Code.like(contains_pattern(&q.to_uppercase())))
                .add(agency::Column::Name.like(contains_pattern(q))),
        );
    }
    if let Some(kind) = filter.kind.as_deref() {
        let kind = AgencyKind::parse(kind).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                Message::new("one_of").arg("allowed", AgencyKind::names()),
            )
        })?;
        condition = condition.add(agency::Column::Kind.eq(kind.as_str()));
    }
    if let Some(parent) = filter.parent.as_deref() {
        let parent = resolve_field(db, "parent", parent).await?;
        condition = condition.add(agency::Column::ParentId.eq(parent.id));
    }
    if let Some(active) = filter.active {
        condition = condition.add(agency::Column::Active.eq(active));
    }
    let query = agency::Entity::find().filter(condition);
    let query = query.order_by_asc(agency::Column::Code);
    Ok(paginate(db, query, page).await?.map(Agency::from))
}

/// Resolves an agency named in an input field; a missing one is that field's error.
pub(crate) async fn resolve_field(
    db: &impl ConnectionTrait,
    field: &str,
    id_or_code: &str,
) -> DomainResult<agency::Model> {
    match resolve(db, id_or_code).await {
        Err(DomainError::NotFound(_)) => Err(DomainError::invalid(
            field,
            Message::new("no_such_agency").arg("value", id_or_code),
        )),
        other => other,
    }
}

async fn ensure_code_free(
    db: &impl ConnectionTrait,
    code: &str,
    except: Option<Uuid>,
) -> DomainResult<()> {
    let mut query = agency::Entity::find().filter(agency::Column::Code.eq(code));
    if let Some(id) = except {
        query = query.filter(agency::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(DomainError::Conflict(
            Message::new("agency_code_taken").arg("code", code),
        ));
    }
    Ok(())
}

/// Whether `agency`'s successor chain leads to `target`.
async fn merges_into(db: &impl ConnectionTrait, agency: Uuid, target: Uuid) -> DomainResult<bool> {
    let mut current = Some(agency);
    let mut steps = 0;
    while let Some(id) = current {
        if id == target {
            return Ok(true);
        }
        steps += 1;
        if steps > 1000 {
            return Ok(true);
        }
        current = agency::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|row| row.successor_id);
    }
    Ok(false)
}

/// A LIKE pattern matching `text` anywhere, with `%`, `_` and `\\` in it taken literally.
pub(crate) fn contains_pattern(text: &str) -> LikeExpr {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// The names of agencies by id (names are public: rankings show them), for lists that name
/// the agency of each line.
pub async fn names_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<std::collections::HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(agency::Entity::find()
        .filter(agency::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row.name))
        .collect())
}
