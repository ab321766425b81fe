//! The alert outbox: alerts written with the change that causes them (`write`), deliveries
//! claimed with a lease, retried, and parked when they keep failing (`outbox`), escalation and
//! reminders (`escalation`), and the alerts as the security manager lists and acknowledges them
//! (`listing`).

mod escalation;
mod listing;
mod outbox;
mod write;

use trygg_domain::UnknownCode;
use uuid::Uuid;

use crate::error::StorageError;

pub use listing::{Acknowledged, AlertFilter, AlertRecord, DeliveryRecord};
pub use outbox::{AlertCase, DeliveryOutcome, DueDelivery, OutboxState, Undelivered};
pub(crate) use write::{insert_alerts, write_alerts};

fn parse<T: std::str::FromStr<Err = UnknownCode>>(text: &str) -> Result<T, StorageError> {
    text.parse()
        .map_err(|e: UnknownCode| StorageError::Corrupt(e.to_string()))
}

fn uuid(text: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(text).map_err(|e| StorageError::Corrupt(e.to_string()))
}
