//! The OpenAPI document, generated from the handlers, and the interactive page at `/api/docs`.

use axum::Router;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_swagger_ui::SwaggerUi;

use super::{agencies, audit, auth, documents, legal_refs, search, system, users, versions};
use crate::{
    AppState,
    domain::{self, Page},
    error::{ErrorBody, ErrorEnvelope},
};

/// The hoso API.
#[derive(OpenApi)]
#[openapi(
    info(title = "hoso API", description = "Document management and ISO 9001 records for Vietnamese state agencies."),
    paths(
        auth::login, auth::logout, auth::me,
        agencies::list_agencies, agencies::create_agency, agencies::get_agency, agencies::update_agency,
        users::list_users, users::create_user, users::get_user, users::update_user,
        users::grant_role, users::revoke_role,
        audit::list_audit_log,
        documents::list_documents, documents::create_document, documents::get_document,
        documents::update_document, documents::upload_version, documents::effective_version,
        documents::review_document, documents::reviews_due,
        versions::get_version, versions::submit_version, versions::approve_version,
        versions::reject_version, versions::publish_version, versions::obsolete_version,
        versions::acknowledge_version, versions::list_acknowledgements, versions::download_file, versions::version_text,
        legal_refs::list_legal_refs, legal_refs::create_legal_ref, legal_refs::get_legal_ref,
        legal_refs::update_legal_ref, legal_refs::legal_ref_impact,
        search::search_documents,
        system::healthz, system::readyz, system::metrics, system::list_jobs,
    ),
    components(schemas(
        ErrorEnvelope, ErrorBody,
        Page<domain::agencies::Agency>, Page<domain::users::User>,
        Page<domain::audit_trail::AuditRecord>, Page<domain::jobs::JobView>,
        Page<domain::documents::Document>, Page<domain::documents::legal_refs::LegalRef>,
        domain::Role, domain::agencies::AgencyKind,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "agencies", description = "The agency tree"),
        (name = "users", description = "Accounts and roles"),
        (name = "audit", description = "The audit trail"),
        (name = "documents", description = "Controlled documents and periodic review"),
        (name = "versions", description = "Document versions: approval workflow, files, acknowledgements"),
        (name = "legal-refs", description = "Legal documents cited by procedures"),
        (name = "search", description = "Full-text search, Vietnamese-aware"),
        (name = "system", description = "Health, metrics and jobs"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Serves `/api/v1/openapi.json` and the Swagger UI (bundled, no CDN) at `/api/docs`.
pub fn docs_router() -> Router<AppState> {
    SwaggerUi::new("/api/docs")
        .url("/api/v1/openapi.json", ApiDoc::openapi())
        .into()
}
