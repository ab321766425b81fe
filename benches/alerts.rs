//! Alert latency: from a filing's acknowledgement (its transaction committed) to each alert
//! e-mail arriving at a real SMTP server, over a few hundred alerts, on SQLite and (with
//! `TRYGG_TEST_POSTGRES_URL`) PostgreSQL. `TRYGG_BENCH_CASES` (default 100; four receivers
//! each) sizes it.

#[path = "../tests/support/database.rs"]
mod database;
#[path = "support/service.rs"]
mod service;
#[path = "../tests/support/smtp.rs"]
#[allow(dead_code, reason = "shared with the tests, which use all of it")]
mod smtp;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use database::TestDatabase;
use serde_json::json;
use smtp::SmtpServer;

const CONCURRENCY: usize = 8;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(database: &TestDatabase, cases: usize) -> (Vec<Duration>, usize) {
    let smtp = SmtpServer::start();
    let (base, token) = service::start(database.url(), Some(smtp.url()), "reporter").await;
    let endpoint = format!("{base}/api/v1/incidents");

    // A serious nightlife case in the west alerts four receivers.
    let report = json!({
        "kind": "violence", "violence_forms": ["physical"], "occurred_at": chrono::Utc::now().to_rfc3339(),
        "district": "west", "place_kind": "nightlife", "affected_category": "resident",
        "affected_gender": "man", "affected_age_group": "age_18_29", "children_affected": "no",
        "perpetrator_relation": "unknown", "perpetrator_influence": "yes", "severity": "serious",
        "description": "Benchmark case."
    });
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let mut committed: HashMap<String, Instant> = HashMap::new();
    for _ in 0..cases.div_ceil(CONCURRENCY) {
        let batch = (0..CONCURRENCY).map(|_| async {
            let mut response = client
                .post(&endpoint)
                .bearer_auth(&token)
                .send_json(&report)
                .await
                .unwrap();
            let at = Instant::now();
            let case: serde_json::Value = response.json().await.unwrap();
            (case["case_number"].as_str().unwrap().to_owned(), at)
        });
        committed.extend(futures_util::future::join_all(batch).await);
    }
    let expected = committed.len() * 4;
    let deadline = Instant::now() + Duration::from_secs(120);
    while smtp.mails().len() < expected && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let mut latencies: Vec<Duration> = smtp
        .mails()
        .iter()
        .filter_map(|mail| {
            let subject = mail.header("Subject")?;
            let number = subject.rsplit(' ').next()?;
            Some(
                mail.received
                    .saturating_duration_since(*committed.get(number)?),
            )
        })
        .collect();
    latencies.sort();
    (latencies, expected)
}

fn main() {
    let cases = std::env::var("TRYGG_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let postgres = std::env::var("TRYGG_TEST_POSTGRES_URL").ok();
    println!("{cases} cases × 4 receivers, filed {CONCURRENCY} at a time; commit → mail received");
    println!(
        "{:<9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "backend", "alerts", "expected", "p50", "p99", "max"
    );
    for (name, admin_url) in [("sqlite", None), ("postgres", postgres.as_deref())] {
        if name == "postgres" && admin_url.is_none() {
            println!("postgres  (skipped: set TRYGG_TEST_POSTGRES_URL)");
            continue;
        }
        let database = TestDatabase::on(admin_url);
        let (latencies, expected) =
            actix_web::rt::System::new().block_on(measure(&database, cases));
        let ms = |d: Duration| format!("{:.1}ms", d.as_secs_f64() * 1000.0);
        println!(
            "{:<9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            name,
            latencies.len(),
            expected,
            ms(percentile(&latencies, 0.5)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().unwrap()),
        );
    }
}
