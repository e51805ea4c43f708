//! What a record's page shows of each kind: an audit's scope, team, checklist and findings; a
//! finding's grade, clause and evidence; a corrective action's analysis, steps and
//! verifications; any other record's own fields.

use std::collections::HashMap;

use serde_json::Value;
use uuid::Uuid;

use super::{QuestionRow, Record, RecordPage, RecordRow, StepRow, needs_action, text_of};
use crate::{
    AppState,
    clock::today,
    domain::{
        Action, PageRequest,
        records::{self, RecordFilter, RecordKind, clauses::CLAUSES},
    },
    names::Named,
    ui::{page::Viewer, view::Badge},
    web::error::AppResult,
};

/// The moves an audit's page offers from each status, with the words of their buttons.
const MOVES: &[(&str, &str, &str)] = &[
    ("planned", "in_progress", "audit_start"),
    ("in_progress", "reported", "audit_report"),
    ("reported", "closed", "audit_close"),
    ("reported", "in_progress", "audit_reopen"),
];

/// A clause with its title: `8.5.1 — Kiểm soát sản xuất và cung cấp dịch vụ`.
pub fn clause_label(code: &str) -> String {
    CLAUSES
        .iter()
        .find(|clause| clause.clause == code)
        .map_or_else(
            || code.to_owned(),
            |clause| format!("{} — {}", clause.clause, clause.title),
        )
}

fn name_of(names: &HashMap<Uuid, String>, id: Option<&Value>) -> String {
    id.and_then(Value::as_str)
        .and_then(|id| id.parse::<Uuid>().ok())
        .and_then(|id| names.get(&id).cloned())
        .unwrap_or_default()
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub async fn audit(
    state: &AppState,
    viewer: &Viewer,
    record: &Record,
    names: &HashMap<Uuid, String>,
    can: impl Fn(Action) -> bool,
    page: &mut RecordPage,
) -> AppResult<()> {
    let t = viewer.t();
    let lang = viewer.lang;
    let details = &record.details;
    let day = |key: &str| {
        details
            .get(key)
            .and_then(Value::as_str)
            .and_then(|day| day.parse().ok())
            .map(|day| lang.date(day))
    };
    page.facts[1].0 = t.get("audit_planned_start");
    if let Some(end) = day("planned_end") {
        page.facts.push((t.get("audit_planned_end"), end));
    }
    if let Some(start) = day("actual_start") {
        page.facts.push((t.get("audit_actual_start"), start));
    }
    if let Some(end) = day("actual_end") {
        page.facts.push((t.get("audit_actual_end"), end));
    }
    page.facts.push((
        t.get("audit_lead"),
        name_of(names, details.get("lead_auditor_id")),
    ));
    let team: Vec<String> = details
        .get("team_ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().map(|id| name_of(names, Some(id))).collect())
        .unwrap_or_default();
    if !team.is_empty() {
        page.facts.push((t.get("audit_team"), team.join(", ")));
    }
    let scope = details.get("scope");
    let clauses = strings(scope.and_then(|scope| scope.get("clauses")));
    if !clauses.is_empty() {
        page.facts
            .push((t.get("audit_clauses"), clauses.join(", ")));
    }
    let processes = strings(scope.and_then(|scope| scope.get("processes")));
    if !processes.is_empty() {
        page.texts
            .push((t.get("audit_processes"), processes.join("; ")));
    }
    let report = text_of(details, "report");
    if !report.is_empty() {
        page.texts
            .push((t.get("audit_report_text"), report.clone()));
    }
    page.defaults.insert("report", report);

    let checklist = records::list_records(
        &state.db,
        &viewer.actor,
        &RecordFilter {
            kind: Some(RecordKind::ChecklistItem.as_str().to_owned()),
            parent: Some(record.id),
            sort: Some("number".to_owned()),
            ..RecordFilter::default()
        },
        &PageRequest {
            page: None,
            per_page: Some(200),
        },
    )
    .await?;
    page.questions = checklist
        .items
        .iter()
        .map(|item| {
            let clause = text_of(&item.details, "clause");
            QuestionRow {
                id: item.id,
                question: text_of(&item.details, "question"),
                clause: if clause.is_empty() {
                    String::new()
                } else {
                    clause_label(&clause)
                },
                answer: item.status.clone(),
                status: Badge::of_status(&item.status, t),
                note: text_of(&item.details, "note"),
            }
        })
        .collect();
    page.findings = record
        .children
        .iter()
        .filter(|child| child.kind == RecordKind::Finding)
        .map(|child| RecordRow::of(child, viewer))
        .collect();
    let auditing = can(Action::ConductInternalAudits);
    if auditing {
        page.rights.moves = MOVES
            .iter()
            .filter(|(from, _, _)| *from == record.status)
            .map(|(_, to, key)| (*to, t.get(key)))
            .collect();
        page.rights.report = page.rights.moves.iter().any(|(to, _)| *to == "reported");
    }
    page.rights.log_findings = auditing && record.status != "closed";
    page.defaults.insert("found_on", today().to_string());
    Ok(())
}

pub fn finding(
    viewer: &Viewer,
    record: &Record,
    can: impl Fn(Action) -> bool,
    page: &mut RecordPage,
) {
    let t = viewer.t();
    let details = &record.details;
    page.facts[1].0 = t.get("finding_found_on");
    if let Some(grade) = record.category.as_deref() {
        page.facts
            .insert(0, (t.get("field_grade"), grade_word(grade, viewer)));
    }
    page.facts.push((
        t.get("field_clause"),
        clause_label(&text_of(details, "clause")),
    ));
    let description = text_of(details, "description");
    page.texts
        .push((t.get("field_description"), description.clone()));
    let evidence = text_of(details, "evidence");
    if !evidence.is_empty() {
        page.texts.push((t.get("field_evidence"), evidence));
    }
    page.rights.raise = needs_action(record.category.as_deref())
        && record.status != "closed"
        && (can(Action::ConductInternalAudits) || can(Action::ManageRecords));
    page.defaults.insert("nonconformity", description);
}

/// A finding's grade in words.
pub fn grade_word(grade: &str, viewer: &Viewer) -> String {
    super::GRADES
        .iter()
        .find(|(name, _)| *name == grade)
        .map_or_else(|| grade.to_owned(), |(_, key)| viewer.t().get(key))
}

pub fn corrective(
    viewer: &Viewer,
    record: &Record,
    names: &HashMap<Uuid, String>,
    can: impl Fn(Action) -> bool,
    page: &mut RecordPage,
) {
    let t = viewer.t();
    let lang = viewer.lang;
    let details = &record.details;
    page.facts[1].0 = t.get("corrective_found_on");
    if let Some(source) = record.category.as_deref() {
        let key = match source {
            "internal_audit" => "source_internal_audit",
            "inspection" => "source_inspection",
            "complaint" => "source_complaint",
            "management_review" => "source_management_review",
            "objective" => "source_objective",
            _ => "source_other",
        };
        page.facts.insert(0, (t.get("field_source"), t.get(key)));
    }
    for (key, label) in [
        ("nonconformity", "field_nonconformity"),
        ("immediate_correction", "field_immediate_correction"),
        ("root_cause", "field_root_cause"),
    ] {
        let text = text_of(details, key);
        if !text.is_empty() {
            page.texts.push((t.get(label), text));
        }
    }
    let open = record.status != "closed";
    let me = viewer.actor.user_id;
    let manages = can(Action::ManageRecords);
    page.steps = record
        .actions
        .iter()
        .map(|step| StepRow {
            id: step.id,
            description: step.description.clone(),
            owner: step
                .owner_id
                .and_then(|owner| names.get(&owner).cloned())
                .unwrap_or_default(),
            due: step.due_on.map(|due| lang.date(due)).unwrap_or_default(),
            done: step.done_on.map(|done| {
                let note = step
                    .done_note
                    .as_deref()
                    .map(|note| format!(" — {note}"))
                    .unwrap_or_default();
                format!("{}{note}", lang.date(done))
            }),
            overdue: step.overdue,
            can_complete: open
                && step.done_on.is_none()
                && (manages || (me.is_some() && step.owner_id == me)),
        })
        .collect();
    page.verifications = details
        .get("verifications")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .map(|entry| {
                    let verdict = if entry.get("effective").and_then(Value::as_bool) == Some(true) {
                        t.get("verify_effective")
                    } else {
                        t.get("verify_not_effective")
                    };
                    let on = entry
                        .get("on")
                        .and_then(Value::as_str)
                        .and_then(|day| day.parse().ok())
                        .map(|day| lang.date(day))
                        .unwrap_or_default();
                    format!(
                        "{on} — {} — {verdict}: {}",
                        text_of(entry, "by_name"),
                        text_of(entry, "note")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    page.rights.add_actions = open && manages;
    page.rights.verify =
        record.status == "awaiting_verification" && (can(Action::ConductInternalAudits) || manages);
    page.defaults.insert("due_on", today().to_string());
}

/// The words for the fields records of other kinds carry (a field not listed reads as its
/// name).
const DETAIL_LABELS: &[(&str, &str)] = &[
    ("inputs", "detail_inputs"),
    ("minutes", "detail_minutes"),
    ("signed_off_at", "detail_signed_off_at"),
    ("decided_on", "detail_decided_on"),
    ("decision_number", "detail_decision_number"),
    ("notified_on", "detail_notified_on"),
    ("posted_at_office", "detail_posted_at_office"),
    ("reason", "detail_reason"),
    ("scope", "detail_scope"),
    ("standard", "detail_standard"),
    ("website_url", "detail_website_url"),
    ("report", "detail_report"),
    ("description", "field_description"),
    ("note", "field_note"),
];

/// The inputs of a management review (`records::reviews::INPUTS`) with their words.
const REVIEW_INPUT_LABELS: [(&str, &str); 12] = [
    ("previous_actions", "review_input_previous_actions"),
    ("context_changes", "review_input_context_changes"),
    ("satisfaction", "review_input_satisfaction"),
    ("objectives", "review_input_objectives"),
    ("process_performance", "review_input_process_performance"),
    (
        "nonconformities_and_corrective_actions",
        "review_input_nonconformities_and_corrective_actions",
    ),
    ("monitoring_results", "review_input_monitoring_results"),
    ("audit_results", "review_input_audit_results"),
    ("external_providers", "review_input_external_providers"),
    ("resources", "review_input_resources"),
    (
        "risks_and_opportunities",
        "review_input_risks_and_opportunities",
    ),
    (
        "improvement_opportunities",
        "review_input_improvement_opportunities",
    ),
];

/// Any other record: its own short fields as facts, its long ones as texts (people and linked
/// records, kept as ids, are left out).
pub fn other(viewer: &Viewer, record: &Record, page: &mut RecordPage) {
    let Some(fields) = record.details.as_object() else {
        return;
    };
    // A management review's inputs, in the order of ISO 9001 9.3.2, each with what is said.
    if let Some(inputs) = fields.get("inputs").and_then(Value::as_object) {
        for (name, label) in REVIEW_INPUT_LABELS {
            let said = inputs
                .get(name)
                .and_then(|input| input["text"].as_str())
                .unwrap_or_default();
            if !said.trim().is_empty() {
                page.texts.push((viewer.t().get(label), said.to_owned()));
            }
        }
    }
    for (key, value) in fields {
        if key.ends_with("_id") || key.ends_with("_ids") || key.ends_with("_by") {
            continue;
        }
        let text = match value {
            Value::String(text) => match text.parse::<chrono::NaiveDate>() {
                Ok(day) => viewer.lang.date(day),
                Err(_) => match chrono::DateTime::parse_from_rfc3339(text) {
                    Ok(at) => viewer.lang.date_time(at.with_timezone(&chrono::Utc)),
                    Err(_) => text.clone(),
                },
            },
            Value::Number(number) => number.to_string(),
            Value::Bool(yes) => viewer
                .t()
                .get(if *yes { "answer_yes" } else { "answer_no" }),
            _ => continue,
        };
        if text.is_empty() {
            continue;
        }
        let label = DETAIL_LABELS
            .iter()
            .find(|(name, _)| name == key)
            .map_or_else(|| key.replace('_', " "), |(_, label)| viewer.t().get(label));
        if text.chars().count() > 80 {
            page.texts.push((label, text));
        } else {
            page.facts.push((label, text));
        }
    }
}
