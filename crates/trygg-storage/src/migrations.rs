//! The schema's migrations, embedded for each backend, and what runs with them.

use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::database::{Backend, Database, DbConnection};
use crate::error::StorageError;
use crate::statistics;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
/// The migrations that add or reshape statistics rollups, as diesel names their versions.
const STATISTICS_MIGRATIONS: [&str; 3] = ["20261127000004", "20261127000005", "20261207000018"];
/// Held while migrating, so instances starting together do not migrate at once.
const MIGRATION_LOCK_KEY: i64 = 0x0074_7279_6767; // "trygg"

impl Database {
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
            match self.backend() {
                Backend::Sqlite => self.rebuild_statistics()?,
                Backend::Postgres => {
                    conn.transaction(|conn| statistics::rebuild(conn, self.clock.now()))?
                }
            };
        }
        Ok(versions.len())
    }

    /// Whether the database answers and has every migration this release knows.
    pub fn is_ready(&self) -> Result<bool, StorageError> {
        if self.writer_stopped() {
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
