//! `/api/v1/versions/{id}`: the approval workflow, acknowledgements and file downloads.

use axum::{
    Json,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::documents::{
        Version,
        access::readable_version,
        acknowledgements::{self, AcknowledgementCoverage, AcknowledgementEntry},
        extraction::{self, VersionText},
        publication::{self, PublishRequest},
        stamping, versions,
        workflow::{self, ReasonRequest},
    },
    error::{AppError, AppResult, ErrorEnvelope},
};

/// One version.
#[utoipa::path(get, path = "/api/v1/versions/{id}", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Version), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        versions::get_version(&state.db, &current.actor, id).await?,
    ))
}

/// Sends a draft for approval.
#[utoipa::path(post, path = "/api/v1/versions/{id}/submit", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Version), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn submit_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Version>> {
    Ok(Json(workflow::submit(&state.db, &current.actor, id).await?))
}

/// Approves a version in review (agency head; never one's own draft: 422).
#[utoipa::path(post, path = "/api/v1/versions/{id}/approve", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Version), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn approve_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        workflow::approve(&state.db, &current.actor, id).await?,
    ))
}

/// Rejects a version in review with a reason.
#[utoipa::path(post, path = "/api/v1/versions/{id}/reject", tag = "versions", params(("id" = Uuid, Path)),
    request_body = ReasonRequest,
    responses((status = 200, body = Version), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn reject_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ReasonRequest>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        workflow::reject(&state.db, &current.actor, id, request).await?,
    ))
}

/// Publishes an approved version from `effective_from` (today or later).
#[utoipa::path(post, path = "/api/v1/versions/{id}/publish", tag = "versions", params(("id" = Uuid, Path)),
    request_body = PublishRequest,
    responses((status = 200, body = Version), (status = 400, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn publish_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<PublishRequest>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        publication::publish(
            &state.db,
            state.config.job_max_attempts,
            &current.actor,
            id,
            request,
        )
        .await?,
    ))
}

/// Withdraws the document: the version becomes obsolete, with a reason.
#[utoipa::path(post, path = "/api/v1/versions/{id}/obsolete", tag = "versions", params(("id" = Uuid, Path)),
    request_body = ReasonRequest,
    responses((status = 200, body = Version), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn obsolete_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ReasonRequest>,
) -> AppResult<Json<Version>> {
    Ok(Json(
        workflow::obsolete(&state.db, &current.actor, id, request).await?,
    ))
}

/// Acknowledges having read the version in force.
#[utoipa::path(post, path = "/api/v1/versions/{id}/acknowledge", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = AcknowledgementEntry), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn acknowledge_version(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<AcknowledgementEntry>> {
    Ok(Json(
        acknowledgements::acknowledge(&state.db, &current.actor, id).await?,
    ))
}

/// Who of the agency has and has not acknowledged the version.
#[utoipa::path(get, path = "/api/v1/versions/{id}/acknowledgements", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = AcknowledgementCoverage), (status = 403, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_acknowledgements(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<AcknowledgementCoverage>> {
    Ok(Json(
        acknowledgements::coverage(&state.db, &current.actor, id).await?,
    ))
}

/// The text extracted from the version's file, page by page, with the extraction status.
#[utoipa::path(get, path = "/api/v1/versions/{id}/text", tag = "versions", params(("id" = Uuid, Path)),
    responses((status = 200, body = VersionText), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn version_text(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<VersionText>> {
    Ok(Json(
        extraction::version_text(&state.db, &current.actor, id).await?,
    ))
}

/// `?stamped=true`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// A PDF copy marked "BẢN CÓ KIỂM SOÁT" or "HẾT HIỆU LỰC" on every page.
    pub stamped: Option<bool>,
}

/// The original bytes (ranges supported; `ETag` is the SHA-256), or a stamped PDF copy.
#[utoipa::path(get, path = "/api/v1/versions/{id}/file", tag = "versions",
    params(("id" = Uuid, Path), FileQuery),
    responses(
        (status = 200, description = "the file"),
        (status = 206, description = "a byte range of the file"),
        (status = 409, description = "stamping needs a PDF", body = ErrorEnvelope),
        (status = 416, description = "the range cannot be served"),
    ),
    security(("bearer" = [])))]
pub async fn download_file(
    State(state): State<AppState>,
    current: CurrentActor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<FileQuery>,
) -> AppResult<Response> {
    let (version, document) = readable_version(&state.db, &current.actor, id).await?;
    if query.stamped == Some(true) {
        let stamped = stamping::stamped_copy(&state.db, &state.blobs, &version, &document).await?;
        let name = format!("{}-ban-kiem-soat.pdf", stem(&version.original_filename));
        let mut response = (
            [(header::CONTENT_TYPE, "application/pdf")],
            Body::from(stamped),
        )
            .into_response();
        set_disposition(&mut response, &name);
        return Ok(response);
    }
    let etag = format!("\"{}\"", version.blob_sha256);
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
    let size = version.size.max(0) as u64;
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
            let body = state
                .blobs
                .get_range(&version.blob_sha256, start, end + 1)
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
            let (length, body) = state
                .blobs
                .get(&version.blob_sha256)
                .await
                .map_err(|error| AppError::internal(&error))?;
            let mut response = Body::from_stream(body).into_response();
            insert(&mut response, header::CONTENT_LENGTH, &length.to_string());
            response
        }
    };
    insert(&mut response, header::CONTENT_TYPE, &version.content_type);
    insert(&mut response, header::ETAG, &etag);
    insert(&mut response, header::ACCEPT_RANGES, "bytes");
    set_disposition(&mut response, &version.original_filename);
    Ok(response)
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

fn stem(filename: &str) -> &str {
    filename.rsplit_once('.').map_or(filename, |(stem, _)| stem)
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
