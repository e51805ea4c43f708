//! The OpenAPI document's frame: title, tags, security and shared schemas. The paths come from
//! the handlers that `routes.rs` registers.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::{
    domain::{self, Page},
    web::error::{ErrorBody, ErrorEnvelope},
};

/// The hoso API.
#[derive(OpenApi)]
#[openapi(
    info(title = "hoso API", description = "Document management and ISO 9001 records for Vietnamese state agencies."),
    components(schemas(
        ErrorEnvelope, ErrorBody,
        Page<domain::agencies::Agency>, Page<domain::users::User>,
        Page<domain::audit_trail::AuditRecord>, Page<domain::jobs::JobView>,
        Page<domain::documents::Document>, Page<domain::documents::legal_refs::LegalRef>,
        Page<domain::records::Record>, Page<domain::records::disposal::Disposal>,
        Page<domain::scoring::listing::AssessmentSummary>,
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
        (name = "records", description = "QMS records of every kind, attachments, ISO 9001 clauses"),
        (name = "audits", description = "Internal audits, checklists and findings (ISO 9001 9.2)"),
        (name = "corrective-actions", description = "Nonconformities and corrective actions (ISO 9001 10.2)"),
        (name = "management-reviews", description = "Management reviews (ISO 9001 9.3) and the QMS year at a glance"),
        (name = "objectives", description = "Quality objectives, announcements of conformity, complaints"),
        (name = "inspections", description = "The province's inspections of agencies (TT 26/2014)"),
        (name = "retention", description = "Retention rules, legal holds and the disposal of records"),
        (name = "scoring", description = "Criteria sets, scoring periods, appraisers, the on-site sample, ranking and results"),
        (name = "assessments", description = "Self-assessments with evidence, appraisal, search inside an assessment, dossiers"),
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
