//! Filling the rollups from the stored cases, every row counted in memory first (see
//! [`Counter`]).

use chrono::{DateTime, Utc};
use diesel::RunQueryDsl;

use super::counter::Counter;
use super::{
    CUBES, Cases, Cell, INSERT_ROWS, Measures, publication, same_table, tables, write_rows,
};
use crate::database::DbConnection;
use crate::error::StorageError;
use crate::schema::uncounted_cases;

/// Empties the rollups (and their pending counts and uncounted cases) and fills them from the
/// cases, on the caller's transaction; published months then show the cases as they are `now`,
/// which is recorded as a revision.
pub(crate) fn rebuild(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<u64, StorageError> {
    for cube in tables() {
        diesel::sql_query(format!("DELETE FROM {}", cube.table)).execute(conn)?;
        diesel::sql_query(format!("DELETE FROM {}", cube.pending())).execute(conn)?;
    }
    // Every case is counted below, those filings left uncounted too.
    diesel::delete(uncounted_cases::table).execute(conn)?;
    let (counter, cases) = Counter::count(conn, Cases::Every)?;
    let mut rows = counter.into_rows();
    loop {
        let chunk: Vec<(Cell, Measures)> = rows.by_ref().take(INSERT_ROWS).collect();
        if chunk.is_empty() {
            publication::revised_by_rebuild(conn, now)?;
            return Ok(cases);
        }
        for rows in chunk.chunk_by(|(a, _), (b, _)| same_table(a, b)) {
            write_rows(conn, CUBES[rows[0].0.cube], rows, false)?;
        }
    }
}
