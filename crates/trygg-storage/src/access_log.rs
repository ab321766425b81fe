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
//! its chain's head outside the database now and then ([`ANCHOR_EVERY`]): to the service log,
//! and to an append-only heads file when one is configured ([`Database::record_heads_in`]). An
//! auditor checks those heads with `trygg audit verify --anchor` or `--anchors-from`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::schema::access_log;
use crate::unnest::{Column, push_unnest};

/// The hash before the first entry of the chain from before chains were per instance.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const VERIFY_PAGE: i64 = 1_000;
/// How many entries an instance appends between two heads written outside the database.
pub const ANCHOR_EVERY: u64 = 1_000;

/// The shortest key accepted: 256 bits.
pub const MIN_KEY_BYTES: usize = 32;

/// A key that seals access-log entries. Its id, derived from it, is stored with each entry, so
/// that after a rotation an auditor knows which key each entry needs.
#[derive(Clone)]
pub struct AccessLogKey {
    id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for AccessLogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessLogKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an access-log key must be at least {MIN_KEY_BYTES} bytes")]
pub struct WeakKey;

impl AccessLogKey {
    pub fn new(secret: &[u8]) -> Result<AccessLogKey, WeakKey> {
        if secret.len() < MIN_KEY_BYTES {
            return Err(WeakKey);
        }
        let digest = Sha256::digest([b"trygg access log key id\n".as_slice(), secret].concat());
        Ok(AccessLogKey {
            id: hex(&digest[..8]),
            secret: secret.to_vec(),
        })
    }

    /// A key of 256 random bits, for an instance given none: its entries cannot be verified
    /// once it is gone, which `verify` reports as an unknown key.
    pub fn ephemeral() -> AccessLogKey {
        let random: Vec<u8> = [Uuid::new_v4(), Uuid::new_v4()]
            .iter()
            .flat_map(|id| *id.as_bytes())
            .collect();
        AccessLogKey::new(&random).unwrap_or_else(|WeakKey| unreachable!("32 bytes"))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn seal(&self, text: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(text.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// The keys an instance seals with and verifies against: the current one, and those it
/// replaced (rotation), which only verify.
#[derive(Debug, Clone)]
pub struct AccessLogKeys {
    pub current: AccessLogKey,
    pub previous: Vec<AccessLogKey>,
}

impl AccessLogKeys {
    fn find(&self, id: &str) -> Option<&AccessLogKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.id == id)
    }
}

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

/// Why an entry does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breakage {
    /// Its seal or its link to the entry before does not match: edited, removed or inserted.
    Altered,
    /// Sealed with a key not given to the check (or an instance's own, now gone).
    UnknownKey(String),
    /// Not sealed: written before entries were sealed, or rewritten by someone without a key.
    Unsealed,
}

/// The result of walking every chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub entries: u64,
    /// The first entry that does not hold, and why.
    pub first_broken: Option<(i64, Breakage)>,
    /// Each chain's name, length and last hash.
    pub heads: Vec<(String, u64, String)>,
    /// The anchors asked about that no chain holds: what was cut off or never written here.
    pub missing_anchors: Vec<String>,
}

/// This instance's chain and the entries waiting to join it.
#[derive(Debug)]
pub(crate) struct Appender {
    chain: String,
    keys: AccessLogKeys,
    queue: Mutex<Queue>,
    /// The chain's last hash and length; only the leader touches it.
    head: Mutex<(String, u64)>,
    /// Where heads are appended besides the service log.
    heads_file: Option<PathBuf>,
}

/// The entries waiting, and whether a caller is leading (writing or about to).
#[derive(Debug, Default)]
struct Queue {
    waiting: Vec<Waiting>,
    led: bool,
}

/// What a waiting caller is told.
#[derive(Debug)]
enum Turn {
    /// Whether the batch holding its entries was committed.
    Done(Result<(), String>),
    /// Its entries are still waiting: it leads now.
    Lead,
}

impl Appender {
    pub(crate) fn new() -> Appender {
        let chain = Uuid::now_v7().to_string();
        Appender {
            keys: AccessLogKeys {
                current: AccessLogKey::ephemeral(),
                previous: Vec::new(),
            },
            head: Mutex::new((genesis(&chain), 0)),
            chain,
            queue: Mutex::default(),
            heads_file: None,
        }
    }

    /// Writes the chain's head to the service log and, when configured, the heads file: one
    /// line `<at> <chain> <entries> <head>`, flushed to disk before the lead passes on.
    fn anchor(&self, at: NaiveDateTime, entries: u64, head: &str) {
        tracing::info!(chain = %self.chain, entries, head, "access log head");
        let Some(path) = &self.heads_file else {
            return;
        };
        let line = format!(
            "{} {} {entries} {head}\n",
            at.and_utc().to_rfc3339(),
            self.chain
        );
        let appended = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| {
                file.write_all(line.as_bytes())?;
                file.sync_data()
            });
        // The entries are committed and the read may be answered; a head that could not be
        // written weakens only the truncation check, which the operator must hear about.
        if let Err(error) = appended {
            tracing::error!(path = %path.display(), %error, "the access log head could not be written");
        }
    }
}

/// The heads in a heads file (the last field of each line), for `verify_access_log`.
pub fn anchors_in(heads_file: &Path) -> std::io::Result<Vec<String>> {
    Ok(std::fs::read_to_string(heads_file)?
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .map(str::to_owned)
        .collect())
}

/// The hash before a chain's first entry: its name's, so that no two chains share a hash
/// (the same reads on two instances would otherwise chain alike) and no entry can be moved
/// to another chain.
fn genesis(chain: &str) -> String {
    if chain.is_empty() {
        return GENESIS.to_owned();
    }
    hex(&Sha256::digest(
        format!("trygg access log chain {chain}").as_bytes(),
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The reads of one request, waiting to be logged.
#[derive(Debug)]
struct Waiting {
    at: NaiveDateTime,
    actor: String,
    purpose: &'static str,
    incident_ids: Vec<Uuid>,
    turn: mpsc::Sender<Turn>,
}

/// Mutexes here guard plain data that a panic cannot leave half changed.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The text an entry's seal covers: the link, every field and the key's id, length-prefixed
/// so that no two different entries have the same text.
fn sealed_text(
    prev: &str,
    at: NaiveDateTime,
    actor: &str,
    incident_id: &str,
    purpose: &str,
    key_id: &str,
) -> String {
    format!(
        "{prev}\n{}\n{}:{actor}\n{}:{incident_id}\n{}:{purpose}\n{key_id}",
        at.format("%Y-%m-%dT%H:%M:%S%.6f"),
        actor.len(),
        incident_id.len(),
        purpose.len(),
    )
}

impl AccessEntry {
    /// Whether the entry follows `prev` under one of `keys`.
    fn check(&self, prev: &str, keys: &AccessLogKeys) -> Result<(), Breakage> {
        if self.key_id.is_empty() {
            return Err(Breakage::Unsealed);
        }
        let key = keys
            .find(&self.key_id)
            .ok_or_else(|| Breakage::UnknownKey(self.key_id.clone()))?;
        let text = sealed_text(
            prev,
            self.at,
            &self.actor,
            &self.incident_id,
            &self.purpose,
            &self.key_id,
        );
        if self.prev_hash == prev && self.hash == key.seal(&text) {
            Ok(())
        } else {
            Err(Breakage::Altered)
        }
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.at.and_utc()
    }
}

/// One entry, chained, to be written.
#[derive(Debug, Insertable)]
#[diesel(table_name = access_log)]
struct NewEntry {
    at: NaiveDateTime,
    actor: String,
    incident_id: String,
    purpose: &'static str,
    prev_hash: String,
    hash: String,
    chain: String,
    key_id: String,
}

/// A batch of entries as one PostgreSQL statement whose text does not depend on how many
/// there are (each column bound as an array, see [`crate::unnest`]), so each connection
/// prepares it once. The rows are numbered in the order of the arrays.
struct AppendStatement<'a> {
    columns: Vec<Column<'a>>,
}

impl<'a> AppendStatement<'a> {
    fn new(entries: &'a [NewEntry]) -> AppendStatement<'a> {
        let text =
            |field: fn(&'a NewEntry) -> &'a str| Column::Text(entries.iter().map(field).collect());
        AppendStatement {
            columns: vec![
                Column::Timestamp(entries.iter().map(|entry| entry.at).collect()),
                text(|entry| &entry.actor),
                text(|entry| &entry.incident_id),
                text(|entry| entry.purpose),
                text(|entry| &entry.prev_hash),
                text(|entry| &entry.hash),
                text(|entry| &entry.chain),
                text(|entry| &entry.key_id),
            ],
        }
    }
}

impl QueryFragment<Pg> for AppendStatement<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO access_log (at, actor, incident_id, purpose, prev_hash, hash, chain, key_id) \
             SELECT at, actor, incident_id, purpose, prev_hash, hash, chain, key_id FROM ",
        );
        push_unnest(out.reborrow(), &self.columns)?;
        out.push_sql(
            " WITH ORDINALITY AS entry \
             (at, actor, incident_id, purpose, prev_hash, hash, chain, key_id, n) ORDER BY n",
        );
        Ok(())
    }
}

/// The statement's identity: its text is the same for every batch (see the test below), so
/// diesel finds it prepared by this type without building and hashing the text each time.
struct AppendStatementId;

impl QueryId for AppendStatement<'_> {
    type QueryId = AppendStatementId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<PgConnection> for AppendStatement<'_> {}

impl Database {
    /// Records that `reader` read these cases; returns once the entries are committed. Storage's
    /// reads of case content log themselves through it; it is public for the benchmarks.
    pub fn log_reads(&self, reader: &Reader, cases: Vec<Uuid>) -> Result<(), StorageError> {
        self.log_access(reader.subject.clone(), reader.purpose.code(), cases)
    }

    /// Records that `actor` read these cases through `purpose`; returns once the entries are
    /// committed.
    fn log_access(
        &self,
        actor: String,
        purpose: &'static str,
        incident_ids: Vec<Uuid>,
    ) -> Result<(), StorageError> {
        if incident_ids.is_empty() {
            return Ok(());
        }
        let entries = incident_ids.len() as u64;
        // Microseconds: what both backends store, so the hash survives the round trip.
        let at = self.clock.now().trunc_subsecs(6).naive_utc();
        let (turn, told) = mpsc::channel();
        let mut leading = {
            let mut queue = lock(&self.appender.queue);
            queue.waiting.push(Waiting {
                at,
                actor,
                purpose,
                incident_ids,
                turn,
            });
            !std::mem::replace(&mut queue.led, true)
        };
        let committed = loop {
            if leading {
                self.lead();
            }
            match told.recv() {
                Ok(Turn::Done(committed)) => break committed,
                Ok(Turn::Lead) => leading = true,
                Err(mpsc::RecvError) => break Err("the access log appender stopped".into()),
            }
        };
        committed.map_err(StorageError::Unavailable)?;
        self.counters
            .access_log_appends
            .fetch_add(entries, Ordering::Relaxed);
        Ok(())
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

    /// Seals this instance's entries with `keys.current`, and verifies against all of `keys`.
    pub fn seal_access_log_with(mut self, keys: AccessLogKeys) -> Database {
        self.appender.keys = keys;
        self
    }

    /// Also appends this instance's chain heads to `path`, a file outside the database (on
    /// other storage, ideally write-once), so that cutting off the newest entries shows.
    pub fn record_heads_in(mut self, path: PathBuf) -> Database {
        self.appender.heads_file = Some(path);
        self
    }

    /// Writes every waiting entry as one batch, tells their callers, and hands the lead to the
    /// first caller that arrived meanwhile (or lets it go).
    fn lead(&self) {
        let batch = std::mem::take(&mut lock(&self.appender.queue).waiting);
        let mut head = lock(&self.appender.head);
        let written = self.append_batch(&mut head, &batch);
        if written.is_err() && batch.len() > 1 {
            // One caller's entries must never fail another's (an entry the database refuses,
            // say): the batch is written again caller by caller, each told its own outcome.
            for waiting in batch {
                let written = self.append_batch(&mut head, std::slice::from_ref(&waiting));
                let _ = waiting.turn.send(Turn::Done(written));
            }
        } else {
            for waiting in batch {
                // A caller that gave up waiting no longer listens; nothing to tell it.
                let _ = waiting.turn.send(Turn::Done(written.clone()));
            }
        }
        drop(head);
        let mut queue = lock(&self.appender.queue);
        while let Some(next) = queue.waiting.first() {
            if next.turn.send(Turn::Lead).is_ok() {
                return;
            }
            queue.waiting.remove(0);
        }
        queue.led = false;
    }

    /// Chains the batch's entries onto `head` and writes them in one statement; moves the head
    /// only once they are committed.
    fn append_batch(&self, head: &mut (String, u64), batch: &[Waiting]) -> Result<(), String> {
        let (mut prev, mut length) = head.clone();
        let key = &self.appender.keys.current;
        let mut entries = Vec::new();
        for waiting in batch {
            for id in &waiting.incident_ids {
                let incident_id = id.to_string();
                let hash = key.seal(&sealed_text(
                    &prev,
                    waiting.at,
                    &waiting.actor,
                    &incident_id,
                    waiting.purpose,
                    key.id(),
                ));
                entries.push(NewEntry {
                    at: waiting.at,
                    actor: waiting.actor.clone(),
                    incident_id,
                    purpose: waiting.purpose,
                    prev_hash: prev,
                    hash: hash.clone(),
                    chain: self.appender.chain.clone(),
                    key_id: key.id().to_owned(),
                });
                prev = hash;
                length += 1;
            }
        }
        // One statement, atomic by itself (on SQLite within the writer's transaction): the
        // entries take their sequence numbers in the order listed, the chain's.
        self.write_autocommit(move |conn| {
            let written = match conn {
                DbConnection::Postgresql(conn) => AppendStatement::new(&entries).execute(conn),
                DbConnection::Sqlite(conn) => entries.iter().try_fold(0, |written, entry| {
                    diesel::insert_into(access_log::table)
                        .values(entry)
                        .execute(conn)
                        .map(|rows| written + rows)
                }),
            };
            written.map_err(StorageError::from)
        })
        .map_err(|error| format!("the access log could not be written: {error}"))?;
        let checkpoint = head.1 == 0 || length / ANCHOR_EVERY > head.1 / ANCHOR_EVERY;
        if let (true, Some(last)) = (checkpoint, batch.last()) {
            self.appender.anchor(last.at, length, &prev);
        }
        *head = (prev, length);
        Ok(())
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

    /// Walks every chain under the keys it was given ([`Database::seal_access_log_with`]),
    /// reports the first entry that does not hold, and which of the `anchors` (heads the
    /// service logged) no chain holds.
    pub fn verify_access_log(&self, anchors: &[String]) -> Result<ChainReport, StorageError> {
        let mut conn = self.connection()?;
        let chains: Vec<String> = access_log::table
            .select(access_log::chain)
            .distinct()
            .order(access_log::chain)
            .load(&mut *conn)?;
        let mut report = ChainReport {
            entries: 0,
            first_broken: None,
            heads: Vec::new(),
            missing_anchors: anchors.to_vec(),
        };
        for chain in chains {
            let (mut prev, mut length, mut after) = (genesis(&chain), 0, 0);
            'pages: loop {
                let page: Vec<AccessEntry> = access_log::table
                    .filter(access_log::chain.eq(&chain))
                    .filter(access_log::seq.gt(after))
                    .order(access_log::seq)
                    .limit(VERIFY_PAGE)
                    .select(AccessEntry::as_select())
                    .load(&mut *conn)?;
                let Some(last) = page.last() else {
                    break;
                };
                after = last.seq;
                for entry in &page {
                    if let Err(why) = entry.check(&prev, &self.appender.keys) {
                        if report
                            .first_broken
                            .as_ref()
                            .is_none_or(|(seq, _)| entry.seq < *seq)
                        {
                            report.first_broken = Some((entry.seq, why));
                        }
                        break 'pages;
                    }
                    report
                        .missing_anchors
                        .retain(|anchor| *anchor != entry.hash);
                    report.entries += 1;
                    length += 1;
                    prev = entry.hash.clone();
                }
            }
            report.heads.push((chain, length, prev));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use diesel::query_builder::QueryBuilder;

    use super::*;

    fn entry(n: usize) -> NewEntry {
        NewEntry {
            at: "2026-11-27T10:00:00".parse().unwrap(),
            actor: format!("reader {n}"),
            incident_id: Uuid::nil().to_string(),
            purpose: "read_incident",
            prev_hash: GENESIS.to_owned(),
            hash: GENESIS.to_owned(),
            chain: "chain".to_owned(),
            key_id: "key".to_owned(),
        }
    }

    #[test]
    fn a_batch_is_the_same_prepared_statement_whatever_its_size() {
        let text = |entries: &[NewEntry]| {
            let statement = AppendStatement::new(entries);
            assert!(statement.is_safe_to_cache_prepared(&Pg).unwrap());
            let mut builder = diesel::pg::PgQueryBuilder::default();
            statement.to_sql(&mut builder, &Pg).unwrap();
            builder.finish()
        };
        let one = text(&[entry(1)]);
        assert_eq!(one, text(&[entry(1), entry(2), entry(3)]));
        assert!(one.ends_with("ORDER BY n"), "{one}");
    }

    #[test]
    fn chains_start_apart() {
        assert_eq!(genesis(""), GENESIS);
        assert_ne!(genesis("a"), genesis("b"));
        assert_eq!(genesis("a").len(), 64);
    }

    #[test]
    fn the_seal_covers_every_field_the_link_and_the_key() {
        let key = AccessLogKey::new(&[7; 32]).unwrap();
        let at = "2026-11-27T10:00:00.123456".parse().unwrap();
        let seal = |prev: &str, at, actor: &str, id: &str, purpose: &str, key_id: &str| {
            key.seal(&sealed_text(prev, at, actor, id, purpose, key_id))
        };
        let base = seal(GENESIS, at, "alice", "id", "read_incident", key.id());
        assert_eq!(base.len(), 64);
        let later = at + chrono::Duration::microseconds(1);
        for other in [
            seal(&base, at, "alice", "id", "read_incident", key.id()),
            seal(GENESIS, at, "alicf", "id", "read_incident", key.id()),
            seal(GENESIS, at, "alice", "ie", "read_incident", key.id()),
            seal(GENESIS, at, "alice", "id", "list_incidents", key.id()),
            seal(GENESIS, later, "alice", "id", "read_incident", key.id()),
            seal(GENESIS, at, "alice", "id", "read_incident", "another"),
            AccessLogKey::new(&[8; 32]).unwrap().seal(&sealed_text(
                GENESIS,
                at,
                "alice",
                "id",
                "read_incident",
                key.id(),
            )),
        ] {
            assert_ne!(base, other);
        }
        // Field boundaries cannot be moved.
        assert_ne!(
            seal(GENESIS, at, "ab", "c", "p", key.id()),
            seal(GENESIS, at, "a", "bc", "p", key.id())
        );
    }

    #[test]
    fn keys_are_long_and_known_by_an_id_that_does_not_give_them_away() {
        assert_eq!(AccessLogKey::new(&[1; 31]).unwrap_err(), WeakKey);
        let key = AccessLogKey::new(&[1; 32]).unwrap();
        assert_eq!(key.id().len(), 16);
        assert_ne!(key.id(), AccessLogKey::new(&[2; 32]).unwrap().id());
        assert!(!format!("{key:?}").contains("secret"));
        assert_ne!(
            AccessLogKey::ephemeral().id(),
            AccessLogKey::ephemeral().id()
        );
    }
}
