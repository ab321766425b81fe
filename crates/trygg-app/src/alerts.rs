//! Answering alerts: their receivers acknowledge them; security managers send failed
//! deliveries again.

use trygg_domain::{DeliveryState, Principal};
use trygg_storage::{Acknowledged, AlertFilter, AlertRecord};
use uuid::Uuid;

use crate::{App, Error, security_manager};

/// How many alerts had their failed deliveries queued again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retried(pub i64);

/// A page of alerts, with how many there are of its kind and how many failed.
#[derive(Debug)]
pub struct AlertList {
    pub alerts: Vec<AlertRecord>,
    pub total: i64,
    pub failed_total: i64,
}

const ONLY_SECURITY_MANAGERS: &str = "only security managers list alerts";

impl App {
    /// Whether `by` may list alerts: for a front end to say so before it reads what was asked.
    pub fn may_list_alerts(&self, by: &Principal) -> Result<(), Error> {
        security_manager(by, ONLY_SECURITY_MANAGERS)
    }

    /// The alerts `filter` selects, newest first.
    pub async fn alerts(
        &self,
        by: &Principal,
        filter: AlertFilter,
    ) -> Result<Vec<AlertRecord>, Error> {
        self.may_list_alerts(by)?;
        self.blocking(move |app| Ok(app.database.alerts(&filter)?))
            .await
    }

    /// The alert `id`, for its receiver to acknowledge and for security managers to read.
    pub async fn alert(&self, by: &Principal, id: Uuid) -> Result<AlertRecord, Error> {
        let principal = by.clone();
        let alert = self
            .blocking(move |app| {
                let alert = app.database.alerts(&AlertFilter::alert(id))?.pop();
                alert.ok_or(Error::NotFound)
            })
            .await?;
        if self.acknowledges(&principal, &alert.receiver) {
            return Ok(alert);
        }
        security_manager(
            by,
            "only the alert's receiver and security managers read it",
        )?;
        Ok(alert)
    }

    /// Whether `by` acknowledges alerts for `receiver`.
    pub fn acknowledges(&self, by: &Principal, receiver: &str) -> bool {
        self.routing
            .receiver(receiver)
            .is_some_and(|r| r.is_acknowledged_by(by))
    }

    /// A page of the alerts in `state` (any, when `None`), with their total and how many
    /// failed.
    pub async fn alert_list(
        &self,
        by: &Principal,
        state: Option<DeliveryState>,
        limit: i64,
        offset: i64,
    ) -> Result<AlertList, Error> {
        self.may_list_alerts(by)?;
        self.blocking(move |app| {
            let database = &app.database;
            let total = database.count_alerts(state)?;
            let failed_total = match state {
                Some(DeliveryState::Failed) => total,
                _ => database.count_alerts(Some(DeliveryState::Failed))?,
            };
            let filter = AlertFilter {
                state,
                limit,
                offset,
                ..AlertFilter::default()
            };
            Ok(AlertList {
                alerts: database.alerts(&filter)?,
                total,
                failed_total,
            })
        })
        .await
    }

    /// Acknowledges alert `id` for its receiver: `by` must acknowledge for it. The first
    /// acknowledgement stands.
    pub async fn acknowledge_alert(
        &self,
        by: &Principal,
        id: Uuid,
        comment: Option<String>,
    ) -> Result<AlertRecord, Error> {
        let (principal, subject) = (by.clone(), by.subject().to_owned());
        self.blocking(move |app| {
            let judge = app.clone();
            let is_receiver = move |receiver: &str| judge.acknowledges(&principal, receiver);
            match app
                .database
                .acknowledge_alert(id, subject, comment, is_receiver)?
            {
                Acknowledged::Done(alert) => Ok(*alert),
                Acknowledged::NotFound => Err(Error::NotFound),
                Acknowledged::NotReceiver => Err(Error::Forbidden(
                    "you do not acknowledge for this alert's receiver",
                )),
            }
        })
        .await
    }

    /// Queues alert `id`'s failed deliveries again and answers with the alert; an alert with
    /// none failed is [`Error::NothingToRetry`].
    pub async fn retry_alert(&self, by: &Principal, id: Uuid) -> Result<AlertRecord, Error> {
        security_manager(by, "only security managers retry alerts")?;
        self.blocking(move |app| {
            let retried = app.database.retry_alert(id)?;
            if retried {
                // Committed: the worker sends them whatever reading the alert back comes to.
                app.wake_alert_worker();
            }
            let alert = app.database.alerts(&AlertFilter::alert(id))?.pop();
            let alert = alert.ok_or(Error::NotFound)?;
            if retried {
                Ok(alert)
            } else {
                Err(Error::NothingToRetry)
            }
        })
        .await
    }

    /// Queues every failed delivery again, after an outage: one action, in the service's log
    /// with who took it.
    pub async fn retry_failed_alerts(&self, by: &Principal) -> Result<Retried, Error> {
        security_manager(by, "only security managers retry alerts")?;
        let alerts = self
            .blocking(|app| Ok(app.database.retry_failed_alerts()?))
            .await?;
        tracing::info!(by = by.subject(), alerts, "every failed alert queued again");
        if alerts > 0 {
            self.wake_alert_worker();
        }
        Ok(Retried(alerts))
    }
}
