//! A fresh database per test or benchmark run: PostgreSQL when `TRYGG_TEST_POSTGRES_URL` names
//! a server (which must then answer), else a SQLite file in a new temporary folder. Shared by the
//! black-box tests and the benchmark.

use std::path::PathBuf;

use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use trygg_storage::DatabaseUrl;
use uuid::Uuid;

/// A connection beside the running service: it waits for the service's writer, as the
/// service's own connections do, instead of failing with "database is locked".
fn sqlite_connection(path: &std::path::Path) -> diesel::SqliteConnection {
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    diesel::connection::SimpleConnection::batch_execute(&mut conn, "PRAGMA busy_timeout = 10000;")
        .unwrap();
    conn
}

/// A database for one test or run, removed afterwards.
pub enum TestDatabase {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A database on the backend the environment configures.
    #[allow(dead_code, reason = "the benchmark picks its backends itself")]
    pub fn create() -> TestDatabase {
        TestDatabase::on(std::env::var("TRYGG_TEST_POSTGRES_URL").ok().as_deref())
    }

    /// A database on the PostgreSQL server at `admin_url`, or SQLite when `None`.
    pub fn on(admin_url: Option<&str>) -> TestDatabase {
        let name = format!("trygg_test_{}", Uuid::new_v4().simple());
        match admin_url {
            Some(admin_url) => {
                let mut admin = PgConnection::establish(admin_url)
                    .expect("TRYGG_TEST_POSTGRES_URL is set but PostgreSQL does not answer");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .unwrap();
                TestDatabase::Postgres {
                    admin_url: admin_url.to_owned(),
                    name,
                }
            }
            None => TestDatabase::Sqlite(std::env::temp_dir().join(name).join("trygg.db")),
        }
    }

    /// Runs SQL straight on the database, behind the service's back.
    #[allow(dead_code, reason = "only the black-box tests tamper")]
    pub fn execute(&self, sqlite: &str, postgres: &str) {
        match self.url() {
            DatabaseUrl::Sqlite(path) => {
                diesel::connection::SimpleConnection::batch_execute(
                    &mut sqlite_connection(&path),
                    sqlite,
                )
                .unwrap();
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(&url).unwrap();
                diesel::connection::SimpleConnection::batch_execute(&mut conn, postgres).unwrap();
            }
        }
    }

    /// The single number a query returns, straight from the database.
    #[allow(dead_code, reason = "only the black-box tests look behind the service")]
    pub fn count(&self, sql: &str) -> i64 {
        let query = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
            "({sql})"
        )));
        match self.url() {
            DatabaseUrl::Sqlite(path) => query.get_result(&mut sqlite_connection(&path)).unwrap(),
            DatabaseUrl::Postgres(url) => query
                .get_result(&mut PgConnection::establish(&url).unwrap())
                .unwrap(),
        }
    }

    /// The single text column a query returns, row by row, straight from the database.
    #[allow(dead_code, reason = "only the black-box tests look behind the service")]
    pub fn texts(&self, sql: &str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            text: String,
        }
        let query = diesel::sql_query(sql);
        let rows: Vec<Row> = match self.url() {
            DatabaseUrl::Sqlite(path) => query.load(&mut sqlite_connection(&path)).unwrap(),
            DatabaseUrl::Postgres(url) => query
                .load(&mut PgConnection::establish(&url).unwrap())
                .unwrap(),
        };
        rows.into_iter().map(|row| row.text).collect()
    }

    pub fn url(&self) -> DatabaseUrl {
        match self {
            TestDatabase::Sqlite(path) => DatabaseUrl::Sqlite(path.clone()),
            TestDatabase::Postgres { admin_url, name } => {
                let server = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(s, _)| s);
                DatabaseUrl::Postgres(format!("{server}/{name}"))
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite(path) => {
                if let Some(dir) = path.parent() {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
            TestDatabase::Postgres { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::establish(admin_url) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut admin);
                }
            }
        }
    }
}
