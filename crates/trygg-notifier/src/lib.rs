//! Trygg's alerts: who is alerted about which case (routing rules from configuration, in the
//! manner of Alertmanager's routes), checked at start.

mod address;
mod message;
mod routing;
mod worker;

pub use address::{AddressError, EmailAddress, WebhookUrl, is_internal};
pub use message::{AlertContent, sign_webhook};
pub use routing::{
    Acknowledger, AlertFacts, Receiver, ReceiverLabel, Routing, RoutingError, Webhook,
};
pub use worker::{DeliverySettings, Wakeup, Worker, WorkerError};
