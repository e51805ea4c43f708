//! Every route of the JSON API, once. Each handler's `#[utoipa::path]` gives both its place in
//! the router and its entry in the OpenAPI document, so the two cannot drift apart.

use axum::extract::DefaultBodyLimit;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, router::UtoipaMethodRouterExt, routes};

use super::{
    agencies, assessments, audit, audits, auth, corrective_actions, documents, inspections,
    legal_refs, management_reviews, openapi::ApiDoc, records, registers, scoring, search, system,
    users, versions,
};
use crate::AppState;

/// The API's routes with its OpenAPI document. `max_upload_bytes` bounds file uploads (the
/// edge's default body limit, for JSON, is much smaller).
pub fn api(max_upload_bytes: u64) -> OpenApiRouter<AppState> {
    // Multipart framing adds a little to the file itself, whose own limit is exact.
    let upload_limit = usize::try_from(max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(system::healthz))
        .routes(routes!(system::readyz))
        .routes(routes!(system::metrics))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me, users::change_own_profile))
        .routes(routes!(documents::reading_list))
        .routes(routes!(agencies::list_agencies, agencies::create_agency))
        .routes(routes!(agencies::get_agency, agencies::update_agency))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(users::grant_role))
        .routes(routes!(users::revoke_role))
        .routes(routes!(users::change_own_password))
        .routes(routes!(users::reset_password))
        .routes(routes!(users::unlock_user))
        .routes(routes!(audit::list_audit_log))
        .routes(routes!(
            documents::list_documents,
            documents::create_document
        ))
        .routes(routes!(documents::get_document, documents::update_document))
        .routes(routes!(documents::upload_version).layer(DefaultBodyLimit::max(upload_limit)))
        .routes(routes!(documents::effective_version))
        .routes(routes!(documents::review_document))
        .routes(routes!(documents::reviews_due))
        .routes(routes!(search::search_documents))
        .routes(routes!(versions::get_version))
        .routes(routes!(versions::submit_version))
        .routes(routes!(versions::approve_version))
        .routes(routes!(versions::reject_version))
        .routes(routes!(versions::publish_version))
        .routes(routes!(versions::obsolete_version))
        .routes(routes!(versions::acknowledge_version))
        .routes(routes!(versions::list_acknowledgements))
        .routes(routes!(versions::download_file))
        .routes(routes!(versions::version_text))
        .routes(routes!(versions::version_citations))
        .routes(routes!(documents::accept_citation))
        .routes(routes!(documents::dismiss_citation))
        .routes(routes!(records::record_citations))
        .routes(routes!(
            legal_refs::list_legal_refs,
            legal_refs::create_legal_ref
        ))
        .routes(routes!(
            legal_refs::get_legal_ref,
            legal_refs::update_legal_ref
        ))
        .routes(routes!(legal_refs::legal_ref_impact))
        .routes(routes!(legal_refs::propose_legal_ref_change))
        .routes(routes!(legal_refs::list_legal_ref_proposals))
        .routes(routes!(legal_refs::accept_legal_ref_proposal))
        .routes(routes!(legal_refs::decline_legal_ref_proposal))
        .routes(routes!(records::list_records, records::create_record))
        .routes(routes!(records::list_series, records::create_series))
        .routes(routes!(records::get_record))
        .routes(routes!(records::attach_to_record).layer(DefaultBodyLimit::max(upload_limit)))
        .routes(routes!(records::download_attachment))
        .routes(routes!(records::list_clauses))
        .routes(routes!(records::list_deadlines))
        .routes(routes!(records::disposition_due))
        .routes(routes!(records::set_legal_hold))
        .routes(routes!(records::request_disposal))
        .routes(routes!(records::list_disposals))
        .routes(routes!(records::approve_disposal))
        .routes(routes!(records::refuse_disposal))
        .routes(routes!(
            records::list_retention_rules,
            records::set_retention_rule
        ))
        .routes(routes!(audits::list_audits, audits::create_audit))
        .routes(routes!(audits::get_audit, audits::update_audit))
        .routes(routes!(audits::create_finding))
        .routes(routes!(audits::add_checklist_item))
        .routes(routes!(audits::update_checklist_item))
        .routes(routes!(audits::get_finding))
        .routes(routes!(audits::attach_to_audit).layer(DefaultBodyLimit::max(upload_limit)))
        .routes(routes!(audits::attach_to_finding).layer(DefaultBodyLimit::max(upload_limit)))
        .routes(routes!(
            corrective_actions::list_corrective_actions,
            corrective_actions::create_corrective_action
        ))
        .routes(routes!(
            corrective_actions::get_corrective_action,
            corrective_actions::update_corrective_action
        ))
        .routes(routes!(corrective_actions::add_action))
        .routes(routes!(corrective_actions::complete_action))
        .routes(routes!(corrective_actions::verify_corrective_action))
        .routes(
            routes!(corrective_actions::attach_to_corrective_action)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .routes(routes!(
            management_reviews::list_reviews,
            management_reviews::create_review
        ))
        .routes(routes!(
            management_reviews::get_review,
            management_reviews::update_review
        ))
        .routes(routes!(management_reviews::add_decision))
        .routes(routes!(management_reviews::complete_decision))
        .routes(routes!(management_reviews::sign_off_review))
        .routes(
            routes!(management_reviews::attach_to_review)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .routes(routes!(management_reviews::qms_status))
        .routes(routes!(
            registers::list_objectives,
            registers::create_objective
        ))
        .routes(routes!(
            registers::get_objective,
            registers::update_objective
        ))
        .routes(routes!(registers::record_objective_result))
        .routes(routes!(
            registers::list_announcements,
            registers::create_announcement
        ))
        .routes(routes!(registers::get_announcement))
        .routes(
            routes!(registers::attach_to_announcement).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .routes(routes!(
            registers::list_complaints,
            registers::create_complaint
        ))
        .routes(routes!(
            registers::get_complaint,
            registers::update_complaint
        ))
        .routes(routes!(registers::attach_to_complaint).layer(DefaultBodyLimit::max(upload_limit)))
        .routes(routes!(
            inspections::list_inspections,
            inspections::create_inspection
        ))
        .routes(routes!(
            inspections::get_inspection,
            inspections::update_inspection
        ))
        .routes(routes!(inspections::record_minutes))
        .routes(
            routes!(inspections::attach_to_inspection).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .routes(routes!(
            scoring::list_criteria_sets,
            scoring::import_criteria_set
        ))
        .routes(routes!(scoring::get_criteria_set))
        .routes(routes!(scoring::list_periods, scoring::create_period))
        .routes(routes!(scoring::get_period))
        .routes(routes!(scoring::open_period))
        .routes(routes!(scoring::start_appraisal))
        .routes(routes!(scoring::finalize_period))
        .routes(routes!(scoring::publish_period))
        .routes(routes!(scoring::list_appraisers, scoring::assign_appraiser))
        .routes(routes!(scoring::unassign_appraiser))
        .routes(routes!(scoring::get_sample, scoring::draw_sample))
        .routes(routes!(scoring::swap_sample))
        .routes(routes!(scoring::period_ranking))
        .routes(routes!(scoring::period_results))
        .routes(routes!(scoring::public_ranking))
        .routes(routes!(assessments::list_assessments))
        .routes(routes!(assessments::get_assessment))
        .routes(routes!(assessments::score_criterion))
        .routes(routes!(assessments::appraise_criterion))
        .routes(routes!(assessments::link_evidence).layer(DefaultBodyLimit::max(upload_limit)))
        .routes(routes!(assessments::unlink_evidence))
        .routes(routes!(assessments::suggest_evidence))
        .routes(routes!(assessments::criterion_history))
        .routes(routes!(assessments::submit_assessment))
        .routes(routes!(assessments::reopen_assessment))
        .routes(routes!(assessments::carry_forward))
        .routes(routes!(assessments::assessment_facts))
        .routes(routes!(assessments::accept_fact))
        .routes(routes!(assessments::override_fact))
        .routes(routes!(assessments::search_assessment))
        .routes(routes!(assessments::evidence_file))
        .routes(routes!(assessments::evidence_text))
        .routes(routes!(assessments::assessment_dossier))
        .routes(routes!(system::list_jobs))
}
