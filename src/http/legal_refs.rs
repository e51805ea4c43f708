//! `/api/v1/legal-refs`: the register of legal documents and the impact of their changes.

use axum::{Json, extract::State, http::StatusCode};
use uuid::Uuid;

use crate::web::extract::{ApiJson, ApiPath, ApiQuery, CurrentActor};
use crate::{
    AppState,
    domain::{
        Page, PageRequest,
        documents::legal_impact::ImpactedDocument,
        documents::legal_proposals::{self, Decision, NewProposal, Proposal, ProposalFilter},
        documents::legal_refs::{self, LegalRef, LegalRefChanges, LegalRefFilter, NewLegalRef},
    },
    web::error::{AppResult, ErrorEnvelope},
};

/// The register, by number.
#[utoipa::path(get, path = "/api/v1/legal-refs", tag = "legal-refs", params(LegalRefFilter, PageRequest),
    responses((status = 200, body = Page<LegalRef>)),
    security(("bearer" = [])))]
pub async fn list_legal_refs(
    State(state): State<AppState>,
    _current: CurrentActor,
    ApiQuery(filter): ApiQuery<LegalRefFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<LegalRef>>> {
    Ok(Json(
        legal_refs::list_legal_refs(&state.db, &filter, &page).await?,
    ))
}

/// Adds a legal document (`number` as `19/2014/QĐ-TTg`).
#[utoipa::path(post, path = "/api/v1/legal-refs", tag = "legal-refs", request_body = NewLegalRef,
    responses((status = 201, body = LegalRef), (status = 400, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_legal_ref(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiJson(input): ApiJson<NewLegalRef>,
) -> AppResult<(StatusCode, Json<LegalRef>)> {
    let created = legal_refs::create_legal_ref(&state.db, &current.actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One legal reference, by id or by number (its slashes percent-encoded in a path:
/// `19%2F2014%2FQĐ-TTg`; or use `GET /legal-refs?number=19/2014/QĐ-TTg`).
#[utoipa::path(get, path = "/api/v1/legal-refs/{id}", tag = "legal-refs",
    params(("id" = String, Path, description = "id or number")),
    responses((status = 200, body = LegalRef), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_legal_ref(
    State(state): State<AppState>,
    _current: CurrentActor,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<LegalRef>> {
    Ok(Json(legal_refs::get_legal_ref(&state.db, &id).await?))
}

/// Changes a legal reference (the coordinating office or an administrator: every agency shares
/// the register). Amended, replaced or repealed flags the documents citing it; set back in force,
/// the flags it raised are cleared.
#[utoipa::path(patch, path = "/api/v1/legal-refs/{id}", tag = "legal-refs",
    params(("id" = String, Path, description = "id or number")), request_body = LegalRefChanges,
    responses(
        (status = 200, body = LegalRef),
        (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn update_legal_ref(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(changes): ApiJson<LegalRefChanges>,
) -> AppResult<Json<LegalRef>> {
    Ok(Json(
        legal_refs::update_legal_ref(&state.db, &current.actor, &id, changes).await?,
    ))
}

/// Documents citing the reference, with their update deadlines.
#[utoipa::path(get, path = "/api/v1/legal-refs/{id}/impact", tag = "legal-refs",
    params(("id" = String, Path, description = "id or number")),
    responses((status = 200, body = Vec<ImpactedDocument>), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn legal_ref_impact(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<Vec<ImpactedDocument>>> {
    Ok(Json(
        legal_refs::impact(&state.db, &current.actor, &id).await?,
    ))
}

/// Proposes a change to a shared reference (whoever may add references): the coordinating
/// office accepts it (the change is made) or declines it with a reason.
#[utoipa::path(post, path = "/api/v1/legal-refs/{id}/proposals", tag = "legal-refs",
    params(("id" = String, Path, description = "id or number")), request_body = NewProposal,
    responses(
        (status = 201, body = Proposal),
        (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn propose_legal_ref_change(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<NewProposal>,
) -> AppResult<(StatusCode, Json<Proposal>)> {
    let proposal = legal_proposals::propose(&state.db, &current.actor, &id, input).await?;
    Ok((StatusCode::CREATED, Json(proposal)))
}

/// Proposals, newest first: all of them for the coordinating office, one's own for others.
#[utoipa::path(get, path = "/api/v1/legal-ref-proposals", tag = "legal-refs",
    params(ProposalFilter, PageRequest),
    responses((status = 200, body = Page<Proposal>), (status = 400, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_legal_ref_proposals(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiQuery(filter): ApiQuery<ProposalFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Proposal>>> {
    Ok(Json(
        legal_proposals::list_proposals(&state.db, &current.actor, &filter, &page).await?,
    ))
}

/// Accepts an open proposal (the coordinating office): its change is made now, flagging the
/// procedures that cite the reference.
#[utoipa::path(post, path = "/api/v1/legal-ref-proposals/{id}/accept", tag = "legal-refs",
    params(("id" = Uuid, Path)), request_body = Decision,
    responses(
        (status = 200, body = Proposal),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn accept_legal_ref_proposal(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(decision): ApiJson<Decision>,
) -> AppResult<Json<Proposal>> {
    Ok(Json(
        legal_proposals::accept(&state.db, &current.actor, id, decision).await?,
    ))
}

/// Declines an open proposal (the coordinating office), with the reason (`note`, required).
#[utoipa::path(post, path = "/api/v1/legal-ref-proposals/{id}/decline", tag = "legal-refs",
    params(("id" = Uuid, Path)), request_body = Decision,
    responses(
        (status = 200, body = Proposal),
        (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn decline_legal_ref_proposal(
    State(state): State<AppState>,
    current: CurrentActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(decision): ApiJson<Decision>,
) -> AppResult<Json<Proposal>> {
    Ok(Json(
        legal_proposals::decline(&state.db, &current.actor, id, decision).await?,
    ))
}
