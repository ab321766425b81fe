//! Why a use case did not do what was asked: the domain's reasons, for each front end to say
//! in its own way (a status and a problem document, or a page and its form errors).

use std::time::Duration;

use trygg_domain::statistics::StatisticsError;
use trygg_domain::{ReportError, WorkflowError};
use trygg_storage::{PublishError, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such case (or action, or alert) among those the caller may see: a case they may not
    /// see reads exactly like one that does not exist.
    #[error("not found")]
    NotFound,
    /// The case has no action with the id given.
    #[error("the case has no action with this id")]
    NoSuchAction,
    /// The caller's own report, outside the cases they work: they know it exists (they filed
    /// it), and its case work is for others.
    #[error("this is your own report: its case work is for those who work its offices' cases")]
    NotYoursToWork,
    /// The caller's roles do not allow this at all.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The case changed since the caller read it.
    #[error("the case has changed since it was read (it is now at version {current_version})")]
    Stale { current_version: i64 },
    /// The change breaks a rule of the case's workflow.
    #[error(transparent)]
    Rule(#[from] WorkflowError),
    /// The report breaks the rules of a report.
    #[error(transparent)]
    InvalidReport(#[from] ReportError),
    /// A statistics question that cannot be answered as asked (too sparse, not published).
    #[error(transparent)]
    Statistics(#[from] StatisticsError),
    /// The caller has used up an allowance (`what` they did too often); the next comes after
    /// `wait`.
    #[error("too many {what}")]
    TooMany { what: &'static str, wait: Duration },
    /// A filing's idempotency key was used before for another report.
    #[error("this idempotency key was used for a different report")]
    KeyReused,
    /// An alert without failed deliveries was asked to be sent again.
    #[error("the alert has no failed deliveries")]
    NothingToRetry,
    /// The database is busy or unreachable: the same request may succeed shortly.
    #[error("the database is unavailable")]
    Unavailable,
    /// Anything else: a fault of the service, never of the request.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StorageError> for Error {
    fn from(error: StorageError) -> Self {
        if error.is_retryable() {
            tracing::warn!(%error, "database unavailable");
            Error::Unavailable
        } else {
            Error::Internal(error.to_string())
        }
    }
}

impl From<PublishError> for Error {
    fn from(error: PublishError) -> Self {
        match error {
            PublishError::Statistics(error) => Error::Statistics(error),
            PublishError::Storage(error) => error.into(),
        }
    }
}
