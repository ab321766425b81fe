//! Connections, the pool and the write path, for both backends.
//!
//! Reads use the pool on both backends (under WAL on SQLite, readers never wait for the
//! writer). Writes on PostgreSQL take a pooled connection; on SQLite they go to the single
//! writer (see `sqlite_writer`). `busy_timeout` covers other processes, such as a
//! `trygg migrate` run beside the server.

mod connection;
mod sqlite_writer;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::Pool;
use trygg_domain::Clock;

use connection::Manager;
pub use connection::{Backend, DatabaseUrl};
pub(crate) use connection::{CheckedOut, DbConnection, in_one_snapshot, in_savepoint, insert_rows};
use sqlite_writer::Writer;

use crate::access_log::Appender;
use crate::error::StorageError;
use crate::people::SeenRecently;

/// The database: a pool of connections, for SQLite the single writer, and the clock that
/// stamps what it records.
#[derive(Debug)]
pub struct Database {
    pool: Pool<Manager>,
    backend: Backend,
    sqlite_writer: Option<Writer>,
    pub(crate) clock: Clock,
    pub(crate) counters: Counters,
    pub(crate) appender: Appender,
    pub(crate) seen: SeenRecently,
}

/// What this process has written since it started, for monitoring.
#[derive(Debug, Default)]
pub struct Counters {
    pub(crate) filings: AtomicU64,
    pub(crate) access_log_appends: AtomicU64,
}

/// The connection pool's use right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    pub size: u32,
    pub connections: u32,
    pub idle: u32,
}

impl Database {
    /// Connects (creating a SQLite file and its folder if needed). Does not migrate. What the
    /// database records as done "now" (a change, a read, an alert) is stamped from `clock`.
    pub fn connect(
        url: &DatabaseUrl,
        pool_size: u32,
        clock: Clock,
    ) -> Result<Database, StorageError> {
        if let DatabaseUrl::Sqlite(path) = url {
            create_parent_dir(path)?;
        }
        let manager = Manager { url: url.clone() };
        let sqlite_writer = match url.backend() {
            Backend::Postgres => None,
            Backend::Sqlite => {
                let mut conn = manager
                    .open()
                    .map_err(|e| StorageError::Unavailable(e.to_string()))?;
                // Persistent for the file: readers and the writer no longer block each other.
                conn.batch_execute("PRAGMA journal_mode = WAL;")?;
                Some(Writer::spawn(conn)?)
            }
        };
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(5))
            .build(manager)
            .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        Ok(Database {
            pool,
            backend: url.backend(),
            sqlite_writer,
            clock,
            counters: Counters::default(),
            appender: Appender::new(),
            seen: SeenRecently::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Cases filed through this process since it started.
    pub fn filings(&self) -> u64 {
        self.counters.filings.load(Ordering::Relaxed)
    }

    /// Access-log entries this process has appended since it started.
    pub fn access_log_appends(&self) -> u64 {
        self.counters.access_log_appends.load(Ordering::Relaxed)
    }

    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            size: self.pool.max_size(),
            connections: state.connections,
            idle: state.idle_connections,
        }
    }

    /// Whether SQLite's single writer has stopped (it never does unless its thread died).
    pub(crate) fn writer_stopped(&self) -> bool {
        self.sqlite_writer
            .as_ref()
            .is_some_and(|writer| !writer.is_running())
    }

    /// A pooled connection, for reads.
    pub(crate) fn connection(&self) -> Result<CheckedOut, StorageError> {
        Ok(CheckedOut(self.pool.get()?))
    }

    /// Runs `work` in a write transaction; on SQLite in the single writer's next batch.
    pub(crate) fn write<T, E>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + From<diesel::result::Error> + Send + 'static,
    {
        match &self.sqlite_writer {
            Some(writer) => writer.write(work),
            None => in_savepoint(&mut *self.connection()?, work),
        }
    }

    /// Runs `work`, whose statements each stand alone (none needs another to be atomic with
    /// it): on PostgreSQL without `BEGIN` and `COMMIT`, two round trips fewer, since a
    /// statement is atomic by itself there. On SQLite, as [`Database::write`].
    pub(crate) fn write_autocommit<T, E>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + From<diesel::result::Error> + Send + 'static,
    {
        match self.backend {
            Backend::Postgres => work(&mut *self.connection()?),
            Backend::Sqlite => self.write(work),
        }
    }
}

fn create_parent_dir(path: &Path) -> Result<(), StorageError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir).map_err(|e| {
            StorageError::Unavailable(format!("cannot create {}: {e}", dir.display()))
        }),
        _ => Ok(()),
    }
}
