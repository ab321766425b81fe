//! Alert plans: who is alerted about a case and how, as routing decides it, before anything is
//! written or sent. An alert carries codes and times only, never names or free text.

use uuid::Uuid;

use crate::codes::{AlertReason, Channel};

/// An alert to raise for a receiver, written with the change that causes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAlert {
    pub id: Uuid,
    pub receiver: String,
    pub reason: AlertReason,
    pub deliveries: Vec<PlannedDelivery>,
}

/// One way an alert goes out; `message_id` is stable across retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDelivery {
    pub channel: Channel,
    pub target: String,
    pub message_id: String,
}
