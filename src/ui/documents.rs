//! The document register and a document's page: its versions as a timeline, its files
//! (original and stamped), legal bases and who has read the version in force.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use strum::VariantArray;
use uuid::Uuid;

use super::{
    page::{Chrome, DoneQuery, Tr, Viewer},
    view::Badge,
    viewer::{self, PdfViewer},
};
use crate::{
    AppState,
    domain::{
        PageRequest,
        documents::{
            Document, DocumentKind, Version, VersionStatus, acknowledgements,
            register::{self, DocumentFilter},
        },
    },
    web::{
        error::{AppError, AppResult},
        extract::{ApiPath, ApiQuery},
    },
};

mod steps;
pub use steps::{upload_version, version_step};

/// The register's filters, as the form sends them (empty means "any").
#[derive(Debug, Default, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    overdue: Option<String>,
    page: Option<u64>,
}

/// An option of a filter's list.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

/// A row of the register.
pub struct DocumentRow {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub status: Badge,
    pub version: String,
    pub next_review: String,
    pub overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "documents.html")]
struct RegisterPage {
    chrome: Chrome,
    t: Tr,
    q: String,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    overdue: bool,
    rows: Vec<DocumentRow>,
    summary: String,
    previous: Option<String>,
    next: Option<String>,
}

/// The catalogue key of a document kind.
pub fn kind_key(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Policy => "kind_policy",
        DocumentKind::Objectives => "kind_objectives",
        DocumentKind::Manual => "kind_manual",
        DocumentKind::Procedure => "kind_procedure",
        DocumentKind::WorkInstruction => "kind_work_instruction",
        DocumentKind::Form => "kind_form",
        DocumentKind::RecordTemplate => "kind_record_template",
        DocumentKind::External => "kind_external",
        DocumentKind::Legal => "kind_legal",
        DocumentKind::Other => "kind_other",
    }
}

const STATUS_FILTERS: [(&str, &str); 5] = [
    ("effective", "status_effective"),
    ("draft", "status_draft"),
    ("needs_update", "status_needs_update"),
    ("under_revision", "status_under_revision"),
    ("obsolete", "status_obsolete"),
];

/// `GET /documents`: the register with its filters, 50 to a page.
pub async fn register_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<RegisterQuery>,
) -> AppResult<Response> {
    let t = viewer.t();
    let filled = |text: &str| (!text.trim().is_empty()).then(|| text.trim().to_owned());
    let overdue = query
        .overdue
        .as_deref()
        .is_some_and(|value| !value.is_empty());
    let filter = DocumentFilter {
        q: filled(&query.q),
        status: filled(&query.status),
        kind: filled(&query.kind),
        overdue: overdue.then_some(true),
        sort: Some("code".to_owned()),
        ..DocumentFilter::default()
    };
    let request = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let page = register::list_documents(&state.db, &viewer.actor, &filter, &request).await?;
    let rows = page
        .items
        .iter()
        .map(|document| row_of(document, t))
        .collect();
    let link_to = |number: u64| {
        let mut params = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("q", query.q.as_str()),
            ("status", &query.status),
            ("kind", &query.kind),
        ] {
            if !value.is_empty() {
                params.append_pair(name, value);
            }
        }
        if overdue {
            params.append_pair("overdue", "1");
        }
        params.append_pair("page", &number.to_string());
        format!("/documents?{}", params.finish())
    };
    let shown_to = (page.page - 1) * page.per_page + page.items.len() as u64;
    let summary = crate::i18n::Message::new("register_summary")
        .arg(
            "from",
            if page.items.is_empty() {
                0
            } else {
                (page.page - 1) * page.per_page + 1
            },
        )
        .arg("to", shown_to)
        .arg("total", page.total)
        .render(viewer.lang);
    let page_view = RegisterPage {
        chrome: viewer.chrome(t.get("documents_title")),
        t,
        statuses: STATUS_FILTERS
            .iter()
            .map(|(value, key)| Choice {
                value,
                label: t.get(key),
                selected: query.status == *value,
            })
            .collect(),
        kinds: DocumentKind::VARIANTS
            .iter()
            .map(|kind| Choice {
                value: kind.into(),
                label: t.get(kind_key(*kind)),
                selected: query.kind == <&str>::from(kind),
            })
            .collect(),
        q: query.q.clone(),
        overdue,
        rows,
        summary,
        previous: (page.page > 1).then(|| link_to(page.page - 1)),
        next: (shown_to < page.total).then(|| link_to(page.page + 1)),
    };
    Ok(page_view.into_response())
}

fn row_of(document: &Document, t: Tr) -> DocumentRow {
    let in_force = document
        .versions
        .iter()
        .find(|version| version.status == VersionStatus::Effective);
    let today = crate::clock::today();
    DocumentRow {
        id: document.id,
        code: document.code.clone(),
        title: document.title.clone(),
        kind: t.get(kind_key(document.kind)),
        status: Badge::of_document(document.status, t),
        version: in_force
            .map(|version| version.label.clone())
            .unwrap_or_default(),
        next_review: document
            .next_review_on
            .map(|day| t.0.date(day))
            .unwrap_or_default(),
        overdue: document.next_review_on.is_some_and(|day| day < today)
            || document.update_required_by.is_some_and(|day| day < today),
    }
}

/// A version on the timeline, with the steps this viewer may take.
pub struct VersionRow {
    pub id: Uuid,
    pub label: String,
    pub status: Badge,
    pub summary: String,
    pub filename: String,
    pub size: String,
    pub history: Vec<String>,
    pub reject_reason: Option<String>,
    pub stampable: bool,
    /// A PDF or a text document, which opens in the viewer.
    pub viewable: bool,
    /// For the approver: the draft shown in the page, or why it cannot be yet.
    pub preview: Option<Result<PdfViewer, String>>,
    pub can_submit: bool,
    pub can_decide: bool,
    pub can_publish: bool,
}

/// A person's acknowledgement of the version in force.
pub struct Reader {
    pub name: String,
    pub when: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "document.html")]
pub(super) struct DocumentPage {
    chrome: Chrome,
    t: Tr,
    document_id: Uuid,
    code: String,
    title: String,
    status: Badge,
    facts: Vec<(String, String)>,
    legal_bases: Vec<(String, String)>,
    versions: Vec<VersionRow>,
    readers: Option<(String, Vec<Reader>)>,
    can_upload: bool,
    max_upload_bytes: u64,
    max_upload_text: String,
    today: String,
    /// What was just done (`?done=`), or what went wrong.
    notice: Option<String>,
    error: Option<String>,
    /// A reason typed for sending back, kept when it was refused.
    reason: String,
}

/// `GET /documents/{id}`
pub async fn document_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<DoneQuery>,
) -> AppResult<Response> {
    let notice = query.notice(
        viewer.lang,
        &[
            ("uploaded", "done_uploaded"),
            ("submit", "done_submitted"),
            ("approve", "done_approved"),
            ("reject", "done_rejected"),
            ("publish", "done_published"),
        ],
    );
    let page = build_page(&state, &viewer, id, notice, None, String::new()).await?;
    Ok(page.into_response())
}

/// The document's page; `error` (with the status it answers) when a step was refused.
pub(super) async fn build_page(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    notice: Option<String>,
    error: Option<String>,
    reason: String,
) -> Result<DocumentPage, AppError> {
    let t = viewer.t();
    let lang = viewer.lang;
    let document = register::get_document(&state.db, &viewer.actor, id).await?;
    let rights = register::rights_over(&state.db, &viewer.actor, id).await?;
    let in_force = document
        .versions
        .iter()
        .find(|version| version.status == VersionStatus::Effective);
    let readers = match in_force {
        Some(version) if rights.sees_drafts() => {
            let coverage = acknowledgements::coverage(&state.db, &viewer.actor, version.id).await?;
            let done = coverage.acknowledged.len();
            let all = done + coverage.pending.len();
            let headline = crate::i18n::Message::new("readers_summary")
                .arg("done", done)
                .arg("all", all)
                .arg("label", version.label.clone())
                .render(lang);
            let readers = coverage
                .acknowledged
                .iter()
                .chain(coverage.pending.iter())
                .map(|entry| Reader {
                    name: entry.display_name.clone(),
                    when: entry.acknowledged_at.map(|at| lang.date_time(at)),
                })
                .collect();
            Some((headline, readers))
        }
        _ => None,
    };
    let mut facts = vec![(t.get("field_kind"), t.get(kind_key(document.kind)))];
    if let Some(day) = document.next_review_on {
        facts.push((t.get("field_next_review"), lang.date(day)));
    }
    if let Some(day) = document.update_required_by {
        let why = document.update_reason.clone().unwrap_or_default();
        facts.push((
            t.get("field_update_required_by"),
            format!("{} — {why}", lang.date(day)),
        ));
    }
    let mut versions = Vec::with_capacity(document.versions.len());
    for version in &document.versions {
        let mut row = version_row(version, &rights, t);
        if row.can_decide && row.viewable {
            let file = crate::domain::files::get(&state.db, version.file_id).await?;
            let api = format!("/api/v1/versions/{}/file", version.id);
            row.preview = Some(
                super::viewer::shown(state, &file, &api, 1, "", lang)
                    .await?
                    .pdf,
            );
        }
        versions.push(row);
    }
    Ok(DocumentPage {
        chrome: viewer.chrome(format!("{} — {}", document.code, document.title)),
        t,
        document_id: document.id,
        code: document.code.clone(),
        title: document.title.clone(),
        status: Badge::of_document(document.status, t),
        facts,
        legal_bases: document
            .legal_bases
            .iter()
            .map(|basis| (basis.number.clone(), basis.title.clone()))
            .collect(),
        versions,
        readers,
        can_upload: rights.edit,
        max_upload_bytes: state.config.max_upload_bytes,
        max_upload_text: crate::i18n::Message::new("upload_limit")
            .arg("size", lang.megabytes(state.config.max_upload_bytes))
            .render(lang),
        today: crate::clock::today().to_string(),
        notice,
        error,
        reason,
    })
}

fn version_row(
    version: &Version,
    rights: &crate::domain::documents::access::DocumentRights,
    t: Tr,
) -> VersionRow {
    let lang = t.0;
    let mut history = Vec::new();
    let mut line = |key: &'static str, who: Option<&str>, at: String| {
        let who = who.map(|name| format!(" — {name}")).unwrap_or_default();
        history.push(format!("{}: {at}{who}", t.get(key)));
    };
    line(
        "history_drafted",
        version
            .drafted_by
            .as_ref()
            .map(|person| person.display_name.as_str()),
        lang.date_time(version.created_at),
    );
    if let Some(at) = version.submitted_at {
        line("history_submitted", None, lang.date_time(at));
    }
    if let Some(at) = version.approved_at {
        let who = version
            .approved_by
            .as_ref()
            .map(|p| p.display_name.as_str());
        line("history_approved", who, lang.date_time(at));
    }
    if let Some(at) = version.rejected_at {
        let who = version
            .rejected_by
            .as_ref()
            .map(|p| p.display_name.as_str());
        line("history_rejected", who, lang.date_time(at));
    }
    if let Some(day) = version.effective_from {
        let until = version
            .effective_to
            .map(|to| format!(" → {}", lang.date(to)))
            .unwrap_or_default();
        line(
            "history_effective",
            None,
            format!("{}{until}", lang.date(day)),
        );
    }
    VersionRow {
        id: version.id,
        label: version.label.clone(),
        status: Badge::of_version(version.status, t),
        summary: version.change_summary.clone().unwrap_or_default(),
        filename: version.original_filename.clone(),
        size: lang.file_size(u64::try_from(version.size).unwrap_or(0)),
        history,
        reject_reason: version.reject_reason.clone(),
        stampable: version.status.is_public() && viewer::viewable_type(&version.content_type),
        viewable: viewer::viewable_type(&version.content_type),
        preview: None,
        can_submit: rights.edit && version.status == VersionStatus::Draft,
        can_decide: rights.approve && version.status == VersionStatus::InReview,
        can_publish: rights.approve
            && version.status == VersionStatus::Approved
            && version.effective_from.is_none(),
    }
}

/// The page again with what went wrong, answering the error's status. A document the viewer
/// cannot read, or a server fault, is the error page instead.
pub(super) async fn refused(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    reply: AppError,
    reason: String,
) -> AppResult<Response> {
    let (status, message) = super::errors::refusal(reply, viewer.lang)?;
    let page = build_page(state, viewer, id, None, Some(message), reason).await?;
    Ok((status, page).into_response())
}
