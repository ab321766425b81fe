//! The rollups: which counts each keeps (its time grain and key dimensions), and the SQL
//! that writes, folds and reads them, built from these definitions alone.

use super::*;

/// One rollup: counts of cases by time and by its key dimensions. Each key has a column
/// named after the dimension; for `office` and `violence_form` the row holding `*` counts a
/// case once and the others count it per office or form. Tables are keyed multi-valued
/// columns first, then time, so the rows a query reads lie together. The two-way rollups
/// share one table: each is named in its `pair` column and keeps its two dimensions' codes in
/// `first` and `second`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Cube {
    pub(super) table: &'static str,
    pub(super) time: Time,
    pub(super) keys: &'static [Dimension],
    pub(super) pair: Option<[Dimension; 2]>,
    /// Whether it counts closed and police-reported cases besides all cases.
    pub(super) outcomes: bool,
    /// Whether it is keyed by whole days from filing to closing too (closed cases only).
    pub(super) days_to_close: bool,
}

pub(super) const DAILY: Cube = Cube {
    table: "statistics_daily",
    time: Time::Day,
    keys: &[Dimension::Office, Dimension::FocusArea, Dimension::District],
    pair: None,
    outcomes: false,
    days_to_close: false,
};
pub(super) const EVENTS: Cube = Cube {
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
pub(super) const PEOPLE: Cube = Cube {
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
pub(super) const PLACES: Cube = Cube {
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
pub(super) const MONTHLY: Cube = Cube {
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
pub(super) const CLOSING: Cube = Cube {
    table: "statistics_closing",
    time: Time::Month,
    keys: &[Dimension::Office, Dimension::FocusArea],
    pair: None,
    outcomes: false,
    days_to_close: true,
};
/// The dimensions crossed two by two, by month, focus area and district.
pub(super) const PAIRED: [Dimension; 10] = [
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
pub(super) const PAIR_COUNT: usize = PAIRED.len() * (PAIRED.len() - 1) / 2;
pub(super) static PAIRS: [Cube; PAIR_COUNT] = pairs();

pub(super) const fn pairs() -> [Cube; PAIR_COUNT] {
    pub(super) const fn pair(first: Dimension, second: Dimension) -> Cube {
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
pub(super) static CUBES: LazyLock<Vec<&'static Cube>> = LazyLock::new(|| {
    [&DAILY, &EVENTS, &PEOPLE, &PLACES]
        .into_iter()
        .chain(&PAIRS)
        .chain([&MONTHLY, &CLOSING])
        .collect()
});

impl Cube {
    pub(super) fn has(&self, dimension: Dimension) -> bool {
        self.dimensions().any(|d| d == dimension)
    }

    /// The key dimensions, the pair's last.
    pub(super) fn dimensions(&self) -> impl Iterator<Item = Dimension> + '_ {
        self.keys
            .iter()
            .copied()
            .chain(self.pair.into_iter().flatten())
    }

    /// The dimensions whose `*` row counts a case once: the multi-valued keys, which lead.
    pub(super) fn starred(&self) -> &'static [Dimension] {
        let multi = self.keys.iter().take_while(|d| d.is_multi_valued()).count();
        &self.keys[..multi]
    }

    /// The column holding a dimension's codes.
    pub(super) fn column(&self, dimension: Dimension) -> &'static str {
        match self.pair {
            Some([first, _]) if first == dimension => "first",
            Some([_, second]) if second == dimension => "second",
            _ => dimension.code(),
        }
    }

    /// The value of the `pair` column: the two dimensions' codes.
    pub(super) fn pair_code(&self) -> Option<String> {
        self.pair
            .map(|[first, second]| format!("{},{}", first.code(), second.code()))
    }

    /// Whether a row at `time` counts in a month published through `frozen` (a month number).
    pub(super) fn is_published(&self, time: i32, frozen: Option<i32>) -> bool {
        let month = match self.time {
            Time::Month => time,
            Time::Day => month_number(date_of_day_number(time)),
        };
        frozen.is_some_and(|frozen| month <= frozen)
    }

    /// Whether it answers the query: it has every dimension the query groups or filters by,
    /// and a multi-valued dimension without a `*` row (a form of violence in a pair) only
    /// where the query asks for it, since summing over it would count a case once per form.
    pub(super) fn answers_query(&self, query: &StatisticsQuery) -> bool {
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
    pub(super) fn answers(&self, dimension: Dimension, period: &Period) -> bool {
        let whole_months = self.time == Time::Day || period.is_whole_months();
        whole_months
            && match dimension {
                Dimension::Period(grain) => self.time == Time::Day || grain.is_monthly(),
                Dimension::Weekday if self.time == Time::Day => true,
                dimension => self.has(dimension),
            }
    }

    pub(super) fn measures(&self) -> &'static [&'static str] {
        if self.outcomes {
            &["n", "closed", "police_reported", "key_sum"]
        } else {
            &["n", "key_sum"]
        }
    }

    /// The key columns in the table's key order: the leading ones (`pair`, or the starred
    /// dimensions), time, days, the rest.
    pub(super) fn key_columns(&self) -> Vec<&'static str> {
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
    pub(super) fn leading_keys(&self) -> usize {
        match self.pair {
            Some(_) => 1,
            None => self.starred().len(),
        }
    }

    /// `INSERT … ON CONFLICT DO UPDATE` adding `rows` rows of deltas to the rollup, or
    /// appending them to its pending counts (same on both backends).
    pub(super) fn upsert(
        &self,
        rows: usize,
        parameter: impl Fn(usize) -> String,
        held: bool,
    ) -> String {
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
    pub(super) fn on_conflict_add(&self) -> String {
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
    pub(super) fn pending(&self) -> String {
        format!("{}_pending", self.table)
    }

    /// What a query reads. Live figures: the rollup and the pending counts besides, in one
    /// statement (one snapshot), so that a fold is never seen half done. Published figures:
    /// the rollup alone, where published months change only when they are published.
    pub(super) fn source(&self, release: &Release) -> String {
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
    pub(super) fn in_months(&self, months: std::ops::Range<i32>) -> String {
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
    pub(super) fn fold(
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
pub(super) fn tables() -> Vec<&'static Cube> {
    let mut tables: Vec<&'static Cube> = CUBES.to_vec();
    tables.dedup_by_key(|cube| cube.table);
    tables
}
