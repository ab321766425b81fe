//! The alerts as the security manager sees them: listed with their deliveries, acknowledged,
//! retried.

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{AlertReason, CaseNumber, Channel, DeliveryFailure, DeliveryState};
use uuid::Uuid;

use super::{parse, uuid};
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::schema::{alerts, deliveries, incidents};

/// An alert as the security manager sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRecord {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_number: CaseNumber,
    pub receiver: String,
    pub reason: AlertReason,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub deliveries: Vec<DeliveryRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub channel: Channel,
    pub target: String,
    pub state: DeliveryState,
    pub attempts: i64,
    /// Why the last attempt failed, where it was recorded (failures before it was are not).
    pub last_failure: Option<DeliveryFailure>,
    /// The technical text of the last failure.
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Which alerts to list.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub id: Option<Uuid>,
    /// Alerts with at least one delivery in this state.
    pub state: Option<DeliveryState>,
    pub case: Option<Uuid>,
    pub limit: i64,
    /// Alerts skipped first, newest first: a later page.
    pub offset: i64,
}

impl AlertFilter {
    /// The alert with this id.
    pub fn alert(id: Uuid) -> AlertFilter {
        AlertFilter {
            id: Some(id),
            limit: 1,
            ..AlertFilter::default()
        }
    }
}

type AlertRow = (
    i64,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<String>,
    String,
    i64,
    NaiveDateTime,
);
type DeliveryRow = (
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
);

/// What acknowledging an alert came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Acknowledged {
    Done(Box<AlertRecord>),
    NotFound,
    /// The caller is not the alert's receiver.
    NotReceiver,
}

impl Database {
    /// Alerts, newest first, with their deliveries.
    pub fn alerts(&self, filter: &AlertFilter) -> Result<Vec<AlertRecord>, StorageError> {
        let mut conn = self.connection()?;
        let mut query = alerts::table
            .inner_join(incidents::table)
            .select((
                alerts::seq,
                alerts::id,
                alerts::receiver,
                alerts::reason,
                alerts::created_at,
                alerts::acknowledged_at,
                alerts::acknowledged_by,
                incidents::id,
                incidents::seq,
                incidents::received_at,
            ))
            .order(alerts::seq.desc())
            .limit(filter.limit)
            .offset(filter.offset)
            .into_boxed();
        if let Some(state) = filter.state {
            query = query.filter(alerts::seq.eq_any(with_state(state)));
        }
        if let Some(case) = filter.case {
            query = query.filter(incidents::id.eq(case.to_string()));
        }
        if let Some(id) = filter.id {
            query = query.filter(alerts::id.eq(id.to_string()));
        }
        let rows: Vec<AlertRow> = query.load(&mut *conn)?;
        let seqs: Vec<i64> = rows.iter().map(|row| row.0).collect();
        let delivery_rows: Vec<DeliveryRow> = deliveries::table
            .filter(deliveries::alert_seq.eq_any(&seqs))
            .order(deliveries::seq)
            .select((
                deliveries::alert_seq,
                deliveries::channel,
                deliveries::target,
                deliveries::state,
                deliveries::attempts,
                deliveries::last_failure,
                deliveries::last_error,
                deliveries::delivered_at,
            ))
            .load(&mut *conn)?;
        rows.into_iter()
            .map(
                |(
                    seq,
                    id,
                    receiver,
                    reason,
                    created_at,
                    acknowledged_at,
                    acknowledged_by,
                    case_id,
                    case_seq,
                    received_at,
                )| {
                    let deliveries = delivery_rows
                        .iter()
                        .filter(|row| row.0 == seq)
                        .map(
                            |(_, channel, target, state, attempts, failure, error, at)| {
                                Ok(DeliveryRecord {
                                    channel: parse(channel)?,
                                    target: target.clone(),
                                    state: parse(state)?,
                                    attempts: *attempts,
                                    last_failure: failure.as_deref().map(parse).transpose()?,
                                    last_error: error.clone(),
                                    delivered_at: at.map(|at| at.and_utc()),
                                })
                            },
                        )
                        .collect::<Result<_, StorageError>>()?;
                    Ok(AlertRecord {
                        id: uuid(&id)?,
                        case_id: uuid(&case_id)?,
                        case_number: CaseNumber::new(received_at.year(), case_seq),
                        receiver,
                        reason: parse(&reason)?,
                        created_at: created_at.and_utc(),
                        acknowledged_at: acknowledged_at.map(|at| at.and_utc()),
                        acknowledged_by,
                        deliveries,
                    })
                },
            )
            .collect()
    }

    /// Sends an alert's failed deliveries again, from the first attempt. `false` when the
    /// alert has none.
    pub fn retry_alert(&self, id: Uuid) -> Result<bool, StorageError> {
        let now = self.clock.now();
        self.write(move |conn| {
            let failed = deliveries::table
                .inner_join(alerts::table)
                .filter(alerts::id.eq(id.to_string()))
                .filter(deliveries::state.eq(DeliveryState::Failed.code()))
                .select(deliveries::seq)
                .load::<i64>(conn)?;
            requeue(conn, &failed, now)?;
            Ok(!failed.is_empty())
        })
    }

    /// How many alerts have a delivery in `state` (all alerts without one).
    pub fn count_alerts(&self, state: Option<DeliveryState>) -> Result<i64, StorageError> {
        let mut conn = self.connection()?;
        Ok(match state {
            None => alerts::table.count().get_result(&mut *conn)?,
            Some(state) => alerts::table
                .filter(alerts::seq.eq_any(with_state(state)))
                .count()
                .get_result(&mut *conn)?,
        })
    }

    /// Queues every failed delivery of every alert again, at once (after an outage); returns
    /// how many alerts had one.
    pub fn retry_failed_alerts(&self) -> Result<i64, StorageError> {
        let now = self.clock.now();
        self.write(move |conn| {
            let alerts: i64 = alerts::table
                .filter(alerts::seq.eq_any(with_state(DeliveryState::Failed)))
                .count()
                .get_result(conn)?;
            let failed: Vec<i64> = deliveries::table
                .filter(deliveries::state.eq(DeliveryState::Failed.code()))
                .select(deliveries::seq)
                .load(conn)?;
            requeue(conn, &failed, now)?;
            Ok(alerts)
        })
    }

    /// Acknowledges an alert for its receiver (the first acknowledgement stands);
    /// `is_receiver` says whether the caller is the alert's receiver.
    pub fn acknowledge_alert(
        &self,
        id: Uuid,
        by: String,
        comment: Option<String>,
        is_receiver: impl FnOnce(&str) -> bool + Send + 'static,
    ) -> Result<Acknowledged, StorageError> {
        let now = self.clock.now();
        let permitted = self.write(move |conn| {
            let Some(receiver) = alerts::table
                .filter(alerts::id.eq(id.to_string()))
                .select(alerts::receiver)
                .first::<String>(conn)
                .optional()?
            else {
                return Ok(None);
            };
            if !is_receiver(&receiver) {
                return Ok(Some(false));
            }
            let unacknowledged = alerts::table
                .filter(alerts::id.eq(id.to_string()))
                .filter(alerts::acknowledged_at.is_null());
            diesel::update(unacknowledged)
                .set((
                    alerts::acknowledged_at.eq(Some(now.naive_utc())),
                    alerts::acknowledged_by.eq(Some(by)),
                    alerts::ack_comment.eq(comment),
                ))
                .execute(conn)?;
            Ok::<_, StorageError>(Some(true))
        })?;
        match permitted {
            None => Ok(Acknowledged::NotFound),
            Some(false) => Ok(Acknowledged::NotReceiver),
            Some(true) => {
                let alert = self.alerts(&AlertFilter::alert(id))?.pop();
                Ok(alert.map_or(Acknowledged::NotFound, |alert| {
                    Acknowledged::Done(Box::new(alert))
                }))
            }
        }
    }
}

/// Puts these deliveries back in the queue: due now, with their attempts afresh. A thousand
/// keys a statement, so that an outage's worth stays within the backends' bind limits.
fn requeue(
    conn: &mut DbConnection,
    deliveries: &[i64],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    for keys in deliveries.chunks(1_000) {
        diesel::update(deliveries::table.filter(deliveries::seq.eq_any(keys)))
            .set((
                deliveries::state.eq(DeliveryState::Pending.code()),
                deliveries::attempts.eq(0),
                deliveries::next_attempt_at.eq(now.naive_utc()),
                deliveries::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The alerts with a delivery in `state`, as a subquery of their keys.
fn with_state(
    state: DeliveryState,
) -> diesel::dsl::Select<
    diesel::dsl::Filter<deliveries::table, diesel::dsl::Eq<deliveries::state, &'static str>>,
    deliveries::alert_seq,
> {
    deliveries::table
        .filter(deliveries::state.eq(state.code()))
        .select(deliveries::alert_seq)
}
