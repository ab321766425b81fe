//! A connection to either backend, and the pool's connection manager.

use std::num::NonZeroU32;
use std::ops::{Deref, DerefMut};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::Connection;
use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;

use crate::error::StorageError;

/// What SQLite may hold in memory in all, page caches included (bytes, for the process): it
/// keeps the service within 100 MiB resident however many connections have read how much.
const SQLITE_HEAP_LIMIT: u64 = 16 * 1024 * 1024;

/// A connection to either backend; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Inserts the rows of the slice `$rows` into `$table`: in one statement on PostgreSQL, where
/// each statement is a round trip; one by one on SQLite, where statements cost none and diesel
/// would wrap a multi-row insert in a savepoint of its own.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::database::DbConnection::Postgresql(conn) => {
                diesel::insert_into($table).values($rows).execute(conn)
            }
            $crate::database::DbConnection::Sqlite(conn) => {
                $rows.iter().try_fold(0, |inserted, row| {
                    diesel::insert_into($table)
                        .values(row)
                        .execute(conn)
                        .map(|rows| inserted + rows)
                })
            }
        }
    };
}
pub(crate) use insert_rows;

impl std::fmt::Debug for DbConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DbConnection::Postgresql(_) => "DbConnection::Postgresql",
            DbConnection::Sqlite(_) => "DbConnection::Sqlite",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives: a `postgres://` URL, or a SQLite file path (optionally `sqlite://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> DatabaseUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseUrl::Postgres(url.to_owned())
        } else {
            DatabaseUrl::Sqlite(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url)))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Postgres(_) => Backend::Postgres,
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// The URL without any password, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    format!("{}://…@{}", &url[..scheme], &url[at + 1..])
                }
                _ => url.clone(),
            },
        }
    }
}

/// How long after it was last returned to the pool a connection is handed out again without
/// a test query. A connection in steady use skips the round trip a test costs (a tenth of
/// what a filing costs); one that sat idle, as after a database restart, is tested first.
const TRUSTED_AFTER_USE: Duration = Duration::from_secs(1);

/// The pool's connection manager: opens connections of the backend the URL names; never guesses from a failed attempt.
#[derive(Debug)]
pub(crate) struct Manager {
    pub(super) url: DatabaseUrl,
}

/// A pooled connection and when it was last returned to the pool.
pub(crate) struct Pooled {
    conn: DbConnection,
    returned_at: Instant,
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        let conn = self.open()?;
        Ok(Pooled {
            conn,
            returned_at: Instant::now(),
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), r2d2::Error> {
        if pooled.returned_at.elapsed() < TRUSTED_AFTER_USE {
            return Ok(());
        }
        pooled
            .conn
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    /// Called as a connection is returned. One whose transaction could not be rolled back is
    /// not handed out again.
    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        pooled.returned_at = Instant::now();
        pooled.conn.is_broken()
    }
}

/// A connection checked out of the pool; returns to it when dropped.
pub(crate) struct CheckedOut(pub(super) PooledConnection<Manager>);

impl Deref for CheckedOut {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.0.conn
    }
}

impl DerefMut for CheckedOut {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.0.conn
    }
}

impl Manager {
    pub(super) fn open(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(r2d2::Error::ConnectionError)?;
                // Acknowledged means durable (FULL); wait for other processes' locks. Each
                // connection may cache 32 MiB of pages, but all of them together no more than
                // SQLITE_HEAP_LIMIT: past it, a cache reuses its pages instead of growing.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768; \
                     PRAGMA soft_heap_limit = {SQLITE_HEAP_LIMIT};"
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// Runs `work` in a transaction (a savepoint when one is open already). A panic in it is caught
/// and fails it alone: what it wrote is rolled back, the connection is left as it was found,
/// and the caller hears [`StorageError::Panicked`].
pub(crate) fn in_savepoint<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StorageError> + From<diesel::result::Error>,
{
    type Manager = <DbConnection as Connection>::TransactionManager;
    let depth = |conn: &mut DbConnection| {
        Manager::transaction_manager_status_mut(conn)
            .transaction_depth()
            .map(|depth| depth.map_or(0, NonZeroU32::get))
    };
    let before = depth(conn)?;
    match std::panic::catch_unwind(AssertUnwindSafe(|| conn.transaction(work))) {
        Ok(outcome) => outcome,
        Err(panic) => {
            let cause = panic
                .downcast_ref::<&str>()
                .map(|cause| (*cause).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_owned());
            tracing::error!(%cause, "a write panicked; rolling back what it wrote");
            while depth(conn)? > before {
                Manager::rollback_transaction(conn)?;
            }
            Err(StorageError::Panicked(cause).into())
        }
    }
}

/// Runs `read` as of one moment, in a read-only transaction: on PostgreSQL `REPEATABLE READ`,
/// on SQLite (under WAL) a transaction's reads all see the database as its first read found
/// it. So a case's version and what is written about it, or the rollups and the cases a fold
/// has not counted yet, are of one state.
pub(crate) fn in_one_snapshot<T>(
    conn: &mut DbConnection,
    read: impl FnOnce(&mut DbConnection) -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    conn.transaction(|conn| {
        if let DbConnection::Postgresql(_) = conn {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        read(conn)
    })
}
