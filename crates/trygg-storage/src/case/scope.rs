//! Which cases a reader may see, and which are open, as conditions on `incidents`; a visible
//! case found by its id.

use diesel::prelude::*;
use trygg_domain::Visibility;
use uuid::Uuid;

use super::offices::with_offices;
use super::row::{Incident, IncidentRow};
use crate::access_log::Reader;
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::fixed_sql::{Fixed, fixed};
use crate::schema::{incident_offices, incidents};

pub(crate) type Backend = <DbConnection as Connection>::Backend;

/// Cases not closed: the predicate of the partial index `incidents_open`, through which the
/// queue and the worker's sweeps read the cases still being worked rather than every case ever
/// filed. It is written into the statement as the index has it, not bound: a planner matches a
/// partial index against the statement before it knows any parameter's value (SQLite always;
/// PostgreSQL in a plan it keeps for every execution).
const OPEN: &str = "incidents.status <> 'closed'";

pub(crate) fn open() -> Fixed<diesel::sql_types::Bool> {
    fixed(OPEN)
}

pub(crate) type Condition<'a> =
    Box<dyn BoxableExpression<incidents::table, Backend, SqlType = diesel::sql_types::Bool> + 'a>;

/// The visibility rule as a condition on `incidents`. Purged cases are visible to no one.
pub(crate) fn visible_to(visibility: &Visibility) -> Condition<'_> {
    Box::new(incidents::purged_at.is_null().and(permitted(visibility)))
}

fn permitted(visibility: &Visibility) -> Condition<'_> {
    match visibility {
        Visibility::All => Box::new(fixed::<diesel::sql_types::Bool>("1 = 1")),
        Visibility::Scoped { reporter, offices } => {
            // Asked of each case read, by its key (`OFFSET 0` keeps either planner from turning
            // it into a read of every case the offices ever had): the readers stop at a page,
            // or read open cases only.
            let of_offices = diesel::dsl::exists(
                incident_offices::table
                    .filter(incident_offices::incident_seq.eq(incidents::seq))
                    .filter(incident_offices::office.eq_any(offices.iter().map(|o| o.as_str())))
                    .offset(0),
            );
            match reporter {
                Some(reporter) => {
                    Box::new(incidents::reporter.eq(reporter.as_str()).or(of_offices))
                }
                None => Box::new(of_offices),
            }
        }
    }
}

/// The sequence number of a visible case.
pub(crate) fn visible_seq(
    conn: &mut DbConnection,
    id: Uuid,
    visibility: &Visibility,
) -> Result<Option<i64>, diesel::result::Error> {
    incidents::table
        .filter(incidents::id.eq(id.to_string()))
        .filter(visible_to(visibility))
        .select(incidents::seq)
        .first::<i64>(conn)
        .optional()
}

pub(crate) fn find(
    conn: &mut DbConnection,
    id: Uuid,
    visibility: &Visibility,
) -> Result<Option<(i64, Incident)>, StorageError> {
    let rows = incidents::table
        .filter(incidents::id.eq(id.to_string()))
        .filter(visible_to(visibility))
        .select(IncidentRow::as_select())
        .load(conn)?;
    let seq = rows.first().map(|row| row.seq);
    Ok(seq.zip(with_offices(conn, rows)?.pop()))
}

impl Database {
    /// What `read` finds of case `id` (by its sequence number) if the case is visible, logged
    /// as read by `reader`; `None` when not visible.
    pub(crate) fn read_visible<T>(
        &self,
        id: Uuid,
        visibility: &Visibility,
        reader: &Reader,
        read: impl FnOnce(&mut DbConnection, i64) -> Result<T, StorageError>,
    ) -> Result<Option<T>, StorageError> {
        let mut conn = self.connection()?;
        let Some(seq) = visible_seq(&mut conn, id, visibility)? else {
            return Ok(None);
        };
        let found = read(&mut conn, seq)?;
        // The connection goes back first: on PostgreSQL logging takes one of its own.
        drop(conn);
        self.log_found(Some(found), id, reader)
    }

    /// One case, if it exists and is visible; unlogged, so for storage's own use.
    pub(crate) fn incident(
        &self,
        id: Uuid,
        visibility: &Visibility,
    ) -> Result<Option<Incident>, StorageError> {
        let mut conn = self.connection()?;
        let rows = incidents::table
            .filter(incidents::id.eq(id.to_string()))
            .filter(visible_to(visibility))
            .select(IncidentRow::as_select())
            .load(&mut *conn)?;
        Ok(with_offices(&mut conn, rows)?.pop())
    }
}

#[cfg(test)]
mod tests {
    use trygg_domain::Status;

    use super::OPEN;

    /// The open-cases predicate names the domain's closed status, and each backend's migration
    /// gives the partial index the same predicate.
    #[test]
    fn the_open_cases_predicate_matches_the_domain_and_the_partial_index() {
        assert_eq!(
            OPEN,
            format!("incidents.status <> '{}'", Status::Closed.code())
        );
        let indexed = format!("WHERE {};", OPEN.replace("incidents.", ""));
        for migration in [
            include_str!("../../../../migrations/postgres/2026-12-06-000012_open_cases/up.sql"),
            include_str!("../../../../migrations/sqlite/2026-12-06-000012_open_cases/up.sql"),
        ] {
            let statements = migration.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(statements.contains(&indexed), "{migration}");
        }
    }
}
