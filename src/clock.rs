//! The calendar hoso keeps: Vietnam's day (UTC+7 all year), the moment it starts, and month
//! arithmetic for deadlines and review dates.

use chrono::{Datelike, Duration, Months, NaiveDate, Utc};

/// Vietnam keeps UTC+7 all year; "today" for effective dates is the agency's day, not UTC's.
pub fn today() -> NaiveDate {
    (Utc::now().naive_utc() + Duration::hours(7)).date()
}

/// The moment a Vietnamese calendar day starts, in UTC.
pub fn start_of_day_utc(day: NaiveDate) -> chrono::DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::hours(7)
}

/// `date` plus `months` (clamped to the month's last day), or `date` if out of range.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(date)
}

/// A day as a number (days since 1 January of year 1), as the search index stores dates.
pub fn day_number(day: NaiveDate) -> i64 {
    i64::from(day.num_days_from_ce())
}
