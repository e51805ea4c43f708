//! Management reviews (ISO 9001 9.3): a meeting chaired by the agency head, with attendees, its
//! inputs by 9.3.2 (each prefilled when the review is created from what hoso knows: the figures
//! it used and a sentence saying them, editable until sign-off), its decisions by 9.3.3 (each
//! able to carry an action with an owner and a due day), minutes as an attachment, and a
//! sign-off by the chair that locks it. Decisions' actions are still marked done afterwards.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    NewRecord, Record, RecordKind,
    actions::{self, NewStep},
    check_transition, ensure_open, finals, open_record, parse_named, readable, status, store, view,
};
use crate::{
    clock::today,
    db::{
        self,
        entities::{record, record_action},
    },
    domain::{
        Action, Actor, AgencyTree, DomainError, DomainResult, Role, concurrency::ExpectedRevision,
        text,
    },
    i18n::Message,
    names::Named,
};

pub const DRAFT: &str = "draft";
pub const SIGNED_OFF: &str = super::SIGNED_OFF;

crate::named_enum! {
    /// The outputs of a management review (9.3.3).
    pub enum Output {
        /// Cơ hội cải tiến.
        Improvement,
        /// Nhu cầu thay đổi hệ thống quản lý chất lượng.
        SystemChange,
        /// Nhu cầu về nguồn lực.
        ResourceNeed,
    }
}

/// The inputs of a management review, by ISO 9001 9.3.2, in order.
pub const INPUTS: [&str; 12] = [
    "previous_actions",
    "context_changes",
    "satisfaction",
    "objectives",
    "process_performance",
    "nonconformities_and_corrective_actions",
    "monitoring_results",
    "audit_results",
    "external_providers",
    "resources",
    "risks_and_opportunities",
    "improvement_opportunities",
];

/// One input: what is said about it, and the figures hoso found when the review was created.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
pub struct ReviewInput {
    pub text: String,
    #[schema(value_type = Object)]
    pub figures: Value,
}

/// `POST /api/v1/management-reviews`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    /// Agency id or code.
    pub agency_id: String,
    pub held_on: NaiveDate,
    /// The agency head who chairs it.
    pub chair_id: Uuid,
    #[serde(default)]
    pub attendee_ids: Vec<Uuid>,
    /// Default: "Xem xét của lãnh đạo năm YYYY".
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
}

/// `PATCH /api/v1/management-reviews/{id}` (before sign-off).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewChanges {
    pub title: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub attendee_ids: Option<Vec<Uuid>>,
    /// New texts of inputs, by input name (`audit_results`…); their figures stay.
    pub inputs: Option<BTreeMap<String, String>>,
    /// The minutes' text (the signed minutes are an attachment).
    pub minutes: Option<String>,
}

/// `POST /api/v1/management-reviews/{id}/decisions`
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    /// `improvement`, `system_change` or `resource_need`.
    pub output: String,
    pub text: String,
    /// Who carries it out (with `due_on`), when it calls for an action.
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct ReviewDetails {
    chair_id: Option<Uuid>,
    #[serde(default)]
    attendee_ids: Vec<Uuid>,
    #[serde(default)]
    inputs: BTreeMap<String, ReviewInput>,
    minutes: Option<String>,
    signed_off_by: Option<Uuid>,
    signed_off_at: Option<chrono::DateTime<Utc>>,
}

/// Prepares a management review (the agency's ISO officer): the chair must be a head of the
/// agency (422), the attendees its people; the inputs are filled from the agency's records.
pub async fn create(
    conn: &DatabaseConnection,
    actor: &Actor,
    input: NewReview,
) -> DomainResult<Record> {
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
    let chair = super::parties::agency_person(&txn, &tree, agency.id, input.chair_id).await?;
    let heads = chair.iter().any(|grant| {
        grant.role == Role::AgencyHead
            && grant
                .agency_id
                .is_none_or(|root| tree.covers(root, agency.id))
    });
    if !heads {
        return Err(DomainError::RuleViolated(Message::new("chair_not_head")));
    }
    let attendees = dedup(&input.attendee_ids);
    super::parties::agency_people(&txn, &tree, agency.id, &attendees).await?;
    let title = match input.title.as_deref() {
        Some(title) => text::required("title", title, 500)?,
        None => format!("Xem xét của lãnh đạo năm {}", input.held_on.year()),
    };
    let details = ReviewDetails {
        chair_id: Some(input.chair_id),
        attendee_ids: attendees,
        inputs: prefill(&txn, agency.id, input.held_on).await?,
        ..ReviewDetails::default()
    };
    let row = store::insert(
        &txn,
        actor,
        NewRecord {
            number: input.number,
            ..NewRecord::new(
                RecordKind::ManagementReview,
                agency.id,
                title,
                DRAFT,
                input.held_on,
                &details,
            )
        },
    )
    .await?;
    txn.commit().await?;
    view(conn, row).await
}

/// Changes a review before its sign-off (409 after); `expected` is the revision read.
pub async fn update(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected: ExpectedRevision,
    changes: ReviewChanges,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = editable(&txn, actor, &tree, id).await?;
    expected.check(current.revision)?;
    let mut details: ReviewDetails = serde_json::from_str(&current.details).unwrap_or_default();
    let mut row: record::ActiveModel = current.clone().into();
    let mut summary = Map::new();
    if let Some(title) = &changes.title {
        let title = text::required("title", title, 500)?;
        summary.insert("title".into(), json!([current.title, title]));
        row.title = Set(title);
    }
    if let Some(day) = changes.held_on {
        summary.insert("held_on".into(), json!([current.occurred_on, day]));
        row.occurred_on = Set(day);
        row.year = Set(day.year());
    }
    if let Some(attendees) = &changes.attendee_ids {
        let attendees = dedup(attendees);
        super::parties::agency_people(&txn, &tree, current.agency_id, &attendees).await?;
        summary.insert("attendee_ids".into(), json!(attendees));
        details.attendee_ids = attendees;
    }
    for (name, said) in changes.inputs.iter().flatten() {
        if !INPUTS.contains(&name.as_str()) {
            return Err(DomainError::invalid(
                format!("inputs.{name}"),
                Message::new("one_of").arg("allowed", INPUTS.join(", ")),
            ));
        }
        let said = text::optional(&format!("inputs.{name}"), Some(said), 20_000)?;
        let entry = details.inputs.entry(name.clone()).or_default();
        entry.text = said.unwrap_or_default();
        summary.insert(format!("inputs.{name}"), json!(entry.text));
    }
    if let Some(minutes) = &changes.minutes {
        details.minutes = text::optional("minutes", Some(minutes), 100_000)?;
        summary.insert("minutes".into(), json!(details.minutes.is_some()));
    }
    if summary.is_empty() {
        txn.rollback().await?;
        return view(conn, current).await;
    }
    row.details = Set(serde_json::to_value(&details)
        .unwrap_or(Value::Null)
        .to_string());
    let saved = store::save(&txn, actor, &current, row, "update", Value::Object(summary)).await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// Records a decision (9.3.3), with an action when it names an owner and a due day (both or
/// neither; the day not before the meeting).
pub async fn decide(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: NewDecision,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = editable(&txn, actor, &tree, id).await?;
    let output: Output = parse_named("output", &input.output)?;
    if input.owner_id.is_some() != input.due_on.is_some() {
        return Err(DomainError::invalid(
            if input.owner_id.is_some() {
                "due_on"
            } else {
                "owner_id"
            },
            Message::new("owner_and_due_together"),
        ));
    }
    let decision = actions::add(
        &txn,
        actor,
        &tree,
        &current,
        NewStep {
            category: Some(output.as_str().to_owned()),
            description: input.text,
            owner_id: input.owner_id,
            due_on: input.due_on,
        },
        ("held_on", current.occurred_on),
    )
    .await?;
    let saved = store::touch(
        &txn,
        actor,
        &current,
        "decide",
        json!({
            "decision_id": decision.id,
            "output": output.as_str(),
            "text": decision.description,
            "owner_id": decision.owner_id,
            "due_on": decision.due_on,
        }),
    )
    .await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// Marks a decision's action done (its owner or the ISO officer), before or after sign-off.
pub async fn complete_decision(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    decision_id: Uuid,
    note: Option<String>,
) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = readable(&txn, actor, &tree, id, Some(RecordKind::ManagementReview)).await?;
    let (done, _) =
        actions::complete(&txn, actor, &tree, &current, decision_id, note.as_deref()).await?;
    let saved = store::touch(
        &txn,
        actor,
        &current,
        "decision_complete",
        json!({"decision_id": decision_id, "note": done.done_note}),
    )
    .await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// The chair signs the review off: from then on it is locked (409 on edits).
pub async fn sign_off(conn: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Record> {
    let txn = db::begin_write(conn).await?;
    let tree = AgencyTree::load(&txn).await?;
    let current = readable(&txn, actor, &tree, id, Some(RecordKind::ManagementReview)).await?;
    actor.require(Action::ApproveRecords, Some(current.agency_id), &tree)?;
    check_transition(&current, SIGNED_OFF, &[(DRAFT, SIGNED_OFF)])?;
    let mut details: ReviewDetails = serde_json::from_str(&current.details).unwrap_or_default();
    if actor.user_id.is_none() || details.chair_id != actor.user_id {
        return Err(DomainError::RuleViolated(Message::new("review_chair_only")));
    }
    details.signed_off_by = actor.user_id;
    details.signed_off_at = Some(Utc::now());
    let mut row: record::ActiveModel = current.clone().into();
    row.status = Set(SIGNED_OFF.to_owned());
    row.closed_on = Set(Some(today()));
    row.details = Set(serde_json::to_value(&details)
        .unwrap_or(Value::Null)
        .to_string());
    let saved = store::save(
        &txn,
        actor,
        &current,
        row,
        "sign_off",
        json!({"status": [DRAFT, SIGNED_OFF]}),
    )
    .await?;
    txn.commit().await?;
    view(conn, saved).await
}

/// A review the actor may prepare (ISO officer) or decide on (the head), not signed off.
async fn editable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
) -> DomainResult<record::Model> {
    let row = readable(db, actor, tree, id, Some(RecordKind::ManagementReview)).await?;
    if actor.can(Action::ApproveRecords, Some(row.agency_id), tree) {
        ensure_open(&row, finals(RecordKind::ManagementReview))?;
        return Ok(row);
    }
    open_record(
        db,
        actor,
        tree,
        id,
        RecordKind::ManagementReview,
        Action::ManageRecords,
    )
    .await
}

fn dedup(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = Vec::new();
    for id in ids {
        if !seen.contains(id) {
            seen.push(*id);
        }
    }
    seen
}

/// Each input of a review held on `held_on`, from the agency's year and its previous review.
async fn prefill(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
    held_on: NaiveDate,
) -> DomainResult<BTreeMap<String, ReviewInput>> {
    let year = held_on.year();
    let figures = status::year_status(db, agency_id, year, today()).await?;
    let previous = record::Entity::find()
        .filter(record::Column::AgencyId.eq(agency_id))
        .filter(record::Column::Kind.eq(RecordKind::ManagementReview.as_str()))
        .filter(record::Column::Status.eq(SIGNED_OFF))
        .filter(record::Column::OccurredOn.lt(held_on))
        .order_by_desc(record::Column::OccurredOn)
        .one(db)
        .await?;
    let mut inputs = BTreeMap::new();
    let mut put = |name: &str, text: String, figures: Value| {
        inputs.insert(name.to_owned(), ReviewInput { text, figures });
    };
    match previous {
        Some(previous) => {
            let decisions = record_action::Entity::find()
                .filter(record_action::Column::RecordId.eq(previous.id))
                .all(db)
                .await?;
            let done = decisions
                .iter()
                .filter(|step| step.done_on.is_some())
                .count();
            put(
                "previous_actions",
                format!(
                    "Lần xem xét trước ({}, ngày {}) có {} quyết định; đã hoàn thành {}.",
                    previous.number,
                    previous.occurred_on.format("%d/%m/%Y"),
                    decisions.len(),
                    done
                ),
                json!({"review_id": previous.id, "decisions": decisions.len(), "done": done}),
            );
        }
        None => put(
            "previous_actions",
            "Chưa có lần xem xét của lãnh đạo nào trước đây trong hoso.".to_owned(),
            json!({"decisions": 0, "done": 0}),
        ),
    }
    let legal = &figures.legal_updates;
    put(
        "context_changes",
        format!(
            "{} tài liệu phải cập nhật theo thay đổi của văn bản pháp luật, trong đó {} đã quá hạn ba tháng.",
            legal.pending, legal.overdue
        ),
        json!({"legal_updates": legal}),
    );
    put(
        "satisfaction",
        format!(
            "Năm {year} tiếp nhận {} phản ánh, kiến nghị; đã xử lý xong {}.",
            figures.complaints.total, figures.complaints.achieved
        ),
        json!({"complaints": figures.complaints.total, "handled": figures.complaints.achieved}),
    );
    put(
        "objectives",
        format!(
            "{}/{} mục tiêu chất lượng năm {year} đạt.",
            figures.objectives.achieved, figures.objectives.total
        ),
        json!(figures.objectives),
    );
    put(
        "process_performance",
        match figures.acknowledgement_coverage {
            Some(share) => format!(
                "{:.0}% lượt xác nhận đã đọc các tài liệu đang có hiệu lực.",
                share * 100.0
            ),
            None => "Chưa có tài liệu hiệu lực hoặc người cần xác nhận đã đọc.".to_owned(),
        },
        json!({"acknowledgement_coverage": figures.acknowledgement_coverage}),
    );
    let corrective = &figures.corrective_actions;
    put(
        "nonconformities_and_corrective_actions",
        format!(
            "Năm {year}: {} hành động khắc phục đang mở ({} quá hạn), {} đã đóng ({} đúng hạn).",
            corrective.open, corrective.overdue, corrective.closed, corrective.closed_on_time
        ),
        json!({
            "open": corrective.open,
            "closed": corrective.closed,
            "overdue": corrective.overdue,
            "closed_on_time": corrective.closed_on_time,
        }),
    );
    let audits: u64 = figures.internal_audits.values().sum();
    let grade = |name: &str| figures.findings_by_grade.get(name).copied().unwrap_or(0);
    put(
        "audit_results",
        format!(
            "Năm {year}: {audits} cuộc đánh giá nội bộ; {} điểm không phù hợp nặng, {} không phù hợp nhẹ, {} điểm lưu ý, {} cơ hội cải tiến.",
            grade("major"),
            grade("minor"),
            grade("observation"),
            grade("opportunity")
        ),
        json!({"audits": audits, "findings_by_grade": figures.findings_by_grade}),
    );
    put(
        "improvement_opportunities",
        format!(
            "{} cơ hội cải tiến từ đánh giá nội bộ năm {year}.",
            grade("opportunity")
        ),
        json!({"opportunities": grade("opportunity")}),
    );
    for name in INPUTS {
        if !inputs.contains_key(name) {
            inputs.insert(
                name.to_owned(),
                ReviewInput {
                    text: String::new(),
                    figures: json!({}),
                },
            );
        }
    }
    Ok(inputs)
}
