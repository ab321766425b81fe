//! Filing throughput, on SQLite and (with `TRYGG_TEST_POSTGRES_URL`) PostgreSQL, in one run:
//!
//! - `row`: the baseline. One durable single-row `INSERT` per transaction, pgbench-style, one
//!   connection per client: what the database does at its fastest on this machine.
//! - `store`: the same rows through the storage layer, as the service writes them (on SQLite,
//!   the single writer's group commit).
//! - `http`: the same rows filed over HTTP with a token, through the whole service.
//! - `log`: as many logged reads through the storage layer, each returning once its
//!   access-log entry is committed.
//!
//! `cargo bench --bench filing`; `TRYGG_BENCH_REQUESTS` (default 2000) and
//! `TRYGG_BENCH_CONCURRENCY` (default 32) size it; `TRYGG_BENCH_REPORTS=identical` files one
//! report over and over instead of varied ones. Figures are ratios to the baseline measured in
//! the same run, since the machine is shared; `failed` counts failures of each part in the
//! order above. The peak resident memory printed is the whole
//! bench process's (service, clients and reports together): an upper bound for the service.

#[path = "../tests/support/database.rs"]
mod database;
#[path = "support/service.rs"]
mod service;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use database::TestDatabase;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use serde_json::{Value, json};
use trygg_domain::{Catalogue, Clock, NewReport, ReportDraft};
use trygg_notifier::Routing;
use trygg_storage::{Database, DatabaseUrl, NewIncident, Purpose, Reader};

/// A client's connection of its own, to either backend.
#[derive(diesel::MultiConnection)]
enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Valid reports: every kind, district, place and severity in turn (or the first, over and
/// over).
fn reports(count: usize) -> Vec<Value> {
    let kinds = [
        "threat",
        "violence",
        "harassment",
        "improper_influence",
        "vandalism",
        "public_disorder",
    ];
    let districts = ["central", "west", "east"];
    let places = [
        "school",
        "workplace",
        "public_space",
        "nightlife",
        "home",
        "leisure_venue",
        "digital",
    ];
    let categories = [
        "employee",
        "elected_official",
        "pupil_child",
        "service_user",
        "resident",
    ];
    let severities = ["low", "medium", "high", "serious"];
    let varied = std::env::var("TRYGG_BENCH_REPORTS").as_deref() != Ok("identical");
    (0..count)
        .map(|i| if varied { i } else { 0 })
        .map(|i| {
            json!({
                "kind": kinds[i % kinds.len()],
                "violence_forms": ["physical", "psychological"],
                "occurred_at": (Utc::now() - chrono::Duration::hours((i % 5000) as i64)).to_rfc3339(),
                "district": districts[i % districts.len()],
                "place_kind": places[i % places.len()],
                "affected_category": categories[i % categories.len()],
                "affected_gender": "unknown",
                "affected_age_group": "age_30_49",
                "children_affected": "no",
                "perpetrator_relation": "unknown",
                "perpetrator_influence": "unknown",
                "severity": severities[i % severities.len()],
                "description": format!("Benchmark report {i}: a description of ordinary length, \
                                        about as long as what a reporter writes in a hurry."),
            })
        })
        .collect()
}

struct Run {
    per_second: f64,
    latencies: Vec<Duration>,
    failures: usize,
}

impl Run {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        sorted
            .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or_default()
    }
}

/// The rows the service writes for each report: the case and the alerts it raises.
fn parse_all(bodies: &[Value]) -> Vec<NewIncident> {
    let catalogue = Catalogue::builtin();
    let routing = Routing::builtin(&catalogue).unwrap();
    bodies
        .iter()
        .map(|body| {
            let draft: ReportDraft = serde_json::from_value(body.clone()).unwrap();
            let now = Utc::now();
            let report = NewReport::parse(draft, &catalogue, now).unwrap();
            NewIncident {
                id: uuid::Uuid::now_v7(),
                reporter: "bench".into(),
                alerts: routing.alerts_on_filing(&report),
                report,
                received_at: now,
            }
        })
        .collect()
}

/// Runs `insert` for every row from `concurrency` threads, each with its own state.
fn threaded<T: Clone + Sync, S>(
    rows: &[T],
    concurrency: usize,
    state: impl Fn() -> S + Sync,
    insert: impl Fn(&mut S, T) -> bool + Sync,
) -> Run {
    let next = AtomicUsize::new(0);
    let failures = AtomicUsize::new(0);
    let started = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                scope.spawn(|| {
                    let mut state = state();
                    let mut latencies = Vec::new();
                    while let Some(row) = rows.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let sent = Instant::now();
                        if !insert(&mut state, row.clone()) {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                        latencies.push(sent.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    let per_second = rows.len() as f64 / started.elapsed().as_secs_f64();
    Run {
        per_second,
        latencies,
        failures: failures.into_inner(),
    }
}

/// A client's own connection, durable as the service's.
fn connect(url: &DatabaseUrl) -> DbConnection {
    match url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
            conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;")
                .unwrap();
            DbConnection::Sqlite(conn)
        }
        DatabaseUrl::Postgres(url) => {
            DbConnection::Postgresql(PgConnection::establish(url).unwrap())
        }
    }
}

/// The floor: one durable single-row `INSERT` per transaction (pgbench-style), of a row with a
/// case's key, reporter and description, one connection per client.
fn single_row_inserts(url: &DatabaseUrl, count: usize, concurrency: usize) -> Run {
    connect(url)
        .batch_execute(
            "CREATE TABLE single_rows (id TEXT PRIMARY KEY, reporter TEXT NOT NULL, \
             description TEXT NOT NULL, received_at TIMESTAMP NOT NULL)",
        )
        .unwrap();
    let ids: Vec<String> = (0..count)
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    threaded(
        &ids,
        concurrency,
        || connect(url),
        |conn, id| {
            diesel::sql_query(
                "INSERT INTO single_rows VALUES ($1, 'bench', \
                 'A description of ordinary length, about as long as what a reporter writes.', \
                 CURRENT_TIMESTAMP)",
            )
            .bind::<diesel::sql_types::Text, _>(id)
            .execute(conn)
            .is_ok()
        },
    )
}

/// The same rows through the storage layer, as the service writes them.
fn store_inserts(database: &Database, rows: &[NewIncident], concurrency: usize) -> Run {
    threaded(
        rows,
        concurrency,
        || (),
        |_, row| database.file_incident(row, None).is_ok(),
    )
}

/// Logged reads of one case, as many as there are reports.
fn store_reads(database: &Database, count: usize, concurrency: usize) -> Run {
    let reads = vec![uuid::Uuid::now_v7(); count];
    threaded(
        &reads,
        concurrency,
        || (),
        |_, id| {
            database
                .log_reads(&Reader::new("bench", Purpose::ReadIncident), vec![id])
                .is_ok()
        },
    )
}

/// The same rows filed over HTTP by `concurrency` clients.
async fn service_filings(
    url: trygg_storage::DatabaseUrl,
    bodies: &[Value],
    concurrency: usize,
) -> Run {
    let (base, token) = service::start(url, None, "reporter").await;
    let endpoint = format!("{base}/api/v1/incidents");

    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let clients = (0..concurrency).map(|_| async {
        let mut latencies = Vec::new();
        let mut failures = 0;
        while let Some(body) = bodies.get(next.fetch_add(1, Ordering::Relaxed)) {
            let sent = Instant::now();
            let response = client
                .post(&endpoint)
                .bearer_auth(&token)
                .send_json(body)
                .await;
            match response {
                Ok(mut response) if response.status().is_success() => {
                    let _ = response.body().await;
                }
                _ => failures += 1,
            }
            latencies.push(sent.elapsed());
        }
        (latencies, failures)
    });
    let results = futures_util::future::join_all(clients).await;
    let elapsed = started.elapsed();
    let failures = results.iter().map(|(_, failures)| failures).sum();
    let latencies = results
        .into_iter()
        .flat_map(|(latencies, _)| latencies)
        .collect();
    Run {
        per_second: bodies.len() as f64 / elapsed.as_secs_f64(),
        latencies,
        failures,
    }
}

fn main() {
    let count = env_number("TRYGG_BENCH_REQUESTS", 2000);
    let concurrency = env_number("TRYGG_BENCH_CONCURRENCY", 32);
    let bodies = reports(count);
    let postgres = std::env::var("TRYGG_TEST_POSTGRES_URL").ok();
    let backends = [("sqlite", None), ("postgres", postgres.as_deref())];

    let kind = std::env::var("TRYGG_BENCH_REPORTS").unwrap_or_else(|_| "varied".into());
    println!("filing {count} {kind} reports with {concurrency} concurrent clients");
    let columns = [
        "row/s",
        "store/s",
        "http/s",
        "store/row",
        "http/row",
        "store p50",
        "store p99",
        "http p50",
        "http p99",
        "log/s",
        "log/row",
        "log p99",
        "failed",
    ];
    println!(
        "{:<9} {}",
        "backend",
        columns.map(|column| format!("{column:>9}")).join(" ")
    );
    for (name, admin_url) in backends {
        if name == "postgres" && admin_url.is_none() {
            println!("postgres  (skipped: set TRYGG_TEST_POSTGRES_URL)");
            continue;
        }
        let fresh = || {
            let database = TestDatabase::on(admin_url);
            Database::connect(&database.url(), 16, Clock::system())
                .unwrap()
                .migrate()
                .unwrap();
            database
        };
        let row = single_row_inserts(&fresh().url(), count, concurrency);
        let store_database = fresh();
        let store = store_inserts(
            &Database::connect(&store_database.url(), 16, Clock::system()).unwrap(),
            &parse_all(&bodies),
            concurrency,
        );
        let http_database = fresh();
        let http = actix_web::rt::System::new().block_on(service_filings(
            http_database.url(),
            &bodies,
            concurrency,
        ));
        let log_database = fresh();
        let log = store_reads(
            &Database::connect(&log_database.url(), 16, Clock::system()).unwrap(),
            count,
            concurrency,
        );
        let ms = |d: Duration| format!("{:.1}ms", d.as_secs_f64() * 1000.0);
        let per_second = |run: &Run| format!("{:.0}", run.per_second);
        let ratio = |run: &Run| format!("{:.3}", run.per_second / row.per_second);
        let figures = [
            per_second(&row),
            per_second(&store),
            per_second(&http),
            ratio(&store),
            ratio(&http),
            ms(store.percentile(0.5)),
            ms(store.percentile(0.99)),
            ms(http.percentile(0.5)),
            ms(http.percentile(0.99)),
            per_second(&log),
            ratio(&log),
            ms(log.percentile(0.99)),
            [&row, &store, &http, &log]
                .map(|run| run.failures.to_string())
                .join("/"),
        ];
        println!(
            "{name:<9} {}",
            figures.map(|figure| format!("{figure:>9}")).join(" ")
        );
    }
    println!("peak resident memory of the bench process: {}", peak_rss());
}

/// `VmHWM` from `/proc/self/status`: the most memory this process has held resident.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:").map(|v| v.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".into())
}
