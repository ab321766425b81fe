//! The delivery worker: claims due deliveries, sends them (e-mail over SMTP, signed webhooks),
//! and records the outcome; raises escalations and Arbetsmiljöverket reminders on time.
//!
//! At least once: a delivery is marked done only after it was sent, so a crash between the two
//! sends it again, with the same Message-ID or webhook-id for the receiver to recognise.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;
use trygg_domain::{
    AlertReason, Catalogue, Channel, Clock, DEADLINE_AT_RISK_WITHIN, DeliveryFailure, Severity,
    WORK_ENVIRONMENT_DEADLINE,
};
use trygg_storage::{Database, DeliveryOutcome, DueDelivery, StorageError, Undelivered};

use crate::address::is_internal;
use crate::message::{AlertContent, sign_webhook};
use crate::routing::Routing;

/// Wakes the worker when a transaction has written alerts, so they go within moments.
pub type Wakeup = Notify;

/// How deliveries are made and retried.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// `smtp://host:port`, `smtps://user:pass@host:465`, …; without it e-mails wait, queued.
    pub smtp_url: Option<String>,
    /// The sender of alert e-mails.
    pub sender: String,
    /// Where people open a case; links in alerts point here.
    pub public_url: String,
    /// Attempts before a delivery is parked as failed.
    pub max_attempts: i64,
    /// The first retry's delay; each further one doubles it, plus jitter.
    pub backoff_base: Duration,
    /// How long a claimed delivery is reserved for the claiming worker.
    pub lease: Duration,
    /// How often to look for due work when nothing wakes the worker.
    pub poll_interval: StdDuration,
    /// Unacknowledged high and serious alerts escalate after this long.
    pub escalate_after: Duration,
}

const CLAIM_BATCH: i64 = 32;
/// How long a woken worker lets more filings queue their alerts before it claims: under a
/// burst of filings one claim takes them all, rather than one claim (a statement) per filing.
const GATHER: StdDuration = StdDuration::from_millis(20);
const SEND_TIMEOUT: StdDuration = StdDuration::from_secs(10);
const MAX_BACKOFF: Duration = Duration::hours(1);

/// Why one attempt failed, and whether another may succeed.
#[derive(Debug)]
struct Failure {
    kind: DeliveryFailure,
    message: String,
    permanent: bool,
}

impl Failure {
    fn transient(kind: DeliveryFailure, message: impl ToString) -> Failure {
        Failure {
            kind,
            message: message.to_string(),
            permanent: false,
        }
    }

    fn permanent(kind: DeliveryFailure, message: impl ToString) -> Failure {
        Failure {
            kind,
            message: message.to_string(),
            permanent: true,
        }
    }

    /// An SMTP error as what the reader must do about it: a server that did not answer, one
    /// that asked to try later, one that refused the message, a failed TLS handshake.
    fn smtp(error: lettre::transport::smtp::Error) -> Failure {
        let kind = if error.is_permanent() {
            DeliveryFailure::Refused
        } else if error.is_transient() {
            DeliveryFailure::Deferred
        } else if error.is_tls() {
            DeliveryFailure::Insecure
        } else if error.is_response() || error.is_client() {
            DeliveryFailure::Unexpected
        } else {
            DeliveryFailure::Unreachable
        };
        Failure {
            kind,
            permanent: error.is_permanent(),
            message: error.to_string(),
        }
    }
}

/// The worker, with what it shares with the service.
#[derive(Debug, Clone)]
pub struct Worker {
    database: Arc<Database>,
    routing: Arc<Routing>,
    catalogue: Arc<Catalogue>,
    wakeup: Arc<Wakeup>,
    clock: Clock,
    settings: DeliverySettings,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("TRYGG_SMTP_URL is not usable: {0}")]
    SmtpUrl(String),
    #[error("the alert sender `{0}` is not an e-mail address")]
    Sender(String),
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StorageError::Unavailable(format!("a blocking task failed: {e}")))?
}

impl Worker {
    pub fn new(
        database: Arc<Database>,
        routing: Arc<Routing>,
        catalogue: Arc<Catalogue>,
        wakeup: Arc<Wakeup>,
        clock: Clock,
        settings: DeliverySettings,
    ) -> Result<Worker, WorkerError> {
        settings
            .sender
            .parse::<lettre::message::Mailbox>()
            .map_err(|_| WorkerError::Sender(settings.sender.clone()))?;
        let smtp = settings
            .smtp_url
            .as_deref()
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map(|builder| builder.timeout(Some(SEND_TIMEOUT)).build())
                    .map_err(|e| WorkerError::SmtpUrl(e.to_string()))
            })
            .transpose()?;
        if smtp.is_none() {
            tracing::warn!("TRYGG_SMTP_URL is not set: alert e-mails are queued until it is");
        }
        Ok(Worker {
            database,
            routing,
            catalogue,
            wakeup,
            clock,
            settings,
            smtp,
        })
    }

    /// Runs until the process ends. Must run on the actix runtime (it uses `awc`).
    pub async fn run(self) {
        let mut last_scheduled: Option<std::time::Instant> = None;
        loop {
            // Escalations and reminders work in minutes: look for them once per poll interval,
            // not on every wake-up a filing causes.
            if last_scheduled.is_none_or(|at| at.elapsed() >= self.settings.poll_interval) {
                last_scheduled = Some(std::time::Instant::now());
                if let Err(error) = self.schedule().await {
                    tracing::warn!(%error, "could not raise escalations and reminders");
                }
            }
            loop {
                match self.deliver_due().await {
                    Ok(0) => break,
                    Ok(_) => continue,
                    Err(error) => {
                        tracing::warn!(%error, "could not claim alert deliveries");
                        break;
                    }
                }
            }
            let woken = tokio::time::timeout(self.settings.poll_interval, self.wakeup.notified());
            if woken.await.is_ok() {
                tokio::time::sleep(GATHER).await;
            }
        }
    }

    /// Claims and sends one batch; returns how many were claimed.
    async fn deliver_due(&self) -> Result<usize, StorageError> {
        let (database, lease) = (self.database.clone(), self.settings.lease);
        // Without an SMTP server, e-mails stay queued rather than spend their attempts.
        let channels: &'static [Channel] = if self.smtp.is_some() {
            &[Channel::Email, Channel::Webhook]
        } else {
            &[Channel::Webhook]
        };
        let now = self.clock.now();
        let due =
            blocking(move || database.claim_deliveries(channels, now, lease, CLAIM_BATCH)).await?;
        let count = due.len();
        if count == 0 {
            return Ok(0);
        }
        // Concurrently: a slow or failing receiver does not hold up the others.
        let sends = due.into_iter().map(|delivery| self.deliver(delivery));
        let outcomes = futures_util::future::join_all(sends).await;
        let database = self.database.clone();
        blocking(move || database.record_deliveries(outcomes)).await?;
        Ok(count)
    }

    /// Sends one delivery and says how it went.
    async fn deliver(&self, delivery: DueDelivery) -> DeliveryOutcome {
        let content = AlertContent::new(&delivery, &self.catalogue, &self.settings.public_url);
        let sent = match delivery.channel {
            Channel::Email => self.send_email(&delivery, &content).await,
            Channel::Webhook => self.send_webhook(&delivery, &content).await,
        };
        let (case, receiver, channel) =
            (&content.case_number, &delivery.receiver, delivery.channel);
        let result = match sent {
            Ok(()) => {
                tracing::info!(%case, %receiver, %channel, "alert delivered");
                Ok(self.clock.now())
            }
            Err(failure) => {
                let attempts = delivery.attempts + 1;
                let retry_at = (!failure.permanent && attempts < self.settings.max_attempts)
                    .then(|| self.clock.now() + self.backoff(attempts));
                tracing::warn!(%case, %receiver, %channel, attempts, parked = retry_at.is_none(), failure = failure.kind.code(), error = %failure.message, "alert not delivered");
                Err(Undelivered {
                    failure: failure.kind,
                    error: failure.message,
                    retry_at,
                })
            }
        };
        DeliveryOutcome {
            seq: delivery.seq,
            result,
        }
    }

    /// `base * 2^(attempts-1)`, capped, plus up to `base` of jitter so receivers that failed
    /// together are not retried together.
    fn backoff(&self, attempts: i64) -> Duration {
        let base = self.settings.backoff_base;
        let exponential = base * 2_i32.saturating_pow((attempts - 1).clamp(0, 20) as u32);
        let jitter_ms =
            (uuid::Uuid::new_v4().as_u128() % (base.num_milliseconds().max(1) as u128)) as i64;
        exponential.min(MAX_BACKOFF) + Duration::milliseconds(jitter_ms)
    }

    async fn send_email(
        &self,
        delivery: &DueDelivery,
        content: &AlertContent,
    ) -> Result<(), Failure> {
        let Some(smtp) = &self.smtp else {
            return Err(Failure::transient(
                DeliveryFailure::NotConfigured,
                "no SMTP server is configured (TRYGG_SMTP_URL)",
            ));
        };
        let bad_address = |error| Failure::permanent(DeliveryFailure::BadAddress, error);
        let message = Message::builder()
            .from(self.settings.sender.parse().map_err(bad_address)?)
            .to(delivery.target.parse().map_err(bad_address)?)
            .message_id(Some(delivery.message_id.clone()))
            .subject(content.subject())
            .header(ContentType::TEXT_PLAIN)
            .body(content.body())
            .map_err(|error| Failure::permanent(DeliveryFailure::Unexpected, error))?;
        smtp.send(message).await.map(drop).map_err(Failure::smtp)
    }

    async fn send_webhook(
        &self,
        delivery: &DueDelivery,
        content: &AlertContent,
    ) -> Result<(), Failure> {
        let hook = self
            .routing
            .receiver(&delivery.receiver)
            .and_then(|receiver| {
                receiver
                    .webhooks
                    .iter()
                    .find(|hook| hook.url.as_str() == delivery.target)
            })
            .ok_or_else(|| {
                Failure::permanent(
                    DeliveryFailure::BadAddress,
                    "this webhook is no longer in the routing rules",
                )
            })?;
        if !hook.allow_private && resolves_internally(&delivery.target).await {
            return Err(Failure::permanent(
                DeliveryFailure::BadAddress,
                "the webhook's host resolves to an internal address",
            ));
        }
        let body = content.webhook_body();
        // The protocol's timestamp, which the receiver checks against its own clock: the
        // machine's time, not the service's.
        let timestamp = Utc::now().timestamp();
        let signature = sign_webhook(&hook.secret, &delivery.message_id, timestamp, &body);
        let client = awc::Client::builder().timeout(SEND_TIMEOUT).finish();
        let response = client
            .post(&delivery.target)
            .insert_header(("content-type", "application/json"))
            .insert_header(("webhook-id", delivery.message_id.as_str()))
            .insert_header(("webhook-timestamp", timestamp.to_string()))
            .insert_header(("webhook-signature", signature))
            .send_body(body)
            .await
            .map_err(|error| Failure::transient(DeliveryFailure::Unreachable, error))?;
        let status = response.status();
        let answered = format!("the webhook answered {status}");
        match status.as_u16() {
            200..=299 => Ok(()),
            408 | 429 | 500..=599 => Err(Failure::transient(DeliveryFailure::Deferred, answered)),
            _ => Err(Failure::permanent(DeliveryFailure::Refused, answered)),
        }
    }

    /// Raises escalations for unacknowledged high and serious alerts, and the 12- and 20-hour
    /// Arbetsmiljöverket reminders.
    async fn schedule(&self) -> Result<(), StorageError> {
        let now = self.clock.now();
        let before = now - self.settings.escalate_after;
        let (database, routing) = (self.database.clone(), self.routing.clone());
        let raised = blocking(move || {
            let mut raised = 0;
            let escalation_receiver = routing.escalation_receiver().to_owned();
            for case in database.unacknowledged(
                before,
                &[Severity::High, Severity::Serious],
                &escalation_receiver,
            )? {
                let alert = routing.escalation_alert(AlertReason::Escalated);
                raised += database.raise_alerts(case, vec![alert], Some(before))?;
            }
            // A reminder once a case has waited this long: for the cases whose deadline falls
            // within the rest of it.
            let after_hours =
                |hours: i64| now + (WORK_ENVIRONMENT_DEADLINE - Duration::hours(hours));
            let reminders = [
                (
                    AlertReason::AuthorityReminder12h,
                    after_hours((WORK_ENVIRONMENT_DEADLINE - DEADLINE_AT_RISK_WITHIN).num_hours()),
                ),
                (AlertReason::AuthorityReminder20h, after_hours(20)),
            ];
            for (reason, due_by) in reminders {
                for case in database.authority_reminders_due(due_by, reason)? {
                    raised += database.raise_alerts(
                        case,
                        vec![routing.escalation_alert(reason)],
                        None,
                    )?;
                }
            }
            Ok(raised)
        })
        .await?;
        if raised > 0 {
            tracing::info!(raised, "escalations and reminders raised");
        }
        Ok(())
    }
}

/// Whether a URL's host resolves to loopback or a private network (a DNS name can point
/// anywhere, whatever the routing file says).
async fn resolves_internally(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let default_port = if url.starts_with("https://") { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') && !authority.starts_with('[') => {
            (host.to_owned(), port.parse().unwrap_or(default_port))
        }
        _ => (
            authority
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .to_owned(),
            default_port,
        ),
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        return is_internal(ip);
    }
    match tokio::net::lookup_host((host.as_str(), port)).await {
        Ok(mut addresses) => addresses.any(|address| is_internal(address.ip())),
        Err(_) => false,
    }
}
