//! The calendar hoso keeps: Vietnam's day (UTC+7 all year), the moment it starts, and month
//! arithmetic for deadlines and review dates.

use chrono::{Datelike, Duration, Months, NaiveDate, Utc};

/// Vietnam keeps UTC+7 all year; "today" for effective dates is the agency's day, not UTC's.
pub fn today() -> NaiveDate {
    day_of(Utc::now())
}

/// The Vietnamese calendar day of a moment.
pub fn day_of(moment: chrono::DateTime<Utc>) -> NaiveDate {
    (moment.naive_utc() + Duration::hours(7)).date()
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

/// The last day a version is in force when its successor (or its withdrawal) takes effect on
/// `next`: the day before, but never before its own first day: a version replaced or withdrawn
/// on the day it took effect was still in force that day.
pub fn last_day_before(next: NaiveDate, first_day: Option<NaiveDate>) -> NaiveDate {
    let before = next.pred_opt().unwrap_or(next);
    match first_day {
        Some(first) if first > before => first,
        _ => before,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_version_ends_the_day_before_its_successor_but_never_before_it_began() {
        assert_eq!(
            last_day_before(day("2026-12-02"), Some(day("2026-01-10"))),
            day("2026-12-01")
        );
        assert_eq!(
            last_day_before(day("2026-12-02"), Some(day("2026-12-02"))),
            day("2026-12-02")
        );
        assert_eq!(last_day_before(day("2026-12-02"), None), day("2026-12-01"));
    }
}
