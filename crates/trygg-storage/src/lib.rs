//! Trygg's storage: one schema and one set of diesel queries over SQLite (the embedded default)
//! and PostgreSQL, with the migrations for each embedded in the binary.

mod access_log;
mod alerts;
mod backup;
mod case_work;
mod comments;
mod database;
mod deadline;
mod drafts;
mod error;
mod fixed_sql;
mod incidents;
mod people;
#[cfg(test)]
mod plan;
mod queue;
mod retention;
mod schema;
mod sessions;
mod sqlite_writer;
mod statistics;
#[cfg(test)]
mod test_database;
mod unnest;

pub use access_log::{
    AccessEntry, AccessFilter, AccessLogKey, AccessLogKeys, AccessPage, Breakage, ChainReport,
    Purpose, Reader, Unread, WeakKey, anchors_in,
};
pub use alerts::{
    Acknowledged, AlertCase, AlertFilter, AlertRecord, DeliveryOutcome, DeliveryRecord,
    DueDelivery, OutboxState, Undelivered,
};
pub use backup::{Backup, BackupError};
pub use case_work::{Action, ActionUpdate, Amended, Amendment, CaseFile, NewAction};
pub use comments::Comment;
pub use database::{Backend, Database, DatabaseUrl, DbConnection, PoolState};
pub use error::StorageError;
pub use incidents::{
    Filing, IdempotencyKey, Incident, IncidentFilter, IncidentPage, MAX_PAGE_SIZE, NewIncident,
    insert_incident,
};
pub use people::{Person, Seen};
pub use queue::{Queue, QueueList, QueueOrder, QueueQuery};
pub use retention::Purgeable;
pub use sessions::Liveness;
pub use statistics::{Counts, DisclosureControl, Measures, Outcomes, PublishError, Release};
