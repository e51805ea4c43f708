//! Scoring against a criteria set (DOMAIN.md §5): criteria sets imported as data, scoring
//! periods over a set of agencies, each agency's self-assessment with evidence pinned to what
//! it was when linked, suggestions from search, facts the system knows, appraisal by assigned
//! appraisers on a reproducible sample, ranking, publication and exports. Every score, link,
//! comment, assignment and status change writes an audit row with before and after.

pub mod access;
pub mod appraisal;
pub mod assessments;
pub mod carry_forward;
pub mod dossier;
pub mod evidence;
pub mod evidence_files;
pub mod facts;
pub mod finalize;
pub mod format;
pub mod history;
pub mod listing;
pub mod periods;
pub mod ranking;
pub mod results;
pub mod scoped_search;
pub mod sets;
pub mod spreadsheet;
pub mod submission;
pub mod suggestions;
pub mod validation;

crate::named_enum! {
    /// Where a scoring period stands.
    pub enum PeriodStatus {
        /// Being prepared: agencies, deadlines.
        Draft,
        /// Agencies score themselves and link evidence.
        SelfAssessment,
        /// Appraisers review the submitted assessments (late submissions still come in).
        Appraisal,
        /// Totals and ranks are fixed.
        Final,
        /// The ranking is public.
        Published,
    }
}

impl PeriodStatus {
    /// Assessments can be worked on (scored, submitted, appraised).
    pub fn is_running(self) -> bool {
        matches!(self, Self::SelfAssessment | Self::Appraisal)
    }
}

crate::named_enum! {
    /// Where one agency's assessment stands.
    pub enum AssessmentStatus {
        /// The agency scores itself.
        Open,
        /// Submitted: locked for the agency, open to its appraisers.
        Submitted,
        /// The period was finalised.
        Final,
    }
}

crate::named_enum! {
    /// A fact of an agency's QMS year that a criterion can be about.
    pub enum Fact {
        /// An internal audit of the year was reported or closed.
        InternalAuditHeld,
        /// A management review of the year was signed off.
        ManagementReviewHeld,
        /// The agency's announcement of conformity is current.
        AnnouncementCurrent,
        /// The year's corrective actions were closed by their due days.
        CorrectiveActionsOnTime,
        /// No document is past its three-month deadline to follow a legal change.
        LegalUpdatesOverdue,
        /// The agency's people acknowledged its documents in force.
        AcknowledgementCoverage,
        /// Records of a `periodic_report` series dated in the year (6-month and yearly reports).
        PeriodicReportsSubmitted,
        /// The self-assessment came after its deadline (a deduction the system sets itself on
        /// submission, `points_per_day` per day late).
        LateSubmission,
    }
}
