//! Writing alerts and their deliveries, in the transaction of the change that raises them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{AlertReason, DeliveryState, PlannedAlert, still_to_raise};

use crate::database::{DbConnection, insert_rows};
use crate::error::StorageError;
use crate::schema::{alerts, deliveries};

/// Writes alerts and their deliveries, skipping those the case's alerts already cover
/// ([`still_to_raise`]).
pub(crate) fn insert_alerts(
    conn: &mut DbConnection,
    incident_seq: i64,
    new: &[PlannedAlert],
    at: DateTime<Utc>,
) -> Result<usize, StorageError> {
    if new.is_empty() {
        return Ok(0);
    }
    let earlier = alerts::table
        .filter(alerts::incident_seq.eq(incident_seq))
        .select((alerts::receiver, alerts::reason))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(receiver, reason)| Ok((receiver, super::parse::<AlertReason>(&reason)?)))
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok(write_alerts(
        conn,
        incident_seq,
        &still_to_raise(&earlier, new),
        at,
    )?)
}

#[derive(Insertable)]
#[diesel(table_name = alerts)]
struct AlertInsert<'a> {
    id: String,
    incident_seq: i64,
    receiver: &'a str,
    reason: &'static str,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = deliveries)]
struct DeliveryInsert<'a> {
    alert_seq: i64,
    channel: &'static str,
    target: &'a str,
    message_id: &'a str,
    state: &'static str,
    attempts: i64,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Writes alerts and then all their deliveries (on PostgreSQL, a statement each).
pub(crate) fn write_alerts(
    conn: &mut DbConnection,
    incident_seq: i64,
    new: &[&PlannedAlert],
    at: DateTime<Utc>,
) -> Result<usize, diesel::result::Error> {
    if new.is_empty() {
        return Ok(0);
    }
    let at = at.naive_utc();
    let rows: Vec<AlertInsert> = new
        .iter()
        .map(|alert| AlertInsert {
            id: alert.id.to_string(),
            incident_seq,
            receiver: &alert.receiver,
            reason: alert.reason.code(),
            created_at: at,
        })
        .collect();
    let returning = (alerts::id, alerts::seq);
    let seqs: HashMap<String, i64> = match conn {
        DbConnection::Postgresql(conn) => diesel::insert_into(alerts::table)
            .values(&rows)
            .returning(returning)
            .get_results::<(String, i64)>(conn)?,
        DbConnection::Sqlite(conn) => rows
            .iter()
            .map(|row| {
                diesel::insert_into(alerts::table)
                    .values(row)
                    .returning(returning)
                    .get_result(conn)
            })
            .collect::<Result<Vec<_>, _>>()?,
    }
    .into_iter()
    .collect();
    let mut deliveries = Vec::new();
    for (alert, row) in new.iter().zip(&rows) {
        let alert_seq = *seqs.get(&row.id).ok_or(diesel::result::Error::NotFound)?;
        deliveries.extend(alert.deliveries.iter().map(|delivery| DeliveryInsert {
            alert_seq,
            channel: delivery.channel.code(),
            target: &delivery.target,
            message_id: &delivery.message_id,
            state: DeliveryState::Pending.code(),
            attempts: 0,
            next_attempt_at: at,
            created_at: at,
        }));
    }
    if !deliveries.is_empty() {
        insert_rows!(conn, deliveries::table, &deliveries)?;
    }
    Ok(new.len())
}
