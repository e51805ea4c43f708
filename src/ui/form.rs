//! A posted form read field by field: the fields in order (a list repeats its name), each value
//! trimmed, dates and people parsed with the reason in the person's language when they are not.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::{
    domain::{DomainError, DomainResult},
    i18n::Message,
};

/// A posted form's fields in order (a list field repeats its name).
pub type Fields = Vec<(String, String)>;

/// The (last) value of `key`, trimmed; empty when it was not sent.
pub fn one(fields: &Fields, key: &str) -> String {
    fields
        .iter()
        .rev()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default()
}

/// Every value of a list field, trimmed, empty ones left out.
pub fn all(fields: &Fields, key: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(name, value)| name == key && !value.trim().is_empty())
        .map(|(_, value)| value.trim().to_owned())
        .collect()
}

/// The value of `key`, or nothing when it is empty.
pub fn optional(fields: &Fields, key: &str) -> Option<String> {
    Some(one(fields, key)).filter(|text| !text.is_empty())
}

/// A day from a date field (`YYYY-MM-DD`, as browsers send it).
pub fn day(fields: &Fields, key: &'static str) -> DomainResult<NaiveDate> {
    NaiveDate::parse_from_str(&one(fields, key), "%Y-%m-%d")
        .map_err(|_| DomainError::invalid(key, Message::new("not_a_date")))
}

/// A day, or nothing when the field is empty.
pub fn optional_day(fields: &Fields, key: &'static str) -> DomainResult<Option<NaiveDate>> {
    if one(fields, key).is_empty() {
        Ok(None)
    } else {
        day(fields, key).map(Some)
    }
}

/// Someone chosen from a list (by id).
pub fn person(fields: &Fields, key: &'static str) -> DomainResult<Uuid> {
    one(fields, key)
        .parse()
        .map_err(|_| DomainError::invalid(key, Message::new("choose_a_person")))
}
