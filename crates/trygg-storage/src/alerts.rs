//! The alert outbox: alerts written with the change that causes them, deliveries claimed with a
//! lease, retried, and parked when they keep failing.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{
    AlertReason, CaseNumber, Channel, DeliveryFailure, DeliveryState, IncidentKind, PlannedAlert,
    Severity, UnknownCode,
};
use uuid::Uuid;

use crate::database::{Database, DbConnection, insert_rows};
use crate::error::StorageError;
use crate::incidents::open;
use crate::schema::{alerts, deliveries, incidents};

/// What an alert may say about its case: codes and times, never names or free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertCase {
    pub id: Uuid,
    pub case_number: CaseNumber,
    pub focus_area: String,
    pub kind: IncidentKind,
    pub severity: Severity,
    pub district: String,
    pub occurred_at: DateTime<Utc>,
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub seq: i64,
    pub alert_id: Uuid,
    pub receiver: String,
    pub reason: AlertReason,
    pub channel: Channel,
    pub target: String,
    pub message_id: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub case: AlertCase,
}

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

fn parse<T: std::str::FromStr<Err = UnknownCode>>(text: &str) -> Result<T, StorageError> {
    text.parse()
        .map_err(|e: UnknownCode| StorageError::Corrupt(e.to_string()))
}

fn uuid(text: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(text).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// Writes alerts and their deliveries, skipping any this case already has for the same
/// receiver and reason; a reroute skips receivers already alerted about the case at all.
pub(crate) fn insert_alerts(
    conn: &mut DbConnection,
    incident_seq: i64,
    new: &[PlannedAlert],
    at: DateTime<Utc>,
) -> Result<usize, diesel::result::Error> {
    if new.is_empty() {
        return Ok(0);
    }
    let earlier: Vec<(String, String)> = alerts::table
        .filter(alerts::incident_seq.eq(incident_seq))
        .select((alerts::receiver, alerts::reason))
        .load(conn)?;
    write_alerts(conn, incident_seq, &unseen(earlier, new), at)
}

/// The alerts of a case being filed, which has none yet: each receiver and reason once.
pub(crate) fn first_alerts(new: &[PlannedAlert]) -> Vec<&PlannedAlert> {
    unseen(Vec::new(), new)
}

/// The alerts of `new` that neither `earlier` (receiver, reason) nor an alert before them in
/// `new` already covers.
fn unseen(mut earlier: Vec<(String, String)>, new: &[PlannedAlert]) -> Vec<&PlannedAlert> {
    let mut fresh = Vec::new();
    for alert in new {
        let reason = alert.reason.code();
        let covered = earlier.iter().any(|(receiver, earlier_reason)| {
            *receiver == alert.receiver
                && (alert.reason == AlertReason::Rerouted || earlier_reason == reason)
        });
        if !covered {
            earlier.push((alert.receiver.clone(), reason.to_owned()));
            fresh.push(alert);
        }
    }
    fresh
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

type DueRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    NaiveDateTime,
    String,
    String,
    String,
    String,
    NaiveDateTime,
);

impl Database {
    /// Claims up to `limit` due deliveries per channel for `lease`: no other worker takes them
    /// meanwhile, and no transaction stays open while they are sent. On PostgreSQL several
    /// instances claim side by side (`FOR UPDATE SKIP LOCKED`). Each channel is claimed on
    /// its own, oldest first, so a claim reads only what it takes (`deliveries_due` leads with
    /// the channel) even while another channel's deliveries wait, as e-mails do without SMTP.
    /// A channel's claim is one statement, atomic without a transaction of its own.
    pub fn claim_deliveries(
        &self,
        channels: &[Channel],
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StorageError> {
        let now = now.naive_utc();
        let until = now + lease;
        let channels: Vec<&'static str> = channels.iter().map(|channel| channel.code()).collect();
        let seqs = self.write_autocommit(move |conn| {
            let mut seqs = Vec::new();
            for channel in channels {
                seqs.extend(claim_channel(conn, channel, now, until, limit)?);
            }
            Ok::<_, StorageError>(seqs)
        })?;
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<DueRow> = deliveries::table
            .inner_join(alerts::table.inner_join(incidents::table))
            .filter(deliveries::seq.eq_any(&seqs))
            .order(deliveries::seq)
            .select((
                deliveries::seq,
                alerts::id,
                alerts::receiver,
                alerts::reason,
                deliveries::channel,
                deliveries::target,
                deliveries::message_id,
                deliveries::attempts,
                incidents::id,
                incidents::seq,
                incidents::received_at,
                incidents::focus_area,
                incidents::kind,
                incidents::severity,
                incidents::district,
                incidents::occurred_at,
            ))
            .load(&mut *self.connection()?)?;
        rows.into_iter()
            .map(
                |(
                    seq,
                    alert_id,
                    receiver,
                    reason,
                    channel,
                    target,
                    message_id,
                    attempts,
                    case_id,
                    case_seq,
                    received_at,
                    focus_area,
                    kind,
                    severity,
                    district,
                    occurred_at,
                )| {
                    Ok(DueDelivery {
                        seq,
                        alert_id: uuid(&alert_id)?,
                        receiver,
                        reason: parse(&reason)?,
                        channel: parse(&channel)?,
                        target,
                        message_id,
                        attempts,
                        case: AlertCase {
                            id: uuid(&case_id)?,
                            case_number: CaseNumber::new(received_at.year(), case_seq),
                            focus_area,
                            kind: parse(&kind)?,
                            severity: parse(&severity)?,
                            district,
                            occurred_at: occurred_at.and_utc(),
                        },
                    })
                },
            )
            .collect()
    }

    /// Records the outcomes of a batch of deliveries in one transaction.
    pub fn record_deliveries(&self, outcomes: Vec<DeliveryOutcome>) -> Result<(), StorageError> {
        let now = self.clock.now();
        self.write(move |conn| {
            for outcome in outcomes {
                let target = deliveries::table.filter(deliveries::seq.eq(outcome.seq));
                let attempts = deliveries::attempts.eq(deliveries::attempts + 1);
                let unlocked = deliveries::locked_until.eq(None::<NaiveDateTime>);
                match outcome.result {
                    Ok(at) => diesel::update(target)
                        .set((
                            deliveries::state.eq(DeliveryState::Delivered.code()),
                            attempts,
                            unlocked,
                            deliveries::delivered_at.eq(Some(at.naive_utc())),
                            deliveries::last_failure.eq(None::<String>),
                            deliveries::last_error.eq(None::<String>),
                        ))
                        .execute(conn)?,
                    Err(Undelivered {
                        failure,
                        error,
                        retry_at,
                    }) => {
                        let state = if retry_at.is_some() {
                            DeliveryState::Pending
                        } else {
                            DeliveryState::Failed
                        };
                        let next = retry_at.unwrap_or(now).naive_utc();
                        diesel::update(target)
                            .set((
                                deliveries::state.eq(state.code()),
                                attempts,
                                unlocked,
                                deliveries::next_attempt_at.eq(next),
                                deliveries::last_failure.eq(Some(failure.code())),
                                deliveries::last_error.eq(Some(error)),
                            ))
                            .execute(conn)?
                    }
                };
            }
            Ok(())
        })
    }
}

/// How one delivery attempt went: sent at, or failed with the error and when to retry (`None`
/// parks it as failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryOutcome {
    pub seq: i64,
    pub result: Result<DateTime<Utc>, Undelivered>,
}

/// Why a delivery attempt failed, and when to try again (`None` parks it as failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undelivered {
    pub failure: DeliveryFailure,
    /// The technical text, for whoever fixes it.
    pub error: String,
    pub retry_at: Option<DateTime<Utc>>,
}

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

/// How the outbox stands: deliveries by state, and when the oldest one still to be sent was
/// written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxState {
    pub by_state: Vec<(DeliveryState, i64)>,
    pub oldest_pending: Option<DateTime<Utc>>,
}

impl Database {
    pub fn outbox_state(&self) -> Result<OutboxState, StorageError> {
        let mut conn = self.connection()?;
        let counts: Vec<(String, i64)> = deliveries::table
            .group_by(deliveries::state)
            .select((deliveries::state, diesel::dsl::count_star()))
            .load(&mut *conn)?;
        let by_state = counts
            .into_iter()
            .map(|(state, count)| {
                let state = state
                    .parse()
                    .map_err(|e: trygg_domain::UnknownCode| StorageError::Corrupt(e.to_string()))?;
                Ok((state, count))
            })
            .collect::<Result<_, StorageError>>()?;
        let oldest_pending: Option<NaiveDateTime> = deliveries::table
            .filter(deliveries::state.eq(DeliveryState::Pending.code()))
            .select(diesel::dsl::min(deliveries::created_at))
            .first(&mut *conn)?;
        Ok(OutboxState {
            by_state,
            oldest_pending: oldest_pending.map(|at| at.and_utc()),
        })
    }
}

/// Leases up to `limit` of `channel`'s due deliveries until `until`, oldest first. On
/// PostgreSQL one statement that skips what another worker is claiming; SQLite has one
/// writer.
fn claim_channel(
    conn: &mut DbConnection,
    channel: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<i64>, diesel::result::Error> {
    // An alias: the claim's subquery reads the table the claim updates.
    let due = diesel::alias!(deliveries as due);
    let claimable = due
        .filter(
            due.field(deliveries::state)
                .eq(DeliveryState::Pending.code()),
        )
        .filter(due.field(deliveries::channel).eq(channel))
        .filter(due.field(deliveries::next_attempt_at).le(now))
        .filter(
            due.field(deliveries::locked_until)
                .is_null()
                .or(due.field(deliveries::locked_until).lt(now)),
        )
        .order(due.field(deliveries::next_attempt_at))
        .limit(limit)
        .select(due.field(deliveries::seq));
    match conn {
        DbConnection::Postgresql(pg) => diesel::update(deliveries::table)
            .filter(deliveries::seq.eq_any(claimable.for_update().skip_locked()))
            .set(deliveries::locked_until.eq(until))
            .returning(deliveries::seq)
            .get_results(pg),
        DbConnection::Sqlite(_) => {
            let seqs: Vec<i64> = claimable.load(conn)?;
            diesel::update(deliveries::table.filter(deliveries::seq.eq_any(&seqs)))
                .set(deliveries::locked_until.eq(until))
                .execute(conn)?;
            Ok(seqs)
        }
    }
}
