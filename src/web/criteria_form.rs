//! The criteria set form (the API's multipart import and the coordinator's page share it): an
//! XLSX workbook or a JSON file, with the set's own fields beside it.

use axum::http::StatusCode;
use futures::TryStreamExt;

use super::{
    error::{AppError, AppResult},
    multipart::{ApiMultipart, FILE_FIELD},
};
use crate::{
    domain::{
        DomainError, Problem,
        scoring::{sets::CriteriaSetInput, spreadsheet},
    },
    i18n::Message,
};

/// The text fields of a criteria workbook form that name the set.
const SET_FIELDS: &[&str] = &[
    "code",
    "name",
    "name_en",
    "issued_by",
    "max_total",
    "supersedes",
];

/// Reads a criteria set form: its `file` (at most 5 MiB, read into memory) — an XLSX workbook,
/// or the JSON format itself — and the set's fields, which override the file's.
pub async fn read(
    ApiMultipart(mut multipart): ApiMultipart,
) -> AppResult<(CriteriaSetInput, Vec<Problem>)> {
    let mut bytes: Option<Vec<u8>> = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    let unreadable = |detail: String| {
        AppError::bad_request(Message::new("form_unreadable").arg("detail", detail))
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| unreadable(error.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == FILE_FIELD && bytes.is_none() {
            let mut stream = field.map_err(|error| error.body_text());
            let mut content = Vec::new();
            while let Some(chunk) = stream.try_next().await.map_err(unreadable)? {
                if content.len() + chunk.len() > spreadsheet::MAX_BYTES {
                    return Err(AppError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too_large",
                        Message::new("file_too_large").arg("limit", spreadsheet::MAX_BYTES as i64),
                    ));
                }
                content.extend_from_slice(&chunk);
            }
            bytes = Some(content);
        } else if SET_FIELDS.contains(&name.as_str()) {
            let value = field
                .text()
                .await
                .map_err(|error| unreadable(error.body_text()))?;
            fields.push((name, value));
        } else {
            return Err(AppError::bad_request(
                Message::new("form_field_unexpected")
                    .arg("field", name)
                    .arg(
                        "expected",
                        format!("{FILE_FIELD}, {}", SET_FIELDS.join(", ")),
                    ),
            ));
        }
    }
    let bytes = bytes.ok_or_else(|| {
        AppError::from(DomainError::invalid(
            FILE_FIELD,
            Message::new("form_without_file"),
        ))
    })?;
    if bytes.trim_ascii_start().starts_with(b"{") {
        let input: CriteriaSetInput = serde_json::from_slice(&bytes).map_err(|error| {
            AppError::bad_request(
                Message::new("criteria_json_unreadable").arg("detail", error.to_string()),
            )
        })?;
        return Ok(with_fields(input, Vec::new(), fields));
    }
    let kind = crate::filetype::detect(&bytes[..bytes.len().min(8192)], "criteria.xlsx")
        .map_err(|reason| AppError::from(DomainError::UnsupportedType(reason)))?;
    if !kind.contains("spreadsheetml") {
        return Err(DomainError::UnsupportedType(
            Message::new("criteria_workbook_type")
                .arg("type", kind)
                .to_string(),
        )
        .into());
    }
    let (input, problems) = spreadsheet::read(&bytes)?;
    Ok(with_fields(input, problems, fields))
}

/// The set as read, with the fields the form gave beside the file.
fn with_fields(
    mut input: CriteriaSetInput,
    mut problems: Vec<Problem>,
    fields: Vec<(String, String)>,
) -> (CriteriaSetInput, Vec<Problem>) {
    for (name, value) in fields {
        let value = value.trim().to_owned();
        if value.is_empty() {
            continue;
        }
        match name.as_str() {
            "code" => input.code = value,
            "name" => input.name = value,
            "name_en" => input.name_en = Some(value),
            "issued_by" => input.issued_by = Some(value),
            "supersedes" => input.supersedes = Some(value),
            "max_total" => match value.replace(',', ".").parse::<f64>() {
                Ok(total) if total.is_finite() => input.max_total = Some(total),
                _ => problems.push(Problem::new(
                    "max_total",
                    Message::new("criteria_not_a_number").arg("value", value),
                )),
            },
            _ => {}
        }
    }
    (input, problems)
}
