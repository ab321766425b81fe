//! Alerts the worker raises on its own: escalation of unacknowledged alerts, and reminders of
//! Arbetsmiljöverket's deadline.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{AlertReason, PlannedAlert, Severity};
use uuid::Uuid;

use super::insert_alerts;
use super::uuid;
use crate::case::open;
use crate::database::Database;
use crate::error::StorageError;
use crate::schema::{alerts, incidents};

impl Database {
    /// Open cases of these severities with a `filed` or `rerouted` alert created before
    /// `before` that no one acknowledged and that was not escalated, to someone other than
    /// `escalation_receiver`.
    pub fn unacknowledged(
        &self,
        before: DateTime<Utc>,
        severities: &[Severity],
        escalation_receiver: &str,
    ) -> Result<Vec<Uuid>, StorageError> {
        let overdue = alerts::table
            .filter(alerts::incident_seq.eq(incidents::seq))
            .filter(
                alerts::reason.eq_any([AlertReason::Filed.code(), AlertReason::Rerouted.code()]),
            )
            .filter(alerts::acknowledged_at.is_null())
            .filter(alerts::escalated_at.is_null())
            .filter(alerts::created_at.lt(before.naive_utc()))
            .filter(alerts::receiver.ne(escalation_receiver));
        let ids: Vec<String> = incidents::table
            .filter(open())
            .filter(incidents::purged_at.is_null())
            .filter(incidents::severity.eq_any(severities.iter().map(|s| s.code())))
            // `OFFSET 0` keeps PostgreSQL from turning the `EXISTS` into a join, which it may
            // plan as a read of every alert ever raised; as it stands, each open case's alerts
            // are looked up by `alerts_once`.
            .filter(diesel::dsl::exists(overdue.offset(0)))
            .select(incidents::id)
            .load(&mut *self.connection()?)?;
        ids.iter().map(|id| uuid(id)).collect()
    }

    /// Raises alerts about a case and marks its unacknowledged, overdue alerts escalated, in
    /// one transaction. Returns how many alerts were new.
    pub fn raise_alerts(
        &self,
        case_id: Uuid,
        new: Vec<PlannedAlert>,
        escalating_before: Option<DateTime<Utc>>,
    ) -> Result<usize, StorageError> {
        let now = self.clock.now();
        self.write(move |conn| {
            let seq: i64 = incidents::table
                .filter(incidents::id.eq(case_id.to_string()))
                .select(incidents::seq)
                .first(conn)?;
            let written = insert_alerts(conn, seq, &new, now)?;
            if let Some(before) = escalating_before {
                diesel::update(
                    alerts::table
                        .filter(alerts::incident_seq.eq(seq))
                        .filter(alerts::acknowledged_at.is_null())
                        .filter(alerts::escalated_at.is_null())
                        .filter(alerts::created_at.lt(before.naive_utc()))
                        .filter(
                            alerts::reason
                                .eq_any([AlertReason::Filed.code(), AlertReason::Rerouted.code()]),
                        ),
                )
                .set(alerts::escalated_at.eq(Some(now.naive_utc())))
                .execute(conn)?;
            }
            Ok(written)
        })
    }

    /// Open cases whose Arbetsmiljöverket deadline falls at or before `due_by` and that
    /// Arbetsmiljöverket has not been told of, that have no `reminder` alert yet.
    pub fn authority_reminders_due(
        &self,
        due_by: DateTime<Utc>,
        reminder: AlertReason,
    ) -> Result<Vec<Uuid>, StorageError> {
        let reminded = alerts::table
            .filter(alerts::incident_seq.eq(incidents::seq))
            .filter(alerts::reason.eq(reminder.code()));
        let ids: Vec<String> = incidents::table
            .filter(open())
            .filter(incidents::purged_at.is_null())
            .filter(crate::deadline::due_by(due_by))
            .filter(diesel::dsl::not(diesel::dsl::exists(reminded)))
            .select(incidents::id)
            .load(&mut *self.connection()?)?;
        ids.iter().map(|id| uuid(id)).collect()
    }
}
