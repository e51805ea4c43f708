//! Dates and numbers as a reader of each language writes them: `dd/mm/yyyy` in both, and
//! `1.234,5` in Vietnamese where English writes `1,234.5`.

use chrono::{DateTime, NaiveDate, Utc};

use super::Lang;

impl Lang {
    /// `03/12/2026`.
    pub fn date(self, day: NaiveDate) -> String {
        day.format("%d/%m/%Y").to_string()
    }

    /// `03/12/2026 14:05`, in Vietnam's time (UTC+7, no daylight saving).
    pub fn date_time(self, at: DateTime<Utc>) -> String {
        let local = at + chrono::Duration::hours(7);
        local.format("%d/%m/%Y %H:%M").to_string()
    }

    /// A whole number with thousands separators.
    pub fn integer(self, value: i64) -> String {
        let digits = value.unsigned_abs().to_string();
        let separator = match self {
            Self::Vi => '.',
            Self::En => ',',
        };
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                grouped.push(separator);
            }
            grouped.push(digit);
        }
        if value < 0 {
            grouped.insert(0, '-');
        }
        grouped
    }

    /// A decimal with at most `decimals` digits after the mark, trailing zeros dropped:
    /// points (`8,5`) and shares.
    pub fn decimal(self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return "–".to_owned();
        }
        let fixed = format!("{:.*}", decimals, value.abs());
        let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
        let fraction = fraction.trim_end_matches('0');
        let whole: i64 = whole.parse().unwrap_or(0);
        let sign = if value < 0.0 && (whole != 0 || !fraction.is_empty()) {
            "-"
        } else {
            ""
        };
        let mut text = format!("{sign}{}", self.integer(whole));
        if !fraction.is_empty() {
            text.push(match self {
                Self::Vi => ',',
                Self::En => '.',
            });
            text.push_str(fraction);
        }
        text
    }

    /// A share from 0 to 1 as a whole percentage: `87%`.
    pub fn percent(self, share: f64) -> String {
        format!("{}%", self.decimal((share * 100.0).round(), 0))
    }

    /// A size in megabytes with one decimal: `2,5 MB`.
    pub fn megabytes(self, bytes: u64) -> String {
        format!("{} MB", self.decimal(bytes as f64 / 1_048_576.0, 1))
    }

    /// A file's size as people read it: bytes, whole kilobytes under a megabyte, else megabytes
    /// with one decimal (`850 B`, `34 KB`, `2,5 MB`).
    pub fn file_size(self, bytes: u64) -> String {
        match bytes {
            0..1024 => format!("{} B", self.integer(bytes as i64)),
            1024..1_048_576 => format!("{} KB", self.integer(bytes.div_ceil(1024) as i64)),
            _ => self.megabytes(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sizes_read_in_the_unit_that_suits_them() {
        assert_eq!(Lang::Vi.file_size(850), "850 B");
        assert_eq!(Lang::Vi.file_size(34 * 1024 + 1), "35 KB");
        assert_eq!(Lang::Vi.file_size(2_621_440), "2,5 MB");
        assert_eq!(Lang::En.file_size(2_621_440), "2.5 MB");
    }

    #[test]
    fn vietnamese_groups_thousands_with_dots_and_marks_decimals_with_a_comma() {
        assert_eq!(Lang::Vi.integer(1_234_567), "1.234.567");
        assert_eq!(Lang::En.integer(1_234_567), "1,234,567");
        assert_eq!(Lang::Vi.integer(-999), "-999");
        assert_eq!(Lang::Vi.decimal(1234.5, 2), "1.234,5");
        assert_eq!(Lang::En.decimal(1234.5, 2), "1,234.5");
        assert_eq!(Lang::Vi.decimal(-0.25, 2), "-0,25");
        assert_eq!(Lang::Vi.decimal(8.0, 2), "8");
        assert_eq!(Lang::Vi.percent(0.874), "87%");
    }

    #[test]
    fn dates_read_day_month_year() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(Lang::Vi.date(day), "07/03/2026");
        assert_eq!(Lang::En.date(day), "07/03/2026");
        let at = day.and_hms_opt(20, 30, 0).unwrap().and_utc();
        assert_eq!(Lang::Vi.date_time(at), "08/03/2026 03:30");
    }
}
