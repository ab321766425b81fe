//! Working a case: amendments under optimistic concurrency, each recorded in the case's
//! timeline.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{IncidentKind, Outcome, Severity, Status, Visibility};
use uuid::Uuid;

use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::incidents::{Incident, IncidentRow, visible_to, with_offices};
use crate::schema::{case_events, incident_offices, incidents};

/// One change to a case, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub reason: Option<String>,
}

/// What a case worker changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Amendment {
    pub status: Option<Status>,
    /// `Some(None)` clears the outcome (a reopened case has none).
    pub outcome: Option<Option<Outcome>>,
    pub assignee: Option<String>,
    /// A new focus area and the offices responsible for it.
    pub focus_area: Option<(String, Vec<String>)>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    pub reason: Option<String>,
}

/// What an amendment came to.
#[derive(Debug)]
pub enum Amended<R> {
    Done(Box<Incident>),
    /// No such case, or not visible to the caller.
    NotFound,
    /// The caller's version is not the current one.
    Stale {
        current_version: i64,
    },
    /// The decision refused the change; nothing was written.
    Refused(R),
}

#[derive(AsChangeset)]
#[diesel(table_name = incidents)]
struct Changes<'a> {
    status: Option<&'a str>,
    outcome: Option<Option<&'a str>>,
    assignee: Option<&'a str>,
    focus_area: Option<&'a str>,
    severity: Option<&'a str>,
    kind: Option<&'a str>,
    updated_at: chrono::NaiveDateTime,
    version: i64,
}

pub(crate) fn record(
    conn: &mut DbConnection,
    event: &CaseEvent,
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

pub(crate) fn set_offices(
    conn: &mut DbConnection,
    incident_seq: i64,
    offices: &[&str],
) -> Result<(), diesel::result::Error> {
    diesel::delete(incident_offices::table.filter(incident_offices::incident_seq.eq(incident_seq)))
        .execute(conn)?;
    for office in offices {
        diesel::insert_into(incident_offices::table)
            .values((
                incident_offices::office.eq(office),
                incident_offices::incident_seq.eq(incident_seq),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn find(
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

/// The events an amendment makes: one per field whose value changes.
fn events(
    current: &Incident,
    amendment: &Amendment,
    actor: &str,
    at: DateTime<Utc>,
) -> Vec<CaseEvent> {
    let mut events = Vec::new();
    let mut change = |field: &str, from: Option<String>, to: Option<String>| {
        if from != to {
            let reason = amendment.reason.clone();
            events.push(CaseEvent {
                at,
                actor: actor.into(),
                field: field.into(),
                from,
                to,
                reason,
            });
        }
    };
    let code = |value: Option<&str>| value.map(str::to_owned);
    if let Some(status) = amendment.status {
        change(
            "status",
            code(Some(current.status.code())),
            code(Some(status.code())),
        );
    }
    if let Some(outcome) = amendment.outcome {
        change(
            "outcome",
            code(current.outcome.map(Outcome::code)),
            code(outcome.map(Outcome::code)),
        );
    }
    if let Some(assignee) = &amendment.assignee {
        change("assignee", current.assignee.clone(), Some(assignee.clone()));
    }
    if let Some((focus_area, offices)) = &amendment.focus_area {
        change(
            "focus_area",
            Some(current.focus_area.clone()),
            Some(focus_area.clone()),
        );
        change(
            "offices",
            Some(current.offices.join(",")),
            Some(offices.join(",")),
        );
    }
    if let Some(severity) = amendment.severity {
        change(
            "severity",
            code(Some(current.circumstances.severity.code())),
            code(Some(severity.code())),
        );
    }
    if let Some(kind) = amendment.kind {
        change(
            "kind",
            code(Some(current.circumstances.kind.code())),
            code(Some(kind.code())),
        );
    }
    events
}

impl Database {
    /// Amends a visible case if the caller's `expected_version` is current. `decide` sees the
    /// case as it is inside the transaction and returns the amendment, or refuses.
    pub fn amend<R: Send + 'static>(
        &self,
        id: Uuid,
        visibility: Visibility,
        expected_version: i64,
        actor: String,
        decide: impl FnOnce(&Incident) -> Result<Amendment, R> + Send + 'static,
    ) -> Result<Amended<R>, StorageError> {
        self.write(move |conn| {
            let Some((seq, current)) = find(conn, id, &visibility)? else {
                return Ok(Amended::NotFound);
            };
            if current.version != expected_version {
                return Ok(Amended::Stale {
                    current_version: current.version,
                });
            }
            let amendment = match decide(&current) {
                Ok(amendment) => amendment,
                Err(refusal) => return Ok(Amended::Refused(refusal)),
            };
            let at = Utc::now();
            let events = events(&current, &amendment, &actor, at);
            if events.is_empty() {
                return Ok(Amended::Done(Box::new(current)));
            }
            let changes = Changes {
                status: amendment.status.map(Status::code),
                outcome: amendment.outcome.map(|outcome| outcome.map(Outcome::code)),
                assignee: amendment.assignee.as_deref(),
                focus_area: amendment.focus_area.as_ref().map(|(code, _)| code.as_str()),
                severity: amendment.severity.map(Severity::code),
                kind: amendment.kind.map(IncidentKind::code),
                updated_at: at.naive_utc(),
                version: expected_version + 1,
            };
            // The version check in SQL too: on PostgreSQL a concurrent amendment may have
            // committed since the read above.
            let updated = diesel::update(
                incidents::table
                    .filter(incidents::seq.eq(seq))
                    .filter(incidents::version.eq(expected_version)),
            )
            .set(changes)
            .execute(conn)?;
            if updated == 0 {
                return Ok(Amended::Stale {
                    current_version: expected_version + 1,
                });
            }
            if let Some((_, offices)) = &amendment.focus_area {
                let offices: Vec<&str> = offices.iter().map(String::as_str).collect();
                set_offices(conn, seq, &offices)?;
            }
            for event in &events {
                record(conn, event, seq)?;
            }
            let (_, amended) = find(conn, id, &Visibility::All)?
                .ok_or_else(|| StorageError::Corrupt("an amended case vanished".into()))?;
            Ok(Amended::Done(Box::new(amended)))
        })
    }

    /// The timeline of a visible case, oldest first; `None` when not visible.
    pub fn timeline(
        &self,
        id: Uuid,
        visibility: &Visibility,
    ) -> Result<Option<Vec<CaseEvent>>, StorageError> {
        let mut conn = self.connection()?;
        let Some(seq) = incidents::table
            .filter(incidents::id.eq(id.to_string()))
            .filter(visible_to(visibility))
            .select(incidents::seq)
            .first::<i64>(&mut *conn)
            .optional()?
        else {
            return Ok(None);
        };
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
            .load(&mut *conn)?;
        Ok(Some(
            rows.into_iter()
                .map(|(at, actor, field, from, to, reason)| CaseEvent {
                    at: at.and_utc(),
                    actor,
                    field,
                    from,
                    to,
                    reason,
                })
                .collect(),
        ))
    }
}
