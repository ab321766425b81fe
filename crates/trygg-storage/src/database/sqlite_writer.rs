//! SQLite's single writer, with group commit.
//!
//! SQLite allows one writer at a time. Rather than let connections race for its lock (and fail
//! with "database is locked"), every write of the process is sent to one thread that owns the
//! write connection. It takes whatever writes are waiting, runs each in a savepoint of one
//! transaction, commits once, and only then answers each caller: one fsync for many filings,
//! and a failed write rolls back alone, a panicking one included.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};

use super::connection::{DbConnection, in_savepoint};
use crate::error::StorageError;

/// The most writes committed together.
const MAX_BATCH: usize = 64;

/// Answers a caller once the batch's fate is known: `None` when it committed, else why not.
type Delivery = Box<dyn FnOnce(Option<&str>) + Send>;
type Job = Box<dyn FnOnce(&mut DbConnection) -> Delivery + Send>;

#[derive(Debug)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
    /// Whether the thread still takes jobs: readiness asks it.
    running: Arc<AtomicBool>,
}

/// Marks the writer stopped however its thread ends, and says why.
struct Stopping(Arc<AtomicBool>);

impl Drop for Stopping {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
        if thread::panicking() {
            tracing::error!("the SQLite writer stopped after a panic: no write can be made");
        }
    }
}

impl Writer {
    pub(crate) fn spawn(mut conn: DbConnection) -> Result<Writer, StorageError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let running = Arc::new(AtomicBool::new(true));
        let stopping = Stopping(running.clone());
        thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                let _stopping = stopping;
                // Ends when the database, and with it the sender, is dropped.
                while let Ok(first) = queue.recv() {
                    let batch = std::iter::once(first).chain(queue.try_iter().take(MAX_BATCH - 1));
                    let mut deliveries = Vec::new();
                    let committed = in_immediate_transaction(&mut conn, |conn| {
                        deliveries.extend(batch.map(|job| job(conn)));
                    });
                    let failure = committed.err().map(|error| error.to_string());
                    if let Some(failure) = &failure {
                        tracing::error!(%failure, "a SQLite write batch did not commit");
                    }
                    for deliver in deliveries {
                        deliver(failure.as_deref());
                    }
                }
            })
            .map_err(|e| {
                StorageError::Unavailable(format!("cannot start the SQLite writer: {e}"))
            })?;
        Ok(Writer { jobs, running })
    }

    /// Whether writes can be made.
    pub(crate) fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Runs `work` in its own savepoint of the next batch, and returns its result once the
    /// batch is durable.
    pub(crate) fn write<T, E>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + From<diesel::result::Error> + Send + 'static,
    {
        let (answer, result) = mpsc::sync_channel::<Result<T, E>>(1);
        let job: Job = Box::new(move |conn| {
            let outcome = in_savepoint(conn, work);
            Box::new(move |failure| {
                let outcome = match failure {
                    None => outcome,
                    Some(failure) => Err(StorageError::Unavailable(format!(
                        "the write was not committed: {failure}"
                    ))
                    .into()),
                };
                let _ = answer.send(outcome);
            })
        });
        let stopped = || StorageError::Unavailable("the SQLite writer has stopped".into());
        self.jobs.send(job).map_err(|_| stopped())?;
        result.recv().map_err(|_| stopped())?
    }
}

/// Runs `batch` in a transaction that takes the write lock as it begins (`BEGIN IMMEDIATE`,
/// waiting up to `busy_timeout` for another process's writer). A deferred `BEGIN` would take
/// it at the first write instead, and when a write of another process came in between a job
/// that reads first and that write, SQLite refuses at once (`SQLITE_BUSY_SNAPSHOT`), failing
/// the job and every one after it in the batch.
fn in_immediate_transaction(
    conn: &mut DbConnection,
    batch: impl FnOnce(&mut DbConnection),
) -> Result<(), diesel::result::Error> {
    type Manager = <DbConnection as Connection>::TransactionManager;
    match conn {
        DbConnection::Sqlite(sqlite) => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgresql(_) => Manager::begin_transaction(conn)?,
    }
    batch(conn);
    // Rolls back by itself when the commit fails, as `Connection::transaction` relies on.
    Manager::commit_transaction(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_thread_that_ends_in_a_panic_is_marked_stopped() {
        let running = Arc::new(AtomicBool::new(true));
        let stopping = Stopping(running.clone());
        let ended = thread::spawn(move || {
            let _stopping = stopping;
            panic!("the writer's own code went wrong");
        })
        .join();
        assert!(ended.is_err());
        assert!(!running.load(Ordering::SeqCst), "readiness hears of it");
    }
}
