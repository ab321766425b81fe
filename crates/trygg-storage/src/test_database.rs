//! Fresh databases for storage's own tests: a SQLite file in a new temporary folder, and a
//! PostgreSQL database on the server `TRYGG_TEST_POSTGRES_URL` names, where it names one.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use trygg_domain::Clock;

use crate::database::{Database, DatabaseUrl};

/// A migrated SQLite database in a folder of its own, removed afterwards.
pub(crate) struct SqliteDatabase {
    folder: std::path::PathBuf,
    pub(crate) database: Database,
}

impl SqliteDatabase {
    pub(crate) fn create(pool_size: u32) -> SqliteDatabase {
        let folder = std::env::temp_dir().join(format!("trygg-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        let url = DatabaseUrl::Sqlite(folder.join("trygg.db"));
        let database = Database::connect(&url, pool_size, Clock::system()).unwrap();
        database.migrate().unwrap();
        SqliteDatabase { folder, database }
    }
}

impl Drop for SqliteDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// A PostgreSQL database of its own for one test, dropped afterwards: on the server
/// `TRYGG_TEST_POSTGRES_URL` names, which must then answer (`scripts/test` runs this
/// crate's `on_postgres` tests with it set), or `None` when it names none.
pub(crate) struct PostgresDatabase {
    admin: String,
    name: String,
    pub(crate) database: Database,
}

impl PostgresDatabase {
    pub(crate) fn create() -> Option<PostgresDatabase> {
        let admin = std::env::var("TRYGG_TEST_POSTGRES_URL").ok()?;
        let name = format!("trygg_plan_{}", uuid::Uuid::new_v4().simple());
        let mut server = diesel::PgConnection::establish(&admin)
            .expect("TRYGG_TEST_POSTGRES_URL is set but PostgreSQL does not answer");
        server
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (server, _) = admin
            .rsplit_once('/')
            .expect("TRYGG_TEST_POSTGRES_URL names a database, as in …:5432/postgres");
        let url = format!("{server}/{name}");
        let database = Database::connect(&DatabaseUrl::Postgres(url), 1, Clock::system()).unwrap();
        database.migrate().unwrap();
        Some(PostgresDatabase {
            admin,
            name,
            database,
        })
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        if let Ok(mut server) = diesel::PgConnection::establish(&self.admin) {
            let _ = server.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
