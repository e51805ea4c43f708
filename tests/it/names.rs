//! Every enum known by its names has one name for text, JSON and the database.

use sea_orm::ActiveEnum;

use hoso::names::Named;
use hoso::{
    db::entities::{
        document::DocumentStatus, document_version::VersionStatus, file::ExtractionStatus,
        job::JobStatus, legal_ref::LegalRefStatus, legal_ref_proposal::ProposalStatus,
    },
    domain::{Role, agencies::AgencyKind, documents::DocumentKind},
    jobs::Lane,
};

/// The name a value is parsed from, sent as in JSON, and (for a stored one) kept in the
/// database are one and the same.
fn names_agree<T: Named + serde::Serialize + std::fmt::Debug + PartialEq>() {
    for value in T::ALL {
        let name = value.as_str();
        assert_eq!(T::parse(name), Some(*value), "{name}");
        assert_eq!(serde_json::to_value(value).unwrap(), name, "{value:?}");
    }
    assert!(T::parse("no_such_name").is_none());
}

fn stored_names_agree<T: Named + ActiveEnum<Value = String> + std::fmt::Debug>() {
    for value in T::ALL {
        assert_eq!(value.to_value(), value.as_str(), "{value:?}");
    }
}

#[test]
fn every_enum_has_one_name_for_text_json_and_the_database() {
    names_agree::<DocumentKind>();
    names_agree::<VersionStatus>();
    names_agree::<DocumentStatus>();
    names_agree::<LegalRefStatus>();
    names_agree::<Role>();
    names_agree::<AgencyKind>();
    names_agree::<Lane>();
    names_agree::<JobStatus>();
    names_agree::<ExtractionStatus>();
    names_agree::<ProposalStatus>();
    stored_names_agree::<VersionStatus>();
    stored_names_agree::<DocumentStatus>();
    stored_names_agree::<LegalRefStatus>();
    stored_names_agree::<JobStatus>();
    stored_names_agree::<ExtractionStatus>();
    stored_names_agree::<ProposalStatus>();
    assert_eq!(
        Role::names(),
        "admin, coordinator, agency_head, iso_officer, internal_auditor, staff, appraiser"
    );
}
