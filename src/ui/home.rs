//! "Việc cần làm": what is due in the person's agencies (from the deadlines), what they have to
//! read, the drafts in progress, and their agency's year at a glance (from the QMS status).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};

use super::{
    page::{Chrome, Tr, Viewer},
    view::Badge,
};
use crate::{
    AppState,
    domain::{
        PageRequest,
        documents::{
            acknowledgements,
            register::{self, DocumentFilter},
        },
        records::{
            deadlines::{self, Deadline, DeadlineFilter},
            status,
        },
    },
    web::error::AppResult,
};

/// Something due.
pub struct DueRow {
    pub badge: Badge,
    pub kind: String,
    pub title: String,
    pub reference: String,
    pub due: String,
    pub href: Option<String>,
    /// Whose it is, when the list holds more than one agency's (a coordinator's, a head's of
    /// several units): two corrective actions may both be HDKP-2026-001.
    pub agency: Option<String>,
}

/// A document in progress.
pub struct DraftRow {
    pub href: String,
    pub code: String,
    pub title: String,
    pub status: Badge,
}

/// A line of the agency's year at a glance: what, the figure, whether it is in order.
pub struct Figure {
    pub label: String,
    pub value: String,
    pub badge: Badge,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    t: Tr,
    due: Vec<DueRow>,
    show_reading: bool,
    to_read: usize,
    drafts: Vec<DraftRow>,
    agency: Option<(String, Vec<Figure>)>,
}

fn deadline_key(kind: &str) -> &'static str {
    match kind {
        "corrective_action_step" => "deadline_corrective_action_step",
        "corrective_action_report" => "deadline_corrective_action_report",
        "review_decision" => "deadline_review_decision",
        "document_review" => "deadline_document_review",
        "legal_update" => "deadline_legal_update",
        "cited_reference_changed" => "deadline_cited_reference_changed",
        "internal_audit_due" => "deadline_internal_audit_due",
        "management_review_due" => "deadline_management_review_due",
        _ => "deadline_other",
    }
}

fn duty_title(key: &'static str, deadline: &Deadline, t: Tr) -> String {
    crate::i18n::Message::new(key)
        .arg("year", i64::from(chrono::Datelike::year(&deadline.due_on)))
        .render(t.0)
}

fn due_row(deadline: &Deadline, t: Tr) -> DueRow {
    DueRow {
        badge: Badge::of_due(deadline.overdue, t),
        kind: t.get(deadline_key(&deadline.kind)),
        // The year's duties are named by hoso, in Vietnamese; the reader's words instead.
        title: match deadline.kind.as_str() {
            "internal_audit_due" => duty_title("duty_internal_audit_title", deadline, t),
            "management_review_due" => duty_title("duty_management_review_title", deadline, t),
            _ => deadline.title.clone(),
        },
        reference: deadline.reference.clone().unwrap_or_default(),
        due: t.0.date(deadline.due_on),
        href: deadline
            .document_id
            .map(|id| format!("/documents/{id}"))
            .or_else(|| deadline.record_id.map(|id| format!("/records/{id}")))
            .or_else(|| (deadline.kind == "internal_audit_due").then(|| "/audits".to_owned())),
        agency: None,
    }
}

fn yes_no(held: bool, t: Tr) -> (String, Badge) {
    if held {
        (
            t.get("answer_yes"),
            Badge {
                text: t.get("state_in_order"),
                tone: "ok",
            },
        )
    } else {
        (
            t.get("answer_no"),
            Badge {
                text: t.get("state_missing"),
                tone: "late",
            },
        )
    }
}

/// `GET /`
pub async fn dashboard(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let t = viewer.t();
    let lang = viewer.lang;
    let found = deadlines::deadlines(
        &state.db,
        &viewer.actor,
        &DeadlineFilter::default(),
        state.config.qms_duties_due,
    )
    .await?;
    let shown: Vec<&Deadline> = found.iter().take(30).collect();
    let agencies: std::collections::BTreeSet<uuid::Uuid> =
        shown.iter().map(|deadline| deadline.agency_id).collect();
    let names = if agencies.len() > 1 {
        crate::domain::agencies::names_of(&state.db, agencies).await?
    } else {
        std::collections::HashMap::new()
    };
    let due = shown
        .into_iter()
        .map(|deadline| DueRow {
            agency: names.get(&deadline.agency_id).cloned(),
            ..due_row(deadline, t)
        })
        .collect();
    let show_reading = viewer.is_member();
    let to_read = if show_reading {
        let first = PageRequest {
            page: Some(1),
            per_page: Some(1),
        };
        let total = acknowledgements::reading_list(&state.db, &viewer.actor, &first)
            .await?
            .total;
        usize::try_from(total).unwrap_or(usize::MAX)
    } else {
        0
    };
    let mut drafts = Vec::new();
    for status in ["draft", "under_revision"] {
        let filter = DocumentFilter {
            status: Some(status.to_owned()),
            sort: Some("-updated_at".to_owned()),
            ..DocumentFilter::default()
        };
        let first = register::first_documents(&state.db, &viewer.actor, &filter, 10).await?;
        drafts.extend(first.iter().map(|document| DraftRow {
            href: format!("/documents/{}", document.id),
            code: document.code.clone(),
            title: document.title.clone(),
            status: Badge::of_document(document.status, t),
        }));
    }
    let agency = match viewer.actor.own_agencies().first() {
        Some(id) => {
            let year = status::qms_status(&state.db, &viewer.actor, &id.to_string(), None).await?;
            let names = crate::domain::agencies::names_of(&state.db, [*id]).await?;
            let mut figures = Vec::new();
            for (key, held) in [
                ("figure_internal_audit", year.internal_audit_held),
                ("figure_management_review", year.management_review_held),
                ("figure_announcement", year.announcement_current),
            ] {
                let (value, badge) = yes_no(held, t);
                figures.push(Figure {
                    label: t.get(key),
                    value,
                    badge,
                });
            }
            let actions = &year.corrective_actions;
            figures.push(Figure {
                label: t.get("figure_corrective_actions"),
                value: crate::i18n::Message::new("figure_corrective_value")
                    .arg("open", actions.open)
                    .arg("overdue", actions.overdue)
                    .render(lang),
                badge: Badge::of_count(actions.overdue, t),
            });
            figures.push(Figure {
                label: t.get("figure_legal_updates"),
                value: crate::i18n::Message::new("figure_legal_value")
                    .arg("pending", year.legal_updates.pending)
                    .arg("overdue", year.legal_updates.overdue)
                    .render(lang),
                badge: Badge::of_count(year.legal_updates.overdue, t),
            });
            if let Some(share) = year.acknowledgement_coverage {
                figures.push(Figure {
                    label: t.get("figure_acknowledgements"),
                    value: lang.percent(share),
                    badge: if share >= 0.9 {
                        Badge {
                            text: t.get("state_in_order"),
                            tone: "ok",
                        }
                    } else {
                        Badge {
                            text: t.get("state_behind"),
                            tone: "warn",
                        }
                    },
                });
            }
            let title = crate::i18n::Message::new("agency_year")
                .arg("agency", names.get(id).cloned().unwrap_or_default())
                .arg("year", i64::from(year.year))
                .render(lang);
            Some((title, figures))
        }
        None => None,
    };
    let page = HomePage {
        chrome: viewer.chrome(t.get("home_title")),
        t,
        due,
        show_reading,
        to_read,
        drafts,
        agency,
    };
    Ok(page.into_response())
}
