//! Swedish local time (Europe/Stockholm), for every year the service accepts. Statistics count
//! a case by when it happened locally, forms take local dates and times, and pages show them.
//!
//! Written out rather than pulling in a time-zone database for one zone. Sweden kept CET all
//! year until 1980; since then it follows the European rule, switching at 01:00 UTC:
//! 1980 from the first Sunday of April, 1981–1995 from the last Sunday of March, each to the
//! last Sunday of September; since 1996 from the last Sunday of March to the last Sunday of
//! October.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};

/// The days summer time starts and ends in `year` (at 01:00 UTC), if it had one.
fn summer_time(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    match year {
        ..1980 => None,
        1980 => Some((first_sunday(1980, 4), last_sunday(1980, 9))),
        1981..=1995 => Some((last_sunday(year, 3), last_sunday(year, 9))),
        _ => Some((last_sunday(year, 3), last_sunday(year, 10))),
    }
}

/// The local time of an instant.
pub fn local_time(at: DateTime<Utc>) -> NaiveDateTime {
    let utc = at.naive_utc();
    let summer = summer_time(at.year())
        .is_some_and(|(starts, ends)| (at_hour(starts, 1)..at_hour(ends, 1)).contains(&utc));
    utc + offset(summer)
}

/// The instant a local calendar day begins. Midnight is never inside a clock change, which
/// happens at 02:00/03:00 local time.
pub fn local_midnight(date: NaiveDate) -> DateTime<Utc> {
    let summer =
        summer_time(date.year()).is_some_and(|(starts, ends)| date > starts && date <= ends);
    (at_hour(date, 0) - offset(summer)).and_utc()
}

/// The instant a local time names. In the hour the clocks skip (02:00–03:00 the day summer
/// time starts) the time is read as summer time; in the hour they repeat (02:00–03:00 the day
/// it ends), as the first, summer-time, pass.
pub fn from_local_time(local: NaiveDateTime) -> DateTime<Utc> {
    let summer = summer_time(local.year())
        .is_some_and(|(starts, ends)| (at_hour(starts, 2)..at_hour(ends, 3)).contains(&local));
    (local - offset(summer)).and_utc()
}

fn offset(summer: bool) -> Duration {
    Duration::hours(if summer { 2 } else { 1 })
}

fn at_hour(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_hms_opt(hour, 0, 0).expect("an hour of the day")
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let last_day = NaiveDate::from_ymd_opt(year, month + 1, 1).expect("a month before December")
        - Duration::days(1);
    last_day - Duration::days(i64::from(last_day.weekday().num_days_from_sunday()))
}

fn first_sunday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, 1).expect("a first Sunday")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// Each rule Sweden has had, at its edges: the instants the clocks changed (from
    /// Europe/Stockholm in the IANA time-zone database).
    #[test]
    fn local_time_follows_swedish_summer_time_in_every_era() {
        let cases = [
            // CET all year.
            ("1970-07-01T12:00:00Z", "1970-07-01T13:00:00"),
            ("1979-07-01T12:00:00Z", "1979-07-01T13:00:00"),
            // 1980: 6 April to 28 September.
            ("1980-04-06T00:59:59Z", "1980-04-06T01:59:59"),
            ("1980-04-06T01:00:00Z", "1980-04-06T03:00:00"),
            ("1980-09-28T00:59:59Z", "1980-09-28T02:59:59"),
            ("1980-09-28T01:00:00Z", "1980-09-28T02:00:00"),
            // 1995: 26 March to 24 September.
            ("1995-03-26T01:00:00Z", "1995-03-26T03:00:00"),
            ("1995-09-24T00:59:59Z", "1995-09-24T02:59:59"),
            ("1995-10-15T12:00:00Z", "1995-10-15T13:00:00"),
            // 1996: 31 March to 27 October.
            ("1996-10-15T12:00:00Z", "1996-10-15T14:00:00"),
            ("1996-10-27T01:00:00Z", "1996-10-27T02:00:00"),
            // 2026: 29 March to 25 October.
            ("2026-01-15T12:00:00Z", "2026-01-15T13:00:00"),
            ("2026-03-29T00:59:59Z", "2026-03-29T01:59:59"),
            ("2026-03-29T01:00:00Z", "2026-03-29T03:00:00"),
            ("2026-07-01T22:30:00Z", "2026-07-02T00:30:00"),
            ("2026-10-25T00:59:59Z", "2026-10-25T02:59:59"),
            ("2026-10-25T01:00:00Z", "2026-10-25T02:00:00"),
            ("2026-12-31T23:30:00Z", "2027-01-01T00:30:00"),
        ];
        for (at, local) in cases {
            assert_eq!(
                local_time(utc(at)).to_string().replace(' ', "T"),
                local,
                "{at}"
            );
        }
    }

    #[test]
    fn local_times_name_their_instant_round_the_year() {
        for local in [
            "1975-06-01T12:00:00",
            "1980-04-06T03:00:00",
            "1990-09-30T03:00:00",
            "2026-01-15T13:00:00",
            "2026-03-29T01:59:59",
            "2026-03-29T03:00:00",
            "2026-07-02T00:30:00",
            "2026-10-25T03:00:00",
            "2027-01-01T00:30:00",
            "2028-02-29T12:00:00",
        ] {
            let local: NaiveDateTime = local.parse().unwrap();
            assert_eq!(local_time(from_local_time(local)), local, "{local}");
        }
        let skipped = date("2026-03-29").and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(from_local_time(skipped), utc("2026-03-29T00:30:00Z"));
        let repeated = date("2026-10-25").and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(from_local_time(repeated), utc("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn local_midnight_is_the_instant_the_local_day_begins() {
        for day in [
            "1970-01-01",
            "1980-04-06",
            "1980-04-07",
            "1985-09-29",
            "1985-09-30",
            "2026-01-01",
            "2026-03-29",
            "2026-03-30",
            "2026-07-01",
            "2026-10-25",
            "2026-10-26",
            "9998-12-31",
        ] {
            let start = local_midnight(date(day));
            assert_eq!(local_time(start), at_hour(date(day), 0), "{day}");
            assert_eq!(
                local_time(start - Duration::seconds(1)).date(),
                date(day).pred_opt().unwrap(),
                "{day}"
            );
        }
    }
}
