//! Statistics rollups: counts of cases by their coded facts, kept up to date in the
//! transaction that files or amends a case, and read to answer statistics without scanning
//! the cases. A question no rollup can answer (say, by hour and gender over a few days)
//! counts the cases of its period instead.
//!
//! The rollup tables are reached through raw SQL built from their definitions (`cubes.rs`; the
//! grouping is chosen per request); every name in that SQL comes from there, never from
//! the request, and every value is bound.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use trygg_domain::statistics::{
    CaseFacts, Dimension, Period, RecordKey, StatisticsError, StatisticsQuery, date_of_day_number,
    day_number, first_day_of_month_number, for_each_combination, month_number,
};

mod bulk;
mod cases;
mod cells;
mod compilation;
mod counter;
mod cubes;
mod fold;
mod publication;
mod published;
mod read;
mod rebuild;
#[cfg(test)]
mod tests;
mod write;

pub use cells::Measures;
pub use publication::{DisclosureControl, Release};
pub use published::PublishError;
pub use read::{Counts, Outcomes};

use cases::*;
use cells::*;
pub(crate) use cells::{facts_of, facts_of_new};
use cubes::*;
use read::*;
pub(crate) use write::record_change;
use write::*;

use counter::Counter;
pub(crate) use rebuild::rebuild;

use crate::case::{
    Backend, CircumstanceColumns, Incident, joined_with_offices, record_key, violence_forms,
};
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::schema::{incidents, uncounted_cases};

/// The key value of a rollup row that counts a case once, whatever its offices or forms.
const ALL: &str = "*";
/// Joins a rollup row's key values in memory (codes never contain it).
const SEPARATOR: &str = "\u{1f}";
/// Cases read per query when counting or rebuilding from the cases themselves.
const BATCH: i64 = 10_000;
/// Cases read by key per statement: a small share of any table worth an index, so that the
/// planner looks each one up rather than reading the table.
const KEYS_PER_READ: usize = 1_000;
/// Rows per statement when a rebuild, a fold or a change on SQLite writes the rollups.
const INSERT_ROWS: usize = 1_000;
/// Uncounted cases a fold counts at most (the rest wait for the next): their cells are summed
/// in memory first, a few tens of megabytes at most.
const FOLD_CASES: i64 = 5_000;
/// The month number past every month a case can be in (the year 10000).
const MONTHS_END: i32 = 10_000 * 12;
/// Held while folding pending counts into the rollups, publishing or rebuilding them
/// (PostgreSQL).
const FOLD_LOCK_KEY: i64 = 0x0074_7279_6766; // "tryf"

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Time {
    Day,
    Month,
}

impl Time {
    fn column(self) -> &'static str {
        match self {
            Time::Day => "day",
            Time::Month => "month",
        }
    }

    fn of(self, date: NaiveDate) -> i32 {
        match self {
            Time::Day => day_number(date),
            Time::Month => month_number(date),
        }
    }

    fn date(self, number: i32) -> NaiveDate {
        match self {
            Time::Day => date_of_day_number(number),
            Time::Month => first_day_of_month_number(number),
        }
    }
}

/// Numbered bind parameters: `$n` on PostgreSQL, `?n` on SQLite (which looks up named
/// parameters such as `$n` one by one, quadratic in their number).
fn parameter_style(conn: &DbConnection) -> fn(usize) -> String {
    match conn {
        DbConnection::Postgresql(_) => |n| format!("${n}"),
        DbConnection::Sqlite(_) => |n| format!("?{n}"),
    }
}
