//! Backups of the embedded database: a consistent copy taken while the service runs and files,
//! checked before it is called one. PostgreSQL has tools of its own for this, which the service
//! names rather than imitates.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::access_log::AccessLogKeys;
use crate::database::{Backend, Database, DatabaseUrl, DbConnection};
use crate::error::StorageError;
use crate::schema::incidents;

/// What a backup wrote, and what the check of it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    pub cases: i64,
    /// Access-log entries verified in the copy.
    pub access_log_entries: u64,
    pub took: Duration,
}

/// Why no backup was written, or why the copy cannot be trusted.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "on PostgreSQL, back up with the server's own tools: pg_dump (or pg_dumpall) for a small \
         installation, a base backup (pg_basebackup) with WAL archiving for point-in-time recovery"
    )]
    Postgres,
    #[error("{0} exists already: a backup never overwrites a file")]
    Exists(PathBuf),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the copy failed its check: {0}")]
    Unsound(String),
}

#[derive(QueryableByName)]
struct IntegrityCheck {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

impl Database {
    /// Writes a consistent copy of the SQLite database to `path` (`VACUUM INTO`, which reads
    /// one snapshot while filings go on) and checks it: SQLite's integrity check, the access
    /// log's chains under `keys`, and its cases counted.
    pub fn back_up_to(&self, path: &Path, keys: AccessLogKeys) -> Result<Backup, BackupError> {
        if self.backend() != Backend::Sqlite {
            return Err(BackupError::Postgres);
        }
        if path.exists() {
            return Err(BackupError::Exists(path.into()));
        }
        let started = Instant::now();
        diesel::sql_query("VACUUM INTO ?")
            .bind::<Text, _>(path.to_string_lossy())
            .execute(&mut *self.connection()?)
            .map_err(StorageError::from)?;
        let checked = self.check_copy(path, keys);
        if checked.is_err() {
            // A copy that failed its check must not pass for a backup.
            let _ = std::fs::remove_file(path);
        }
        let (cases, access_log_entries) = checked?;
        let bytes = std::fs::metadata(path)
            .map_err(|e| BackupError::Unsound(e.to_string()))?
            .len();
        Ok(Backup {
            path: path.into(),
            bytes,
            cases,
            access_log_entries,
            took: started.elapsed(),
        })
    }

    /// Checks a copy: SQLite's integrity check, the access log under `keys`; its cases and
    /// access-log entries counted.
    fn check_copy(&self, path: &Path, keys: AccessLogKeys) -> Result<(i64, u64), BackupError> {
        let copy = Database::connect(&DatabaseUrl::Sqlite(path.into()), 1, self.clock.clone())?
            .seal_access_log_with(keys);
        let mut conn = copy.connection()?;
        let DbConnection::Sqlite(sqlite) = &mut *conn else {
            unreachable!("a copy of an SQLite database is one");
        };
        let checked: Vec<IntegrityCheck> = diesel::sql_query("PRAGMA integrity_check")
            .load(sqlite)
            .map_err(StorageError::from)?;
        if checked.iter().any(|row| row.integrity_check != "ok") {
            let found: Vec<String> = checked.into_iter().map(|row| row.integrity_check).collect();
            return Err(BackupError::Unsound(found.join("; ")));
        }
        let cases: i64 = incidents::table
            .count()
            .get_result(&mut *conn)
            .map_err(StorageError::from)?;
        drop(conn);
        let chains = copy.verify_access_log(&[])?;
        if let Some((seq, why)) = chains.first_broken {
            return Err(BackupError::Unsound(format!(
                "the access log breaks at entry {seq} ({why:?})"
            )));
        }
        Ok((cases, chains.entries))
    }
}
