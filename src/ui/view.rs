//! Words and colours for states: every status shown as a word in the reader's language with a
//! colour beside it (never colour alone).

use crate::domain::documents::{DocumentStatus, VersionStatus};

/// A status as a page shows it: the word and the colour class of its badge.
pub struct Badge {
    pub text: String,
    /// `draft`, `review`, `ok`, `warn`, `late`, `off`: the badge's colour.
    pub tone: &'static str,
}

impl Badge {
    pub fn of_version(status: VersionStatus, t: super::page::Tr) -> Self {
        let (key, tone) = match status {
            VersionStatus::Draft => ("status_draft", "draft"),
            VersionStatus::InReview => ("status_in_review", "review"),
            VersionStatus::Approved => ("status_approved", "review"),
            VersionStatus::Rejected => ("status_rejected", "late"),
            VersionStatus::Effective => ("status_effective", "ok"),
            VersionStatus::Superseded => ("status_superseded", "off"),
            VersionStatus::Obsolete => ("status_obsolete", "off"),
        };
        Self {
            text: t.get(key),
            tone,
        }
    }

    pub fn of_document(status: DocumentStatus, t: super::page::Tr) -> Self {
        let (key, tone) = match status {
            DocumentStatus::Draft => ("status_draft", "draft"),
            DocumentStatus::Effective => ("status_effective", "ok"),
            DocumentStatus::NeedsUpdate => ("status_needs_update", "warn"),
            DocumentStatus::UnderRevision => ("status_under_revision", "review"),
            DocumentStatus::Obsolete => ("status_obsolete", "off"),
        };
        Self {
            text: t.get(key),
            tone,
        }
    }

    /// A status by its name — a version's or a record's as the search index holds it, an
    /// audit's, a finding's, a corrective action's, a checklist answer — worded when known.
    pub fn of_status(status: &str, t: super::page::Tr) -> Self {
        let known = [
            ("draft", "status_draft", "draft"),
            ("in_review", "status_in_review", "review"),
            ("approved", "status_approved", "review"),
            ("rejected", "status_rejected", "late"),
            ("effective", "status_effective", "ok"),
            ("superseded", "status_superseded", "off"),
            ("obsolete", "status_obsolete", "off"),
            ("open", "status_open", "review"),
            ("closed", "status_closed", "ok"),
            ("planned", "status_planned", "draft"),
            ("in_progress", "status_in_progress", "review"),
            ("reported", "status_reported", "review"),
            ("noted", "status_noted", "off"),
            (
                "awaiting_verification",
                "status_awaiting_verification",
                "warn",
            ),
            ("signed_off", "status_signed_off", "ok"),
            ("unanswered", "answer_unanswered", "draft"),
            ("conform", "answer_conform", "ok"),
            ("nonconform", "answer_nonconform", "late"),
            ("observation", "answer_observation", "warn"),
            ("not_applicable", "answer_not_applicable", "off"),
        ];
        match known.iter().find(|(name, _, _)| *name == status) {
            Some((_, key, tone)) => Self {
                text: t.get(key),
                tone,
            },
            None => Self {
                text: status.replace('_', " "),
                tone: "off",
            },
        }
    }

    /// An assessment's status: open, submitted, final.
    pub fn of_assessment(status: &str, t: super::page::Tr) -> Self {
        let (key, tone) = match status {
            "open" => ("assessment_open", "draft"),
            "submitted" => ("assessment_submitted", "review"),
            _ => ("assessment_final", "ok"),
        };
        Self {
            text: t.get(key),
            tone,
        }
    }

    /// A count of things overdue: none is in order.
    pub fn of_count(overdue: u64, t: super::page::Tr) -> Self {
        if overdue == 0 {
            Self {
                text: t.get("state_in_order"),
                tone: "ok",
            }
        } else {
            Self {
                text: t.get("status_overdue"),
                tone: "late",
            }
        }
    }

    /// Overdue or not yet.
    pub fn of_due(overdue: bool, t: super::page::Tr) -> Self {
        if overdue {
            Self {
                text: t.get("status_overdue"),
                tone: "late",
            }
        } else {
            Self {
                text: t.get("status_due_soon"),
                tone: "warn",
            }
        }
    }
}

/// The catalogue key of a record kind as the search index names it.
pub fn record_kind_key(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "internal_audit" => "record_kind_internal_audit",
        "finding" => "record_kind_finding",
        "checklist_item" => "record_kind_checklist_item",
        "corrective_action" => "record_kind_corrective_action",
        "management_review" => "record_kind_management_review",
        "quality_objective" => "record_kind_quality_objective",
        "announcement" => "record_kind_announcement",
        "inspection" => "record_kind_inspection",
        "inspection_minutes" => "record_kind_inspection_minutes",
        "complaint" => "record_kind_complaint",
        "record" => "record_kind_record",
        "evidence" => "record_kind_evidence",
        _ => return None,
    })
}
