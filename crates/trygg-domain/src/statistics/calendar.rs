//! Local time and reporting periods. Statistics count a case by when it happened, in the
//! municipality's local time (Europe/Stockholm), so that "hour of day" and "weekday" mean what
//! a local crime-prevention council reads them as.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc, Weekday};

use super::StatisticsError;
use crate::time::{local_midnight, local_time};

/// The longest period one request may cover.
pub const MAX_PERIOD_YEARS: i32 = 20;

/// Days since 1970-01-01: how daily rollups store a date.
pub fn day_number(date: NaiveDate) -> i32 {
    (date - NaiveDate::default()).num_days() as i32
}

pub fn date_of_day_number(day: i32) -> NaiveDate {
    NaiveDate::default() + Duration::days(i64::from(day))
}

/// Months since year 0: how monthly rollups store a month.
pub fn month_number(date: NaiveDate) -> i32 {
    date.year() * 12 + date.month0() as i32
}

pub fn first_day_of_month_number(month: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1)
        .expect("a month number from a valid date")
}

/// How finely the period dimension divides time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Grain {
    pub const ALL: [Grain; 5] = [
        Grain::Day,
        Grain::Week,
        Grain::Month,
        Grain::Quarter,
        Grain::Year,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Grain::Day => "Dag",
            Grain::Week => "Vecka",
            Grain::Month => "Månad",
            Grain::Quarter => "Kvartal",
            Grain::Year => "År",
        }
    }

    /// Whether a month-level rollup can answer it.
    pub fn is_monthly(self) -> bool {
        matches!(self, Grain::Month | Grain::Quarter | Grain::Year)
    }

    /// The period a date falls in, as its code: `2026-11-27`, `2026-W48` (ISO week),
    /// `2026-11`, `2026-Q4`, `2026`.
    pub fn period_of(self, date: NaiveDate) -> String {
        match self {
            Grain::Day => date.format("%Y-%m-%d").to_string(),
            Grain::Week => {
                let week = date.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Grain::Month => date.format("%Y-%m").to_string(),
            Grain::Quarter => format!("{}-Q{}", date.year(), date.month0() / 3 + 1),
            Grain::Year => date.year().to_string(),
        }
    }
}

/// A reporting period: whole local days from `from` up to, not including, `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, StatisticsError> {
        if from >= to {
            return Err(StatisticsError::EmptyPeriod);
        }
        if from
            .checked_add_months(Months::new(12 * MAX_PERIOD_YEARS as u32))
            .is_none_or(|limit| to > limit)
        {
            return Err(StatisticsError::PeriodTooLong);
        }
        Ok(Period { from, to })
    }

    /// "The last 12 months" at `now`: the twelve whole months up to and including the current
    /// one, in local time. A picture read on 1 December covers December (so far) and the
    /// eleven months before it; this month's cases count from the day they are filed.
    pub fn last_twelve_months(now: DateTime<Utc>) -> Period {
        let this_month = local_time(now).date().with_day(1).expect("day 1 exists");
        Period {
            from: this_month - Months::new(11),
            to: this_month + Months::new(1),
        }
    }

    /// One calendar year.
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
        })
    }

    /// The last day in the period (`to` is the day after it).
    pub fn last_day(&self) -> NaiveDate {
        self.to.pred_opt().unwrap_or(self.to)
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Whether the period is whole months, so month-level rollups can answer it.
    pub fn is_whole_months(&self) -> bool {
        self.from.day() == 1 && self.to.day() == 1
    }

    /// The period of the same length just before: as many months back for whole months, as
    /// many days back otherwise.
    pub fn previous(&self) -> Period {
        if self.is_whole_months() {
            let months = (month_number(self.to) - month_number(self.from)) as u32;
            Period {
                from: self.from - Months::new(months),
                to: self.from,
            }
        } else {
            Period {
                from: self.from - (self.to - self.from),
                to: self.from,
            }
        }
    }

    /// The period before this one and this one, as one: what a comparison reads at once.
    pub fn with_previous(&self) -> Period {
        Period {
            from: self.previous().from,
            to: self.to,
        }
    }

    /// The days of the period as day numbers, `from..to`.
    pub fn day_numbers(&self) -> std::ops::Range<i32> {
        day_number(self.from)..day_number(self.to)
    }

    /// The months of a whole-month period as month numbers, `from..to`.
    pub fn month_numbers(&self) -> std::ops::Range<i32> {
        month_number(self.from)..month_number(self.to)
    }

    /// The instants the period spans, `from..to`.
    pub fn instants(&self) -> std::ops::Range<DateTime<Utc>> {
        local_midnight(self.from)..local_midnight(self.to)
    }

    /// The codes of the periods of a grain that the period touches, in order.
    pub fn periods(&self, grain: Grain) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        let mut date = self.from;
        while date < self.to {
            let code = grain.period_of(date);
            if codes.last() != Some(&code) {
                codes.push(code);
            }
            date = match grain {
                Grain::Day | Grain::Week => date + Duration::days(1),
                _ => date.with_day(1).expect("day 1 exists") + Months::new(1),
            };
        }
        codes
    }
}

/// ISO weekday number, 1 (Monday) to 7 (Sunday), as its code.
pub fn weekday_code(day: Weekday) -> String {
    day.number_from_monday().to_string()
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

    #[test]
    fn day_and_month_numbers_round_trip() {
        for day in ["1970-01-01", "2024-02-29", "2026-11-27"] {
            let d = date(day);
            assert_eq!(date_of_day_number(day_number(d)), d);
            assert_eq!(
                first_day_of_month_number(month_number(d)),
                d.with_day(1).unwrap()
            );
        }
        assert_eq!(day_number(date("1970-01-02")), 1);
    }

    #[test]
    fn period_codes_per_grain() {
        let d = date("2026-01-01");
        assert_eq!(Grain::Day.period_of(d), "2026-01-01");
        assert_eq!(Grain::Week.period_of(d), "2026-W01");
        assert_eq!(Grain::Week.period_of(date("2027-01-01")), "2026-W53");
        assert_eq!(Grain::Month.period_of(d), "2026-01");
        assert_eq!(Grain::Quarter.period_of(date("2026-11-27")), "2026-Q4");
        assert_eq!(Grain::Year.period_of(d), "2026");
        let period = Period::new(date("2026-01-01"), date("2026-07-01")).unwrap();
        assert_eq!(period.periods(Grain::Quarter), ["2026-Q1", "2026-Q2"]);
        assert_eq!(period.periods(Grain::Month).len(), 6);
        assert_eq!(period.periods(Grain::Day).len(), 181);
        assert_eq!(period.periods(Grain::Week).first().unwrap(), "2026-W01");
    }

    #[test]
    fn previous_period_has_the_same_length() {
        let months = Period::new(date("2026-01-01"), date("2026-04-01")).unwrap();
        assert_eq!(
            months.previous(),
            Period::new(date("2025-10-01"), date("2026-01-01")).unwrap()
        );
        let days = Period::new(date("2026-03-10"), date("2026-03-17")).unwrap();
        assert_eq!(
            days.previous(),
            Period::new(date("2026-03-03"), date("2026-03-10")).unwrap()
        );
        assert_eq!(
            days.with_previous(),
            Period::new(date("2026-03-03"), date("2026-03-17")).unwrap()
        );
        // Twenty years and the twenty before: longer than any period asked.
        let longest = Period::new(date("2000-01-01"), date("2020-01-01")).unwrap();
        assert_eq!(longest.with_previous().from(), date("1980-01-01"));
        assert_eq!(longest.with_previous().to(), date("2020-01-01"));
    }

    #[test]
    fn the_last_twelve_months_end_with_the_local_month_of_now() {
        let cases = [
            // An ordinary day, and the first and last moments of a month.
            ("2026-11-27T12:00:00Z", "2025-12-01", "2026-12-01"),
            ("2026-10-31T23:00:00Z", "2025-12-01", "2026-12-01"), // 1 November 00:00 local
            ("2026-11-30T22:59:59Z", "2025-12-01", "2026-12-01"), // 30 November 23:59:59
            ("2026-11-30T23:00:00Z", "2026-01-01", "2027-01-01"), // 1 December 00:00
            // New Year's Eve in UTC is already 1 January in Sweden.
            ("2026-12-31T22:59:59Z", "2026-01-01", "2027-01-01"),
            ("2026-12-31T23:30:00Z", "2026-02-01", "2027-02-01"),
            // The day summer time starts (29 March 2026) and ends (25 October 2026), around
            // the change and at the end of the day; then the month's last moment in summer.
            ("2026-03-29T00:30:00Z", "2025-04-01", "2026-04-01"),
            ("2026-03-29T01:30:00Z", "2025-04-01", "2026-04-01"),
            ("2026-03-31T21:59:59Z", "2025-04-01", "2026-04-01"), // 31 March 23:59:59 CEST
            ("2026-03-31T22:00:00Z", "2025-05-01", "2026-05-01"), // 1 April 00:00 CEST
            ("2026-10-25T00:30:00Z", "2025-11-01", "2026-11-01"),
            ("2026-10-25T01:30:00Z", "2025-11-01", "2026-11-01"),
            ("2026-09-30T21:59:59Z", "2025-10-01", "2026-10-01"),
            ("2026-09-30T22:00:00Z", "2025-11-01", "2026-11-01"),
            // A leap day.
            ("2028-02-29T11:00:00Z", "2027-03-01", "2028-03-01"),
        ];
        for (now, from, to) in cases {
            assert_eq!(
                Period::last_twelve_months(utc(now)),
                Period::new(date(from), date(to)).unwrap(),
                "at {now}"
            );
        }
    }

    #[test]
    fn empty_and_overlong_periods_are_refused() {
        assert_eq!(
            Period::new(date("2026-01-02"), date("2026-01-01")),
            Err(StatisticsError::EmptyPeriod)
        );
        assert_eq!(
            Period::new(date("2000-01-01"), date("2026-01-01")),
            Err(StatisticsError::PeriodTooLong)
        );
    }
}
