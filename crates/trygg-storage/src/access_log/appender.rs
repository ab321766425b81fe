//! Appending to this instance's chain: reads logged at the same moment share one transaction,
//! led by one caller at a time, each answered once its entries are committed.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};

use chrono::{NaiveDateTime, SubsecRound};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use uuid::Uuid;

use super::seal::{ANCHOR_EVERY, AccessLogKey, AccessLogKeys, genesis, sealed_text};
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::schema::access_log;
use crate::unnest::{Column, push_unnest};

/// This instance's chain and the entries waiting to join it.
#[derive(Debug)]
pub(crate) struct Appender {
    chain: String,
    pub(super) keys: AccessLogKeys,
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

/// One entry, chained, to be written.
#[derive(Debug, Insertable)]
#[diesel(table_name = access_log)]
pub(super) struct NewEntry {
    pub(super) at: NaiveDateTime,
    pub(super) actor: String,
    pub(super) incident_id: String,
    pub(super) purpose: &'static str,
    pub(super) prev_hash: String,
    pub(super) hash: String,
    pub(super) chain: String,
    pub(super) key_id: String,
}

/// A batch of entries as one PostgreSQL statement whose text does not depend on how many
/// there are (each column bound as an array, see [`crate::unnest`]), so each connection
/// prepares it once. The rows are numbered in the order of the arrays.
pub(super) struct AppendStatement<'a> {
    columns: Vec<Column<'a>>,
}

impl<'a> AppendStatement<'a> {
    pub(super) fn new(entries: &'a [NewEntry]) -> AppendStatement<'a> {
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
pub(super) struct AppendStatementId;

impl QueryId for AppendStatement<'_> {
    type QueryId = AppendStatementId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<PgConnection> for AppendStatement<'_> {}

impl Database {
    /// Records that `actor` read these cases through `purpose`; returns once the entries are
    /// committed.
    pub(super) fn log_access(
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
}
