//! Reads of the open cases as the history grows, on SQLite and (with
//! `TRYGG_TEST_POSTGRES_URL`) PostgreSQL, in one run: the worker's sweeps at every poll (each
//! 5 s by default: which open high and serious cases have an alert no one acknowledged in
//! time, which serious cases are due an Arbetsmiljöverket reminder at 12 and at 20 hours), and
//! a case worker's queue page (how many cases each of its lists holds, and the first 25 of
//! one), a security manager's and an office handler's.
//!
//! For each size in `TRYGG_BENCH_CASES` (default `100000,1000000`) a fresh database is seeded
//! with that many cases, a hundred a day (so the larger history is ten times as long, not
//! busier), as a municipality's history looks: a case is closed within two months, but for one
//! in a thousand left open. Each case has two filed alerts; the high and serious ones are
//! escalated and the reminders raised, so the sweeps find nothing to do, as at almost every
//! poll. Each read runs `TRYGG_BENCH_ROUNDS` (default 50) times, then again with the partial
//! index of open cases dropped.
//!
//! Printed as each size finishes: p50/p99 with the index and without, the p50 as a ratio to
//! the same read's without the index (the baseline, measured in the same run) and to the
//! smallest size's with it (flat is 1.0). `TRYGG_BENCH_BACKENDS` (default `sqlite,postgres`)
//! picks the backends. `cargo bench --bench open_cases`.

#[path = "../tests/support/database.rs"]
mod database;
#[path = "support/history.rs"]
mod history;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use database::TestDatabase;
use trygg_domain::{
    AffectedCategory, AgeGroup, AlertReason, Catalogue, ChildrenAffected, Clock, Gender,
    IncidentKind, Influence, OfficeCode, PerpetratorRelation, PlaceKind, Severity, Status,
    Visibility, WORK_ENVIRONMENT_DEADLINE,
};
use trygg_storage::{Database, DatabaseUrl, Purpose, QueueList, QueueOrder, QueueQuery, Reader};

const ESCALATION_RECEIVER: &str = "security-manager";

/// The time of the reads.
fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 30)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
}

fn timestamp(at: NaiveDateTime) -> String {
    format!("'{}'", at.format("%Y-%m-%d %H:%M:%S"))
}

/// Case `n` of `cases`, received at a hundred a day up to [`now`], as a row of values, and its
/// focus area's offices (the focus areas taken in turn).
fn case(n: usize, cases: usize, catalogue: &Catalogue) -> (String, &[OfficeCode]) {
    let received = now() - chrono::Duration::seconds(864 * (cases - n) as i64);
    // The high bits of a multiplicative hash spread the severities evenly over the history.
    let spread = ((n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) % 100;
    let severity = match spread {
        0..35 => Severity::Low,
        35..70 => Severity::Medium,
        70..92 => Severity::High,
        _ => Severity::Serious,
    };
    let category = if n.is_multiple_of(3) {
        AffectedCategory::Employee
    } else {
        AffectedCategory::Resident
    };
    let closed = received < now() - chrono::Duration::days(60) && !n.is_multiple_of(1000);
    let focus_area = &catalogue.focus_areas()[n % catalogue.focus_areas().len()];
    let row = format!(
        "('{n:032x}', 'bench', '{kind}', '', {at}, {at}, {at}, '{district}', '{place}', \
         '{category}', '{gender}', '{age}', '{children}', '{relation}', '{influence}', \
         '{severity}', '', '{focus_area}', '{status}', 1, {closed_at})",
        kind = IncidentKind::Threat.code(),
        at = timestamp(received),
        district = catalogue.districts()[0].code.as_str(),
        place = PlaceKind::ALL[0].code(),
        category = category.code(),
        gender = Gender::Woman.code(),
        age = AgeGroup::ALL[0].code(),
        children = ChildrenAffected::ALL[0].code(),
        relation = PerpetratorRelation::ALL[0].code(),
        influence = Influence::ALL[0].code(),
        severity = severity.code(),
        focus_area = focus_area.code.as_str(),
        status = if closed {
            Status::Closed
        } else {
            Status::InProgress
        }
        .code(),
        closed_at = if closed {
            timestamp(received + chrono::Duration::days(30))
        } else {
            "NULL".into()
        },
    );
    (row, &focus_area.offices)
}

/// The alerts of the seeded history, as the worker leaves them: two filed alerts per case, the
/// overdue high and serious ones escalated, and the reminders due raised.
fn alerts(escalate_before: NaiveDateTime) -> String {
    let severe = "severity IN ('high', 'serious')";
    let overdue = format!("{severe} AND received_at < {}", timestamp(escalate_before));
    let mut sql = format!(
        "INSERT INTO alerts (incident_seq, id, receiver, reason, created_at, escalated_at) \
         SELECT seq, id || '-' || receiver, receiver, 'filed', received_at, \
         CASE WHEN {overdue} THEN received_at END \
         FROM incidents CROSS JOIN (SELECT 'office' AS receiver UNION ALL SELECT 'district') r; \
         INSERT INTO alerts (incident_seq, id, receiver, reason, created_at) \
         SELECT seq, id || '-escalated', '{ESCALATION_RECEIVER}', 'escalated', received_at \
         FROM incidents WHERE {overdue};"
    );
    for (reason, hours) in [
        (AlertReason::AuthorityReminder12h, 12),
        (AlertReason::AuthorityReminder20h, 20),
    ] {
        sql += &format!(
            "INSERT INTO alerts (incident_seq, id, receiver, reason, created_at) \
             SELECT seq, id || '-{hours}', '{ESCALATION_RECEIVER}', '{reason}', received_at \
             FROM incidents WHERE severity = 'serious' \
             AND affected_category IN ('employee', 'elected_official') AND received_at <= {};",
            timestamp(now() - chrono::Duration::hours(hours)),
            reason = reason.code(),
        );
    }
    sql
}

/// Inserts `cases` cases, 1000 to a statement, and their alerts.
fn seed(url: &DatabaseUrl, cases: usize, escalate_before: NaiveDateTime) {
    let mut connection = history::loader(url);
    let catalogue = Catalogue::builtin();
    for first in (1..=cases).step_by(1000) {
        let mut rows = Vec::with_capacity(1000);
        let mut offices = Vec::new();
        for n in first..=cases.min(first + 999) {
            let (row, of_case) = case(n, cases, &catalogue);
            rows.push(row);
            // A fresh database numbers the cases from 1, in the order they are inserted.
            offices.extend(of_case.iter().map(|office| format!("('{office}', {n})")));
        }
        connection
            .batch_execute(&format!(
                "INSERT INTO incidents (id, reporter, kind, violence_forms, occurred_at, \
                 received_at, updated_at, district, place_kind, affected_category, \
                 affected_gender, affected_age_group, children_affected, perpetrator_relation, \
                 perpetrator_influence, severity, description, focus_area, status, version, \
                 closed_at) VALUES {}; \
                 INSERT INTO incident_offices (office, incident_seq) VALUES {};",
                rows.join(", "),
                offices.join(", ")
            ))
            .unwrap();
    }
    connection.batch_execute(&alerts(escalate_before)).unwrap();
    // What autovacuum does on PostgreSQL soon after; SQLite plans without statistics.
    if matches!(url, DatabaseUrl::Postgres(_)) {
        connection.batch_execute("ANALYZE;").unwrap();
    }
}

/// p50 and p99 of `rounds` runs of `read`.
fn time(rounds: usize, read: impl Fn()) -> (Duration, Duration) {
    let mut samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            read();
            started.elapsed()
        })
        .collect();
    (
        history::percentile(&mut samples, 0.5),
        history::percentile(&mut samples, 0.99),
    )
}

/// Each read's p50 and p99. The sweeps must find nothing to do in the seeded history.
fn reads(
    storage: &Database,
    handler: &Visibility,
    rounds: usize,
) -> [(&'static str, (Duration, Duration)); 5] {
    // A reminder for cases filed `hours` ago: those whose deadline falls within the rest.
    let at =
        |hours| (now() + (WORK_ENVIRONMENT_DEADLINE - chrono::Duration::hours(hours))).and_utc();
    let reminders = |reason, hours| {
        time(rounds, || {
            let due = storage.authority_reminders_due(at(hours), reason).unwrap();
            assert!(due.is_empty(), "the seeded history has its reminders");
        })
    };
    let query = QueueQuery::new("ivy".into(), now().and_utc(), 25);
    // What the queue page reads: how many cases each list holds, and the first page of one,
    // its reads logged.
    let reader = Reader::new("ivy", Purpose::WebQueue);
    let queue_page = |scope: &Visibility| {
        time(rounds, || {
            storage.queue_counts(scope, &query).unwrap();
            let (page, _) = storage
                .read_queue_list(
                    scope,
                    &query,
                    QueueList::Unassigned,
                    QueueOrder::Oldest,
                    0,
                    &reader,
                )
                .unwrap();
            assert_eq!(page.len(), 25);
        })
    };
    [
        (
            "unacknowledged",
            time(rounds, || {
                let due = storage
                    .unacknowledged(
                        at(1),
                        &[Severity::High, Severity::Serious],
                        ESCALATION_RECEIVER,
                    )
                    .unwrap();
                assert!(due.is_empty(), "the seeded history is escalated");
            }),
        ),
        (
            "reminders 12 h",
            reminders(AlertReason::AuthorityReminder12h, 12),
        ),
        (
            "reminders 20 h",
            reminders(AlertReason::AuthorityReminder20h, 20),
        ),
        ("queue page, security manager", queue_page(&Visibility::All)),
        ("queue page, handler", queue_page(handler)),
    ]
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn main() {
    let sizes = history::env_list("TRYGG_BENCH_CASES", "100000,1000000");
    let rounds = history::env_list("TRYGG_BENCH_ROUNDS", "50")[0];
    println!(
        "| backend | cases | open | read | p50 ms | p99 ms | without index p50 ms | \
         without index p99 ms | p50 ratio to without | p50 ratio to {} cases |",
        sizes[0]
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    // A handler of the first focus area's first office.
    let handler = Visibility::Scoped {
        reporter: None,
        offices: Catalogue::builtin().focus_areas()[0].offices[..1].to_vec(),
    };
    for (backend, admin_url) in history::backends() {
        let mut smallest: Option<Vec<Duration>> = None;
        for &cases in &sizes {
            let database = TestDatabase::on(admin_url.as_deref());
            let url = database.url();
            let storage = Database::connect(&url, 2, Clock::system()).unwrap();
            storage.migrate().unwrap();
            let started = Instant::now();
            seed(&url, cases, now() - chrono::Duration::hours(1));
            eprintln!(
                "{backend}: {cases} cases seeded in {:.0} s",
                started.elapsed().as_secs_f64()
            );
            let open = database.count("SELECT COUNT(*) FROM incidents WHERE status <> 'closed'");
            let indexed = reads(&storage, &handler, rounds);
            database.execute("DROP INDEX incidents_open;", "DROP INDEX incidents_open;");
            let unindexed = reads(&storage, &handler, rounds);
            let p50s: Vec<Duration> = indexed.iter().map(|(_, (p50, _))| *p50).collect();
            let base = smallest.get_or_insert_with(|| p50s.clone());
            for (((read, (p50, p99)), (_, (bare50, bare99))), first) in
                indexed.iter().zip(&unindexed).zip(base.iter())
            {
                println!(
                    "| {backend} | {cases} | {open} | {read} | {} | {} | {} | {} | {:.2} | {:.2} |",
                    ms(*p50),
                    ms(*p99),
                    ms(*bare50),
                    ms(*bare99),
                    p50.as_secs_f64() / bare50.as_secs_f64(),
                    p50.as_secs_f64() / first.as_secs_f64(),
                );
            }
        }
    }
}
