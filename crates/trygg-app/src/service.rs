//! The service's own health, for probes and the metrics scrape.

use trygg_storage::{OutboxState, PoolState};

use crate::{App, Error};

/// What the metrics report of the service's state.
#[derive(Debug)]
pub struct ServiceState {
    pub outbox: OutboxState,
    pub pool: PoolState,
    /// Cases filed by this process.
    pub filings: u64,
    /// Access-log entries this process appended.
    pub access_log_appends: u64,
}

impl App {
    /// Whether the database answers and is migrated.
    pub async fn is_ready(&self) -> Result<bool, Error> {
        self.blocking(|app| Ok(app.database.is_ready()?)).await
    }

    /// The outbox, the connection pool and this process's counters.
    pub async fn service_state(&self) -> Result<ServiceState, Error> {
        self.blocking(|app| {
            let database = &app.database;
            Ok(ServiceState {
                outbox: database.outbox_state()?,
                pool: database.pool_state(),
                filings: database.filings(),
                access_log_appends: database.access_log_appends(),
            })
        })
        .await
    }
}
