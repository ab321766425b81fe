//! The deliveries' queue: claimed with a lease, their outcomes recorded, and how it stands.

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{
    AlertReason, CaseNumber, Channel, DeliveryFailure, DeliveryState, IncidentKind, Severity,
};
use uuid::Uuid;

use super::{parse, uuid};
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
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
