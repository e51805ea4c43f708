//! sea-orm entities, one file per table.

pub mod acknowledgement;
pub mod agency;
pub mod agency_history;
pub mod audit_head;
pub mod audit_log;
pub mod blob;
pub mod document;
pub mod document_legal_ref;
pub mod document_review;
pub mod document_version;
pub mod file;
pub mod file_link;
pub mod file_text;
pub mod import;
pub mod job;
pub mod legal_ref;
pub mod legal_ref_proposal;
pub mod login_attempt;
pub mod record;
pub mod record_action;
pub mod record_link;
pub mod record_series;
pub mod role_grant;
pub mod session;
pub mod user;
