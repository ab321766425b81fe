//! The access log: who read which case, when and through which endpoint.
//!
//! Append-only (no code path updates or deletes it, and triggers refuse it), and chained: each
//! entry's seal covers the previous entry's seal and its own fields, so editing, removing or
//! inserting an entry is detected by [`Database::verify_access_log`]. A seal is an
//! HMAC-SHA256 under a key the database does not hold ([`AccessLogKey`]), so whoever has the
//! database alone (a copy, a dump, its administrator) cannot rewrite the chain to match.
//!
//! Each service instance appends to a chain of its own, so instances sharing a database never
//! wait for one another. Within an instance, reads logged at the same moment share one
//! transaction: one caller at a time leads, writing every entry waiting, then hands the lead
//! to the next waiting caller (so no caller leads for long); the others wait to be told their
//! entries are committed, and only then is the read answered.
//!
//! Removing the newest entries of a chain leaves what remains intact, so the instance writes
//! its chain's head outside the database now and then ([`ANCHOR_EVERY`](seal::ANCHOR_EVERY)): to the service log,
//! and to an append-only heads file when one is configured ([`Database::record_heads_in`]). An
//! auditor checks those heads with `trygg audit verify --anchor` or `--anchors-from`.

mod appender;
mod seal;
#[cfg(test)]
mod tests;
mod verify;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

pub(crate) use appender::Appender;
pub use seal::{AccessLogKey, AccessLogKeys, WeakKey};
pub use verify::{Breakage, ChainReport, anchors_in};

use crate::database::Database;
use crate::error::StorageError;
use crate::schema::access_log;

/// One read of one case.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = access_log)]
pub struct AccessEntry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub incident_id: String,
    pub purpose: String,
    pub prev_hash: String,
    pub hash: String,
    /// The id of the key that sealed the entry; empty before entries were sealed.
    pub key_id: String,
}

impl AccessEntry {
    pub fn at(&self) -> DateTime<Utc> {
        self.at.and_utc()
    }
}

/// Why case content leaves storage: each names the access-log entries it writes, by the texts
/// the log has always used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The API's case.
    ReadIncident,
    /// The API's list of cases.
    ListIncidents,
    /// The API's actions of a case.
    ReadActions,
    /// The API's comments of a case.
    ReadComments,
    /// The API's timeline of a case.
    ReadTimeline,
    /// The API's queue.
    ReadQueue,
    /// The API's routing of a case.
    RoutingPreview,
    /// The API's answer to a change of a case: the case, or the action changed.
    CaseWorkAnswer,
    /// The API's answer to a filing sent again: the case the first one filed.
    FilingReplay,
    /// The case page.
    WebCase,
    /// The queue page.
    WebQueue,
    /// "Mina rapporter".
    WebMyReports,
    /// A reporter's own report.
    WebReport,
    /// The receipt after filing.
    WebReceipt,
}

impl Purpose {
    pub const ALL: [Purpose; 14] = [
        Purpose::ReadIncident,
        Purpose::ListIncidents,
        Purpose::ReadActions,
        Purpose::ReadComments,
        Purpose::ReadTimeline,
        Purpose::ReadQueue,
        Purpose::RoutingPreview,
        Purpose::CaseWorkAnswer,
        Purpose::FilingReplay,
        Purpose::WebCase,
        Purpose::WebQueue,
        Purpose::WebMyReports,
        Purpose::WebReport,
        Purpose::WebReceipt,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Purpose::ReadIncident => "read_incident",
            Purpose::ListIncidents => "list_incidents",
            Purpose::ReadActions => "read_actions",
            Purpose::ReadComments => "read_comments",
            Purpose::ReadTimeline => "read_timeline",
            Purpose::ReadQueue => "read_queue",
            Purpose::RoutingPreview => "routing_preview",
            Purpose::CaseWorkAnswer => "case_work_answer",
            Purpose::FilingReplay => "filing_replay",
            Purpose::WebCase => "web_case",
            Purpose::WebQueue => "web_queue",
            Purpose::WebMyReports => "web_my_reports",
            Purpose::WebReport => "web_report",
            Purpose::WebReceipt => "web_receipt",
        }
    }
}

/// Who reads case content, and why: every read of case content storage offers takes one, and
/// logs it before the content is handed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub subject: String,
    pub purpose: Purpose,
}

impl Reader {
    pub fn new(subject: &str, purpose: Purpose) -> Reader {
        Reader {
            subject: subject.to_owned(),
            purpose,
        }
    }
}

/// Case content storage has read and not yet handed over: only [`Unread::read_by`], which logs
/// the read first, opens it. What else a caller needs of it is outside.
#[derive(Debug)]
#[must_use]
pub struct Unread<T> {
    content: T,
    cases: Vec<Uuid>,
}

impl<T> Unread<T> {
    pub(crate) fn new(content: T, cases: Vec<Uuid>) -> Unread<T> {
        Unread { content, cases }
    }

    /// The content, its read of every case in it recorded first.
    pub fn read_by(self, database: &Database, reader: &Reader) -> Result<T, StorageError> {
        database.log_reads(reader, self.cases)?;
        Ok(self.content)
    }
}

/// Which entries to list, oldest first.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub incident_id: Option<Uuid>,
    pub actor: Option<String>,
    pub page: AccessPage,
    pub limit: i64,
}

/// Which way a listing of the access log runs, and where it goes on from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessPage {
    /// Oldest first, after this sequence number: an integration reading the log in order.
    OldestFirst { after: Option<i64> },
    /// Newest first, before this sequence number: a person looking into who read what lately.
    NewestFirst { before: Option<i64> },
}

impl Default for AccessPage {
    /// The whole log in order.
    fn default() -> AccessPage {
        AccessPage::OldestFirst { after: None }
    }
}

impl Database {
    /// Records that `reader` read these cases; returns once the entries are committed. Storage's
    /// reads of case content log themselves through it; it is public for the benchmarks.
    pub fn log_reads(&self, reader: &Reader, cases: Vec<Uuid>) -> Result<(), StorageError> {
        self.log_access(reader.subject.clone(), reader.purpose.code(), cases)
    }

    /// Hands back what a read of case `id` found, its read recorded first; a case not found, or
    /// not the reader's to see, logs nothing.
    pub(crate) fn log_found<T>(
        &self,
        found: Option<T>,
        id: Uuid,
        reader: &Reader,
    ) -> Result<Option<T>, StorageError> {
        if found.is_some() {
            self.log_reads(reader, vec![id])?;
        }
        Ok(found)
    }

    /// Entries matching the filter, oldest first.
    pub fn access_log(&self, filter: &AccessFilter) -> Result<Vec<AccessEntry>, StorageError> {
        let mut query = access_log::table
            .select(AccessEntry::as_select())
            .limit(filter.limit)
            .into_boxed();
        query = match filter.page {
            AccessPage::OldestFirst { after } => {
                let query = query.order(access_log::seq);
                match after {
                    Some(cursor) => query.filter(access_log::seq.gt(cursor)),
                    None => query,
                }
            }
            AccessPage::NewestFirst { before } => {
                let query = query.order(access_log::seq.desc());
                match before {
                    Some(cursor) => query.filter(access_log::seq.lt(cursor)),
                    None => query,
                }
            }
        };
        if let Some(id) = filter.incident_id {
            query = query.filter(access_log::incident_id.eq(id.to_string()));
        }
        if let Some(actor) = &filter.actor {
            query = query.filter(access_log::actor.eq(actor));
        }
        Ok(query.load(&mut *self.connection()?)?)
    }
}
