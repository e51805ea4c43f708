//! Receiving upload forms: `multipart/form-data` with one file (or a few), streamed into the blob store
//! (never held whole in memory), and a few short text fields.

use std::collections::HashMap;

use axum::{
    extract::{
        FromRequest, Multipart, Request,
        multipart::{MultipartError, MultipartRejection},
    },
    http::StatusCode,
};
use futures::TryStreamExt;

use super::error::{AppError, AppResult};
use crate::{
    blobs::BlobStore,
    domain::{
        DomainError,
        files::{self, UploadedFile},
    },
    i18n::Message,
};

/// The form field that carries the file.
pub const FILE_FIELD: &str = "file";

/// A multipart body; a request of another type answers in the error envelope.
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        Ok(Self(Multipart::from_request(request, state).await?))
    }
}

impl From<MultipartRejection> for AppError {
    fn from(rejection: MultipartRejection) -> Self {
        AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            Message::new("not_multipart")
                .arg("field", FILE_FIELD)
                .arg("detail", rejection.body_text()),
        )
    }
}

/// An upload form as received: the stored file and the text fields sent.
#[derive(Debug)]
pub struct UploadForm {
    pub file: UploadedFile,
    fields: HashMap<&'static str, String>,
}

impl UploadForm {
    /// The text of a field, if it was sent.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.fields.remove(name)
    }
}

/// A form of several files (none at all too) and text fields, as received.
#[derive(Debug)]
pub struct FilesForm {
    pub files: Vec<UploadedFile>,
    fields: HashMap<&'static str, String>,
}

impl FilesForm {
    /// The text of a field, if it was sent.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.fields.remove(name)
    }
}

/// Reads a form of one `file` and the text fields named in `text_fields`: the file is streamed
/// into the blob store (typed by its bytes, at most `max_bytes`); an unknown field, a second
/// file or no file at all answers 400.
pub async fn receive_upload(
    multipart: ApiMultipart,
    blobs: &BlobStore,
    max_bytes: u64,
    text_fields: &[&'static str],
) -> AppResult<UploadForm> {
    let FilesForm { files, fields } =
        receive_files(multipart, blobs, max_bytes, text_fields, 1).await?;
    let file = files.into_iter().next().ok_or_else(|| {
        AppError::from(DomainError::invalid(
            FILE_FIELD,
            Message::new("form_without_file"),
        ))
    })?;
    Ok(UploadForm { file, fields })
}

/// Reads a form of up to `max_files` files in `file` fields (a browser sends an empty one when
/// none was chosen: it is skipped) and the text fields named in `text_fields`, each file
/// streamed into the blob store as [`receive_upload`] does; one file more answers 400.
pub async fn receive_files(
    ApiMultipart(mut multipart): ApiMultipart,
    blobs: &BlobStore,
    max_bytes: u64,
    text_fields: &[&'static str],
    max_files: usize,
) -> AppResult<FilesForm> {
    let mut fields = HashMap::new();
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(form_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == FILE_FIELD && field.file_name().is_some_and(str::is_empty) {
            // The browser's "no file chosen".
            continue;
        }
        if name == FILE_FIELD && files.len() < max_files {
            let filename = field.file_name().unwrap_or("file").to_owned();
            let body = field.map_err(|error| error.body_text());
            files.push(files::store_file(blobs, body, &filename, max_bytes).await?);
        } else if name == FILE_FIELD {
            return Err(AppError::bad_request(
                Message::new("too_many_files").arg("max", max_files),
            ));
        } else if let Some(known) = text_fields.iter().find(|known| **known == name) {
            fields.insert(*known, field.text().await.map_err(form_error)?);
        } else {
            let expected: Vec<&str> = std::iter::once(FILE_FIELD)
                .chain(text_fields.iter().copied())
                .collect();
            return Err(AppError::bad_request(
                Message::new("form_field_unexpected")
                    .arg("field", name)
                    .arg("expected", expected.join(", ")),
            ));
        }
    }
    Ok(FilesForm { files, fields })
}

fn form_error(error: MultipartError) -> AppError {
    let status = error.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(status, "too_large", unreadable_form(error))
    } else {
        AppError::bad_request(unreadable_form(error))
    }
}

fn unreadable_form(error: MultipartError) -> Message {
    Message::new("form_unreadable").arg("detail", error.body_text())
}
