//! Statistics rollups: counts of cases by their coded facts, kept up to date in the
//! transaction that files or amends a case, and read to answer statistics without scanning
//! the cases. A question no rollup can answer (say, by hour and gender over a few days)
//! counts the cases of its period instead.
//!
//! The rollup tables are reached through raw SQL built from the column lists below (the
//! grouping is chosen per request); every name in that SQL comes from this file, never from
//! the request, and every value is bound.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use trygg_domain::statistics::{
    CaseFacts, Dimension, Period, RecordKey, StatisticsError, StatisticsQuery, date_of_day_number,
    day_number, first_day_of_month_number, for_each_combination, month_number,
};

mod bulk;
mod counter;
mod publication;
mod published;
mod rebuild;

pub use publication::{DisclosureControl, Release};
pub use published::PublishError;

use counter::Counter;
pub(crate) use rebuild::rebuild;

use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::incidents::{
    CircumstanceColumns, Incident, NewIncident, joined_with_offices, record_key, violence_forms,
};
use crate::schema::{incidents, uncounted_cases};

type Backend = <DbConnection as Connection>::Backend;

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

/// One rollup: counts of cases by time and by its key dimensions. Each key has a column
/// named after the dimension; for `office` and `violence_form` the row holding `*` counts a
/// case once and the others count it per office or form. Tables are keyed multi-valued
/// columns first, then time, so the rows a query reads lie together. The two-way rollups
/// share one table: each is named in its `pair` column and keeps its two dimensions' codes in
/// `first` and `second`.
#[derive(Debug, PartialEq, Eq)]
struct Cube {
    table: &'static str,
    time: Time,
    keys: &'static [Dimension],
    pair: Option<[Dimension; 2]>,
    /// Whether it counts closed and police-reported cases besides all cases.
    outcomes: bool,
    /// Whether it is keyed by whole days from filing to closing too (closed cases only).
    days_to_close: bool,
}

const DAILY: Cube = Cube {
    table: "statistics_daily",
    time: Time::Day,
    keys: &[Dimension::Office, Dimension::FocusArea, Dimension::District],
    pair: None,
    outcomes: false,
    days_to_close: false,
};
const EVENTS: Cube = Cube {
    table: "statistics_events",
    time: Time::Month,
    keys: &[
        Dimension::Office,
        Dimension::FocusArea,
        Dimension::District,
        Dimension::Kind,
        Dimension::Severity,
    ],
    pair: None,
    outcomes: true,
    days_to_close: false,
};
const PEOPLE: Cube = Cube {
    table: "statistics_people",
    time: Time::Month,
    keys: &[
        Dimension::Office,
        Dimension::FocusArea,
        Dimension::District,
        Dimension::Gender,
        Dimension::AgeGroup,
    ],
    pair: None,
    outcomes: false,
    days_to_close: false,
};
const PLACES: Cube = Cube {
    table: "statistics_places",
    time: Time::Month,
    keys: &[
        Dimension::Office,
        Dimension::FocusArea,
        Dimension::District,
        Dimension::PlaceKind,
        Dimension::AffectedCategory,
        Dimension::ChildrenAffected,
    ],
    pair: None,
    outcomes: false,
    days_to_close: false,
};
/// Every dimension by month: answers any grouping at month grain, at the price of size.
const MONTHLY: Cube = Cube {
    table: "statistics_monthly",
    time: Time::Month,
    keys: &[
        Dimension::Office,
        Dimension::ViolenceForm,
        Dimension::FocusArea,
        Dimension::District,
        Dimension::Kind,
        Dimension::Severity,
        Dimension::AffectedCategory,
        Dimension::Gender,
        Dimension::AgeGroup,
        Dimension::ChildrenAffected,
        Dimension::PlaceKind,
    ],
    pair: None,
    outcomes: true,
    days_to_close: false,
};
const CLOSING: Cube = Cube {
    table: "statistics_closing",
    time: Time::Month,
    keys: &[Dimension::Office, Dimension::FocusArea],
    pair: None,
    outcomes: false,
    days_to_close: true,
};
/// The dimensions crossed two by two, by month, focus area and district.
const PAIRED: [Dimension; 10] = [
    Dimension::Kind,
    Dimension::ViolenceForm,
    Dimension::Severity,
    Dimension::AffectedCategory,
    Dimension::Gender,
    Dimension::AgeGroup,
    Dimension::ChildrenAffected,
    Dimension::PlaceKind,
    Dimension::Weekday,
    Dimension::Hour,
];
const PAIR_COUNT: usize = PAIRED.len() * (PAIRED.len() - 1) / 2;
static PAIRS: [Cube; PAIR_COUNT] = pairs();

const fn pairs() -> [Cube; PAIR_COUNT] {
    const fn pair(first: Dimension, second: Dimension) -> Cube {
        Cube {
            table: "statistics_pairs",
            time: Time::Month,
            keys: &[Dimension::FocusArea, Dimension::District],
            pair: Some([first, second]),
            outcomes: false,
            days_to_close: false,
        }
    }
    let mut cubes = [const { pair(Dimension::Kind, Dimension::Kind) }; PAIR_COUNT];
    let (mut first, mut filled) = (0, 0);
    while first < PAIRED.len() {
        let mut second = first + 1;
        while second < PAIRED.len() {
            cubes[filled] = pair(PAIRED[first], PAIRED[second]);
            filled += 1;
            second += 1;
        }
        first += 1;
    }
    cubes
}

/// Every rollup; the ones that answer counts smallest first, so a query reads the smallest
/// that has its dimensions.
static CUBES: LazyLock<Vec<&'static Cube>> = LazyLock::new(|| {
    [&DAILY, &EVENTS, &PEOPLE, &PLACES]
        .into_iter()
        .chain(&PAIRS)
        .chain([&MONTHLY, &CLOSING])
        .collect()
});

impl Cube {
    fn has(&self, dimension: Dimension) -> bool {
        self.dimensions().any(|d| d == dimension)
    }

    /// The key dimensions, the pair's last.
    fn dimensions(&self) -> impl Iterator<Item = Dimension> + '_ {
        self.keys
            .iter()
            .copied()
            .chain(self.pair.into_iter().flatten())
    }

    /// The dimensions whose `*` row counts a case once: the multi-valued keys, which lead.
    fn starred(&self) -> &'static [Dimension] {
        let multi = self.keys.iter().take_while(|d| d.is_multi_valued()).count();
        &self.keys[..multi]
    }

    /// The column holding a dimension's codes.
    fn column(&self, dimension: Dimension) -> &'static str {
        match self.pair {
            Some([first, _]) if first == dimension => "first",
            Some([_, second]) if second == dimension => "second",
            _ => dimension.code(),
        }
    }

    /// The value of the `pair` column: the two dimensions' codes.
    fn pair_code(&self) -> Option<String> {
        self.pair
            .map(|[first, second]| format!("{},{}", first.code(), second.code()))
    }

    /// Whether a row at `time` counts in a month published through `frozen` (a month number).
    fn is_published(&self, time: i32, frozen: Option<i32>) -> bool {
        let month = match self.time {
            Time::Month => time,
            Time::Day => month_number(date_of_day_number(time)),
        };
        frozen.is_some_and(|frozen| month <= frozen)
    }

    /// Whether it answers the query: it has every dimension the query groups or filters by,
    /// and a multi-valued dimension without a `*` row (a form of violence in a pair) only
    /// where the query asks for it, since summing over it would count a case once per form.
    fn answers_query(&self, query: &StatisticsQuery) -> bool {
        let asked: Vec<Dimension> = query.dimensions().collect();
        asked.iter().all(|d| self.answers(*d, query.period()))
            && self
                .pair
                .into_iter()
                .flatten()
                .filter(|d| d.is_multi_valued())
                .all(|d| asked.contains(&d))
    }

    /// Whether the rollup can group or filter by `dimension` over `period`.
    fn answers(&self, dimension: Dimension, period: &Period) -> bool {
        let whole_months = self.time == Time::Day || period.is_whole_months();
        whole_months
            && match dimension {
                Dimension::Period(grain) => self.time == Time::Day || grain.is_monthly(),
                Dimension::Weekday if self.time == Time::Day => true,
                dimension => self.has(dimension),
            }
    }

    fn measures(&self) -> &'static [&'static str] {
        if self.outcomes {
            &["n", "closed", "police_reported", "key_sum"]
        } else {
            &["n", "key_sum"]
        }
    }

    /// The key columns in the table's key order: the leading ones (`pair`, or the starred
    /// dimensions), time, days, the rest.
    fn key_columns(&self) -> Vec<&'static str> {
        let starred = self.starred();
        let leading = match self.pair {
            Some(_) => vec!["pair"],
            None => starred.iter().map(|d| d.code()).collect(),
        };
        leading
            .into_iter()
            .chain([self.time.column()])
            .chain(self.days_to_close.then_some("days"))
            .chain(self.keys[starred.len()..].iter().map(|d| d.code()))
            .chain(
                self.pair
                    .map_or(&[][..], |_| &["first", "second"][..])
                    .iter()
                    .copied(),
            )
            .collect()
    }

    /// How many key values come before the time.
    fn leading_keys(&self) -> usize {
        match self.pair {
            Some(_) => 1,
            None => self.starred().len(),
        }
    }

    /// `INSERT … ON CONFLICT DO UPDATE` adding `rows` rows of deltas to the rollup, or
    /// appending them to its pending counts (same on both backends).
    fn upsert(&self, rows: usize, parameter: impl Fn(usize) -> String, held: bool) -> String {
        let columns = self.key_columns().join(", ");
        let width = self.key_columns().len() + self.measures().len();
        let values: Vec<String> = (0..rows)
            .map(|row| {
                let binds: Vec<String> = (1..=width).map(|i| parameter(row * width + i)).collect();
                format!("({})", binds.join(", "))
            })
            .collect();
        let (table, on_conflict) = match held {
            true => (self.pending(), String::new()),
            false => (self.table.to_owned(), self.on_conflict_add()),
        };
        format!(
            "INSERT INTO {table} ({columns}, {measures}) VALUES {values} {on_conflict}",
            measures = self.measures().join(", "),
            values = values.join(", "),
        )
    }

    /// Adds to an existing row's measures rather than inserting it again.
    fn on_conflict_add(&self) -> String {
        let updates: Vec<String> = self
            .measures()
            .iter()
            .map(|m| format!("{m} = {table}.{m} + excluded.{m}", table = self.table))
            .collect();
        format!(
            "ON CONFLICT ({}) DO UPDATE SET {}",
            self.key_columns().join(", "),
            updates.join(", ")
        )
    }

    /// Where changes wait that are not in the rollup yet: on PostgreSQL every change (see
    /// [`Database::fold_statistics`]), on both those to published months (see
    /// [`publication`]).
    fn pending(&self) -> String {
        format!("{}_pending", self.table)
    }

    /// What a query reads. Live figures: the rollup and the pending counts besides, in one
    /// statement (one snapshot), so that a fold is never seen half done. Published figures:
    /// the rollup alone, where published months change only when they are published.
    fn source(&self, release: &Release) -> String {
        match release {
            Release::Live => format!(
                "(SELECT * FROM {table} UNION ALL SELECT * FROM {pending}) AS {table}",
                table = self.table,
                pending = self.pending(),
            ),
            Release::Published(..) => self.table.to_owned(),
        }
    }

    /// The condition on the time column for rows of the months in `months` (month numbers).
    fn in_months(&self, months: std::ops::Range<i32>) -> String {
        let bound = |month: i32| match self.time {
            Time::Month => month,
            Time::Day => day_number(first_day_of_month_number(month)),
        };
        format!(
            "{column} >= {} AND {column} < {}",
            bound(months.start),
            bound(months.end),
            column = self.time.column(),
        )
    }

    /// Moves the pending counts of `months` into the rollup, summed per key and in key
    /// order: on PostgreSQL in one statement, so that a row appended meanwhile is either
    /// moved or left, never deleted unmoved; SQLite has one writer.
    fn fold(
        &self,
        conn: &mut DbConnection,
        months: std::ops::Range<i32>,
    ) -> Result<usize, StorageError> {
        let columns = self.key_columns().join(", ");
        let sums: Vec<String> = self
            .measures()
            .iter()
            .map(|m| format!("CAST(SUM({m}) AS BIGINT)"))
            .collect();
        let (pending, table, measures, sums, add, condition) = (
            self.pending(),
            self.table,
            self.measures().join(", "),
            sums.join(", "),
            self.on_conflict_add(),
            self.in_months(months),
        );
        Ok(match conn {
            DbConnection::Postgresql(_) => diesel::sql_query(format!(
                "WITH moved AS (DELETE FROM {pending} WHERE {condition} RETURNING *) \
                 INSERT INTO {table} ({columns}, {measures}) \
                 SELECT {columns}, {sums} FROM moved GROUP BY {columns} ORDER BY {columns} {add}"
            ))
            .execute(conn)?,
            DbConnection::Sqlite(_) => {
                let moved = diesel::sql_query(format!(
                    "INSERT INTO {table} ({columns}, {measures}) \
                     SELECT {columns}, {sums} FROM {pending} WHERE {condition} \
                     GROUP BY {columns} ORDER BY {columns} {add}"
                ))
                .execute(conn)?;
                diesel::sql_query(format!("DELETE FROM {pending} WHERE {condition}"))
                    .execute(conn)?;
                moved
            }
        })
    }
}

/// Every rollup table once.
fn tables() -> Vec<&'static Cube> {
    let mut tables: Vec<&'static Cube> = CUBES.to_vec();
    tables.dedup_by_key(|cube| cube.table);
    tables
}

/// A rollup row's key: its rollup, time, days to close (when keyed by them) and key values
/// joined in the order of `Cube::key_columns`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Cell {
    cube: usize,
    time: i32,
    days: i32,
    keys: Box<str>,
}

/// How many cases a cell counts, of those how many are closed and police-reported, and the
/// sum of their record keys (the cell key before its modulo, see
/// [`trygg_domain::statistics::CellKey`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measures {
    pub cases: i64,
    pub closed: i64,
    pub police_reported: i64,
    pub key_sum: i64,
}

impl Measures {
    /// What a case counts: itself, whether it is closed and police-reported, and its key.
    fn of(case: &CaseFacts) -> Measures {
        Measures {
            cases: 1,
            closed: i64::from(case.days_to_close.is_some()),
            police_reported: i64::from(case.police_reported),
            key_sum: i64::from(case.record_key.get()),
        }
    }

    fn add(&mut self, other: Measures, sign: i64) {
        self.cases += sign * other.cases;
        self.closed += sign * other.closed;
        self.police_reported += sign * other.police_reported;
        self.key_sum += sign * other.key_sum;
    }

    /// The values of a rollup's measure columns, in their order.
    fn values(self, cube: &Cube) -> impl Iterator<Item = i64> {
        cube.measures().iter().map(move |measure| match *measure {
            "n" => self.cases,
            "closed" => self.closed,
            "police_reported" => self.police_reported,
            "key_sum" => self.key_sum,
            other => unreachable!("`{other}` is not a measure"),
        })
    }
}

/// The coded facts of a stored case.
pub(crate) fn facts_of(incident: &Incident) -> CaseFacts {
    CaseFacts::new(
        incident.occurred_at,
        incident.focus_area.clone(),
        incident.offices.clone(),
        incident.district.clone(),
        incident.circumstances,
        incident.violence_forms.clone(),
        incident.follow_up.police_report_filed,
        (incident.received_at, incident.closed_at),
        incident.record_key,
    )
}

/// The facts a case counts by as it is filed: not reported to the police, not closed.
pub(crate) fn facts_of_new(new: &NewIncident, record_key: RecordKey) -> CaseFacts {
    let report = &new.report;
    CaseFacts::new(
        report.occurred_at,
        report.focus_area.as_str().to_owned(),
        report
            .offices
            .iter()
            .map(|office| office.as_str().to_owned())
            .collect(),
        report.district.as_str().to_owned(),
        report.circumstances,
        report.violence_forms.as_slice().to_vec(),
        false,
        (new.received_at, None),
        record_key,
    )
}

/// A rollup row a case counts in, borrowed: its rollup (an index into [`CUBES`]), time, days
/// to close (when keyed by them) and key values in the order of `Cube::key_columns`.
struct RowKey<'a> {
    cube: usize,
    time: i32,
    days: i32,
    keys: &'a [&'a str],
}

impl RowKey<'_> {
    fn to_cell(&self) -> Cell {
        Cell {
            cube: self.cube,
            time: self.time,
            days: self.days,
            keys: self.keys.join(SEPARATOR).into(),
        }
    }
}

/// Each rollup's `pair` key (`None` but for the pairs), made once rather than per case.
static PAIR_CODES: LazyLock<Vec<Option<String>>> =
    LazyLock::new(|| CUBES.iter().map(|cube| cube.pair_code()).collect());

/// Calls `each` with every rollup row a case counts in.
fn for_each_cell(case: &CaseFacts, mut each: impl FnMut(RowKey<'_>)) {
    // A case's values per dimension, read once for all the rollups that key by it: as they
    // are, and after `*` for the rollups that count the case once whatever its values.
    let values_of: foldhash::HashMap<Dimension, Vec<String>> = Dimension::CATEGORICAL
        .into_iter()
        .map(|dimension| (dimension, case.values(dimension)))
        .collect();
    let choices_of: foldhash::HashMap<Dimension, (Vec<&str>, Vec<&str>)> = values_of
        .iter()
        .map(|(dimension, values)| {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            let starred = std::iter::once(ALL).chain(values.iter().copied()).collect();
            (*dimension, (values, starred))
        })
        .collect();
    for (index, cube) in CUBES.iter().enumerate() {
        let days = match (cube.days_to_close, case.days_to_close) {
            (false, _) => 0,
            (true, Some(days)) => i32::try_from(days).unwrap_or(i32::MAX),
            (true, None) => continue,
        };
        // Every combination of the key values: `*` and each office or form, one of the rest.
        let starred = cube.starred();
        let pair = PAIR_CODES[index].as_deref().map(|code| [code]);
        let choices: Vec<&[&str]> = pair
            .as_ref()
            .map(|pair| &pair[..])
            .into_iter()
            .chain(cube.dimensions().map(|dimension| {
                let (values, with_all) = &choices_of[&dimension];
                match starred.contains(&dimension) {
                    true => &with_all[..],
                    false => &values[..],
                }
            }))
            .collect();
        let time = cube.time.of(case.occurred.date());
        for_each_combination(&choices, |keys| {
            each(RowKey {
                cube: index,
                time,
                days,
                keys,
            })
        });
    }
}

/// Adds rows to one rollup, or appends them to its pending counts where `held`, with a single
/// statement (`cube` gives its layout).
fn write_rows(
    conn: &mut DbConnection,
    cube: &Cube,
    rows: &[(Cell, Measures)],
    held: bool,
) -> Result<(), StorageError> {
    let sql = cube.upsert(rows.len(), parameter_style(conn), held);
    let mut statement = diesel::sql_query(sql).into_boxed::<Backend>();
    let leading = cube.leading_keys();
    for (cell, measures) in rows {
        let mut keys = cell.keys.split(SEPARATOR);
        for key in keys.by_ref().take(leading) {
            statement = statement.bind::<Text, _>(key);
        }
        statement = statement.bind::<Integer, _>(cell.time);
        if cube.days_to_close {
            statement = statement.bind::<Integer, _>(cell.days);
        }
        for key in keys {
            statement = statement.bind::<Text, _>(key);
        }
        for value in measures.values(cube) {
            statement = statement.bind::<BigInt, _>(value);
        }
    }
    statement.execute(conn)?;
    Ok(())
}

/// Adds a case's facts to the rollups and takes away what it counted as before; on the
/// caller's transaction. On PostgreSQL a case the statistics have not counted yet changes
/// nothing: the fold counts its facts as they are then. Its row is locked (`FOR SHARE`), so a
/// fold deleting it waits for this transaction, and this one for such a fold: the fold then
/// reads the changed facts, or this change finds the case counted and adds its delta.
pub(crate) fn record_change(
    conn: &mut DbConnection,
    seq: i64,
    before: Option<&CaseFacts>,
    after: Option<&CaseFacts>,
) -> Result<(), StorageError> {
    if let DbConnection::Postgresql(pg) = conn {
        let uncounted: Option<i64> = uncounted_cases::table
            .find(seq)
            .select(uncounted_cases::incident_seq)
            .for_share()
            .first(pg)
            .optional()?;
        if uncounted.is_some() {
            return Ok(());
        }
    }
    Change::new(before, after).write(conn)
}

/// How the counts change when cases are counted (`1`) or taken away (`-1`) with the facts
/// given (`None`: nothing to count): the rollup rows that change, a table's rows together.
struct Change(Vec<(Cell, Measures)>);

impl Change {
    /// One case's change: what it counted `before` taken away, what it counts `after` added.
    /// A few dozen rows, summed by their keys as they are: packing them (as [`Counter`] does
    /// for thousands of cases) costs more than it saves at this size.
    fn new(before: Option<&CaseFacts>, after: Option<&CaseFacts>) -> Change {
        let mut delta: BTreeMap<Cell, Measures> = BTreeMap::new();
        for (sign, case) in [(-1, before), (1, after)] {
            let Some(case) = case else { continue };
            let measures = Measures::of(case);
            for_each_cell(case, |cell| {
                delta.entry(cell.to_cell()).or_default().add(measures, sign)
            });
        }
        Change(
            delta
                .into_iter()
                .filter(|(_, measures)| *measures != Measures::default())
                .collect(),
        )
    }

    fn tables(&self) -> Vec<&[(Cell, Measures)]> {
        self.0.chunk_by(|(a, _), (b, _)| same_table(a, b)).collect()
    }

    /// Writes the change on the caller's transaction. On PostgreSQL it is appended to the
    /// pending counts, so that concurrent changes never wait for one another's rollup rows;
    /// SQLite has one writer and adds it to the rollups at once.
    fn write(&self, conn: &mut DbConnection) -> Result<(), StorageError> {
        match conn {
            DbConnection::Postgresql(pg) => Ok(bulk::append(pg, &self.tables())?),
            DbConnection::Sqlite(_) => self.add_to_rollups(conn),
        }
    }

    /// Adds the change to the rollups themselves, on the caller's transaction, except for the
    /// months already published: those rows wait in the pending counts for a revision.
    fn add_to_rollups(&self, conn: &mut DbConnection) -> Result<(), StorageError> {
        let frozen = publication::frozen_through(conn)?;
        // One table and a bounded number of rows per statement: libpq keeps a connection's
        // buffers as large as the largest message it sent (a fold's thousands of rows in one
        // statement made every pooled connection's a few megabytes: 90 MiB resident instead
        // of 55), and statements that mixed tables had as many texts to prepare as mixes.
        for rows in self.tables() {
            let cube = CUBES[rows[0].0.cube];
            for rows in rows.chunk_by(|(a, _), (b, _)| {
                cube.is_published(a.time, frozen) == cube.is_published(b.time, frozen)
            }) {
                let held = cube.is_published(rows[0].0.time, frozen);
                for chunk in rows.chunks(INSERT_ROWS) {
                    match conn {
                        DbConnection::Postgresql(pg) if held => bulk::append(pg, &[chunk])?,
                        DbConnection::Postgresql(pg) => bulk::add(pg, &[chunk])?,
                        DbConnection::Sqlite(_) => write_rows(conn, cube, chunk, held)?,
                    }
                }
            }
        }
        Ok(())
    }
}

/// Counts the cases filings left uncounted (at most [`FOLD_CASES`]) into the rollups, on the
/// fold's transaction; how many rollup rows it changed, and whether it took a full
/// [`FOLD_CASES`] (so more may be waiting). Their rows go first: deleting one waits for a
/// change holding it (see [`record_change`]), so the facts read afterwards are the ones no
/// change will correct with a delta of its own.
fn count_uncounted(conn: &mut DbConnection) -> Result<(usize, bool), StorageError> {
    #[derive(QueryableByName)]
    struct Uncounted {
        #[diesel(sql_type = BigInt)]
        incident_seq: i64,
    }
    let seqs: Vec<i64> = diesel::sql_query(
        "DELETE FROM uncounted_cases WHERE incident_seq IN (SELECT incident_seq \
         FROM uncounted_cases ORDER BY incident_seq LIMIT $1) RETURNING incident_seq",
    )
    .bind::<BigInt, _>(FOLD_CASES)
    .load::<Uncounted>(conn)?
    .into_iter()
    .map(|row| row.incident_seq)
    .collect();
    let (counter, _) = Counter::count(conn, Cases::Listed(&seqs))?;
    let change = Change(counter.into_rows().collect());
    change.add_to_rollups(conn)?;
    let full = i64::try_from(seqs.len()).is_ok_and(|taken| taken >= FOLD_CASES);
    Ok((change.0.len(), full))
}

fn same_table(a: &Cell, b: &Cell) -> bool {
    CUBES[a.cube].table == CUBES[b.cube].table
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = incidents)]
struct FactRow {
    seq: i64,
    #[diesel(embed)]
    circumstances: CircumstanceColumns,
    violence_forms: String,
    occurred_at: NaiveDateTime,
    received_at: NaiveDateTime,
    district: String,
    focus_area: String,
    police_report_filed: bool,
    closed_at: Option<NaiveDateTime>,
    record_key: i64,
}

/// Which cases [`for_each_case`] reads.
#[derive(Clone, Copy)]
enum Cases<'a> {
    Every,
    /// Those the statistics have not counted yet (PostgreSQL).
    Uncounted,
    Listed(&'a [i64]),
}

/// Calls `each` with the facts of every case of `cases` that happened in `period` (whenever
/// without one), reading them a batch at a time.
fn for_each_case(
    conn: &mut DbConnection,
    period: Option<&Period>,
    cases: Cases,
    mut each: impl FnMut(CaseFacts),
) -> Result<(), StorageError> {
    let instants = period.map(Period::instants);
    let in_period = |row: &FactRow| {
        instants
            .as_ref()
            .is_none_or(|instants| instants.contains(&row.occurred_at.and_utc()))
    };
    let listed;
    let seqs = match cases {
        Cases::Every => return for_each_case_of(conn, period, each),
        Cases::Uncounted => {
            listed = uncounted(conn)?;
            &listed[..]
        }
        Cases::Listed(seqs) => seqs,
    };
    for batch in seqs.chunks(KEYS_PER_READ) {
        let rows: Vec<FactRow> = cases_by_key(batch).load(conn)?;
        let rows: Vec<FactRow> = rows.into_iter().filter(in_period).collect();
        for case in with_offices(conn, rows)? {
            each(case);
        }
    }
    Ok(())
}

/// The keys of the cases filings left uncounted (PostgreSQL), read before the cases
/// themselves: what counting them costs then grows with their number, never with the cases
/// of the period, whatever the planner believes of either.
fn uncounted(conn: &mut DbConnection) -> Result<Vec<i64>, StorageError> {
    Ok(uncounted_cases::table
        .select(uncounted_cases::incident_seq)
        .order(uncounted_cases::incident_seq)
        .load(conn)?)
}

/// The facts of the cases with these keys, found by key alone. Their period is checked as
/// they are read, not in the statement: given a period, a planner whose statistics predate a
/// burst of filings believes it holds a few cases and walks all of it probing each case's key.
fn cases_by_key(seqs: &[i64]) -> incidents::BoxedQuery<'_, Backend, FactRowSql> {
    incidents::table
        .filter(incidents::seq.eq_any(seqs))
        .select(FactRow::as_select())
        .into_boxed()
}

type FactRowSql = diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<FactRow, Backend>>;

/// Every case that happened in `period` (whenever without one), in order of filing.
fn for_each_case_of(
    conn: &mut DbConnection,
    period: Option<&Period>,
    mut each: impl FnMut(CaseFacts),
) -> Result<(), StorageError> {
    let mut after = 0;
    loop {
        let mut query = incidents::table
            .filter(incidents::seq.gt(after))
            .order(incidents::seq)
            .limit(BATCH)
            .select(FactRow::as_select())
            .into_boxed();
        if let Some(period) = period {
            let instants = period.instants();
            query = query
                .filter(incidents::occurred_at.ge(instants.start.naive_utc()))
                .filter(incidents::occurred_at.lt(instants.end.naive_utc()));
        }
        let rows: Vec<FactRow> = query.load(conn)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.seq;
        for case in with_offices(conn, rows)? {
            each(case);
        }
    }
}

/// The rows' facts, each with its offices.
fn with_offices(
    conn: &mut DbConnection,
    rows: Vec<FactRow>,
) -> Result<Vec<CaseFacts>, StorageError> {
    joined_with_offices(conn, rows, |row| row.seq, FactRow::into_facts)
}

impl FactRow {
    fn into_facts(self, offices: Vec<String>) -> Result<CaseFacts, StorageError> {
        Ok(CaseFacts::new(
            self.occurred_at.and_utc(),
            self.focus_area,
            offices,
            self.district,
            self.circumstances.parse()?,
            violence_forms(&self.violence_forms)?,
            self.police_report_filed,
            (
                self.received_at.and_utc(),
                self.closed_at.map(|at| at.and_utc()),
            ),
            record_key(self.record_key)?,
        ))
    }
}

#[derive(QueryableByName)]
struct RollupRow {
    #[diesel(sql_type = Integer)]
    time: i32,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    closed: i64,
    #[diesel(sql_type = BigInt)]
    police_reported: i64,
    #[diesel(sql_type = BigInt)]
    key_sum: i64,
}

/// Counts per cell: the codes of the query's groupings, in order.
pub type Counts = HashMap<Vec<String>, Measures>;

/// Whether statistics need the counts of closed and police-reported cases too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcomes {
    Needed,
    NotNeeded,
}

/// Counts a read splits between the period before `split` (a local date) and the period from
/// it on: a period and the one before it, read at once. Without a split, all is the latter.
struct Split {
    at: Option<NaiveDate>,
    counts: [Counts; 2],
}

impl Split {
    fn at(at: Option<NaiveDate>) -> Split {
        Split {
            at,
            counts: [Counts::new(), Counts::new()],
        }
    }

    /// The counts of what happened on `day`.
    fn of(&mut self, day: NaiveDate) -> &mut Counts {
        let later = self.at.is_none_or(|at| day >= at);
        &mut self.counts[usize::from(later)]
    }
}

fn count_rollup(
    conn: &mut DbConnection,
    cube: &Cube,
    query: &StatisticsQuery,
    release: &Release,
    counts: &mut Split,
) -> Result<(), StorageError> {
    let (range, time_column) = match cube.time {
        Time::Day => (query.period().day_numbers(), "day"),
        Time::Month => (query.period().month_numbers(), "month"),
    };
    let columns: Vec<&str> = query
        .group_by()
        .iter()
        .filter(|dimension| cube.has(**dimension))
        .map(|dimension| cube.column(*dimension))
        .collect();
    let key = if columns.is_empty() {
        "''".to_owned()
    } else {
        columns.join(" || '|' || ")
    };
    let sum = |measure: &str| {
        if cube.outcomes {
            format!("CAST(SUM({measure}) AS BIGINT)")
        } else {
            "CAST(0 AS BIGINT)".to_owned()
        }
    };
    let parameter = parameter_style(conn);
    let mut conditions = vec![format!(
        "{time_column} >= {} AND {time_column} < {}",
        parameter(1),
        parameter(2)
    )];
    let pair = cube.pair_code();
    let mut values: Vec<&str> = Vec::new();
    if let Some(pair) = &pair {
        values.push(pair);
        conditions.push(format!("pair = {}", parameter(values.len() + 2)));
    }
    // Without a breakdown by office or form, the rows that count each case once.
    for multi in cube.starred() {
        match query.filters().iter().find(|(d, _)| d == multi) {
            Some((_, value)) => {
                values.push(value);
                conditions.push(format!(
                    "{} = {}",
                    multi.code(),
                    parameter(values.len() + 2)
                ));
            }
            None if !query.group_by().contains(multi) => {
                conditions.push(format!("{} = '{ALL}'", multi.code()));
            }
            // Listed rather than `<> '*'`, so the index finds each code's rows.
            None => {
                let mut listed = Vec::new();
                for code in query.codes_of(*multi) {
                    values.push(code);
                    listed.push(parameter(values.len() + 2));
                }
                conditions.push(format!("{} IN ({})", multi.code(), listed.join(", ")));
            }
        }
    }
    for (dimension, value) in query.filters() {
        if cube.has(*dimension) && !cube.starred().contains(dimension) {
            values.push(value);
            conditions.push(format!(
                "{} = {}",
                cube.column(*dimension),
                parameter(values.len() + 2)
            ));
        }
    }
    let group: Vec<&str> = std::iter::once(time_column)
        .chain(columns.iter().copied())
        .collect();
    let sql = format!(
        "SELECT {time_column} AS time, {key} AS key, CAST(SUM(n) AS BIGINT) AS n, \
         {closed} AS closed, {police} AS police_reported, \
         CAST(SUM(key_sum) AS BIGINT) AS key_sum FROM {table} WHERE {conditions} \
         GROUP BY {group}",
        closed = sum("closed"),
        police = sum("police_reported"),
        table = cube.source(release),
        conditions = conditions.join(" AND "),
        group = group.join(", "),
    );
    let mut statement = diesel::sql_query(sql)
        .into_boxed::<Backend>()
        .bind::<Integer, _>(range.start)
        .bind::<Integer, _>(range.end);
    for value in values {
        statement = statement.bind::<Text, _>(value.to_owned());
    }
    let rows: Vec<RollupRow> = statement.load(conn)?;

    for row in rows {
        let date = cube.time.date(row.time);
        let mut keys = row.key.split('|');
        let mut from_columns: HashMap<&str, &str> = HashMap::new();
        for column in &columns {
            from_columns.insert(column, keys.next().unwrap_or_default());
        }
        // Values the rollup keeps in its time column: the period and, by day, the weekday.
        let value_of = |dimension: Dimension| match from_columns.get(cube.column(dimension)) {
            Some(value) => (*value).to_owned(),
            None => match dimension {
                Dimension::Period(grain) => grain.period_of(date),
                Dimension::Weekday => date.weekday().number_from_monday().to_string(),
                other => unreachable!("{other:?} is neither a column nor from the time"),
            },
        };
        if query
            .filters()
            .iter()
            .filter(|(dimension, _)| !cube.has(*dimension))
            .any(|(dimension, value)| value_of(*dimension) != *value)
        {
            continue;
        }
        let cell: Vec<String> = query.group_by().iter().map(|d| value_of(*d)).collect();
        let measures = Measures {
            cases: row.n,
            closed: row.closed,
            police_reported: row.police_reported,
            key_sum: row.key_sum,
        };
        counts.of(date).entry(cell).or_default().add(measures, 1);
    }
    Ok(())
}

fn count_cases(
    conn: &mut DbConnection,
    query: &StatisticsQuery,
    cases: Cases,
    counts: &mut Split,
) -> Result<(), StorageError> {
    for_each_case(conn, Some(query.period()), cases, |case| {
        let measures = Measures::of(&case);
        let counts = counts.of(case.occurred.date());
        for cell in query.cells_of(&case) {
            counts.entry(cell).or_default().add(measures, 1);
        }
    })
}

/// The smallest rollup that answers the query, if one does, and whose rows each fall on one
/// side of `split` (a monthly rollup cannot split a month: a period of days whose previous
/// period starts on the 1st spans whole months, and is read by day or case by case).
fn rollup_for(
    query: &StatisticsQuery,
    outcomes: Outcomes,
    split: Option<NaiveDate>,
) -> Option<&'static Cube> {
    CUBES.iter().copied().find(|cube| {
        !cube.days_to_close
            && (outcomes == Outcomes::NotNeeded || cube.outcomes)
            && cube.answers_query(query)
            && split.is_none_or(|day| cube.time.date(cube.time.of(day)) == day)
    })
}

/// The first month (a month number) with a counted case in the rollups: where published
/// series start. Read off the events rollup's leading key, so it costs one index probe.
fn first_counted_month(conn: &mut DbConnection) -> Result<Option<i32>, StorageError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<Integer>)]
        month: Option<i32>,
    }
    let row: Row = diesel::sql_query(format!(
        "SELECT MIN(month) AS month FROM {} WHERE office = '{ALL}'",
        EVENTS.table
    ))
    .get_result(conn)?;
    Ok(row.month)
}

/// Runs `read` as of one moment: on PostgreSQL in a read-only `REPEATABLE READ`
/// transaction, so that no fold commits between reading the rollups and reading the cases it
/// has not counted yet.
fn in_one_snapshot<T>(
    conn: &mut DbConnection,
    read: impl FnOnce(&mut DbConnection) -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    match conn {
        DbConnection::Postgresql(_) => conn.transaction(|conn| {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
            read(conn)
        }),
        DbConnection::Sqlite(_) => read(conn),
    }
}

impl Database {
    /// Counts cases per cell of the query: from a rollup where one answers it, otherwise from
    /// the cases of the period.
    pub fn count(
        &self,
        query: &StatisticsQuery,
        release: &Release,
        outcomes: Outcomes,
    ) -> Result<Counts, PublishError> {
        let [_, counts] = self.count_split(query, release, None, outcomes)?;
        Ok(counts)
    }

    /// Counts of the query's period and of the period of the same length before it, in one
    /// read of both: `(now, before)`.
    pub fn count_with_previous(
        &self,
        query: &StatisticsQuery,
        release: &Release,
        outcomes: Outcomes,
    ) -> Result<(Counts, Counts), PublishError> {
        let both = query.for_period(query.period().with_previous());
        let split = Some(query.period().from());
        let [before, now] = self.count_split(&both, release, split, outcomes)?;
        Ok((now, before))
    }

    /// Counts split at the local date `split` (see [`Split`]).
    /// Published figures come from the rollups alone: a question none answers is not
    /// published.
    fn count_split(
        &self,
        query: &StatisticsQuery,
        release: &Release,
        split: Option<NaiveDate>,
        outcomes: Outcomes,
    ) -> Result<[Counts; 2], PublishError> {
        let mut conn = self.connection()?;
        let mut counts = Split::at(split);
        match (rollup_for(query, outcomes, split), release) {
            (Some(cube), Release::Published(..)) => {
                count_rollup(&mut conn, cube, query, release, &mut counts)?
            }
            (Some(cube), Release::Live) => in_one_snapshot(&mut conn, |conn| {
                count_rollup(conn, cube, query, release, &mut counts)?;
                if let DbConnection::Postgresql(_) = conn {
                    count_cases(conn, query, Cases::Uncounted, &mut counts)?;
                }
                Ok(())
            })?,
            (None, Release::Live) => count_cases(&mut conn, query, Cases::Every, &mut counts)?,
            (None, Release::Published(..)) => {
                return Err(StatisticsError::NotPublishedAtGrouping.into());
            }
        }
        Ok(counts.counts)
    }

    /// Closed cases of a whole-month period by focus area or office (`by`): code, whole days
    /// from filing to closing, and how many cases took that long.
    pub fn days_to_close(
        &self,
        period: &Period,
        by: Dimension,
        release: &Release,
    ) -> Result<Vec<(String, i32, i64)>, StorageError> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            code: String,
            #[diesel(sql_type = Integer)]
            days: i32,
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let (dimension, column, offices) = match by {
            Dimension::Office => (Dimension::Office, "office", "office <> '*'"),
            _ => (Dimension::FocusArea, "focus_area", "office = '*'"),
        };
        let months = period.month_numbers();
        let mut conn = self.connection()?;
        in_one_snapshot(&mut conn, |conn| {
            let parameter = parameter_style(conn);
            let rows: Vec<Row> = diesel::sql_query(format!(
                "SELECT {column} AS code, days, CAST(SUM(n) AS BIGINT) AS n FROM {closing} \
                 WHERE month >= {} AND month < {} AND {offices} GROUP BY {column}, days",
                parameter(1),
                parameter(2),
                closing = CLOSING.source(release),
            ))
            .bind::<Integer, _>(months.start)
            .bind::<Integer, _>(months.end)
            .load(conn)?;
            let mut took: BTreeMap<(String, i32), i64> = rows
                .into_iter()
                .map(|row| ((row.code, row.days), row.n))
                .collect();
            if let (DbConnection::Postgresql(_), Release::Live) = (&*conn, release) {
                for_each_case(conn, Some(period), Cases::Uncounted, |case| {
                    if let Some(days) = case.days_to_close {
                        let days = i32::try_from(days).unwrap_or(i32::MAX);
                        for code in case.values(dimension) {
                            *took.entry((code, days)).or_default() += 1;
                        }
                    }
                })?;
            }
            Ok(took
                .into_iter()
                .map(|((code, days), n)| (code, days, n))
                .collect())
        })
    }

    /// Recomputes every rollup from the cases; how many cases it counted.
    pub fn rebuild_statistics(&self) -> Result<u64, StorageError> {
        let now = self.clock.now();
        self.write(move |conn| {
            if let DbConnection::Postgresql(_) = conn {
                diesel::sql_query(format!("SELECT pg_advisory_xact_lock({FOLD_LOCK_KEY})"))
                    .execute(conn)?;
            }
            rebuild(conn, now)
        })
    }

    /// Folds the counts filings appended on PostgreSQL into the rollups, a transaction at a
    /// time that statistics see whole or not at all, until fewer cases are left uncounted than
    /// one fold takes: under load the folds follow one another rather than count at most
    /// [`FOLD_CASES`] a tick. One instance at a time (the others skip). Returns how many
    /// rollup rows it changed: always 0 on SQLite, where filings write the rollups themselves.
    pub fn fold_statistics(&self) -> Result<u64, StorageError> {
        if self.backend() != crate::database::Backend::Postgres {
            return Ok(0);
        }
        let mut changed = 0;
        loop {
            let (rows, full) = self.write(fold)?;
            changed += rows;
            if !full {
                return Ok(changed);
            }
        }
    }
}

/// One fold, on the caller's transaction: the pending counts, then up to [`FOLD_CASES`]
/// uncounted cases. Returns how many rollup rows it changed and whether it took a full
/// [`FOLD_CASES`] (never when another instance is folding).
fn fold(conn: &mut DbConnection) -> Result<(u64, bool), StorageError> {
    #[derive(QueryableByName)]
    struct Lock {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        taken: bool,
    }
    let lock: Lock = diesel::sql_query(format!(
        "SELECT pg_try_advisory_xact_lock({FOLD_LOCK_KEY}) AS taken"
    ))
    .get_result(conn)?;
    if !lock.taken {
        return Ok((0, false));
    }
    // Published months' changes wait for their revision.
    let unpublished = publication::frozen_through(conn)?.map_or(0, |month| month + 1)..MONTHS_END;
    let mut changed = 0;
    for cube in tables() {
        changed += cube.fold(conn, unpublished.clone())?;
    }
    let (rows, full) = count_uncounted(conn)?;
    Ok(((changed + rows) as u64, full))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use trygg_domain::{
        AffectedCategory, AgeGroup, ChildrenAffected, Circumstances, Gender, IncidentKind,
        Influence, PerpetratorRelation, PlaceKind, Severity, ViolenceForm,
    };

    use super::*;
    use crate::database::DatabaseUrl;
    use crate::plan::PostgresPlan;
    use trygg_domain::Clock;

    #[test]
    fn multi_valued_keys_lead_every_rollup() {
        for cube in CUBES.iter() {
            let multi = cube.starred().len();
            assert!(
                cube.keys[multi..].iter().all(|d| !d.is_multi_valued()),
                "{}",
                cube.table
            );
        }
    }

    #[test]
    fn questions_about_at_most_two_facts_read_a_rollup_bounded_by_the_catalogue() {
        let catalogue = trygg_domain::Catalogue::builtin();
        let year = Period::new(
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        )
        .unwrap();
        let query =
            |group_by: &[&str]| StatisticsQuery::new(&catalogue, year, group_by, &[]).unwrap();
        let rollup =
            |group_by: &[&str]| rollup_for(&query(group_by), Outcomes::NotNeeded, None).unwrap();
        let kind_by_form = PAIRS
            .iter()
            .find(|cube| cube.pair == Some([Dimension::Kind, Dimension::ViolenceForm]))
            .unwrap();
        assert!(kind_by_form.answers_query(&query(&["kind", "violence_form"])));
        assert!(!kind_by_form.answers_query(&query(&["kind"])));
        for (i, first) in PAIRED.iter().enumerate() {
            for second in &PAIRED[i..] {
                let mut asked = vec![first.code(), "focus_area", "district"];
                if second != first {
                    asked.push(second.code());
                }
                let cube = rollup(&asked);
                assert_ne!(cube, &MONTHLY, "{asked:?}");
                // A form of violence is summed over only where it is asked for.
                let paired = cube.pair.into_iter().flatten();
                assert!(
                    paired
                        .filter(|d| d.is_multi_valued())
                        .all(|d| asked.contains(&d.code())),
                    "{asked:?} read from {cube:?}"
                );
            }
        }
        assert_eq!(rollup(&["gender", "age_group", "place_kind"]), &MONTHLY);
        assert_eq!(rollup(&["office", "gender", "place_kind"]), &MONTHLY);
    }

    /// A violent case in nightlife, for two offices, reported to the police and still open.
    fn nightlife_case() -> CaseFacts {
        CaseFacts::new(
            Utc.with_ymd_and_hms(2026, 6, 30, 22, 30, 0).unwrap(),
            "public_space".into(),
            vec!["kommunledning".into(), "samhallsbyggnad".into()],
            "central".into(),
            Circumstances {
                kind: IncidentKind::Violence,
                place_kind: PlaceKind::Nightlife,
                affected_category: AffectedCategory::Resident,
                affected_gender: Gender::Man,
                affected_age_group: AgeGroup::Age18To29,
                children_affected: ChildrenAffected::No,
                perpetrator_relation: PerpetratorRelation::Unknown,
                perpetrator_influence: Influence::Yes,
                severity: Severity::High,
            },
            vec![ViolenceForm::Physical],
            true,
            (Utc.with_ymd_and_hms(2026, 7, 1, 8, 0, 0).unwrap(), None),
            RecordKey::from_random(4_000_000_000),
        )
    }

    #[test]
    fn a_case_counts_once_and_once_per_office_and_form() {
        let case = nightlife_case();
        let mut rows = Vec::new();
        for_each_cell(&case, |cell| rows.push(cell.to_cell()));
        let of = |cube: &Cube| {
            let index = CUBES.iter().position(|c| *c == cube).unwrap();
            rows.iter()
                .filter(|cell| cell.cube == index)
                .collect::<Vec<_>>()
        };
        // `*` and two offices; for the full rollup, times `*` and one form.
        assert_eq!(of(&DAILY).len(), 3);
        assert_eq!(of(&MONTHLY).len(), 6);
        let clock = PAIRS
            .iter()
            .find(|cube| cube.pair == Some([Dimension::Weekday, Dimension::Hour]))
            .unwrap();
        assert_eq!(of(clock).len(), 1);
        assert!(of(&CLOSING).is_empty(), "open cases have no days to close");
        // 22:30 UTC on 30 June is 00:30 on 1 July in Stockholm, a Wednesday.
        let clock = of(clock)[0];
        assert_eq!(
            clock.time,
            month_number(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap())
        );
        assert_eq!(
            &*clock.keys,
            "weekday,hour\u{1f}public_space\u{1f}central\u{1f}3\u{1f}00"
        );
        // Once in each of the 45 pairs: the case has one form of violence.
        let pairs = rows
            .iter()
            .filter(|cell| CUBES[cell.cube].pair.is_some())
            .count();
        assert_eq!(pairs, PAIR_COUNT);
        assert_eq!(of(&DAILY)[0].keys.split(SEPARATOR).next(), Some(ALL));
        let monthly = of(&MONTHLY);
        assert!(
            monthly
                .iter()
                .any(|cell| cell.keys.starts_with("samhallsbyggnad\u{1f}physical\u{1f}"))
        );
        assert_eq!(
            Measures::of(&case),
            Measures {
                cases: 1,
                closed: 0,
                police_reported: 1,
                key_sum: 4_000_000_000,
            }
        );
    }

    #[test]
    fn a_counter_sums_cases_per_row_table_by_table_and_drops_what_cancels_out() {
        let case = nightlife_case();
        let mut cells = 0;
        for_each_cell(&case, |_| cells += 1);
        let mut counter = Counter::default();
        counter.add(&case, 1).unwrap();
        counter.add(&case, 1).unwrap();
        let rows: Vec<(Cell, Measures)> = counter.into_rows().collect();
        assert_eq!(rows.len(), cells);
        assert!(
            rows.iter()
                .all(|(_, m)| m.cases == 2 && m.police_reported == 2)
        );
        let mut written: Vec<&str> = rows
            .iter()
            .map(|(cell, _)| CUBES[cell.cube].table)
            .collect();
        written.dedup();
        assert_eq!(
            written.len(),
            tables().len() - 1,
            "closing: the case is open"
        );

        let mut counter = Counter::default();
        counter.add(&case, 1).unwrap();
        counter.add(&case, -1).unwrap();
        assert_eq!(counter.into_rows().count(), 0);
    }

    /// A PostgreSQL database of its own for one test, dropped afterwards: on the server
    /// `TRYGG_TEST_POSTGRES_URL` names, which must then answer (`scripts/test` runs this
    /// crate's `on_postgres` tests with it set), or `None` when it names none.
    struct PostgresDatabase {
        admin: String,
        name: String,
        database: Database,
    }

    impl PostgresDatabase {
        fn create() -> Option<PostgresDatabase> {
            let admin = std::env::var("TRYGG_TEST_POSTGRES_URL").ok()?;
            let name = format!("trygg_plan_{}", uuid::Uuid::new_v4().simple());
            let mut server = diesel::PgConnection::establish(&admin)
                .expect("TRYGG_TEST_POSTGRES_URL is set but PostgreSQL does not answer");
            server
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            let (server, _) = admin
                .rsplit_once('/')
                .expect("TRYGG_TEST_POSTGRES_URL names a database, as in …:5432/postgres");
            let url = format!("{server}/{name}");
            let database =
                Database::connect(&DatabaseUrl::Postgres(url), 1, Clock::system()).unwrap();
            database.migrate().unwrap();
            Some(PostgresDatabase {
                admin,
                name,
                database,
            })
        }
    }

    impl Drop for PostgresDatabase {
        fn drop(&mut self) {
            if let Ok(mut server) = diesel::PgConnection::establish(&self.admin) {
                let _ = server.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    /// After a burst of filings the planner has not seen (statistics gathered on an empty
    /// table, autovacuum off), the statement that reads the uncounted cases must find them by
    /// key. The statement it replaced, given the period, was planned as a walk of every case
    /// of the period through `incidents_occurred_at`, probing each against the uncounted keys:
    /// a cost that grew with the cases filed, not with the backlog (this test, pointed at that
    /// statement, fails on that plan).
    #[test]
    fn uncounted_cases_are_read_by_key_on_postgres() {
        let Some(test) = PostgresDatabase::create() else {
            return;
        };
        let mut conn = test.database.connection().unwrap();
        conn.batch_execute(
            "ALTER TABLE incidents SET (autovacuum_enabled = false); ANALYZE incidents; \
             INSERT INTO incidents (id, reporter, kind, violence_forms, occurred_at, \
             received_at, updated_at, district, place_kind, affected_category, \
             affected_gender, affected_age_group, children_affected, perpetrator_relation, \
             perpetrator_influence, severity, description, focus_area, status, version) \
             SELECT 'case-' || n, 'reporter', 'threat', '', at, at, at, 'central', \
             'workplace', 'employee', 'woman', 'age_30_49', 'no', 'unknown', 'no', 'low', \
             '', 'school', 'received', 1 \
             FROM generate_series(1, 300000) AS n, \
             LATERAL (SELECT TIMESTAMP '2026-11-01' + n * INTERVAL '5 seconds' AS at) AS t; \
             INSERT INTO uncounted_cases SELECT seq FROM incidents ORDER BY seq DESC LIMIT 5000;",
        )
        .unwrap();
        let keys = uncounted(&mut conn).unwrap();
        assert_eq!(keys.len(), 5000);
        let plan: Vec<String> = PostgresPlan::postgres(cases_by_key(&keys[..KEYS_PER_READ]))
            .load(&mut *conn)
            .unwrap();
        let plan = plan.join("\n");
        assert!(
            plan.contains("incidents_pkey")
                && !plan.contains("incidents_occurred_at")
                && !plan.contains("Seq Scan on incidents"),
            "{plan}"
        );
    }
}
