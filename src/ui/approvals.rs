//! The agency head's approvals inbox: versions to approve or send back and to publish,
//! management reviews they chair to sign off, and requests to dispose of records.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    page::{Chrome, DoneQuery, Tr, Viewer},
    view::Badge,
};
use crate::{
    AppState,
    domain::{
        Action, AgencyTree, PageRequest,
        documents::workflow,
        records::{RecordFilter, disposal, list_records, reviews},
    },
    web::{
        error::{AppError, AppResult},
        extract::{ApiPath, ApiQuery, UiForm},
    },
};

/// A version waiting.
pub struct VersionItem {
    pub href: String,
    pub code: String,
    pub title: String,
    pub label: String,
    pub status: Badge,
    pub since: String,
}

/// A management review to sign off.
pub struct ReviewItem {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub held_on: String,
}

/// A request to dispose of a record.
pub struct DisposalItem {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub reason: String,
    pub asked_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    chrome: Chrome,
    t: Tr,
    versions: Vec<VersionItem>,
    reviews: Vec<ReviewItem>,
    disposals: Vec<DisposalItem>,
    notice: Option<String>,
    error: Option<String>,
}

/// `GET /approvals`
pub async fn approvals_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<DoneQuery>,
) -> AppResult<Response> {
    let notice = query.notice(
        viewer.lang,
        &[
            ("signed", "done_signed_off"),
            ("disposed", "done_disposed"),
            ("kept", "done_kept"),
        ],
    );
    Ok(inbox(&state, &viewer, notice, None).await?.into_response())
}

async fn inbox(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<ApprovalsPage> {
    let t = viewer.t();
    let lang = viewer.lang;
    let versions = workflow::awaiting_decision(&state.db, &viewer.actor)
        .await?
        .into_iter()
        .map(|item| VersionItem {
            href: format!("/documents/{}", item.document_id),
            code: item.code,
            title: item.title,
            label: item.label,
            status: Badge::of_version(item.status, t),
            since: item
                .submitted_at
                .map(|at| lang.date_time(at))
                .unwrap_or_default(),
        })
        .collect();
    let everything = PageRequest {
        page: Some(1),
        per_page: Some(200),
    };
    let filter = RecordFilter {
        kind: Some("management_review".to_owned()),
        status: Some(reviews::DRAFT.to_owned()),
        ..RecordFilter::default()
    };
    let me = viewer.actor.user_id.map(|id| id.to_string());
    let reviews = list_records(&state.db, &viewer.actor, &filter, &everything)
        .await?
        .items
        .into_iter()
        .filter(|review| {
            me.is_some()
                && review.details.get("chair_id").and_then(|id| id.as_str()) == me.as_deref()
        })
        .map(|review| ReviewItem {
            id: review.id,
            number: review.number,
            title: review.title,
            held_on: lang.date(review.occurred_on),
        })
        .collect();
    let requested = disposal::list(
        &state.db,
        &viewer.actor,
        None,
        Some(disposal::REQUESTED),
        &everything,
    )
    .await?;
    let tree = AgencyTree::load(&state.db).await?;
    let disposals = requested
        .items
        .into_iter()
        .filter(|asked| {
            viewer
                .actor
                .can(Action::ApproveRecords, Some(asked.agency_id), &tree)
        })
        .map(|asked| DisposalItem {
            id: asked.id,
            number: asked.number,
            title: asked.title,
            reason: asked.reason,
            asked_on: lang.date_time(asked.requested_at),
        })
        .collect();
    Ok(ApprovalsPage {
        chrome: viewer.chrome(t.get("approvals_title")),
        t,
        versions,
        reviews,
        disposals,
        notice,
        error,
    })
}

/// The inbox again with why a decision was refused.
async fn refused(state: &AppState, viewer: &Viewer, reply: AppError) -> AppResult<Response> {
    let (status, message) = super::errors::refusal(reply, viewer.lang)?;
    let page = inbox(state, viewer, None, Some(message)).await?;
    Ok((status, page).into_response())
}

/// `POST /approvals/reviews/{id}/sign-off`
pub async fn sign_off_review(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    match reviews::sign_off(&state.db, &viewer.actor, id).await {
        Ok(_) => Ok(Redirect::to("/approvals?done=signed").into_response()),
        Err(error) => refused(&state, &viewer, error.into()).await,
    }
}

/// A decision's note (required to refuse).
#[derive(Debug, Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

/// `POST /approvals/disposals/{id}/{approve|refuse}`
pub async fn decide_disposal(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, decision)): ApiPath<(Uuid, String)>,
    UiForm(form): UiForm<NoteForm>,
) -> AppResult<Response> {
    let approve = match decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(AppError::not_found()),
    };
    let note = Some(form.note).filter(|note| !note.trim().is_empty());
    match disposal::decide(&state.db, &state.blobs, &viewer.actor, id, approve, note).await {
        Ok(_) => {
            let done = if approve { "disposed" } else { "kept" };
            Ok(Redirect::to(&format!("/approvals?done={done}")).into_response())
        }
        Err(error) => refused(&state, &viewer, error.into()).await,
    }
}
