//! Retention: a closed case's content is removed once its retention period has run.
//!
//! What identifies people or tells their story goes (description, reporter, assignee, police
//! reference, comments, actions, timeline, idempotency records); the coded facts, dates and
//! offices stay, so the statistics are the same after a purge as before. The access log stays:
//! it is the record of who read what.

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::CaseNumber;
use uuid::Uuid;

use crate::database::Database;
use crate::error::StorageError;
use crate::schema::{actions, case_events, comments, idempotency_keys, incidents};

/// A case whose content a purge removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purgeable {
    pub id: Uuid,
    pub case_number: CaseNumber,
    pub closed_at: DateTime<Utc>,
}

type Row = (i64, String, NaiveDateTime, Option<NaiveDateTime>);

fn purgeable(
    conn: &mut crate::database::DbConnection,
    closed_before: DateTime<Utc>,
) -> Result<Vec<(i64, Purgeable)>, StorageError> {
    let rows: Vec<Row> = incidents::table
        .filter(incidents::purged_at.is_null())
        .filter(incidents::closed_at.lt(closed_before.naive_utc()))
        .order(incidents::seq)
        .select((
            incidents::seq,
            incidents::id,
            incidents::received_at,
            incidents::closed_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(seq, id, received_at, closed_at)| {
            let id = Uuid::parse_str(&id).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let closed_at = closed_at.map(|at| at.and_utc()).unwrap_or_default();
            let case_number = CaseNumber::new(received_at.year(), seq);
            Ok((
                seq,
                Purgeable {
                    id,
                    case_number,
                    closed_at,
                },
            ))
        })
        .collect()
}

impl Database {
    /// The cases closed before `closed_before` whose content is still kept.
    pub fn purgeable(&self, closed_before: DateTime<Utc>) -> Result<Vec<Purgeable>, StorageError> {
        let cases = purgeable(&mut *self.connection()?, closed_before)?;
        Ok(cases.into_iter().map(|(_, case)| case).collect())
    }

    /// Removes the content of the cases closed before `closed_before`, in one transaction.
    pub fn purge(&self, closed_before: DateTime<Utc>) -> Result<Vec<Purgeable>, StorageError> {
        let now = self.clock.now();
        self.write(move |conn| {
            let cases = purgeable(conn, closed_before)?;
            let seqs: Vec<i64> = cases.iter().map(|(seq, _)| *seq).collect();
            let ids: Vec<String> = cases.iter().map(|(_, case)| case.id.to_string()).collect();
            diesel::update(incidents::table.filter(incidents::seq.eq_any(&seqs)))
                .set((
                    incidents::description.eq(""),
                    incidents::reporter.eq(""),
                    incidents::assignee.eq(None::<String>),
                    incidents::police_reference.eq(None::<String>),
                    incidents::purged_at.eq(Some(now.naive_utc())),
                ))
                .execute(conn)?;
            diesel::delete(comments::table.filter(comments::incident_seq.eq_any(&seqs)))
                .execute(conn)?;
            diesel::delete(actions::table.filter(actions::incident_seq.eq_any(&seqs)))
                .execute(conn)?;
            diesel::delete(case_events::table.filter(case_events::incident_seq.eq_any(&seqs)))
                .execute(conn)?;
            diesel::delete(
                idempotency_keys::table.filter(idempotency_keys::incident_id.eq_any(&ids)),
            )
            .execute(conn)?;
            Ok(cases.into_iter().map(|(_, case)| case).collect())
        })
    }
}
