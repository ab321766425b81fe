//! Keeping the rollups whole: the fold of pending counts (PostgreSQL) and the rebuild.

use super::*;

impl Database {
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
pub(super) fn fold(conn: &mut DbConnection) -> Result<(u64, bool), StorageError> {
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
