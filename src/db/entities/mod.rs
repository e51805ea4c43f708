//! sea-orm entities, one file per table.

pub mod agency;
pub mod agency_history;
pub mod audit_head;
pub mod audit_log;
pub mod job;
pub mod login_attempt;
pub mod role_grant;
pub mod session;
pub mod user;
