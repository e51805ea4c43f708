//! The forms of the internal auditor and ISO officer: plan an audit, move it along, ask and
//! answer its checklist, log findings with their photos and files, raise a corrective action
//! from a finding, plan and complete its steps, verify it. A refused form comes back with the
//! reason beside it and what was typed kept.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use uuid::Uuid;

use super::{AuditsQuery, Typed, build_audits, build_record};
use crate::ui::form::{Fields, all, day, one, optional, optional_day, person};
use crate::{
    AppState,
    clock::today,
    domain::{
        DomainError, DomainResult,
        concurrency::ExpectedRevision,
        records::{
            self, RecordKind, attachments,
            audits::{self, AuditChanges, AuditScope, NewAudit},
            corrective::{self, CompleteAction, NewAction, NewCorrectiveAction, Verification},
            findings::{self, ChecklistInput, NewFinding},
        },
    },
    i18n::Message,
    ui::page::Viewer,
    web::{
        error::{AppError, AppResult},
        extract::{ApiPath, UiForm},
        multipart::{self, ApiMultipart, FilesForm},
    },
};

/// The most files one form attaches.
pub const MAX_FILES: usize = 10;

/// What was typed, for the form named `form`.
fn typed(form: &str, fields: Fields, error: &AppError) -> Typed {
    Typed {
        form: form.to_owned(),
        values: fields,
        field: error
            .details
            .get("field")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        message: None,
    }
}

/// The record's page again, with the refusal beside the form that was sent.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    form: &str,
    fields: Fields,
    error: impl Into<AppError>,
) -> AppResult<Response> {
    let error = error.into();
    let mut typed = typed(form, fields, &error);
    let (status, message) = crate::ui::errors::refusal(error, viewer.lang)?;
    if status == StatusCode::FORBIDDEN {
        // Not theirs to do: said at the top, where no form of theirs is.
        typed.form.clear();
    }
    typed.message = Some(message);
    let page = build_record(state, viewer, id, None, typed).await?;
    Ok((status, page).into_response())
}

fn to_record(id: Uuid, done: &str) -> Response {
    Redirect::to(&format!("/records/{id}?done={done}")).into_response()
}

/// `POST /audits`: plans an internal audit.
pub async fn plan_audit(
    State(state): State<AppState>,
    viewer: Viewer,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let input = (|| -> DomainResult<NewAudit> {
        Ok(NewAudit {
            agency_id: one(&fields, "agency_id"),
            title: one(&fields, "title"),
            planned_start: day(&fields, "planned_start")?,
            planned_end: day(&fields, "planned_end")?,
            scope: AuditScope {
                clauses: all(&fields, "clauses"),
                processes: one(&fields, "processes")
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_owned)
                    .collect(),
                ..AuditScope::default()
            },
            lead_auditor_id: person(&fields, "lead_auditor_id")?,
            team_ids: all(&fields, "team_ids")
                .iter()
                .map(|id| {
                    id.parse().map_err(|_| {
                        DomainError::invalid("team_ids", Message::new("choose_a_person"))
                    })
                })
                .collect::<DomainResult<_>>()?,
            number: None,
        })
    })();
    let outcome = match input {
        Ok(input) => audits::create_audit(&state.db, &viewer.actor, input).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(audit) => Ok(to_record(audit.id, "planned")),
        Err(error) => {
            let error = AppError::from(error);
            let year = day(&fields, "planned_start").ok().map(|day| {
                use chrono::Datelike;
                day.year()
            });
            let mut typed = typed("plan", fields, &error);
            let (status, message) = crate::ui::errors::refusal(error, viewer.lang)?;
            typed.message = Some(message);
            let query = AuditsQuery { year, page: None };
            let page = build_audits(&state, &viewer, query, typed).await?;
            Ok((status, page).into_response())
        }
    }
}

/// `POST /audits/{id}/move`: starts, reports, closes or reopens an audit (`to`), as of the
/// revision the page showed; reporting keeps the report's text.
pub async fn move_audit(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let audit = records::get_record(
        &state.db,
        &viewer.actor,
        id,
        Some(RecordKind::InternalAudit),
    )
    .await?;
    let to = one(&fields, "to");
    let expected = one(&fields, "revision")
        .parse()
        .map_or(ExpectedRevision::Unmatchable, ExpectedRevision::Exactly);
    let has = |key: &str| audit.details.get(key).is_some_and(|value| !value.is_null());
    let changes = AuditChanges {
        actual_start: (to == "in_progress" && !has("actual_start")).then(today),
        actual_end: (to == "reported").then(today),
        report: optional(&fields, "report"),
        status: Some(to.clone()),
        ..AuditChanges::default()
    };
    match audits::update_audit(&state.db, &viewer.actor, id, expected, changes).await {
        Ok(_) => Ok(to_record(id, "moved")),
        Err(error) => refused(&state, &viewer, id, "move", fields, error).await,
    }
}

fn checklist_input(fields: &Fields, adding: bool) -> ChecklistInput {
    ChecklistInput {
        question: adding.then(|| one(fields, "question")),
        clause: optional(fields, "clause"),
        document_id: None,
        answer: optional(fields, "answer").filter(|answer| answer != "unanswered"),
        note: if adding {
            optional(fields, "note")
        } else {
            Some(one(fields, "note"))
        },
    }
}

/// `POST /audits/{id}/checklist`: adds a question, answered or not.
pub async fn add_question(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let input = checklist_input(&fields, true);
    match findings::add_checklist_item(&state.db, &viewer.actor, id, input).await {
        Ok(_) => Ok(to_record(id, "question")),
        Err(error) => refused(&state, &viewer, id, "question", fields, error).await,
    }
}

/// `POST /audits/{id}/checklist/{item}`: answers a question.
pub async fn answer_question(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, item)): ApiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let input = checklist_input(&fields, false);
    match findings::update_checklist_item(&state.db, &viewer.actor, id, item, input).await {
        Ok(_) => Ok(to_record(id, "answered")),
        Err(error) => {
            let form = format!("answer-{item}");
            refused(&state, &viewer, id, &form, fields, error).await
        }
    }
}

/// Reads a form of files and fields, nothing stored unless the viewer may attach to `id`.
async fn receive(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    kind: RecordKind,
    form: ApiMultipart,
    names: &[&'static str],
) -> AppResult<Result<(FilesForm, Fields), AppError>> {
    attachments::authorize(&state.db, &viewer.actor, id, Some(kind)).await?;
    match multipart::receive_files(
        form,
        &state.blobs,
        state.config.max_upload_bytes,
        names,
        MAX_FILES,
    )
    .await
    {
        Ok(mut form) => {
            let fields = names
                .iter()
                .filter_map(|name| form.take(name).map(|value| ((*name).to_owned(), value)))
                .collect();
            Ok(Ok((form, fields)))
        }
        Err(error) => Ok(Err(error)),
    }
}

/// `POST /audits/{id}/findings` (multipart): logs a finding with its photos and files.
pub async fn log_finding(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    form: ApiMultipart,
) -> AppResult<Response> {
    let names = ["grade", "clause", "description", "evidence", "found_on"];
    let (form, fields) =
        match receive(&state, &viewer, id, RecordKind::InternalAudit, form, &names).await? {
            Ok(received) => received,
            Err(error) => return refused(&state, &viewer, id, "finding", Vec::new(), error).await,
        };
    let input = optional_day(&fields, "found_on").map(|found_on| NewFinding {
        grade: one(&fields, "grade"),
        clause: one(&fields, "clause"),
        description: one(&fields, "description"),
        unit_id: None,
        document_ids: Vec::new(),
        evidence: optional(&fields, "evidence"),
        found_on,
    });
    let created = match input {
        Ok(input) => findings::create_finding(&state.db, &viewer.actor, id, input).await,
        Err(error) => Err(error),
    };
    let finding = match created {
        Ok(finding) => finding,
        Err(error) => return refused(&state, &viewer, id, "finding", fields, error).await,
    };
    if !form.files.is_empty() {
        attachments::attach_all(
            &state.db,
            &state.blobs,
            state.config.job_max_attempts,
            &viewer.actor,
            finding.id,
            Some(RecordKind::Finding),
            &form.files,
        )
        .await?;
    }
    Ok(to_record(finding.id, "finding"))
}

/// `POST /records/{id}/attachments` (multipart): attaches up to ten files at once.
pub async fn attach_files(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    form: ApiMultipart,
) -> AppResult<Response> {
    let record = records::get_record(&state.db, &viewer.actor, id, None).await?;
    let form = match receive(&state, &viewer, id, record.kind, form, &[]).await? {
        Ok((form, _)) => form,
        Err(error) => return refused(&state, &viewer, id, "files", Vec::new(), error).await,
    };
    if form.files.is_empty() {
        let error = DomainError::invalid("file", Message::new("form_without_file"));
        return refused(&state, &viewer, id, "files", Vec::new(), error).await;
    }
    match attachments::attach_all(
        &state.db,
        &state.blobs,
        state.config.job_max_attempts,
        &viewer.actor,
        id,
        None,
        &form.files,
    )
    .await
    {
        Ok(_) => Ok(to_record(id, "files")),
        Err(error) => refused(&state, &viewer, id, "files", Vec::new(), error).await,
    }
}

/// `POST /findings/{id}/corrective-action`: raises a corrective action from a nonconformity.
pub async fn raise_corrective_action(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let finding =
        records::get_record(&state.db, &viewer.actor, id, Some(RecordKind::Finding)).await?;
    let input = optional_day(&fields, "due_on").map(|due_on| NewCorrectiveAction {
        agency_id: finding.agency_id.to_string(),
        source: "internal_audit".to_owned(),
        finding_id: Some(id),
        source_record_id: None,
        found_on: None,
        nonconformity: one(&fields, "nonconformity"),
        immediate_correction: optional(&fields, "immediate_correction"),
        root_cause: optional(&fields, "root_cause"),
        root_cause_method: optional(&fields, "root_cause_method"),
        number: None,
        due_on,
    });
    let created = match input {
        Ok(input) => corrective::create(&state.db, &viewer.actor, input).await,
        Err(error) => Err(error),
    };
    match created {
        Ok(action) => Ok(to_record(action.id, "raised")),
        Err(error) => refused(&state, &viewer, id, "raise", fields, error).await,
    }
}

/// `POST /corrective-actions/{id}/actions`: plans a step: what, who, by when.
pub async fn add_action(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let input = (|| -> DomainResult<NewAction> {
        Ok(NewAction {
            description: one(&fields, "description"),
            owner_id: person(&fields, "owner_id")?,
            due_on: day(&fields, "due_on")?,
        })
    })();
    let outcome = match input {
        Ok(input) => corrective::add_action(&state.db, &viewer.actor, id, input).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(_) => Ok(to_record(id, "action")),
        Err(error) => refused(&state, &viewer, id, "action", fields, error).await,
    }
}

/// `POST /corrective-actions/{id}/actions/{action}/complete`: a step done, with what was done.
pub async fn complete_action(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, action)): ApiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let input = CompleteAction {
        note: optional(&fields, "note"),
    };
    match corrective::complete_action(&state.db, &viewer.actor, id, action, input).await {
        Ok(_) => Ok(to_record(id, "completed")),
        Err(error) => {
            let form = format!("complete-{action}");
            refused(&state, &viewer, id, &form, fields, error).await
        }
    }
}

/// `POST /corrective-actions/{id}/verify`: effective (closes it) or not (more steps needed).
pub async fn verify(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    UiForm(fields): UiForm<Fields>,
) -> AppResult<Response> {
    let input = match one(&fields, "effective").as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(DomainError::invalid(
            "effective",
            Message::new("choose_a_verdict"),
        )),
    }
    .map(|effective| Verification {
        effective,
        note: one(&fields, "note"),
    });
    let outcome = match input {
        Ok(input) => corrective::verify(&state.db, &viewer.actor, id, input).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(_) => Ok(to_record(id, "verified")),
        Err(error) => refused(&state, &viewer, id, "verify", fields, error).await,
    }
}
