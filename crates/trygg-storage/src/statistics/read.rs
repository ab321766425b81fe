//! Answering a statistics question from the rollups, or from the cases of its period where
//! no rollup answers it.

use super::*;
use crate::database::in_one_snapshot;

#[derive(QueryableByName)]
pub(super) struct RollupRow {
    #[diesel(sql_type = Integer)]
    pub(super) time: i32,
    #[diesel(sql_type = Text)]
    pub(super) key: String,
    #[diesel(sql_type = BigInt)]
    pub(super) n: i64,
    #[diesel(sql_type = BigInt)]
    pub(super) closed: i64,
    #[diesel(sql_type = BigInt)]
    pub(super) police_reported: i64,
    #[diesel(sql_type = BigInt)]
    pub(super) key_sum: i64,
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
pub(super) struct Split {
    pub(super) at: Option<NaiveDate>,
    pub(super) counts: [Counts; 2],
}

impl Split {
    pub(super) fn at(at: Option<NaiveDate>) -> Split {
        Split {
            at,
            counts: [Counts::new(), Counts::new()],
        }
    }

    /// The counts of what happened on `day`.
    pub(super) fn of(&mut self, day: NaiveDate) -> &mut Counts {
        let later = self.at.is_none_or(|at| day >= at);
        &mut self.counts[usize::from(later)]
    }
}

pub(super) fn count_rollup(
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

pub(super) fn count_cases(
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
pub(super) fn rollup_for(
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
pub(super) fn first_counted_month(conn: &mut DbConnection) -> Result<Option<i32>, StorageError> {
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
    pub(super) fn count_split(
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
}
