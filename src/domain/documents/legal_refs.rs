//! The register of legal documents every agency shares: numbers, adding a reference, changing
//! one (the coordinating office), looking them up by id or number. What a change does to the
//! procedures citing one is in `legal_impact`.

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    DocumentStatus,
    access::DocumentRights,
    legal_impact::{self, ImpactedDocument},
};
use crate::{
    clock::today,
    db::{self, entities::legal_ref},
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, Page, PageRequest,
        agencies::contains_pattern, audit, paginate, text,
    },
    i18n::Message,
    jobs,
    names::Named,
};

/// The statuses a legal reference can have.
pub use crate::db::entities::legal_ref::LegalRefStatus;

impl LegalRefStatus {
    /// A status named in a request; an unknown one is a 400 that lists the known ones.
    pub fn parse_field(field: &str, text: &str) -> DomainResult<Self> {
        Self::parse(text).ok_or_else(|| {
            DomainError::invalid(field, Message::new("one_of").arg("allowed", Self::names()))
        })
    }

    /// A change that makes procedures citing the reference out of date.
    pub fn flags_citing_documents(self) -> bool {
        matches!(self, Self::Amended | Self::Replaced | Self::Repealed)
    }
}

/// A legal document number split into its parts: `19/2014/QĐ-TTg`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LegalNumber {
    pub number: String,
    pub year: Option<i32>,
    /// QĐ (decision), TT (circular), NĐ (decree), KH, TB, BC, CT, CV…
    pub doc_type: String,
    pub issuer: String,
}

/// Parses `number/year/TYPE-ISSUER` (the year may be missing, as in `2532/QĐ-UBND`).
pub fn parse_number(raw: &str) -> Result<LegalNumber, Message> {
    let compact: String = raw.nfc().filter(|c| !c.is_whitespace()).collect();
    let parts: Vec<&str> = compact.split('/').collect();
    let (number, year, kind) = match parts.as_slice() {
        [number, year, kind] => (*number, Some(*year), *kind),
        [number, kind] => (*number, None, *kind),
        _ => return Err(Message::new("legal_number_format")),
    };
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Message::new("legal_number_digits"));
    }
    let year = match year {
        None => None,
        Some(year) => match year.parse::<i32>() {
            Ok(year) if (1945..=2100).contains(&year) => Some(year),
            _ => return Err(Message::new("legal_number_year").arg("value", year)),
        },
    };
    let (doc_type, issuer) = kind
        .split_once('-')
        .ok_or_else(|| Message::new("legal_number_type_issuer"))?;
    if doc_type.is_empty() || issuer.is_empty() {
        return Err(Message::new("legal_number_type_issuer"));
    }
    Ok(LegalNumber {
        number: number.to_owned(),
        year,
        doc_type: doc_type.to_owned(),
        issuer: issuer.to_owned(),
    })
}

/// The number as matched: NFC, no spaces, uppercase, Đ folded to D.
pub fn number_key(raw: &str) -> String {
    raw.nfc()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
        .replace('Đ', "D")
}

/// A legal reference as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalRef {
    pub id: Uuid,
    pub number: String,
    pub parts: Option<LegalNumber>,
    pub title: String,
    pub issued_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    pub status: LegalRefStatus,
    pub status_effective_on: Option<NaiveDate>,
    pub replaced_by: Option<Uuid>,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

/// `POST /api/v1/legal-refs`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLegalRef {
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
    #[serde(default)]
    pub effective_on: Option<NaiveDate>,
}

/// `PATCH /api/v1/legal-refs/{id}`
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalRefChanges {
    pub title: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    /// `in_force`, `amended`, `replaced`, `repealed` or `expired`.
    pub status: Option<String>,
    /// The day the new status takes effect (required with amended/replaced/repealed/expired).
    pub status_effective_on: Option<NaiveDate>,
    pub replaced_by: Option<Uuid>,
}

/// Filters of `GET /api/v1/legal-refs`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LegalRefFilter {
    /// Text in the number or title.
    pub q: Option<String>,
    /// Exactly this number (`19/2014/QĐ-TTg`; case, spacing and Đ/D ignored).
    pub number: Option<String>,
    pub status: Option<String>,
}

pub(super) fn may_maintain_register(actor: &Actor, tree: &AgencyTree) -> bool {
    [
        Action::EditDocuments,
        Action::ApproveDocuments,
        Action::ManageCriteria,
    ]
    .into_iter()
    .any(|action| !actor.scope(action, tree).is_empty())
}

/// Adds a legal document to the register (anyone who maintains documents somewhere).
pub async fn create_legal_ref(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewLegalRef,
) -> DomainResult<LegalRef> {
    let number = text::required("number", &input.number, 100)?;
    parse_number(&number).map_err(|reason| DomainError::invalid("number", reason))?;
    let title = text::required("title", &input.title, 500)?;
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    if !may_maintain_register(actor, &tree) {
        return Err(DomainError::Forbidden);
    }
    let key = number_key(&number);
    if legal_ref::Entity::find()
        .filter(legal_ref::Column::NumberKey.eq(&key))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict(
            Message::new("legal_ref_exists").arg("number", &number),
        ));
    }
    let now = Utc::now().trunc_subsecs(6);
    let row = legal_ref::ActiveModel {
        id: Set(Uuid::now_v7()),
        number: Set(number),
        number_key: Set(key),
        title: Set(title),
        issued_on: Set(input.issued_on),
        effective_on: Set(input.effective_on),
        status: Set(LegalRefStatus::InForce),
        status_effective_on: Set(None),
        replaced_by: Set(None),
        revision: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit(
        &txn,
        actor,
        "legal_ref.create",
        "legal_ref",
        row.id,
        None,
        json!({"number": row.number, "title": row.title}),
    )
    .await?;
    txn.commit().await?;
    Ok(view(row))
}

/// Changes a legal reference. When it becomes amended, replaced or repealed, every document
/// with an effective version that cites it is flagged "needs update" with a deadline three
/// months after `status_effective_on`; each flag is an audit row of its own.
pub async fn update_legal_ref(
    conn: &DatabaseConnection,
    actor: &Actor,
    id_or_number: &str,
    changes: LegalRefChanges,
) -> DomainResult<LegalRef> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = find(&txn, id_or_number).await?;
    require_register_keeper(actor, &tree)?;
    let Some(planned) = plan_changes(&txn, &current, changes).await? else {
        txn.rollback().await?;
        return Ok(view(current));
    };
    let updated = apply_changes(&txn, actor, &current, planned).await?;
    txn.commit().await?;
    Ok(view(updated))
}

/// Every agency's procedures cite the same register: a change to it flags documents everywhere,
/// so it belongs to the coordinating office (or an administrator); others propose.
pub(super) fn require_register_keeper(actor: &Actor, tree: &AgencyTree) -> DomainResult<()> {
    if actor.scope(Action::ManageLegalRegister, tree).is_empty() {
        return Err(DomainError::NotAllowed(Message::new("register_shared")));
    }
    Ok(())
}

/// A checked change, ready to apply.
pub(super) struct PlannedChange {
    row: legal_ref::ActiveModel,
    summary: Map<String, Value>,
    flag_from: Option<NaiveDate>,
    back_in_force: bool,
}

/// Checks `changes` against the reference as it is; `None` when they change nothing.
pub(super) async fn plan_changes(
    txn: &DatabaseTransaction,
    current: &legal_ref::Model,
    changes: LegalRefChanges,
) -> DomainResult<Option<PlannedChange>> {
    let id = current.id;
    let mut row: legal_ref::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(title) = changes.title {
        let title = text::required("title", &title, 500)?;
        if title != current.title {
            summary.insert("title".into(), json!([current.title, title]));
            row.title = Set(title);
        }
    }
    if let Some(issued_on) = changes.issued_on {
        summary.insert("issued_on".into(), json!([current.issued_on, issued_on]));
        row.issued_on = Set(Some(issued_on));
    }
    if let Some(effective_on) = changes.effective_on {
        summary.insert(
            "effective_on".into(),
            json!([current.effective_on, effective_on]),
        );
        row.effective_on = Set(Some(effective_on));
    }
    if let Some(replaced_by) = changes.replaced_by {
        if replaced_by == id
            || legal_ref::Entity::find_by_id(replaced_by)
                .one(txn)
                .await?
                .is_none()
        {
            return Err(DomainError::invalid(
                "replaced_by",
                Message::new("replaced_by_unknown"),
            ));
        }
        summary.insert(
            "replaced_by".into(),
            json!([current.replaced_by, replaced_by]),
        );
        row.replaced_by = Set(Some(replaced_by));
    }
    let mut flag_from = None;
    let mut back_in_force = false;
    if let Some(status) = changes.status {
        let status = LegalRefStatus::parse_field("status", &status)?;
        let effective_on = match (status, changes.status_effective_on) {
            (LegalRefStatus::InForce, day) => day,
            (_, Some(day)) => Some(day),
            (_, None) => {
                return Err(DomainError::invalid(
                    "status_effective_on",
                    Message::new("status_day_required"),
                ));
            }
        };
        if status != current.status || effective_on != current.status_effective_on {
            summary.insert("status".into(), json!([current.status, status]));
            summary.insert(
                "status_effective_on".into(),
                json!([current.status_effective_on, effective_on]),
            );
            if status.flags_citing_documents() {
                flag_from = effective_on;
            } else {
                back_in_force = current.status != LegalRefStatus::InForce;
            }
            row.status = Set(status);
            row.status_effective_on = Set(effective_on);
        }
    }
    if summary.is_empty() {
        return Ok(None);
    }
    Ok(Some(PlannedChange {
        row,
        summary,
        flag_from,
        back_in_force,
    }))
}

/// Makes a planned change, with its audit row and the job that flags (or clears) the citing
/// documents, inside the caller's transaction.
pub(super) async fn apply_changes(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &legal_ref::Model,
    planned: PlannedChange,
) -> DomainResult<legal_ref::Model> {
    let id = current.id;
    let PlannedChange {
        mut row,
        summary,
        flag_from,
        back_in_force,
    } = planned;
    row.revision = Set(current.revision + 1);
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    let updated = row.update(txn).await?;
    audit(
        txn,
        actor,
        "legal_ref.update",
        "legal_ref",
        id,
        None,
        Value::Object(summary),
    )
    .await?;
    // The citing documents are flagged (or cleared) by a job, a few per transaction: a
    // reference cited by hundreds of procedures never holds the database's write lock for long.
    if flag_from.is_some() || back_in_force {
        let job = legal_impact::UpdateCitingDocuments {
            legal_ref_id: id,
            changed_on: flag_from,
            by_user: actor.user_id,
            by_name: actor.name.clone(),
        };
        jobs::submit(txn, &job, legal_impact::CITING_ATTEMPTS).await?;
    }
    Ok(updated)
}

/// A legal reference by id or number (`19/2014/QĐ-TTg`, matched ignoring case, spacing and
/// Đ/D).
pub(super) async fn find(
    db: &impl ConnectionTrait,
    id_or_number: &str,
) -> DomainResult<legal_ref::Model> {
    let found = match Uuid::parse_str(id_or_number.trim()) {
        Ok(id) => legal_ref::Entity::find_by_id(id).one(db).await?,
        Err(_) => {
            legal_ref::Entity::find()
                .filter(legal_ref::Column::NumberKey.eq(number_key(id_or_number)))
                .one(db)
                .await?
        }
    };
    found.ok_or(DomainError::NotFound("legal_reference"))
}

/// The ids of legal references named by id or number; every one must be in the register.
pub(crate) async fn resolve_all(
    db: &impl ConnectionTrait,
    field: &str,
    names: &[String],
) -> DomainResult<Vec<Uuid>> {
    let mut ids = Vec::with_capacity(names.len());
    let mut unknown = Vec::new();
    for name in names {
        match find(db, name).await {
            Ok(row) => ids.push(row.id),
            Err(DomainError::NotFound(_)) => unknown.push(name.clone()),
            Err(error) => return Err(error),
        }
    }
    if !unknown.is_empty() {
        return Err(DomainError::invalid(
            field,
            Message::new("legal_refs_unknown").arg("numbers", unknown.join(", ")),
        ));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Documents citing the reference that the actor may read, with their update deadlines.
pub async fn impact(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id_or_number: &str,
) -> DomainResult<Vec<ImpactedDocument>> {
    let id = find(db, id_or_number).await?.id;
    let tree = AgencyTree::load(db).await?;
    let scope = actor.scope(Action::ReadRecords, &tree);
    let today = today();
    Ok(legal_impact::citing_documents(db, id)
        .await?
        .into_iter()
        .filter(|row| {
            // The one rule of `access`: readers of the agency (and the owner) see it, and a
            // draft-only document only those who see its drafts.
            let rights = DocumentRights::of(actor, row, &tree);
            let owner = actor.user_id.is_some() && actor.user_id == row.owner_id;
            (owner || scope.includes(row.agency_id))
                && (row.status != DocumentStatus::Draft || rights.sees_drafts())
        })
        .map(|row| ImpactedDocument {
            document_id: row.id,
            agency_id: row.agency_id,
            code: row.code,
            title: row.title,
            overdue: row
                .update_required_by
                .is_some_and(|deadline| deadline < today),
            status: row.status,
            update_required_by: row.update_required_by,
        })
        .collect())
}

/// One legal reference (any signed-in user).
pub async fn get_legal_ref(
    db: &impl ConnectionTrait,
    id_or_number: &str,
) -> DomainResult<LegalRef> {
    find(db, id_or_number).await.map(view)
}

/// The register, by number; `q` searches numbers and titles, `number` finds one exactly.
pub async fn list_legal_refs(
    db: &impl ConnectionTrait,
    filter: &LegalRefFilter,
    page: &PageRequest,
) -> DomainResult<Page<LegalRef>> {
    let mut condition = Condition::all();
    if let Some(number) = filter.number.as_deref().filter(|n| !n.trim().is_empty()) {
        condition = condition.add(legal_ref::Column::NumberKey.eq(number_key(number)));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        condition = condition.add(
            Condition::any()
                .add(legal_ref::Column::NumberKey.like(contains_pattern(&number_key(q))))
                .add(legal_ref::Column::Title.like(contains_pattern(&q.nfc().collect::<String>()))),
        );
    }
    if let Some(status) = &filter.status {
        let status = LegalRefStatus::parse_field("status", status)?;
        condition = condition.add(legal_ref::Column::Status.eq(status));
    }
    let query = legal_ref::Entity::find().filter(condition);
    let query = query.order_by_asc(legal_ref::Column::NumberKey);
    Ok(paginate(db, query, page).await?.map(view))
}

fn view(row: legal_ref::Model) -> LegalRef {
    LegalRef {
        id: row.id,
        parts: parse_number(&row.number).ok(),
        number: row.number,
        title: row.title,
        issued_on: row.issued_on,
        effective_on: row.effective_on,
        status: row.status,
        status_effective_on: row.status_effective_on,
        replaced_by: row.replaced_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_numbers_split_into_their_parts() {
        let parsed = parse_number("19/2014/QĐ-TTg").ok();
        assert_eq!(
            parsed,
            Some(LegalNumber {
                number: "19".into(),
                year: Some(2014),
                doc_type: "QĐ".into(),
                issuer: "TTg".into()
            })
        );
        assert_eq!(parse_number("2532/QĐ-UBND").ok().and_then(|n| n.year), None);
        assert!(parse_number("QĐ 19").is_err());
        assert!(parse_number("19/20x4/QĐ-TTg").is_err());
    }

    #[test]
    fn numbers_match_across_case_spacing_and_the_d_with_stroke() {
        assert_eq!(
            number_key("19/2014/qđ-ttg"),
            number_key("19 / 2014 / QD-TTg")
        );
        assert_eq!(number_key("26/2014/TT-BKHCN"), "26/2014/TT-BKHCN");
    }
}
