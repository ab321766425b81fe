//! Statistics published on a calendar. Whoever may not read the cases (analysts, integrations,
//! open data) reads a published snapshot: a month's figures are published on a fixed day after
//! it ends and then frozen, and late reports and reclassifications reach them only at a
//! revision (each quarter's last publication). Between publications nothing they read changes,
//! so reading the same table every morning tells nothing about the cases filed meanwhile.
//!
//! They may ask for whole published periods only: a calendar month, a quarter, a year, or the
//! twelve months up to the latest published month. Two twelve-month windows a month apart
//! differ by one month's cases cell by cell, and a table of arbitrary days differs from the
//! next day's by the cases of one day: those are for the people who may read the cases anyway.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::Serialize;

use super::calendar::{Period, first_day_of_month_number, month_number};
use super::dimension::Dimension;
use super::table::Axis;
use super::{StatisticsError, StatisticsQuery};
use crate::time::local_time;

/// When months are published: on `day` of the month after them. The publication of a quarter's
/// last month (March, June, September, December) is a revision of every month before it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicationCalendar {
    day: u32,
}

impl PublicationCalendar {
    /// The 10th: late reports of the month's last days are in, and a council meeting early in
    /// the month after has the figures.
    pub const DEFAULT: PublicationCalendar = PublicationCalendar { day: 10 };

    pub fn new(day: u32) -> Result<PublicationCalendar, StatisticsError> {
        if !(1..=28).contains(&day) {
            return Err(StatisticsError::BadPublicationDay(day));
        }
        Ok(PublicationCalendar { day })
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// The last month (a month number) whose publication day has come at `now`.
    pub fn due_through(self, now: DateTime<Utc>) -> i32 {
        let today = local_time(now).date();
        let this_month = month_number(today);
        if today.day() >= self.day {
            this_month - 1
        } else {
            this_month - 2
        }
    }

    /// Whether publishing through `month` revises the months published before.
    pub fn revises(self, month: i32) -> bool {
        month.rem_euclid(3) == 2
    }
}

impl Default for PublicationCalendar {
    fn default() -> Self {
        PublicationCalendar::DEFAULT
    }
}

/// One publication as listed: when, through which month, and whether it revised earlier ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationView {
    pub id: i64,
    pub published_at: DateTime<Utc>,
    /// The first day of the latest month it published.
    pub through_month: NaiveDate,
    /// Whether it published again the months published before (late reports and
    /// reclassifications reach published figures only so).
    pub revision: bool,
}

/// The published statistics as they stand: every publication so far, oldest first, each
/// with its salt (see [`Snapshot::salt`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub latest: PublicationView,
    publications: Vec<(i32, bool, u32)>,
}

impl Snapshot {
    /// `None` before the first publication.
    pub fn new(publications: Vec<(PublicationView, u32)>) -> Option<Snapshot> {
        let latest = publications.last()?.0.clone();
        let publications = publications
            .into_iter()
            .map(|(view, salt)| (month_number(view.through_month), view.revision, salt))
            .collect();
        Some(Snapshot {
            latest,
            publications,
        })
    }

    /// The salt of the publication a month's figures come from: the latest that published it,
    /// first or again in a revision (the first publication counts as one).
    fn month_salt(&self, month: i32) -> u32 {
        let published_by = |at: usize| {
            let (through, revision, _) = self.publications[at];
            month <= through && (revision || at == 0 || month > self.publications[at - 1].0)
        };
        (0..self.publications.len())
            .rev()
            .find(|&at| published_by(at))
            .map_or(0, |at| self.publications[at].2)
    }

    /// The latest published month (a month number).
    pub fn through(&self) -> i32 {
        month_number(self.latest.through_month)
    }

    /// The salt of a published period's cells: the months' salts added up, so that a cell
    /// over the same months from the same publications always has the same key, and any
    /// republished month draws every cell over it anew (a revision never shows which cells
    /// its changes fell in).
    pub fn salt(&self, period: &Period) -> u32 {
        (month_number(period.from())..month_number(period.to())).fold(0u32, |salt, month| {
            salt.wrapping_add(self.month_salt(month))
        })
    }

    /// The twelve months up to the latest published one (the district picture's window).
    pub fn last_twelve_months(&self) -> Period {
        let to = first_day_of_month_number(self.through() + 1);
        Period::new(to - Months::new(12), to).expect("twelve months")
    }

    /// Checks that `period` is one a reader of published statistics may ask: a whole
    /// published month, quarter or year, or the twelve months up to the latest published one.
    pub fn check(&self, period: &Period) -> Result<(), StatisticsError> {
        self.check_published(period)?;
        (is_calendar(period) || *period == self.last_twelve_months())
            .then_some(())
            .ok_or(StatisticsError::NotCalendarPeriod)
    }

    /// Checks that `period` is whole published months, for a series of calendar periods
    /// (a PxWeb table): each of its cells is a calendar period's. The question's table has a
    /// total over the series too, a window no reader may ask: PxWeb's plan never reads it.
    pub fn check_series(&self, period: &Period) -> Result<(), StatisticsError> {
        self.check_published(period)?;
        period
            .is_whole_months()
            .then_some(())
            .ok_or(StatisticsError::NotCalendarPeriod)
    }

    /// Beyond the latest publication: said so, whatever the period's shape.
    fn check_published(&self, period: &Period) -> Result<(), StatisticsError> {
        match month_number(period.last_day()) > self.through() {
            true => Err(StatisticsError::NotPublished(self.latest.through_month)),
            false => Ok(()),
        }
    }

    /// The periods a reader may ask, the latest first: the twelve months up to the latest
    /// published month, then the published years, quarters and months back as far as `back`
    /// years (for a page's choice of period).
    pub fn calendar_periods(&self, back: u32) -> Vec<(CalendarPeriod, Period)> {
        let through = self.through();
        let earliest = through - 12 * back as i32;
        let month = |m: i32| first_day_of_month_number(m);
        let span = |from: i32, months: u32| {
            Period::new(month(from), month(from) + Months::new(months)).expect("whole months")
        };
        let mut periods = vec![(CalendarPeriod::LastTwelveMonths, self.last_twelve_months())];
        let last_year = (through + 1).div_euclid(12) - 1;
        periods.extend(
            (earliest.div_euclid(12)..=last_year)
                .rev()
                .map(|year| (CalendarPeriod::Year(year), span(year * 12, 12))),
        );
        let last_quarter = (through + 1).div_euclid(3) - 1;
        periods.extend(
            (earliest.div_euclid(3)..=last_quarter)
                .rev()
                .map(|quarter| (CalendarPeriod::Quarter(quarter), span(quarter * 3, 3))),
        );
        periods.extend(
            (earliest..=through)
                .rev()
                .map(|m| (CalendarPeriod::Month(m), span(m, 1))),
        );
        periods
    }

    /// The period a published answer is compared with: the calendar period before, which is
    /// one a reader may ask too. The twelve months to the latest month have none (the window a
    /// year earlier is not one a reader may ask).
    pub fn previous(&self, period: &Period) -> Option<Period> {
        let previous = period.previous();
        (is_calendar(period) && self.check(&previous).is_ok()).then_some(previous)
    }
}

/// A period a reader of published figures may ask, as a page offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarPeriod {
    LastTwelveMonths,
    /// A year.
    Year(i32),
    /// A quarter number: year * 4 + quarter - 1.
    Quarter(i32),
    /// A month number.
    Month(i32),
}

impl CalendarPeriod {
    /// Its code in a query string: `12m`, `2026`, `2026-q3`, `2026-10`.
    pub fn code(self) -> String {
        match self {
            CalendarPeriod::LastTwelveMonths => "12m".to_owned(),
            CalendarPeriod::Year(year) => year.to_string(),
            CalendarPeriod::Quarter(quarter) => {
                format!("{}-q{}", quarter.div_euclid(4), quarter.rem_euclid(4) + 1)
            }
            CalendarPeriod::Month(month) => {
                first_day_of_month_number(month).format("%Y-%m").to_string()
            }
        }
    }
}

/// The salt of each cell of a published table, by the period the cell covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salts {
    whole: u32,
    by_period: HashMap<String, u32>,
}

impl Salts {
    pub fn new(snapshot: &Snapshot, query: &StatisticsQuery) -> Salts {
        let period = query.period();
        let mut months: HashMap<String, BTreeSet<i32>> = HashMap::new();
        if let Some(grain) = query.grain() {
            for day in period
                .from()
                .iter_days()
                .take_while(|day| *day < period.to())
            {
                let month = month_number(day);
                months
                    .entry(grain.period_of(day))
                    .or_default()
                    .insert(month);
            }
        }
        Salts {
            whole: snapshot.salt(period),
            by_period: months
                .into_iter()
                .map(|(code, months)| {
                    let salt = months.into_iter().fold(0u32, |salt, month| {
                        salt.wrapping_add(snapshot.month_salt(month))
                    });
                    (code, salt)
                })
                .collect(),
        }
    }

    /// The salt of the cell at `coordinates`: its period's, or the whole period's.
    pub(super) fn of(&self, axes: &[Axis], coordinates: &[usize]) -> u32 {
        axes.iter()
            .zip(coordinates)
            .find(|(axis, at)| {
                matches!(axis.dimension, Dimension::Period(_)) && **at + 1 < axis.categories.len()
            })
            .and_then(|(axis, at)| self.by_period.get(&axis.categories[*at].code))
            .copied()
            .unwrap_or(self.whole)
    }
}

/// Whether a period is a calendar month, quarter or year.
fn is_calendar(period: &Period) -> bool {
    let months = month_number(period.to()) - month_number(period.from());
    let month = period.from().month0();
    period.is_whole_months()
        && (months == 1 || (months == 3 && month.is_multiple_of(3)) || (months == 12 && month == 0))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn publication(id: i64, through_month: NaiveDate, revision: bool) -> PublicationView {
        PublicationView {
            id,
            published_at: Utc.with_ymd_and_hms(2026, 7, 10, 4, 0, 0).unwrap(),
            through_month,
            revision,
        }
    }

    fn snapshot(through: NaiveDate) -> Snapshot {
        Snapshot::new(vec![(publication(1, through, true), 7919)]).unwrap()
    }

    #[test]
    fn a_month_is_due_on_its_publication_day_and_a_quarters_last_revises() {
        let calendar = PublicationCalendar::DEFAULT;
        // 9 July, 23:30 in Stockholm: June is not due yet; from the 10th it is.
        let before = Utc.with_ymd_and_hms(2026, 7, 9, 21, 30, 0).unwrap();
        let on = Utc.with_ymd_and_hms(2026, 7, 9, 22, 30, 0).unwrap();
        assert_eq!(calendar.due_through(before), month_number(date(2026, 5, 1)));
        assert_eq!(calendar.due_through(on), month_number(date(2026, 6, 1)));
        assert!(calendar.revises(month_number(date(2026, 6, 1))));
        assert!(calendar.revises(month_number(date(2026, 12, 1))));
        assert!(!calendar.revises(month_number(date(2026, 7, 1))));
        assert!(PublicationCalendar::new(29).is_err());
    }

    #[test]
    fn readers_of_published_figures_ask_calendar_periods_that_are_published() {
        let snapshot = snapshot(date(2026, 6, 1));
        let period = |from: NaiveDate, to: NaiveDate| Period::new(from, to).unwrap();
        for allowed in [
            period(date(2026, 6, 1), date(2026, 7, 1)),
            period(date(2026, 4, 1), date(2026, 7, 1)),
            period(date(2025, 1, 1), date(2026, 1, 1)),
            period(date(2025, 7, 1), date(2026, 7, 1)),
        ] {
            assert_eq!(snapshot.check(&allowed), Ok(()), "{allowed:?}");
        }
        for (refused, why) in [
            (period(date(2026, 1, 1), date(2026, 6, 15)), "days"),
            (period(date(2026, 1, 1), date(2026, 6, 16)), "days"),
            (period(date(2026, 7, 1), date(2026, 8, 1)), "not published"),
            (period(date(2026, 1, 1), date(2026, 6, 1)), "five months"),
            (period(date(2026, 2, 1), date(2026, 5, 1)), "not a quarter"),
            (
                period(date(2025, 6, 1), date(2026, 6, 1)),
                "an earlier window",
            ),
            (period(date(2026, 1, 1), date(2027, 1, 1)), "not published"),
        ] {
            assert!(snapshot.check(&refused).is_err(), "{why}: {refused:?}");
        }
        let june = period(date(2026, 6, 1), date(2026, 7, 1));
        assert_eq!(
            snapshot.previous(&june),
            Some(period(date(2026, 5, 1), date(2026, 6, 1)))
        );
        assert_eq!(snapshot.previous(&snapshot.last_twelve_months()), None);
    }

    #[test]
    fn a_page_offers_the_periods_a_reader_may_ask_and_only_those() {
        let snapshot = snapshot(date(2026, 10, 1));
        let periods = snapshot.calendar_periods(1);
        let codes: Vec<String> = periods.iter().map(|(p, _)| p.code()).collect();
        assert_eq!(&codes[..4], ["12m", "2025", "2026-q3", "2026-q2"]);
        assert_eq!(codes.last().map(String::as_str), Some("2025-10"));
        assert!(codes.contains(&"2026-10".to_owned()));
        assert!(
            !codes.contains(&"2026".to_owned()),
            "2026 is not published whole"
        );
        assert!(!codes.contains(&"2026-q4".to_owned()));
        for (period, span) in &periods {
            assert_eq!(snapshot.check(span), Ok(()), "{}", period.code());
        }
    }

    #[test]
    fn a_months_salt_is_the_last_publication_that_published_it() {
        let (april, may, june, july) = (
            date(2026, 4, 1),
            date(2026, 5, 1),
            date(2026, 6, 1),
            date(2026, 7, 1),
        );
        let snapshot = Snapshot::new(vec![
            (publication(1, april, true), 1),
            (publication(2, may, false), 10),
            (publication(3, june, true), 100),
            (publication(4, july, false), 1000),
        ])
        .unwrap();
        let month = |from: NaiveDate| Period::new(from, from + Months::new(1)).unwrap();
        assert_eq!(
            snapshot.salt(&month(date(2026, 1, 1))),
            100,
            "revised in June"
        );
        assert_eq!(snapshot.salt(&month(july)), 1000, "first published in July");
        assert_eq!(
            snapshot.salt(&Period::new(may, date(2026, 8, 1)).unwrap()),
            1200
        );
        let before = Snapshot::new(vec![
            (publication(1, april, true), 1),
            (publication(2, may, false), 10),
        ])
        .unwrap();
        assert_eq!(before.salt(&month(may)), 10);
        assert_eq!(before.salt(&month(april)), 1);
        assert_eq!(Snapshot::new(vec![]), None);
    }
}
