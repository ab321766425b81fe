//! Connections, the pool and migrations, for both backends.
//!
//! Reads use the pool on both backends (under WAL on SQLite, readers never wait for the
//! writer). Writes on PostgreSQL take a pooled connection; on SQLite they go to the single
//! writer (see `sqlite_writer`). `busy_timeout` covers other processes, such as a
//! `trygg migrate` run beside the server.

use std::num::NonZeroU32;
use std::ops::{Deref, DerefMut};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use trygg_domain::Clock;

use crate::access_log::Appender;
use crate::error::StorageError;
use crate::people::SeenRecently;
use crate::sqlite_writer::Writer;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
/// The migrations that add or reshape statistics rollups, as diesel names their versions.
const STATISTICS_MIGRATIONS: [&str; 3] = ["20261127000004", "20261127000005", "20261207000018"];
/// Held while migrating, so instances starting together do not migrate at once.
const MIGRATION_LOCK_KEY: i64 = 0x0074_7279_6767; // "trygg"
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
pub struct Manager {
    url: DatabaseUrl,
}

/// A pooled connection and when it was last returned to the pool.
pub struct Pooled {
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
pub(crate) struct CheckedOut(PooledConnection<Manager>);

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
    fn open(&self) -> Result<DbConnection, r2d2::Error> {
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

    /// Applies pending migrations; on PostgreSQL under an advisory lock.
    pub fn migrate(&self) -> Result<usize, StorageError> {
        let mut conn = self.connection()?;
        let postgres = matches!(&*conn, DbConnection::Postgresql(_));
        if postgres {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(&mut *conn)?;
        }
        let migrated = self.run_migrations(&mut conn);
        if postgres {
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .execute(&mut *conn)?;
        }
        migrated
    }

    /// When a migration that adds or reshapes statistics rollups runs, they are filled from
    /// the cases already stored.
    fn run_migrations(&self, conn: &mut DbConnection) -> Result<usize, StorageError> {
        let versions = match conn {
            DbConnection::Sqlite(conn) => conn.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConnection::Postgresql(conn) => conn.run_pending_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| StorageError::Migration(e.to_string()))?
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>();
        if versions
            .iter()
            .any(|version| STATISTICS_MIGRATIONS.contains(&version.as_str()))
        {
            match self.sqlite_writer {
                Some(_) => self.rebuild_statistics()?,
                None => {
                    conn.transaction(|conn| crate::statistics::rebuild(conn, self.clock.now()))?
                }
            };
        }
        Ok(versions.len())
    }

    /// Whether the database answers and has every migration this release knows.
    pub fn is_ready(&self) -> Result<bool, StorageError> {
        if self
            .sqlite_writer
            .as_ref()
            .is_some_and(|writer| !writer.is_running())
        {
            return Ok(false);
        }
        let mut conn = self.connection()?;
        let pending = match &mut *conn {
            DbConnection::Sqlite(conn) => conn.has_pending_migration(SQLITE_MIGRATIONS),
            DbConnection::Postgresql(conn) => conn.has_pending_migration(POSTGRES_MIGRATIONS),
        };
        Ok(!pending.map_err(|e| StorageError::Migration(e.to_string()))?)
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

fn create_parent_dir(path: &Path) -> Result<(), StorageError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir).map_err(|e| {
            StorageError::Unavailable(format!("cannot create {}: {e}", dir.display()))
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;

    use super::*;
    use crate::test_database::{PostgresDatabase, SqliteDatabase};

    #[test]
    fn urls_pick_their_backend_by_scheme() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db"),
            DatabaseUrl::Sqlite(PathBuf::from("data/x.db"))
        );
        assert_eq!(
            DatabaseUrl::parse("./data/trygg.db").backend(),
            Backend::Sqlite
        );
    }

    /// Keeps a draft for `subject`, panicking after the insert when told to.
    fn keep_draft(database: &Database, subject: String, panic: bool) -> Result<(), StorageError> {
        database.write(move |conn| {
            diesel::sql_query(format!(
                "INSERT INTO report_drafts (subject, answers, updated_at) \
                 VALUES ('{subject}', '{{}}', CURRENT_TIMESTAMP)"
            ))
            .execute(conn)?;
            if panic {
                panic!("a bug in a unit of work");
            }
            Ok::<_, StorageError>(())
        })
    }

    /// A unit of work that panics fails alone: what it wrote is rolled back, the writes beside
    /// it commit, the connection it ran on is clean for the next, and writes go on.
    fn a_panicking_write_fails_alone(database: &Database) {
        let outcomes: Vec<Result<(), StorageError>> = std::thread::scope(|scope| {
            let writes: Vec<_> = (0..8)
                .map(|n| scope.spawn(move || keep_draft(database, format!("writer-{n}"), n == 3)))
                .collect();
            writes
                .into_iter()
                .map(|write| write.join().unwrap())
                .collect()
        });
        for (n, outcome) in outcomes.iter().enumerate() {
            match (n, outcome) {
                (3, Err(StorageError::Panicked(cause))) => assert!(cause.contains("a bug")),
                (3, other) => panic!("the panicking write answered {other:?}"),
                (_, outcome) => assert!(outcome.is_ok(), "writer-{n}: {outcome:?}"),
            }
        }
        let kept = |pattern: &str| -> i64 {
            use crate::schema::report_drafts;
            use diesel::dsl::count_star;
            use diesel::prelude::*;
            report_drafts::table
                .filter(report_drafts::subject.like(pattern))
                .select(count_star())
                .first(&mut *database.connection().unwrap())
                .unwrap()
        };
        assert_eq!(
            kept("writer-3"),
            0,
            "what the panicking write wrote is rolled back"
        );
        assert_eq!(kept("writer-%"), 7);
        keep_draft(database, "later".into(), false).expect("a later write succeeds");
        assert_eq!(kept("later"), 1);
        assert!(
            database.is_ready().unwrap(),
            "the writer still takes writes"
        );
    }

    #[test]
    fn a_panicking_write_fails_alone_on_sqlite() {
        a_panicking_write_fails_alone(&SqliteDatabase::create(1).database);
    }

    /// With one pooled connection: the next write reuses the one that panicked.
    #[test]
    fn a_panicking_write_fails_alone_on_postgres() {
        if let Some(test) = PostgresDatabase::create() {
            a_panicking_write_fails_alone(&test.database);
        }
    }

    #[test]
    fn redaction_hides_credentials() {
        let url = DatabaseUrl::parse("postgres://trygg:s3cret@db:5432/trygg");
        assert_eq!(url.redacted(), "postgres://…@db:5432/trygg");
    }
}
