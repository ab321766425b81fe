//! A case's timeline: each change a typed [`CaseEvent`], kept as a row of `case_events`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{CaseEvent, Change, ChangeText};

use crate::database::DbConnection;
use crate::error::StorageError;
use crate::schema::case_events;

/// A timeline entry as a row of `case_events` keeps it: the change as text
/// ([`Change::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventRow {
    pub(crate) at: DateTime<Utc>,
    pub(crate) actor: String,
    pub(crate) field: String,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) reason: Option<String>,
}

impl From<&CaseEvent> for EventRow {
    fn from(event: &CaseEvent) -> EventRow {
        let ChangeText { field, from, to } = event.change.text();
        EventRow {
            at: event.at,
            actor: event.actor.clone(),
            field,
            from,
            to,
            reason: event.reason.clone(),
        }
    }
}

impl EventRow {
    fn into_event(self) -> Result<CaseEvent, StorageError> {
        let text = ChangeText {
            field: self.field,
            from: self.from,
            to: self.to,
        };
        Ok(CaseEvent {
            at: self.at,
            actor: self.actor,
            change: Change::from_text(text).map_err(|e| StorageError::Corrupt(e.to_string()))?,
            reason: self.reason,
        })
    }
}

pub(crate) fn record(
    conn: &mut DbConnection,
    event: &EventRow,
    incident_seq: i64,
) -> Result<(), diesel::result::Error> {
    diesel::insert_into(case_events::table)
        .values((
            case_events::incident_seq.eq(incident_seq),
            case_events::at.eq(event.at.naive_utc()),
            case_events::actor.eq(&event.actor),
            case_events::field.eq(&event.field),
            case_events::from_value.eq(&event.from),
            case_events::to_value.eq(&event.to),
            case_events::reason.eq(&event.reason),
        ))
        .execute(conn)
        .map(drop)
}

/// The timeline of the case `seq`, oldest first.
pub(crate) fn timeline_of(
    conn: &mut DbConnection,
    seq: i64,
) -> Result<Vec<CaseEvent>, StorageError> {
    type Row = (
        chrono::NaiveDateTime,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = case_events::table
        .filter(case_events::incident_seq.eq(seq))
        .order(case_events::seq)
        .select((
            case_events::at,
            case_events::actor,
            case_events::field,
            case_events::from_value,
            case_events::to_value,
            case_events::reason,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(at, actor, field, from, to, reason)| {
            EventRow {
                at: at.and_utc(),
                actor,
                field,
                from,
                to,
                reason,
            }
            .into_event()
        })
        .collect()
}
