//! Serving stored files: byte ranges, `ETag` and `304 Not Modified`, and a
//! `Content-Disposition` that keeps Vietnamese names readable in every browser.

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::error::{AppError, AppResult};
use crate::{blobs::BlobStore, db::entities::file, domain::files::renditions, state::AppState};

/// A stored file as it is served.
pub struct ServedFile<'a> {
    /// The blob's SHA-256, also its `ETag`.
    pub sha256: &'a str,
    pub size: u64,
    pub content_type: &'a str,
    /// The name offered to save it under.
    pub filename: &'a str,
}

/// Streams a blob to the client: the whole file, one byte range (`206`), `304` when the client
/// already has it (`If-None-Match`), or `416` for a range past the end.
pub async fn serve_blob(
    blobs: &BlobStore,
    headers: &HeaderMap,
    file: &ServedFile<'_>,
) -> AppResult<Response> {
    let etag = format!("\"{}\"", file.sha256);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        })
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        insert(&mut response, header::ETAG, &etag);
        return Ok(response);
    }
    let size = file.size;
    let range = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .map(|value| parse_range(value, size));
    let mut response = match range {
        Some(RangeRequest::Unsatisfiable) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            insert(
                &mut response,
                header::CONTENT_RANGE,
                &format!("bytes */{size}"),
            );
            return Ok(response);
        }
        Some(RangeRequest::Bytes(start, end)) => {
            let body = blobs
                .get_range(file.sha256, start, end + 1)
                .await
                .map_err(|error| AppError::internal(&error))?;
            let mut response =
                (StatusCode::PARTIAL_CONTENT, Body::from_stream(body)).into_response();
            insert(
                &mut response,
                header::CONTENT_RANGE,
                &format!("bytes {start}-{end}/{size}"),
            );
            insert(
                &mut response,
                header::CONTENT_LENGTH,
                &(end - start + 1).to_string(),
            );
            response
        }
        Some(RangeRequest::Ignored) | None => {
            let (length, body) = blobs
                .get(file.sha256)
                .await
                .map_err(|error| AppError::internal(&error))?;
            let mut response = Body::from_stream(body).into_response();
            insert(&mut response, header::CONTENT_LENGTH, &length.to_string());
            response
        }
    };
    insert(&mut response, header::CONTENT_TYPE, file.content_type);
    insert(&mut response, header::ETAG, &etag);
    insert(&mut response, header::ACCEPT_RANGES, "bytes");
    set_disposition(&mut response, file.filename);
    Ok(response)
}

/// Bytes made on the fly (a stamped copy, an export), offered for saving under `filename`.
pub fn attachment(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type)], Body::from(bytes)).into_response();
    set_disposition(&mut response, filename);
    response
}

/// `?inline=true`, `?pdf=true`: how a stored file is asked for.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// Show a PDF in the browser instead of offering it for saving (other types are always
    /// offered for saving: a browser must never run what someone uploaded).
    pub inline: Option<bool>,
    /// The file as a PDF: itself when it is one, the PDF LibreOffice made of it when it is a
    /// text document (DOCX, DOC, ODT); `409` says when that PDF is not ready or cannot be made.
    pub pdf: Option<bool>,
}

/// Serves a stored file as asked (see [`FileQuery`]), after the caller checked that the actor
/// may read it.
pub async fn serve_file(
    state: &AppState,
    headers: &HeaderMap,
    file: &file::Model,
    query: &FileQuery,
) -> AppResult<Response> {
    if query.pdf == Some(true) {
        let pdf = renditions::pdf_of(&state.db, file, state.config.job_max_attempts).await?;
        let name = match pdf.rendition {
            true => format!("{}.pdf", stem(&file.original_filename)),
            false => file.original_filename.clone(),
        };
        let served = serve_blob(
            &state.blobs,
            headers,
            &ServedFile {
                sha256: &pdf.sha256,
                size: pdf.size,
                content_type: "application/pdf",
                filename: &name,
            },
        )
        .await?;
        return Ok(inline_if_asked(served, query.inline, "application/pdf"));
    }
    let served = serve_blob(
        &state.blobs,
        headers,
        &ServedFile {
            sha256: &file.blob_sha256,
            size: file.size.max(0) as u64,
            content_type: &file.content_type,
            filename: &file.original_filename,
        },
    )
    .await?;
    Ok(inline_if_asked(served, query.inline, &file.content_type))
}

/// A file name without its extension.
pub fn stem(filename: &str) -> &str {
    filename.rsplit_once('.').map_or(filename, |(stem, _)| stem)
}

/// The response with the file shown in the browser when asked and when it is a PDF (typed by
/// its bytes at upload, never by its name).
fn inline_if_asked(mut response: Response, asked: Option<bool>, content_type: &str) -> Response {
    if asked == Some(true) && content_type == "application/pdf" {
        let shown = response
            .headers()
            .get(header::CONTENT_DISPOSITION)
            .and_then(|value| value.to_str().ok())
            .map(|value| value.replacen("attachment", "inline", 1));
        if let Some(shown) = shown {
            insert(&mut response, header::CONTENT_DISPOSITION, &shown);
        }
    }
    response
}

/// A body written as it is sent (a ZIP of many files), offered for saving under `filename`.
pub fn streamed(body: Body, content_type: &'static str, filename: &str) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    set_disposition(&mut response, filename);
    response
}

enum RangeRequest {
    Bytes(u64, u64),
    Unsatisfiable,
    /// Not a single byte range we serve partially (several ranges, other units): send it all.
    Ignored,
}

/// Parses a single `bytes=` range against a file of `size` bytes (RFC 9110 §14.1.2).
fn parse_range(value: &str, size: u64) -> RangeRequest {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeRequest::Ignored;
    };
    if spec.contains(',') {
        return RangeRequest::Ignored;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Ignored;
    };
    let (first, last) = (first.trim(), last.trim());
    let parsed = match (first.is_empty(), last.is_empty()) {
        (true, false) => last.parse::<u64>().ok().map(|suffix| {
            if suffix == 0 || size == 0 {
                None
            } else {
                Some((size.saturating_sub(suffix), size - 1))
            }
        }),
        (false, _) => first.parse::<u64>().ok().map(|start| {
            let end = if last.is_empty() {
                Some(size.saturating_sub(1))
            } else {
                last.parse::<u64>()
                    .ok()
                    .map(|end| end.min(size.saturating_sub(1)))
            };
            end.filter(|end| start < size && start <= *end)
                .map(|end| (start, end))
        }),
        (true, true) => None,
    };
    match parsed {
        None => RangeRequest::Ignored,
        Some(None) => RangeRequest::Unsatisfiable,
        Some(Some((start, end))) => RangeRequest::Bytes(start, end),
    }
}

fn insert(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// `Content-Disposition` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987).
fn set_disposition(response: &mut Response, filename: &str) {
    let encoded = percent_encoding::utf8_percent_encode(filename, ATTR_CHAR).to_string();
    let value = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
        ascii_fallback(filename)
    );
    insert(response, header::CONTENT_DISPOSITION, &value);
}

/// RFC 5987 `attr-char`: everything else is percent-encoded.
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The name with Vietnamese letters stripped of their marks (đ→d) and anything else unsafe in
/// a quoted header value replaced by `_`.
pub fn ascii_fallback(filename: &str) -> String {
    crate::domain::text::fold_diacritics(filename)
        .chars()
        .map(|character| {
            if character.is_ascii_graphic() && character != '"' && character != '\\'
                || character == ' '
            {
                character
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_names_get_a_readable_ascii_fallback() {
        assert_eq!(
            ascii_fallback("Quy trình đánh giá \"nội bộ\".pdf"),
            "Quy trinh danh gia _noi bo_.pdf"
        );
    }

    #[test]
    fn ranges_are_parsed_like_rfc_9110_says() {
        assert!(matches!(
            parse_range("bytes=0-9", 100),
            RangeRequest::Bytes(0, 9)
        ));
        assert!(matches!(
            parse_range("bytes=90-", 100),
            RangeRequest::Bytes(90, 99)
        ));
        assert!(matches!(
            parse_range("bytes=-10", 100),
            RangeRequest::Bytes(90, 99)
        ));
        assert!(matches!(
            parse_range("bytes=50-500", 100),
            RangeRequest::Bytes(50, 99)
        ));
        assert!(matches!(
            parse_range("bytes=100-", 100),
            RangeRequest::Unsatisfiable
        ));
        assert!(matches!(
            parse_range("bytes=0-1,5-6", 100),
            RangeRequest::Ignored
        ));
        assert!(matches!(
            parse_range("items=0-1", 100),
            RangeRequest::Ignored
        ));
    }
}
