//! What the benchmarks that seed a long history share: their settings from the environment,
//! the backends to run on, a connection to load the history with, and percentiles.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use trygg_storage::DatabaseUrl;

/// The comma-separated numbers in the variable `name`, or in `default`.
pub fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_owned())
        .split(',')
        .map(|n| n.trim().parse().expect("a comma-separated list of numbers"))
        .collect()
}

/// The backends `TRYGG_BENCH_BACKENDS` names (default `sqlite,postgres`), each with the
/// server's admin URL for PostgreSQL; PostgreSQL only where `TRYGG_TEST_POSTGRES_URL` is set.
pub fn backends() -> Vec<(&'static str, Option<String>)> {
    let postgres = std::env::var("TRYGG_TEST_POSTGRES_URL").ok();
    let wanted = std::env::var("TRYGG_BENCH_BACKENDS").unwrap_or("sqlite,postgres".into());
    [("sqlite", None), ("postgres", postgres)]
        .into_iter()
        .filter(|(backend, url)| {
            wanted.split(',').any(|b| b == *backend) && (*backend == "sqlite" || url.is_some())
        })
        .collect()
}

/// A connection to load a history into, without waiting for each statement to be durable on
/// SQLite.
pub fn loader(url: &DatabaseUrl) -> Box<dyn SimpleConnection> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
            conn.batch_execute("PRAGMA synchronous = OFF;").unwrap();
            Box::new(conn)
        }
        DatabaseUrl::Postgres(url) => Box::new(PgConnection::establish(url).unwrap()),
    }
}

/// The `p` percentile of `samples` (sorted in place).
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}
