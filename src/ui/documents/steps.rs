//! What a document's page does: upload a new version (the form, or the script's upload with a
//! progress bar, posts here) and move a version along its workflow.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::refused;
use crate::{
    AppState,
    domain::{
        DomainError,
        documents::{
            publication::{self, PublishRequest},
            versions::{self, VersionForm},
            workflow::{self, ReasonRequest},
        },
    },
    i18n::Message,
    ui::page::Viewer,
    web::{
        error::{AppError, AppResult},
        extract::{ApiPath, UiForm},
        multipart::{self, ApiMultipart},
    },
};

/// `POST /documents/{id}/versions`: the file with `change_summary` and `label`; back to the
/// document's page, which shows the new draft (or why it was refused, with what was typed).
pub async fn upload_version(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    form: ApiMultipart,
) -> AppResult<Response> {
    // Nobody stores bytes against a document they cannot add a version to.
    versions::authorize_upload(&state.db, &viewer.actor, id).await?;
    let mut form = match multipart::receive_upload(
        form,
        &state.blobs,
        state.config.max_upload_bytes,
        &["change_summary", "label"],
    )
    .await
    {
        Ok(form) => form,
        Err(reply) => return refused(&state, &viewer, id, reply, String::new()).await,
    };
    let fields = VersionForm {
        change_summary: form
            .take("change_summary")
            .filter(|text| !text.trim().is_empty()),
        label: form.take("label").filter(|text| !text.trim().is_empty()),
    };
    let summary = fields.change_summary.clone().unwrap_or_default();
    match versions::create_version(
        &state.db,
        &state.blobs,
        state.config.job_max_attempts,
        &viewer.actor,
        id,
        form.file,
        fields,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}?done=uploaded")).into_response()),
        Err(error) => refused(&state, &viewer, id, error.into(), summary).await,
    }
}

/// The fields a step may carry.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    effective_from: String,
}

/// `POST /versions/{id}/{submit|approve|reject|publish}`
pub async fn version_step(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, step)): ApiPath<(Uuid, String)>,
    UiForm(form): UiForm<StepForm>,
) -> AppResult<Response> {
    let actor = &viewer.actor;
    let outcome = match step.as_str() {
        "submit" => workflow::submit(&state.db, actor, id).await,
        "approve" => workflow::approve(&state.db, actor, id).await,
        "reject" => {
            let request = ReasonRequest {
                reason: form.reason.clone(),
            };
            workflow::reject(&state.db, actor, id, request).await
        }
        "publish" => match NaiveDate::parse_from_str(form.effective_from.trim(), "%Y-%m-%d") {
            Ok(effective_from) => {
                let request = PublishRequest { effective_from };
                let attempts = state.config.job_max_attempts;
                publication::publish(&state.db, attempts, actor, id, request).await
            }
            Err(_) => Err(DomainError::invalid(
                "effective_from",
                Message::new("not_a_date"),
            )),
        },
        _ => return Err(AppError::not_found()),
    };
    match outcome {
        Ok(version) => Ok(
            Redirect::to(&format!("/documents/{}?done={step}", version.document_id))
                .into_response(),
        ),
        Err(error) => {
            let version = versions::get_version(&state.db, actor, id).await?;
            refused(
                &state,
                &viewer,
                version.document_id,
                error.into(),
                form.reason,
            )
            .await
        }
    }
}
