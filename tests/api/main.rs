//! Black-box tests of the whole service: each test starts the real application on a random port
//! with a fresh database. With `TRYGG_TEST_POSTGRES_URL` set they run against PostgreSQL (a new
//! database per test), otherwise against a new SQLite file per test.

mod access;
mod alerts;
mod audit;
mod authentication;
mod backup;
mod bad_input;
mod case_file;
mod case_work;
#[path = "../support/database.rs"]
mod database;
mod disclosure;
mod filing;
mod helpers;
mod idempotency;
mod listing;
mod metrics;
mod pxweb;
mod rate_limits;
mod read_log;
mod routing;
mod service;
#[path = "../support/smtp.rs"]
#[allow(
    dead_code,
    reason = "shared with the benchmarks, which read what the tests do not"
)]
mod smtp;
mod statistics;
mod web;
mod writes;
