//! QMS records in the UI: an agency's internal audit programme, and a record's page — an
//! audit with its checklist and findings, a finding with the corrective actions raised from
//! it, a corrective action with its steps and verification, or any other record with its
//! facts and files. The forms the internal auditor and ISO officer work through post to
//! `steps`.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::{
    page::{Chrome, DoneQuery, Tr, Viewer},
    view::{Badge, record_kind_key},
};
use crate::{
    AppState,
    clock::today,
    domain::{
        Action, AgencyTree, PageRequest, Role, agencies,
        records::{
            self, Person, Record, RecordFilter, RecordKind,
            clauses::{CLAUSES, Clause},
            findings::is_nonconformity_grade,
            people_of,
        },
    },
    i18n::Lang,
    names::Named,
    web::{
        error::AppResult,
        extract::{ApiPath, ApiQuery},
    },
};

mod detail;
mod steps;

pub use steps::{
    MAX_FILES, add_action, add_question, answer_question, attach_files, complete_action,
    log_finding, move_audit, plan_audit, raise_corrective_action, verify,
};

/// What a refused form had typed, to show again beside the reason.
#[derive(Debug, Default)]
pub struct Typed {
    /// The form refused (`plan`, `finding`, `question`, `raise`, `action`, `verify`,
    /// `move`, `files`, `answer-{item}`, `complete-{action}`).
    pub form: String,
    /// Every field as sent, in order (a multiple choice sends its name once per choice).
    pub values: crate::ui::form::Fields,
    /// The field the refusal is about, when it is one field's.
    pub field: Option<String>,
    pub message: Option<String>,
}

impl Typed {
    /// What was typed in `key` of `form`, or nothing.
    pub fn value(&self, form: &str, key: &str) -> &str {
        if self.form == form {
            self.values
                .iter()
                .rev()
                .find(|(name, _)| name == key)
                .map_or("", |(_, typed)| typed.as_str())
        } else {
            ""
        }
    }

    /// Whether `value` was chosen in `key` of `form` (one of several in a multiple choice).
    pub fn chose(&self, form: &str, key: &str, value: &str) -> bool {
        self.form == form
            && self
                .values
                .iter()
                .any(|(name, typed)| name == key && typed == value)
    }

    /// The reason `form` was refused.
    pub fn error(&self, form: &str) -> Option<&str> {
        (self.form == form)
            .then_some(self.message.as_deref())
            .flatten()
    }

    /// Whether the refusal of `form` is about `field`.
    pub fn invalid(&self, form: &str, field: &str) -> bool {
        self.form == form && self.field.as_deref() == Some(field)
    }
}

/// A record in a list.
pub struct RecordRow {
    pub href: String,
    pub number: String,
    pub title: String,
    pub status: Badge,
    pub day: String,
    pub due: String,
    pub overdue: bool,
}

impl RecordRow {
    fn of(summary: &records::RecordSummary, viewer: &Viewer) -> Self {
        let t = viewer.t();
        let overdue = summary.closed_on.is_none()
            && summary.due_on.is_some_and(|due| due < today())
            && !is_final(&summary.status);
        Self {
            href: format!("/records/{}", summary.id),
            number: summary.number.clone(),
            title: summary.title.clone(),
            status: Badge::of_status(&summary.status, t),
            day: viewer.lang.date(summary.occurred_on),
            due: summary
                .due_on
                .map(|due| viewer.lang.date(due))
                .unwrap_or_default(),
            overdue,
        }
    }
}

fn is_final(status: &str) -> bool {
    matches!(status, "closed" | "noted" | "signed_off" | "disposed")
}

/// A choice of a form's list.
pub struct Pick {
    pub value: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audits.html")]
struct AuditsPage {
    chrome: Chrome,
    t: Tr,
    year: i32,
    years: Vec<i32>,
    rows: Vec<RecordRow>,
    previous: Option<String>,
    next: Option<String>,
    /// The agencies the viewer plans audits for, and their internal auditors.
    agencies: Vec<Pick>,
    auditors: Vec<Pick>,
    clauses: &'static [Clause],
    typed: Typed,
}

/// `?year=&page=`
#[derive(Debug, Default, Deserialize)]
pub struct AuditsQuery {
    year: Option<i32>,
    page: Option<u64>,
}

/// `GET /audits`: the audit programme of a year, and the form to plan one.
pub async fn audits_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<AuditsQuery>,
) -> AppResult<Response> {
    let page = build_audits(&state, &viewer, query, Typed::default()).await?;
    Ok(page.into_response())
}

async fn build_audits(
    state: &AppState,
    viewer: &Viewer,
    query: AuditsQuery,
    typed: Typed,
) -> AppResult<AuditsPage> {
    let t = viewer.t();
    let this_year = today().year();
    let year = query.year.unwrap_or(this_year).clamp(2000, this_year + 1);
    let filter = RecordFilter {
        kind: Some(RecordKind::InternalAudit.as_str().to_owned()),
        year: Some(year),
        sort: Some("occurred_on".to_owned()),
        ..RecordFilter::default()
    };
    let request = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let found = records::list_records(&state.db, &viewer.actor, &filter, &request).await?;
    let shown_to = found.page * found.per_page;
    let link = |page: u64| format!("/audits?year={year}&page={page}");
    let previous = (found.page > 1).then(|| link(found.page - 1));
    let next = (shown_to < found.total).then(|| link(found.page + 1));
    let rows = found
        .items
        .iter()
        .map(|record| RecordRow::of(&record.into(), viewer))
        .collect();
    let tree = AgencyTree::load(&state.db).await?;
    let planning: Vec<Uuid> = viewer
        .actor
        .own_agencies()
        .into_iter()
        .filter(|agency| {
            viewer
                .actor
                .can(Action::ConductInternalAudits, Some(*agency), &tree)
        })
        .collect();
    let names = agencies::names_of(&state.db, planning.iter().copied()).await?;
    let mut auditors: Vec<Pick> = Vec::new();
    for agency in &planning {
        for person in people_of(&state.db, &viewer.actor, *agency).await? {
            if person.roles.contains(&Role::InternalAuditor)
                && !auditors
                    .iter()
                    .any(|known| known.value == person.id.to_string())
            {
                auditors.push(Pick {
                    value: person.id.to_string(),
                    label: person.name,
                });
            }
        }
    }
    Ok(AuditsPage {
        chrome: viewer.chrome(t.get("audits_title")),
        t,
        year,
        years: (this_year - 4..=this_year + 1).rev().collect(),
        rows,
        previous,
        next,
        agencies: planning
            .iter()
            .map(|id| Pick {
                value: id.to_string(),
                label: names.get(id).cloned().unwrap_or_default(),
            })
            .collect(),
        auditors,
        clauses: CLAUSES,
        typed,
    })
}

/// A checklist's answers and the words for them.
const ANSWERS: &[(&str, &str)] = &[
    ("unanswered", "answer_unanswered"),
    ("conform", "answer_conform"),
    ("nonconform", "answer_nonconform"),
    ("observation", "answer_observation"),
    ("not_applicable", "answer_not_applicable"),
];

/// A finding's grades and the words for them.
const GRADES: &[(&str, &str)] = &[
    ("major", "grade_major"),
    ("minor", "grade_minor"),
    ("observation", "grade_observation"),
    ("opportunity", "grade_opportunity"),
];

/// A checklist question as the audit's page lists it.
pub struct QuestionRow {
    pub id: Uuid,
    pub question: String,
    pub clause: String,
    pub answer: String,
    pub status: Badge,
    pub note: String,
}

/// A step of a corrective action.
pub struct StepRow {
    pub id: Uuid,
    pub description: String,
    pub owner: String,
    pub due: String,
    pub done: Option<String>,
    pub overdue: bool,
    pub can_complete: bool,
}

/// A file attached.
pub struct FileRow {
    pub href: String,
    pub view: Option<String>,
    pub name: String,
    pub size: String,
}

/// What the viewer may do on a record's page.
#[derive(Default)]
pub struct Rights {
    /// Move an audit: the statuses it may go to next.
    pub moves: Vec<(&'static str, String)>,
    /// Write the audit's report (when it may be reported).
    pub report: bool,
    pub log_findings: bool,
    pub attach: bool,
    pub raise: bool,
    pub add_actions: bool,
    pub verify: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "record.html")]
struct RecordPage {
    chrome: Chrome,
    t: Tr,
    id: Uuid,
    kind: &'static str,
    kind_label: String,
    number: String,
    title: String,
    status: Badge,
    revision: i32,
    up: Option<(String, String)>,
    facts: Vec<(String, String)>,
    texts: Vec<(String, String)>,
    questions: Vec<QuestionRow>,
    findings: Vec<RecordRow>,
    raised: Vec<RecordRow>,
    steps: Vec<StepRow>,
    verifications: Vec<String>,
    files: Vec<FileRow>,
    people: Vec<Pick>,
    clauses: &'static [Clause],
    answers: &'static [(&'static str, &'static str)],
    grades: &'static [(&'static str, &'static str)],
    rights: Rights,
    defaults: HashMap<&'static str, String>,
    notice: Option<String>,
    typed: Typed,
}

impl RecordPage {
    /// What a form shows in `key`: what was typed when it was refused, else its default.
    fn field(&self, form: &str, key: &str) -> String {
        let typed = self.typed.value(form, key);
        if self.typed.form == form {
            typed.to_owned()
        } else {
            self.defaults.get(key).cloned().unwrap_or_default()
        }
    }
}

/// The steps a record's page reports after their redirect.
const DONE: &[(&str, &str)] = &[
    ("planned", "done_audit_planned"),
    ("moved", "done_audit_moved"),
    ("question", "done_question_added"),
    ("answered", "done_question_answered"),
    ("finding", "done_finding_logged"),
    ("files", "done_files_attached"),
    ("raised", "done_corrective_raised"),
    ("action", "done_action_added"),
    ("completed", "done_action_completed"),
    ("verified", "done_verified"),
];

/// `GET /records/{id}`: a record of any kind the viewer may read.
pub async fn record_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<DoneQuery>,
) -> AppResult<Response> {
    let notice = query.notice(viewer.lang, DONE);
    let page = build_record(&state, &viewer, id, notice, Typed::default()).await?;
    Ok(page.into_response())
}

async fn build_record(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<String>,
    typed: Typed,
) -> AppResult<RecordPage> {
    let t = viewer.t();
    let record = records::get_record(&state.db, &viewer.actor, id, None).await?;
    let tree = AgencyTree::load(&state.db).await?;
    let people = people_of(&state.db, &viewer.actor, record.agency_id).await?;
    let names: HashMap<Uuid, String> = people
        .iter()
        .map(|person| (person.id, person.name.clone()))
        .collect();
    let agency = agencies::names_of(&state.db, [record.agency_id])
        .await?
        .remove(&record.agency_id)
        .unwrap_or_default();
    let can = |action: Action| viewer.actor.can(action, Some(record.agency_id), &tree);
    let open = !is_final(&record.status);
    let mut page = RecordPage {
        chrome: viewer.chrome(format!("{} {}", record.number, record.title)),
        t,
        id,
        kind: record.kind.as_str(),
        kind_label: record_kind_key(record.kind.as_str())
            .map_or_else(String::new, |key| t.get(key)),
        number: record.number.clone(),
        title: record.title.clone(),
        status: Badge::of_status(&record.status, t),
        revision: record.revision,
        up: None,
        facts: vec![
            (t.get("col_agency"), agency),
            (t.get("record_day"), viewer.lang.date(record.occurred_on)),
        ],
        texts: Vec::new(),
        questions: Vec::new(),
        findings: Vec::new(),
        raised: record
            .raised
            .iter()
            .map(|summary| RecordRow::of(summary, viewer))
            .collect(),
        steps: Vec::new(),
        verifications: Vec::new(),
        files: files_of(&record, viewer.lang),
        people: people_options(&people),
        clauses: CLAUSES,
        answers: ANSWERS,
        grades: GRADES,
        rights: Rights {
            attach: open && (can(record.kind.editor()) || can(Action::ManageRecords)),
            ..Rights::default()
        },
        defaults: HashMap::new(),
        notice,
        typed,
    };
    if let Some(due) = record.due_on {
        page.facts.push((t.get("col_due"), viewer.lang.date(due)));
    }
    if let Some(closed) = record.closed_on {
        page.facts
            .push((t.get("record_closed_on"), viewer.lang.date(closed)));
    }
    if let Some(parent) = record.parent_id.or(record.source_id) {
        let parent = records::get_record(&state.db, &viewer.actor, parent, None).await?;
        page.up = Some((
            format!("/records/{}", parent.id),
            format!("{} {}", parent.number, parent.title),
        ));
    } else if record.kind == RecordKind::InternalAudit {
        page.up = Some((
            format!("/audits?year={}", record.year),
            t.get("audits_title"),
        ));
    }
    match record.kind {
        RecordKind::InternalAudit => {
            detail::audit(state, viewer, &record, &names, can, &mut page).await?;
        }
        RecordKind::Finding => detail::finding(viewer, &record, can, &mut page),
        RecordKind::CorrectiveAction => detail::corrective(viewer, &record, &names, can, &mut page),
        _ => detail::other(viewer, &record, &mut page),
    }
    Ok(page)
}

fn people_options(people: &[Person]) -> Vec<Pick> {
    people
        .iter()
        .map(|person| Pick {
            value: person.id.to_string(),
            label: person.name.clone(),
        })
        .collect()
}

fn files_of(record: &Record, lang: Lang) -> Vec<FileRow> {
    record
        .attachments
        .iter()
        .map(|file| {
            let href = format!("/api/v1/attachments/{}/file", file.id);
            FileRow {
                view: super::viewer::viewable_type(&file.content_type)
                    .then(|| format!("/attachments/{}/view", file.id)),
                href,
                name: file.original_filename.clone(),
                size: lang.file_size(u64::try_from(file.size).unwrap_or(0)),
            }
        })
        .collect()
}

/// A string field of a record's details.
fn text_of(details: &Value, key: &str) -> String {
    details
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Whether a grade needs a corrective action.
fn needs_action(category: Option<&str>) -> bool {
    category.is_some_and(is_nonconformity_grade)
}
