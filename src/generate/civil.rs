//! Naive (zone-less) New York local times as whole seconds since 1970-01-01T00:00:00, with
//! hand-written calendar arithmetic.
//!
//! Why not chrono on the hot path: formatting a timestamp for each of millions of events
//! through a general formatter costs more than generating the event; the civil-date
//! algorithm (Howard Hinnant's `civil_from_days`) is a handful of integer operations and gives
//! the same answer everywhere.

use anyhow::Context;

use crate::generate::digits::two_digits;

pub const SECONDS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date.
#[cfg(test)]
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The `(year, month, day)` of a day number from [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Day of the week, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
pub fn weekday(days: i64) -> u32 {
    (days + 3).rem_euclid(7) as u32
}

pub fn hour_of(seconds: i64) -> u32 {
    (seconds.rem_euclid(SECONDS_PER_DAY) / 3600) as u32
}

/// `YYYY-MM-DD` of a day number, the year clamped to four digits.
fn date_bytes(days: i64) -> [u8; 10] {
    let (year, month, day) = civil_from_days(days);
    let year = year.clamp(0, 9999) as u32;
    let [c1, c2] = two_digits(year / 100);
    let [y1, y2] = two_digits(year % 100);
    let [m1, m2] = two_digits(month);
    let [d1, d2] = two_digits(day);
    [c1, c2, y1, y2, b'-', m1, m2, b'-', d1, d2]
}

/// Appends `YYYY-MM-DD`.
pub fn push_date(out: &mut Vec<u8>, days: i64) {
    out.extend_from_slice(&date_bytes(days));
}

/// `YYYY-MM-DD<sep>HH:MM:SS` (`sep` is `T` in events, a space in SQL COPY input), built in
/// one array: two of these are written per event.
pub fn timestamp_bytes(seconds: i64, sep: u8) -> [u8; 19] {
    let [c1, c2, y1, y2, _, m1, m2, _, d1, d2] = date_bytes(seconds.div_euclid(SECONDS_PER_DAY));
    let in_day = seconds.rem_euclid(SECONDS_PER_DAY) as u32;
    let [h1, h2] = two_digits(in_day / 3600);
    let [i1, i2] = two_digits(in_day / 60 % 60);
    let [s1, s2] = two_digits(in_day % 60);
    [
        c1, c2, y1, y2, b'-', m1, m2, b'-', d1, d2, sep, h1, h2, b':', i1, i2, b':', s1, s2,
    ]
}

/// Appends [`timestamp_bytes`].
pub fn push_timestamp(out: &mut Vec<u8>, seconds: i64, sep: u8) {
    out.extend_from_slice(&timestamp_bytes(seconds, sep));
}

pub fn date_string(days: i64) -> String {
    let mut out = Vec::with_capacity(10);
    push_date(&mut out, days);
    String::from_utf8(out).expect("dates are ASCII")
}

pub fn timestamp_string(seconds: i64) -> String {
    let mut out = Vec::with_capacity(19);
    push_timestamp(&mut out, seconds, b'T');
    String::from_utf8(out).expect("timestamps are ASCII")
}

/// Parses `YYYY-MM-DDTHH:MM:SS` (or a bare date) into seconds since the epoch.
pub fn parse_timestamp(text: &str) -> anyhow::Result<i64> {
    let parsed = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|date| date.and_hms_opt(0, 0, 0).expect("midnight exists"))
        })
        .with_context(|| format!("'{text}' is not a time like 2024-01-01T00:00:00"))?;
    Ok(parsed.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        for days in -1_000..150_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2024, 1, 1), 19_723);
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn formats_and_parses_like_chrono() {
        let seconds = parse_timestamp("2024-01-31T23:59:07").unwrap();
        assert_eq!(timestamp_string(seconds), "2024-01-31T23:59:07");
        assert_eq!(
            parse_timestamp("2024-01-02").unwrap(),
            days_from_civil(2024, 1, 2) * SECONDS_PER_DAY
        );
        assert_eq!(date_string(days_from_civil(2025, 12, 9)), "2025-12-09");
        assert!(parse_timestamp("yesterday").is_err());
    }

    #[test]
    fn weekday_and_hour() {
        assert_eq!(
            weekday(days_from_civil(2024, 1, 1)),
            0,
            "1 January 2024 was a Monday"
        );
        assert_eq!(weekday(days_from_civil(2024, 1, 7)), 6);
        assert_eq!(hour_of(parse_timestamp("2024-01-01T17:30:00").unwrap()), 17);
    }
}
