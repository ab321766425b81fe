//! Trygg's use cases: filing a report, working a case, answering alerts. Each is written once,
//! here, and called by both front ends (the JSON API and the pages), which turn its typed
//! outcome into their own answer: problem+json, or a page with its form errors.
//!
//! A use case checks who may do it, applies the domain's rules to the case as it is inside
//! storage's unit of work, reads back what its caller answers with (logged in the access log as
//! every read of case content is), and wakes the alert worker once what it wrote is committed.
//! Storage runs on the blocking pool: a read or a change makes one trip there, with what it
//! answers with.

mod alerts;
pub mod attachments;
mod audit;
mod case_work;
mod drafts;
mod error;
mod filing;
mod people;
mod reading;
mod service;
mod statistics;

use std::sync::Arc;

use trygg_domain::{Allowances, Catalogue, Clock, Principal, Role};
use trygg_notifier::Wakeup;
use trygg_storage::{Database, DisclosureControl};

pub use alerts::{AlertList, Retried};
pub use audit::AccessEntries;
pub use case_work::{ActionChange, Answer, Answered, Change, Changed};
pub use error::Error;
pub use filing::{Admitted, Filed, FilingKey, Replay, Replayed};
pub use reading::{CaseDesk, Cases, OwnReport, OwnReports, QueueListing};
pub use service::ServiceState;
pub use statistics::Published;
pub use trygg_notifier::{Acknowledger, AlertFacts, Receiver, Routing};
/// What the use cases give back and take, as the front ends show and ask for it.
pub use trygg_storage::{
    AccessEntry, AccessFilter, AccessPage, Action, AlertFilter, AlertRecord, CaseFile, Comment,
    Incident, IncidentFilter, Liveness, MAX_PAGE_SIZE, Person, Purpose, QueueList, QueueOrder,
    QueueQuery, Release, Seen,
};

/// The service's use cases over its state, built once at start-up and shared by every worker
/// of both front ends; a clone shares the same parts.
#[derive(Debug, Clone)]
pub struct App(Arc<Parts>);

/// What the application is built of, wired once at start-up.
pub struct Parts {
    pub database: Arc<Database>,
    pub catalogue: Arc<Catalogue>,
    pub routing: Arc<Routing>,
    /// Wakes the alert worker when there is something new to deliver.
    pub wakeup: Arc<Wakeup>,
    pub clock: Clock,
    /// The rate limits both front ends spend.
    pub allowances: Arc<dyn Allowances>,
    pub disclosure: Arc<DisclosureControl>,
}

impl std::fmt::Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parts")
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// The use cases reach their parts as fields (`self.database`).
impl std::ops::Deref for App {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl App {
    pub fn new(parts: Parts) -> App {
        App(Arc::new(parts))
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Who is alerted about what: the receivers, as people know them.
    pub fn routing(&self) -> &Routing {
        &self.routing
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

/// Refuses anyone but a security manager, saying why.
fn security_manager(by: &Principal, refusal: &'static str) -> Result<(), Error> {
    if by.has(Role::SecurityManager) {
        Ok(())
    } else {
        Err(Error::Forbidden(refusal))
    }
}
