//! Trygg's storage: one schema and one set of diesel queries over SQLite (the embedded default)
//! and PostgreSQL, with the migrations for each embedded in the binary.

mod access_log;
mod actions;
mod alerts;
mod backup;
mod case;
mod case_file;
mod case_work;
mod comments;
mod database;
mod deadline;
mod drafts;
mod error;
mod filing;
mod fixed_sql;
mod incidents;
mod migrations;
mod people;
#[cfg(test)]
mod plan;
mod queue;
mod retention;
mod schema;
mod sessions;
mod statistics;
#[cfg(test)]
mod test_database;
mod unnest;

pub use access_log::{
    AccessEntry, AccessFilter, AccessLogKey, AccessLogKeys, AccessPage, Breakage, ChainReport,
    Purpose, Reader, Unread, WeakKey, anchors_in,
};
pub use actions::{Action, ActionUpdate, NewAction};
pub use alerts::{
    Acknowledged, AlertCase, AlertFilter, AlertRecord, DeliveryOutcome, DeliveryRecord,
    DueDelivery, OutboxState, Undelivered,
};
pub use backup::{Backup, BackupError};
pub use case::Incident;
pub use case_file::CaseFile;
pub use case_work::{Amended, Amendment};
pub use comments::Comment;
pub use database::{Backend, Database, DatabaseUrl, PoolState};
pub use error::StorageError;
pub use filing::{Filing, IdempotencyKey, NewIncident};
pub use incidents::{IncidentFilter, IncidentPage, MAX_PAGE_SIZE};
pub use people::{Person, Seen};
pub use queue::{Queue, QueueList, QueueOrder, QueueQuery};
pub use retention::Purgeable;
pub use sessions::Liveness;
pub use statistics::{Counts, DisclosureControl, Measures, Outcomes, PublishError, Release};
