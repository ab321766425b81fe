//! Reading cases: one by its id or number, and pages of them, each read logged.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{CaseNumber, Status, Visibility};
use uuid::Uuid;

use crate::access_log::Reader;
use crate::case::{Incident, IncidentRow, visible_to, with_offices};
use crate::database::Database;
use crate::error::StorageError;
use crate::schema::incidents;

/// The largest page a listing returns.
pub const MAX_PAGE_SIZE: i64 = 100;

/// A page of cases, and the cursor of the next page if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentPage {
    pub cases: Vec<Incident>,
    pub next_cursor: Option<i64>,
}

/// Which cases a listing returns, newest first, and where the page starts.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub status: Option<Status>,
    pub focus_area: Option<String>,
    pub district: Option<String>,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_before: Option<DateTime<Utc>>,
    /// Only cases filed before the case with this sequence number (the cursor).
    pub after_cursor: Option<i64>,
    /// How many to return; callers cap it (see [`MAX_PAGE_SIZE`]).
    pub limit: i64,
}

impl Database {
    /// Whether `subject` filed the case `id`: they know it exists, whatever else they may see.
    pub fn is_reporter_of(&self, id: Uuid, subject: &str) -> Result<bool, StorageError> {
        let filed: i64 = incidents::table
            .filter(incidents::id.eq(id.to_string()))
            .filter(incidents::reporter.eq(subject))
            .count()
            .get_result(&mut *self.connection()?)?;
        Ok(filed > 0)
    }

    /// The id of the case with this number, if there is one: a case number names a case
    /// without its content (nothing is read, so nothing is logged).
    pub fn case_with_number(&self, number: CaseNumber) -> Result<Option<Uuid>, StorageError> {
        let found: Option<(String, NaiveDateTime)> = incidents::table
            .filter(incidents::seq.eq(number.number()))
            .select((incidents::id, incidents::received_at))
            .first(&mut *self.connection()?)
            .optional()?;
        found
            .filter(|(_, received_at)| received_at.year() == number.year())
            .map(|(id, _)| Uuid::parse_str(&id).map_err(|e| StorageError::Corrupt(e.to_string())))
            .transpose()
    }

    /// The case numbers of these cases, by id (those that no longer exist are left out).
    pub fn case_numbers(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, CaseNumber>, StorageError> {
        let rows: Vec<(String, i64, NaiveDateTime)> = incidents::table
            .filter(incidents::id.eq_any(ids))
            .select((incidents::id, incidents::seq, incidents::received_at))
            .load(&mut *self.connection()?)?;
        Ok(rows
            .into_iter()
            .map(|(id, seq, received_at)| (id, CaseNumber::new(received_at.year(), seq)))
            .collect())
    }

    /// One case, if it exists and is visible to `reader`, who is logged as reading it.
    pub fn read_incident(
        &self,
        id: Uuid,
        visibility: &Visibility,
        reader: &Reader,
    ) -> Result<Option<Incident>, StorageError> {
        let found = self.incident(id, visibility)?;
        self.log_found(found, id, reader)
    }

    /// A page of `filter.limit` visible cases, newest first, each logged as read by `reader`.
    pub fn list_incidents(
        &self,
        filter: &IncidentFilter,
        visibility: &Visibility,
        reader: &Reader,
    ) -> Result<IncidentPage, StorageError> {
        // One more than asked tells whether there is a next page.
        let mut rows = self.incidents(filter, filter.limit + 1, visibility)?;
        let next_cursor = (rows.len() as i64 > filter.limit).then(|| {
            rows.truncate(filter.limit as usize);
            rows.last().map_or(0, |(seq, _)| *seq)
        });
        self.log_reads(reader, rows.iter().map(|(_, case)| case.id).collect())?;
        Ok(IncidentPage {
            cases: rows.into_iter().map(|(_, case)| case).collect(),
            next_cursor,
        })
    }

    /// Up to `limit` visible cases, newest first, each with its sequence number.
    fn incidents(
        &self,
        filter: &IncidentFilter,
        limit: i64,
        visibility: &Visibility,
    ) -> Result<Vec<(i64, Incident)>, StorageError> {
        let mut conn = self.connection()?;
        let mut query = incidents::table
            .filter(visible_to(visibility))
            .select(IncidentRow::as_select())
            .order(incidents::seq.desc())
            .limit(limit)
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(incidents::status.eq(status.code()));
        }
        if let Some(focus_area) = &filter.focus_area {
            query = query.filter(incidents::focus_area.eq(focus_area));
        }
        if let Some(district) = &filter.district {
            query = query.filter(incidents::district.eq(district));
        }
        if let Some(from) = filter.occurred_from {
            query = query.filter(incidents::occurred_at.ge(from.naive_utc()));
        }
        if let Some(before) = filter.occurred_before {
            query = query.filter(incidents::occurred_at.lt(before.naive_utc()));
        }
        if let Some(cursor) = filter.after_cursor {
            query = query.filter(incidents::seq.lt(cursor));
        }
        let rows = query.load(&mut *conn)?;
        let seqs: Vec<i64> = rows.iter().map(|row| row.seq).collect();
        Ok(seqs
            .into_iter()
            .zip(with_offices(&mut conn, rows)?)
            .collect())
    }
}
