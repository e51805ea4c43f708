//! The QMS records (hồ sơ) an agency keeps: internal audits and their findings and checklists,
//! corrective actions, management reviews, quality objectives, announcements, inspections,
//! complaints and the records of its other series. Every kind has one shape (this module): an
//! agency, a kind, a number, a title, a day, a status, who created and changed it, its kind's
//! own fields, actions with owners and due days, attachments through the one file pipeline,
//! links to documents, versions and other records, one search entry per record and per
//! attachment, an audit row for every change. The kinds' rules live in their own modules.

pub mod actions;
pub mod announcements;
pub mod attachments;
pub mod audits;
pub mod clauses;
pub mod complaints;
pub mod corrective;
pub mod deadlines;
pub mod disposal;
pub mod evidence;
pub mod findings;
pub mod import;
pub mod indexing;
pub mod inspections;
pub mod links;
pub mod objectives;
mod parties;
pub mod retention;
pub mod reviews;
pub mod series;
pub mod status;
mod store;
mod views;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::{Action, Actor, AgencyTree, DomainError, DomainResult};
use crate::{db::entities::record, i18n::Message, names::Named};

pub use parties::{Person, people_of};
pub use store::{NewRecord, insert, save};
pub use views::{
    Attachment, Record, RecordAction, RecordFilter, RecordLink, RecordSummary, get_record,
    list_records, view, views,
};

crate::named_enum! {
    /// What kind of record: each has its own fields and rules, and is a facet value of search.
    pub enum RecordKind {
        /// Đánh giá nội bộ (ISO 9001 9.2).
        InternalAudit,
        /// A finding of an internal audit: a nonconformity, an observation or an opportunity.
        Finding,
        /// A question of an audit's checklist and its answer.
        ChecklistItem,
        /// Phiếu yêu cầu hành động khắc phục (10.2).
        CorrectiveAction,
        /// Xem xét của lãnh đạo (9.3).
        ManagementReview,
        /// Mục tiêu chất lượng (6.2) with its results.
        QualityObjective,
        /// Công bố hệ thống quản lý chất lượng phù hợp (QĐ 19 Art. 4).
        Announcement,
        /// The coordinator's yearly inspection plan and decision (TT 26).
        Inspection,
        /// The minutes of an inspection at one agency (Mẫu 21).
        InspectionMinutes,
        /// Phản ánh, kiến nghị.
        Complaint,
        /// A record of one of the agency's other series.
        Record,
        /// Minh chứng: a file uploaded as evidence of a criterion while scoring.
        Evidence,
    }
}

impl RecordKind {
    /// The prefix of numbers given to records of this kind: `DGNB-2026-001`.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::InternalAudit => "DGNB",
            Self::Finding => "PH",
            Self::ChecklistItem => "CL",
            Self::CorrectiveAction => "HDKP",
            Self::ManagementReview => "XXLD",
            Self::QualityObjective => "MTCL",
            Self::Announcement => "CB",
            Self::Inspection => "KT",
            Self::InspectionMinutes => "BBKT",
            Self::Complaint => "PAKN",
            Self::Record => "HS",
            Self::Evidence => "MC",
        }
    }

    /// What people must be allowed to do on the agency to create and change records of this
    /// kind: internal auditors keep audits, the coordinator inspections, ISO officers the rest.
    pub fn editor(self) -> Action {
        match self {
            Self::InternalAudit | Self::Finding | Self::ChecklistItem => {
                Action::ConductInternalAudits
            }
            Self::Inspection | Self::InspectionMinutes => Action::RunInspections,
            _ => Action::ManageRecords,
        }
    }

    /// The key of the `not_found` message for records of this kind.
    pub fn what(self) -> &'static str {
        self.as_str()
    }
}

/// Every status a record of some kind can have, for search's `status` filter.
pub const STATUSES: &[&str] = &[
    "planned",
    "in_progress",
    "reported",
    "closed",
    "open",
    "noted",
    "unanswered",
    "conform",
    "nonconform",
    "observation",
    "not_applicable",
    "awaiting_verification",
    "draft",
    "signed_off",
    "active",
    "achieved",
    "missed",
    "received",
    "current",
    "superseded",
    "issued",
    "kept",
];

/// Whether `status` is a status some record can have.
pub fn is_status(status: &str) -> bool {
    STATUSES.contains(&status)
}

/// The statuses in which a record of `kind` is locked: no edit, no attachment (409).
pub(crate) fn finals(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::InternalAudit | RecordKind::CorrectiveAction | RecordKind::Complaint => {
            &[CLOSED]
        }
        RecordKind::ManagementReview => &[SIGNED_OFF],
        RecordKind::Announcement => &[announcements::SUPERSEDED],
        _ => &[],
    }
}

/// A record the actor may read, of `kind` when given; anything else is "not found", whether it
/// exists or not.
pub(crate) async fn readable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
    kind: Option<RecordKind>,
) -> DomainResult<record::Model> {
    let what = kind.map_or("record", RecordKind::what);
    let row = record::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|row| kind.is_none_or(|kind| row.kind == kind.as_str()))
        .ok_or(DomainError::NotFound(what))?;
    if !actor.can(Action::ReadRecords, Some(row.agency_id), tree) {
        return Err(DomainError::NotFound(what));
    }
    Ok(row)
}

/// A record the actor may read and do `action` on (403 when they may only read it).
pub(crate) async fn changeable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
    kind: Option<RecordKind>,
    action: Action,
) -> DomainResult<record::Model> {
    let row = readable(db, actor, tree, id, kind).await?;
    actor.require(action, Some(row.agency_id), tree)?;
    Ok(row)
}

/// A record the actor may do `action` on and that is not in one of its kind's final statuses
/// (409): an audit to log findings on, a corrective action to plan actions for.
pub(crate) async fn open_record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tree: &AgencyTree,
    id: Uuid,
    kind: RecordKind,
    action: Action,
) -> DomainResult<record::Model> {
    let row = changeable(db, actor, tree, id, Some(kind), action).await?;
    ensure_open(&row, finals(kind))?;
    Ok(row)
}

/// The status word of a record that is done with: an audit, a corrective action, a finding.
pub const CLOSED: &str = "closed";
/// The status word of a record its signatory has signed off (a management review).
pub const SIGNED_OFF: &str = "signed_off";

/// The first line of a text, at most 120 characters: a title made from a description.
pub(crate) fn headline(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    let mut title: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        title.push('…');
    }
    title
}

/// The kind of a stored record.
pub(crate) fn kind_of(row: &record::Model) -> DomainResult<RecordKind> {
    RecordKind::parse(&row.kind)
        .ok_or_else(|| DomainError::Internal(format!("record {} has kind {:?}", row.id, row.kind)))
}

/// Refuses to change a record in one of its kind's final statuses (closed, signed off): 409.
pub(crate) fn ensure_open(row: &record::Model, finals: &[&str]) -> DomainResult<()> {
    if finals.contains(&row.status.as_str()) {
        return Err(DomainError::Conflict(
            Message::new("record_locked")
                .arg("number", &row.number)
                .arg("status", &row.status),
        ));
    }
    Ok(())
}

/// A change of status allowed by `allowed` (pairs of from → to), or 409 naming the statuses
/// the record may move to from where it is.
pub(crate) fn check_transition(
    row: &record::Model,
    to: &str,
    allowed: &[(&str, &str)],
) -> DomainResult<()> {
    if allowed
        .iter()
        .any(|(from, next)| *from == row.status && *next == to)
    {
        return Ok(());
    }
    let next: Vec<&str> = allowed
        .iter()
        .filter(|(from, _)| *from == row.status)
        .map(|(_, next)| *next)
        .collect();
    Err(DomainError::Conflict(
        Message::new("record_transition")
            .arg("from", &row.status)
            .arg("to", to)
            .arg(
                "allowed",
                if next.is_empty() {
                    "-".to_owned()
                } else {
                    next.join(", ")
                },
            ),
    ))
}

/// Parses a kind's closed vocabulary (a grade, a source, a status): 400 naming the allowed
/// values.
pub(crate) fn parse_named<T: Named>(field: &str, value: &str) -> DomainResult<T> {
    T::parse(value.trim()).ok_or_else(|| {
        DomainError::invalid(field, Message::new("one_of").arg("allowed", T::names()))
    })
}

/// A day that must not be before `earliest` (named by `earliest_field` in the message): 400.
pub(crate) fn not_before(
    field: &str,
    day: NaiveDate,
    earliest_field: &str,
    earliest: NaiveDate,
) -> DomainResult<()> {
    if day < earliest {
        return Err(DomainError::invalid(
            field,
            Message::new("not_before_day")
                .arg("other", earliest_field)
                .arg("day", earliest.to_string()),
        ));
    }
    Ok(())
}
