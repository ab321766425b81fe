//! Reading cases' coded facts, a batch at a time, for counting them.

use super::*;

#[derive(Queryable, Selectable)]
#[diesel(table_name = incidents)]
pub(super) struct FactRow {
    pub(super) seq: i64,
    #[diesel(embed)]
    pub(super) circumstances: CircumstanceColumns,
    pub(super) violence_forms: String,
    pub(super) occurred_at: NaiveDateTime,
    pub(super) received_at: NaiveDateTime,
    pub(super) district: String,
    pub(super) focus_area: String,
    pub(super) police_report_filed: bool,
    pub(super) closed_at: Option<NaiveDateTime>,
    pub(super) record_key: i64,
}

/// Which cases [`for_each_case`] reads.
#[derive(Clone, Copy)]
pub(super) enum Cases<'a> {
    Every,
    /// Those the statistics have not counted yet (PostgreSQL).
    Uncounted,
    Listed(&'a [i64]),
}

/// Calls `each` with the facts of every case of `cases` that happened in `period` (whenever
/// without one), reading them a batch at a time.
pub(super) fn for_each_case(
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
pub(super) fn uncounted(conn: &mut DbConnection) -> Result<Vec<i64>, StorageError> {
    Ok(uncounted_cases::table
        .select(uncounted_cases::incident_seq)
        .order(uncounted_cases::incident_seq)
        .load(conn)?)
}

/// The facts of the cases with these keys, found by key alone. Their period is checked as
/// they are read, not in the statement: given a period, a planner whose statistics predate a
/// burst of filings believes it holds a few cases and walks all of it probing each case's key.
pub(super) fn cases_by_key(seqs: &[i64]) -> incidents::BoxedQuery<'_, Backend, FactRowSql> {
    incidents::table
        .filter(incidents::seq.eq_any(seqs))
        .select(FactRow::as_select())
        .into_boxed()
}

pub(super) type FactRowSql = diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<FactRow, Backend>>;

/// Every case that happened in `period` (whenever without one), in order of filing.
pub(super) fn for_each_case_of(
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
pub(super) fn with_offices(
    conn: &mut DbConnection,
    rows: Vec<FactRow>,
) -> Result<Vec<CaseFacts>, StorageError> {
    joined_with_offices(conn, rows, |row| row.seq, FactRow::into_facts)
}

impl FactRow {
    pub(super) fn into_facts(self, offices: Vec<String>) -> Result<CaseFacts, StorageError> {
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
