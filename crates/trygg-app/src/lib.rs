//! Trygg's use cases: filing a report, working a case, answering alerts. Each is written once,
//! here, and called by both front ends (the JSON API and the pages), which turn its typed
//! outcome into their own answer: problem+json, or a page with its form errors.
//!
//! A use case checks who may do it, applies the domain's rules to the case as it is inside
//! storage's unit of work, reads back what its caller answers with (logged in the access log as
//! every read of case content is), and wakes the alert worker once what it wrote is committed.
//! Each makes one trip to the blocking pool, where storage runs.

mod alerts;
mod case_work;
mod error;
mod filing;
mod reading;

use std::sync::Arc;

use trygg_domain::{Allowances, Catalogue, Clock};
use trygg_notifier::{Routing, Wakeup};
use trygg_storage::Database;

pub use alerts::Retried;
pub use case_work::{ActionChange, Answer, Answered, Change, Changed};
pub use error::Error;
pub use filing::{Filed, FilingKey, Replay, Replayed};
pub use reading::{CaseDesk, OwnReport, OwnReports, QueueListing};

/// The service's use cases over its state, built once at start-up and shared by every worker
/// of both front ends.
#[derive(Clone)]
pub struct App {
    database: Arc<Database>,
    catalogue: Arc<Catalogue>,
    routing: Arc<Routing>,
    wakeup: Arc<Wakeup>,
    clock: Clock,
    allowances: Arc<dyn Allowances>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl App {
    pub fn new(
        database: Arc<Database>,
        catalogue: Arc<Catalogue>,
        routing: Arc<Routing>,
        wakeup: Arc<Wakeup>,
        clock: Clock,
        allowances: Arc<dyn Allowances>,
    ) -> App {
        App {
            database,
            catalogue,
            routing,
            wakeup,
            clock,
            allowances,
        }
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Runs `job` on the blocking pool, where storage's synchronous calls belong.
    async fn blocking<T: Send + 'static>(
        &self,
        job: impl FnOnce(&App) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let app = self.clone();
        tokio::task::spawn_blocking(move || job(&app))
            .await
            .map_err(|failed| Error::Internal(failed.to_string()))?
    }

    /// Tells the alert worker there is something new in the outbox; called only after the
    /// unit of work that put it there has committed.
    fn wake_alert_worker(&self) {
        self.wakeup.notify_one();
    }
}
