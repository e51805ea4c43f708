//! How long records are kept. Each kind has a default from the agencies' file-list practice
//! (danh mục hồ sơ, Decree 30/2020/NĐ-CP); a rule set on an agency changes it for that agency and
//! those under it (set on the province, for every agency); a record series carries its own.
//! A record is kept until 31 December of its year plus those years (`retention_until`); a
//! permanent record has none.

use std::collections::HashMap;

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::RecordKind;
use crate::{
    db::{
        self,
        entities::{record, retention_rule},
    },
    domain::{Action, Actor, AgencyTree, DomainError, DomainResult, agencies, audit},
    i18n::Message,
    names::Named,
};

/// Years each kind is kept by default; `None` is permanently.
pub fn default_years(kind: RecordKind) -> Option<i32> {
    match kind {
        RecordKind::Announcement => None,
        RecordKind::ManagementReview | RecordKind::Inspection | RecordKind::InspectionMinutes => {
            Some(20)
        }
        _ => Some(10),
    }
}

/// The last day a record of `year` kept for `years` is kept.
pub fn until(year: i32, years: Option<i32>) -> Option<NaiveDate> {
    years.and_then(|years| NaiveDate::from_ymd_opt(year.saturating_add(years), 12, 31))
}

/// The years a record of `kind` of `agency` is kept: the nearest rule up the agency's ancestry,
/// else the default. One query when no agency has a rule for the kind; the tree is read only
/// when one has.
pub(crate) async fn years_for(
    db: &impl ConnectionTrait,
    agency: Uuid,
    kind: RecordKind,
) -> DomainResult<Option<i32>> {
    let rules: HashMap<Uuid, Option<i32>> = retention_rule::Entity::find()
        .filter(retention_rule::Column::RecordKind.eq(kind.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|rule| (rule.agency_id, rule.retention_years))
        .collect();
    if rules.is_empty() {
        return Ok(default_years(kind));
    }
    let tree = AgencyTree::load(db).await?;
    Ok(tree
        .ancestors_and_self(agency)
        .iter()
        .find_map(|agency| rules.get(agency).copied())
        .unwrap_or_else(|| default_years(kind)))
}

/// `PUT /api/v1/retention-rules`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRuleInput {
    /// Agency id or code: the rule applies to it and the agencies under it.
    pub agency_id: String,
    pub kind: RecordKind,
    /// Years kept after the record's year (1 to 100); `null` keeps it permanently.
    pub years: Option<i32>,
}

/// The retention of one kind for an agency, and where it comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RetentionRule {
    pub kind: RecordKind,
    /// `null`: permanently.
    pub years: Option<i32>,
    /// The agency whose rule applies; `null` for hoso's default.
    pub set_on: Option<Uuid>,
}

/// The retention of every kind for an agency the actor reads.
pub async fn rules_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    agency: &str,
) -> DomainResult<Vec<RetentionRule>> {
    let tree = AgencyTree::load(db).await?;
    let agency = agencies::resolve(db, agency).await?;
    if !actor.can(Action::ReadRecords, Some(agency.id), &tree) {
        return Err(DomainError::NotFound("agency"));
    }
    let chain = tree.ancestors_and_self(agency.id);
    let rules = retention_rule::Entity::find()
        .filter(retention_rule::Column::AgencyId.is_in(chain.clone()))
        .all(db)
        .await?;
    Ok(RecordKind::ALL
        .iter()
        .map(|kind| {
            let nearest = chain.iter().find_map(|at| {
                rules
                    .iter()
                    .find(|rule| rule.agency_id == *at && rule.record_kind == kind.as_str())
            });
            RetentionRule {
                kind: *kind,
                years: nearest.map_or_else(|| default_years(*kind), |rule| rule.retention_years),
                set_on: nearest.map(|rule| rule.agency_id),
            }
        })
        .collect())
}

/// Sets the retention of a kind for an agency and those under it (whoever keeps its records),
/// and moves the `retention_until` of the records it now governs.
pub async fn set_rule(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: RetentionRuleInput,
) -> DomainResult<Vec<RetentionRule>> {
    if input.years.is_some_and(|years| !(1..=100).contains(&years)) {
        return Err(DomainError::invalid(
            "years",
            Message::new("between").arg("min", 1).arg("max", 100),
        ));
    }
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let agency = super::parties::target_agency(
        &txn,
        actor,
        &tree,
        "agency_id",
        &input.agency_id,
        Action::ManageRecords,
    )
    .await?;
    retention_rule::Entity::insert(retention_rule::ActiveModel {
        agency_id: Set(agency.id),
        record_kind: Set(input.kind.as_str().to_owned()),
        retention_years: Set(input.years),
        set_by: Set(actor.user_id),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    })
    .on_conflict(
        OnConflict::columns([
            retention_rule::Column::AgencyId,
            retention_rule::Column::RecordKind,
        ])
        .update_columns([
            retention_rule::Column::RetentionYears,
            retention_rule::Column::SetBy,
            retention_rule::Column::CreatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    // The records it governs: of its kind, outside series (which keep their own), in agencies
    // whose nearest rule is now this one. One update per agency and year.
    let governed: Vec<(Uuid, i32)> = record::Entity::find()
        .select_only()
        .column(record::Column::AgencyId)
        .column(record::Column::Year)
        .filter(record::Column::Kind.eq(input.kind.as_str()))
        .filter(record::Column::SeriesId.is_null())
        .filter(record::Column::AgencyId.is_in(tree.covered_by(agency.id)))
        .distinct()
        .into_tuple()
        .all(&txn)
        .await?;
    let mut years_of: HashMap<Uuid, Option<i32>> = HashMap::new();
    for (owner, year) in governed {
        let years = match years_of.get(&owner) {
            Some(years) => *years,
            None => {
                let years = years_for(&txn, owner, input.kind).await?;
                years_of.insert(owner, years);
                years
            }
        };
        record::Entity::update_many()
            .col_expr(
                record::Column::RetentionUntil,
                Expr::value(until(year, years)),
            )
            .filter(record::Column::Kind.eq(input.kind.as_str()))
            .filter(record::Column::SeriesId.is_null())
            .filter(record::Column::AgencyId.eq(owner))
            .filter(record::Column::Year.eq(year))
            .exec(&txn)
            .await?;
    }
    audit(
        &txn,
        actor,
        "retention_rule.set",
        "retention_rule",
        format!("{}:{}", agency.id, input.kind.as_str()),
        Some(agency.id),
        json!({"kind": input.kind.as_str(), "years": input.years}),
    )
    .await?;
    txn.commit().await?;
    rules_of(conn, actor, &agency.id.to_string()).await
}
