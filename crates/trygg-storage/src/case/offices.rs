//! A case's responsible offices: written with the case, replaced on a reroute, read with it.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::row::{Incident, IncidentRow};
use crate::database::{DbConnection, insert_rows};
use crate::error::StorageError;
use crate::schema::incident_offices;

pub(crate) fn offices_of(
    conn: &mut DbConnection,
    seqs: &[i64],
) -> Result<HashMap<i64, Vec<String>>, DieselError> {
    let rows: Vec<(i64, String)> = incident_offices::table
        .filter(incident_offices::incident_seq.eq_any(seqs))
        .select((incident_offices::incident_seq, incident_offices::office))
        .order((incident_offices::incident_seq, incident_offices::office))
        .load(conn)?;
    let mut offices: HashMap<i64, Vec<String>> = HashMap::new();
    for (seq, office) in rows {
        offices.entry(seq).or_default().push(office);
    }
    Ok(offices)
}

pub(crate) fn with_offices(
    conn: &mut DbConnection,
    rows: Vec<IncidentRow>,
) -> Result<Vec<Incident>, StorageError> {
    joined_with_offices(conn, rows, |row| row.seq, IncidentRow::into_incident)
}

/// Rows of cases, each made into `T` with its offices, read for all of them at once; `seq`
/// names a row's case.
pub(crate) fn joined_with_offices<R, T>(
    conn: &mut DbConnection,
    rows: Vec<R>,
    seq: impl Fn(&R) -> i64,
    join: impl Fn(R, Vec<String>) -> Result<T, StorageError>,
) -> Result<Vec<T>, StorageError> {
    let seqs: Vec<i64> = rows.iter().map(&seq).collect();
    let mut offices = offices_of(conn, &seqs)?;
    rows.into_iter()
        .map(|row| {
            let of_row = offices.remove(&seq(&row)).unwrap_or_default();
            join(row, of_row)
        })
        .collect()
}

pub(crate) fn set_offices(
    conn: &mut DbConnection,
    incident_seq: i64,
    offices: &[&str],
) -> Result<(), diesel::result::Error> {
    diesel::delete(incident_offices::table.filter(incident_offices::incident_seq.eq(incident_seq)))
        .execute(conn)?;
    insert_offices(conn, incident_seq, offices)
}

/// Adds a case's responsible offices, in one statement.
pub(crate) fn insert_offices(
    conn: &mut DbConnection,
    incident_seq: i64,
    offices: &[&str],
) -> Result<(), diesel::result::Error> {
    if offices.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = offices
        .iter()
        .map(|office| {
            (
                incident_offices::office.eq(*office),
                incident_offices::incident_seq.eq(incident_seq),
            )
        })
        .collect();
    insert_rows!(conn, incident_offices::table, &rows).map(drop)
}
