//! Counting a case's change into the rollups, in the transaction that files or amends it,
//! and counting the cases filings left uncounted (PostgreSQL's fold).

use super::*;

/// Adds rows to one rollup, or appends them to its pending counts where `held`, with a single
/// statement (`cube` gives its layout).
pub(super) fn write_rows(
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
pub(super) struct Change(Vec<(Cell, Measures)>);

impl Change {
    /// One case's change: what it counted `before` taken away, what it counts `after` added.
    /// A few dozen rows, summed by their keys as they are: packing them (as [`Counter`] does
    /// for thousands of cases) costs more than it saves at this size.
    pub(super) fn new(before: Option<&CaseFacts>, after: Option<&CaseFacts>) -> Change {
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

    pub(super) fn tables(&self) -> Vec<&[(Cell, Measures)]> {
        self.0.chunk_by(|(a, _), (b, _)| same_table(a, b)).collect()
    }

    /// Writes the change on the caller's transaction. On PostgreSQL it is appended to the
    /// pending counts, so that concurrent changes never wait for one another's rollup rows;
    /// SQLite has one writer and adds it to the rollups at once.
    pub(super) fn write(&self, conn: &mut DbConnection) -> Result<(), StorageError> {
        match conn {
            DbConnection::Postgresql(pg) => Ok(bulk::append(pg, &self.tables())?),
            DbConnection::Sqlite(_) => self.add_to_rollups(conn),
        }
    }

    /// Adds the change to the rollups themselves, on the caller's transaction, except for the
    /// months already published: those rows wait in the pending counts for a revision.
    pub(super) fn add_to_rollups(&self, conn: &mut DbConnection) -> Result<(), StorageError> {
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
pub(super) fn count_uncounted(conn: &mut DbConnection) -> Result<(usize, bool), StorageError> {
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

pub(super) fn same_table(a: &Cell, b: &Cell) -> bool {
    CUBES[a.cube].table == CUBES[b.cube].table
}
