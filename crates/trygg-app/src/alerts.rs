//! Answering alerts: their receivers acknowledge them; security managers send failed
//! deliveries again.

use trygg_domain::{Principal, Role};
use trygg_storage::{Acknowledged, AlertFilter, AlertRecord};
use uuid::Uuid;

use crate::{App, Error};

/// How many alerts had their failed deliveries queued again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retried(pub i64);

impl App {
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
            let routing = app.routing.clone();
            let is_receiver = move |receiver: &str| {
                routing
                    .receiver(receiver)
                    .is_some_and(|r| r.is_acknowledged_by(&principal))
            };
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
        let alert = self
            .blocking(move |app| {
                let filter = AlertFilter {
                    id: Some(id),
                    limit: 1,
                    ..AlertFilter::default()
                };
                let retried = app.database.retry_alert(id)?;
                let alert = app.database.alerts(&filter)?.pop().ok_or(Error::NotFound)?;
                if retried {
                    Ok(alert)
                } else {
                    Err(Error::NothingToRetry)
                }
            })
            .await?;
        self.wake_alert_worker();
        Ok(alert)
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

fn security_manager(by: &Principal, refusal: &'static str) -> Result<(), Error> {
    if by.has(Role::SecurityManager) {
        Ok(())
    } else {
        Err(Error::Forbidden(refusal))
    }
}
