//! Statistics latency as the history grows, on SQLite and (with `TRYGG_TEST_POSTGRES_URL`)
//! PostgreSQL, in one run.
//!
//! For each size in `TRYGG_BENCH_CASES` (default `1000000,10000000`) a fresh database is seeded
//! with that many synthetic cases over ten years, skewed like real reports (focus areas and districts
//! far from even, a growing trend, school terms and evenings busier than summer and nights),
//! and the rollups are built by the code the migration runs. Then each typical question is
//! asked `TRYGG_BENCH_ROUNDS` (default 100) times, one at a time:
//!
//! - `db`: the storage layer's count, straight against the database (the rollup query);
//! - `http`: the whole service with a security manager's token (live figures), in JSON with
//!   the previous-period comparison (two counts), suppression and serialisation.
//!
//! - PxWeb: each PxWeb table's data read as an analyst (published, perturbed) beside the plain
//!   read of the same figures by a security manager (live, one count, in JSON-stat).
//!
//! Printed as each size finishes: p50/p99 per question, and each p99 as a ratio to the same
//! question's p99 at the smallest size (flat is 1.0), since the machine is shared.
//!
//! Measured as an operator's day leaves the database: right after a burst of filings that no
//! `ANALYZE` has seen. On PostgreSQL autovacuum is off in the benchmark's database; the history
//! is analysed once, then `TRYGG_BENCH_BURST` (default 50 000) cases that happened from July
//! to November 2026 (inside most questions' periods) are filed and counted (SQLite never
//! gathers planner statistics). On PostgreSQL, where a background step counts filed cases into
//! the rollups (and folds amendments' deltas in from pending tables), each question is asked
//! with no case uncounted and again with a backlog: the newest `TRYGG_BENCH_UNCOUNTED`
//! (default 5000) cases uncounted, a few seconds' filings, and `TRYGG_BENCH_PENDING` (default
//! 1000) unfolded rows in every pending table: p99 as a ratio to the same question's p99
//! without the backlog.
//! `TRYGG_BENCH_BACKENDS` (default `sqlite,postgres`) picks the backends.
//! `cargo bench --bench statistics`.

#[path = "../tests/support/database.rs"]
mod database;
#[path = "support/history.rs"]
mod history;
#[path = "support/service.rs"]
mod service;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use database::TestDatabase;
use trygg_domain::statistics::{Period, StatisticsQuery};
use trygg_domain::time::local_midnight;
use trygg_domain::{
    AffectedCategory, AgeGroup, Catalogue, ChildrenAffected, Clock, Gender, IncidentKind,
    Influence, PerpetratorRelation, PlaceKind, Severity, ViolenceForm,
};
use trygg_storage::{Database, DatabaseUrl, Outcomes, Release};

/// The statistics rollup tables (`statistics_<name>`), each with its pending table.
const ROLLUPS: [&str; 7] = [
    "daily", "pairs", "events", "people", "places", "monthly", "closing",
];

/// A typical question: its label, its path and, for plain counts, the query itself.
struct Question {
    label: &'static str,
    path: &'static str,
    count: Option<Count>,
}

/// A count's period (`from`, `to`), groupings and filters.
struct Count(
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const QUESTIONS: [Question; 10] = [
    Question {
        label: "month × focus area, 12 months",
        path: "/api/v1/statistics?from=2025-12-01&to=2026-12-01&group_by=month,focus_area",
        count: Some(Count(
            "2025-12-01",
            "2026-12-01",
            &["month", "focus_area"],
            &[],
        )),
    },
    Question {
        label: "focus area × gender, a year",
        path: "/api/v1/statistics?from=2025-01-01&to=2026-01-01&group_by=focus_area,gender",
        count: Some(Count(
            "2025-01-01",
            "2026-01-01",
            &["focus_area", "gender"],
            &[],
        )),
    },
    Question {
        label: "district × age, school, a year",
        path: "/api/v1/statistics?from=2025-01-01&to=2026-01-01&group_by=district,age_group&focus_area=school",
        count: Some(Count(
            "2025-01-01",
            "2026-01-01",
            &["district", "age_group"],
            &[("focus_area", "school")],
        )),
    },
    Question {
        label: "office × severity, a quarter",
        path: "/api/v1/statistics?from=2026-07-01&to=2026-10-01&group_by=office,severity",
        count: Some(Count(
            "2026-07-01",
            "2026-10-01",
            &["office", "severity"],
            &[],
        )),
    },
    Question {
        label: "hour × weekday, a district, 12 months",
        path: "/api/v1/statistics?from=2025-12-01&to=2026-12-01&group_by=hour,weekday&district=central",
        count: Some(Count(
            "2025-12-01",
            "2026-12-01",
            &["hour", "weekday"],
            &[("district", "central")],
        )),
    },
    Question {
        label: "place × gender, a year",
        path: "/api/v1/statistics?from=2025-01-01&to=2026-01-01&group_by=place_kind,gender",
        count: Some(Count(
            "2025-01-01",
            "2026-01-01",
            &["place_kind", "gender"],
            &[],
        )),
    },
    Question {
        label: "hour × age, school, a year",
        path: "/api/v1/statistics?from=2025-01-01&to=2026-01-01&group_by=hour,age_group&focus_area=school",
        count: Some(Count(
            "2025-01-01",
            "2026-01-01",
            &["hour", "age_group"],
            &[("focus_area", "school")],
        )),
    },
    Question {
        label: "kind × gender × age, a quarter (full rollup)",
        path: "/api/v1/statistics?from=2026-07-01&to=2026-10-01&group_by=kind,gender,age_group",
        count: Some(Count(
            "2026-07-01",
            "2026-10-01",
            &["kind", "gender", "age_group"],
            &[],
        )),
    },
    Question {
        label: "yearly compilation 2025",
        path: "/api/v1/statistics/yearly/2025",
        count: None,
    },
    Question {
        label: "district picture, central",
        path: "/api/v1/statistics/districts/central",
        count: None,
    },
];

/// The same figures read plainly and through PxWeb: a label, the statistics API's path (a
/// security manager's live, suppressed read, one count in JSON-stat) and the PxWeb data path
/// (an analyst's published, perturbed read).
const PXWEB: [(&str, &str, &str); 3] = [
    (
        "PxWeb TRYGG01: month × focus area × district, 12 months",
        "/api/v1/statistics?from=2025-11-01&to=2026-11-01&group_by=month,focus_area,district&format=json-stat",
        "/api/pxweb/v2/tables/TRYGG01/data?valuecodes[month]=top(12)&valuecodes[focus_area]=*&valuecodes[district]=*",
    ),
    (
        "PxWeb TRYGG02: kind × gender × age group, a quarter",
        "/api/v1/statistics?from=2026-07-01&to=2026-10-01&group_by=kind,gender,age_group&format=json-stat",
        "/api/pxweb/v2/tables/TRYGG02/data?valuecodes[quarter]=2026-Q3&valuecodes[kind]=*&valuecodes[gender]=*&valuecodes[age_group]=*",
    ),
    (
        "PxWeb TRYGG03: office × severity, a quarter",
        "/api/v1/statistics?from=2026-07-01&to=2026-10-01&group_by=office,severity&format=json-stat",
        "/api/pxweb/v2/tables/TRYGG03/data?valuecodes[quarter]=2026-Q3&valuecodes[office]=*&valuecodes[severity]=*",
    ),
];

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// An index drawn with these weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let mut left = self.below(weights.iter().sum::<u32>() as usize) as u32;
        weights
            .iter()
            .position(|&w| {
                let hit = left < w;
                left = left.saturating_sub(w);
                hit
            })
            .unwrap_or(0)
    }

    /// A code of a vocabulary, skewed towards its first values (Zipf, s = 1).
    fn zipf<T: Copy>(&mut self, all: &[T]) -> T {
        let weights: Vec<u32> = (1..=all.len() as u32).map(|rank| 1000 / rank).collect();
        all[self.weighted(&weights)]
    }
}

const FOCUS_AREA_WEIGHTS: [u32; 9] = [5, 16, 24, 28, 4, 9, 8, 3, 3];
const DISTRICT_WEIGHTS: [u32; 3] = [50, 30, 20];
/// More reports in school terms and autumn, fewer in July.
const MONTH_WEIGHTS: [u32; 12] = [8, 9, 10, 9, 9, 7, 4, 6, 10, 11, 11, 8];
/// School hours and evenings.
const HOUR_WEIGHTS: [u32; 24] = [
    3, 2, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 9, 10, 10, 9, 7, 6, 7, 8, 9, 8, 6, 4,
];

/// When synthetic cases happened.
#[derive(Clone, Copy)]
enum Dates {
    /// Ten years to November 2026, each year about 7 % busier than the one before.
    History,
    /// July to November 2026: filings the planner's statistics have not seen.
    Burst,
}

/// One synthetic case as an `incidents` row and its offices.
fn synthetic(
    rng: &mut Rng,
    catalogue: &Catalogue,
    id: usize,
    dates: Dates,
) -> (String, Vec<String>) {
    let date = match dates {
        Dates::History => {
            let year =
                2017 + rng.weighted(&[100, 107, 114, 122, 131, 140, 150, 160, 171, 160]) as i32;
            let month = 1 + rng.weighted(&MONTH_WEIGHTS) as u32;
            let month = if year == 2026 { month.min(11) } else { month };
            NaiveDate::from_ymd_opt(year, month, 1 + rng.below(28) as u32).unwrap()
        }
        Dates::Burst => {
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
                + chrono::Duration::days(rng.below(153) as i64)
        }
    };
    let hour = rng.weighted(&HOUR_WEIGHTS) as i64;
    let occurred = (local_midnight(date)
        + chrono::Duration::minutes(hour * 60 + rng.below(60) as i64))
    .naive_utc();
    let received = occurred + chrono::Duration::minutes(rng.below(72 * 60) as i64);
    let focus_area = &catalogue.focus_areas()[rng.weighted(&FOCUS_AREA_WEIGHTS)];
    let district = catalogue.districts()[rng.weighted(&DISTRICT_WEIGHTS)]
        .code
        .as_str();
    let kind = rng.zipf(IncidentKind::ALL);
    let forms = match kind {
        IncidentKind::Violence => {
            let first = rng.zipf(ViolenceForm::ALL);
            let second = rng.zipf(ViolenceForm::ALL);
            if first == second {
                first.code().to_owned()
            } else {
                format!("{},{}", first.code(), second.code())
            }
        }
        _ => String::new(),
    };
    let closed = received
        < NaiveDate::from_ymd_opt(2026, 9, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
        && rng.below(100) < 85;
    let closed_at = closed.then(|| {
        received + chrono::Duration::days((rng.below(20) + rng.below(60) * rng.below(2)) as i64)
    });
    let timestamp = |at: NaiveDateTime| format!("'{}'", at.format("%Y-%m-%d %H:%M:%S"));
    let row = format!(
        "('{id:032x}', 'bench', '{kind}', '{forms}', {occurred}, {received}, {received}, '{district}', '{place}', \
         '{category}', '{gender}', '{age}', '{children}', '{relation}', '{influence}', '{severity}', '', \
         '{focus_area}', '{status}', 1, {police}, {closed_at}, {outcome})",
        kind = kind.code(),
        occurred = timestamp(occurred),
        received = timestamp(received),
        place = rng.zipf(PlaceKind::ALL).code(),
        category = rng.zipf(AffectedCategory::ALL).code(),
        gender = [Gender::Woman, Gender::Man, Gender::Other, Gender::Unknown]
            [rng.weighted(&[50, 40, 3, 7])]
        .code(),
        age = rng.zipf(AgeGroup::ALL).code(),
        children = rng.zipf(ChildrenAffected::ALL).code(),
        relation = rng.zipf(PerpetratorRelation::ALL).code(),
        influence = rng.zipf(Influence::ALL).code(),
        severity = [
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Serious
        ][rng.weighted(&[35, 35, 22, 8])]
        .code(),
        focus_area = focus_area.code.as_str(),
        status = if closed { "closed" } else { "in_progress" },
        police = if rng.below(100) < 30 { "TRUE" } else { "FALSE" },
        closed_at = closed_at.map(timestamp).unwrap_or_else(|| "NULL".into()),
        outcome = if closed { "'resolved'" } else { "NULL" },
    );
    let offices = focus_area
        .offices
        .iter()
        .map(|o| o.as_str().to_owned())
        .collect();
    (row, offices)
}

/// Inserts the synthetic cases numbered `cases` straight into the database, 1000 to a
/// statement.
fn seed(url: &DatabaseUrl, cases: std::ops::Range<usize>, dates: Dates) {
    let mut connection = history::loader(url);
    let catalogue = Catalogue::builtin();
    let mut rng = Rng(0x7472_7967_6700 + cases.end as u64);
    let mut seq = cases.start;
    while seq < cases.end {
        let chunk = 1000.min(cases.end - seq);
        let mut rows = Vec::with_capacity(chunk);
        let mut offices = Vec::new();
        for _ in 0..chunk {
            seq += 1;
            let (row, of_case) = synthetic(&mut rng, &catalogue, seq, dates);
            rows.push(row);
            offices.extend(
                of_case
                    .into_iter()
                    .map(|office| format!("('{office}', {seq})")),
            );
        }
        connection
            .batch_execute(&format!(
                "BEGIN; INSERT INTO incidents (id, reporter, kind, violence_forms, occurred_at, received_at, \
                 updated_at, district, place_kind, affected_category, affected_gender, affected_age_group, \
                 children_affected, perpetrator_relation, perpetrator_influence, severity, description, \
                 focus_area, status, version, police_report_filed, closed_at, outcome) VALUES {}; \
                 INSERT INTO incident_offices (office, incident_seq) VALUES {}; COMMIT;",
                rows.join(", "),
                offices.join(", ")
            ))
            .unwrap();
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

/// p50 and p99 of `rounds` timed runs of `work`, after three untimed ones.
async fn timed<F: std::future::Future<Output = ()>>(
    rounds: usize,
    mut work: impl FnMut() -> F,
) -> (Duration, Duration) {
    for _ in 0..3 {
        work().await;
    }
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        work().await;
        samples.push(started.elapsed());
    }
    (
        history::percentile(&mut samples, 0.5),
        history::percentile(&mut samples, 0.99),
    )
}

struct Row {
    backend: &'static str,
    cases: usize,
    question: &'static str,
    /// `""`, or the fold backlog: `" (backlog)"`.
    state: &'static str,
    db: Option<(Duration, Duration)>,
    http: (Duration, Duration),
}

async fn measure(
    backend: &'static str,
    admin_url: Option<&str>,
    cases: usize,
    rounds: usize,
) -> (Vec<Row>, Vec<Row>) {
    let database = TestDatabase::on(admin_url);
    let url = database.url();
    let storage = Database::connect(&url, 4, Clock::system()).unwrap();
    storage.migrate().unwrap();
    database.execute("", AUTOVACUUM_OFF);
    let burst = history::env_list("TRYGG_BENCH_BURST", "50000")[0];
    let started = Instant::now();
    seed(&url, 0..cases, Dates::History);
    let seeded = started.elapsed();
    let started = Instant::now();
    let counted = storage.rebuild_statistics().unwrap();
    let built = started.elapsed();
    // What the planner knows of the history, and nothing of the burst filed after it.
    database.execute("", "ANALYZE;");
    seed(&url, cases..cases + burst, Dates::Burst);
    // The burst counted as the service counts filings: inline on SQLite (here a rebuild), by
    // the fold on PostgreSQL.
    database.execute(
        "",
        &format!("INSERT INTO uncounted_cases SELECT seq FROM incidents WHERE seq > {cases};"),
    );
    let started = Instant::now();
    match backend {
        "postgres" => storage.fold_statistics().map(drop).unwrap(),
        _ => storage.rebuild_statistics().map(drop).unwrap(),
    }
    let burst_counted = started.elapsed();
    let rollup_rows: i64 = ROLLUPS
        .iter()
        .map(|table| database.count(&format!("SELECT COUNT(*) FROM statistics_{table}")))
        .sum();
    eprintln!(
        "{backend}: {cases} cases seeded in {:.0} s, rollups built from {counted} in {:.0} s, \
         then a burst of {burst} filed unseen by ANALYZE and counted in {:.1} s ({rollup_rows} \
         rollup rows)",
        seeded.as_secs_f64(),
        built.as_secs_f64(),
        burst_counted.as_secs_f64()
    );
    let (base, token) = service::start(url.clone(), None, "security_manager").await;
    let ask = |state: &'static str| ask(&storage, &base, &token, rounds, backend, cases, state);
    let mut rows = ask("").await;
    let pxweb = ask_pxweb(&base, rounds, backend, cases).await;
    if backend == "postgres" {
        let uncounted = history::env_list("TRYGG_BENCH_UNCOUNTED", "5000")[0];
        let pending = history::env_list("TRYGG_BENCH_PENDING", "1000")[0];
        // The service's fold would count the backlog within a second: its lock is held
        // elsewhere while the backlog is asked, as while another instance folds.
        let mut folder = history::loader(&url);
        folder
            .batch_execute(&format!("SELECT pg_advisory_lock({FOLD_LOCK_KEY});"))
            .unwrap();
        database.execute("", &backlog(uncounted, pending));
        rows.extend(ask(" (backlog)").await);
        drop(folder);
    }
    (rows, pxweb)
}

/// The advisory lock the statistics fold holds (`trygg_storage::statistics`).
const FOLD_LOCK_KEY: i64 = 0x0074_7279_6766;

/// No table analysed behind the benchmark's back (PostgreSQL): the planner knows what the
/// benchmark's own `ANALYZE` saw, before the burst.
const AUTOVACUUM_OFF: &str = "DO $$ DECLARE t text; BEGIN \
     FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP \
     EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = false)', t); END LOOP; END $$;";

/// Marks the newest `uncounted` cases as not counted yet and copies `per_table` random rollup
/// rows into each pending table: what every count reads besides the rollup (the counts come
/// out too large; only the time matters).
fn backlog(uncounted: usize, per_table: usize) -> String {
    let cases = format!(
        "INSERT INTO uncounted_cases SELECT seq FROM incidents ORDER BY seq DESC LIMIT {uncounted};"
    );
    let pending = ROLLUPS.map(|table| {
        format!(
            "INSERT INTO statistics_{table}_pending \
             SELECT * FROM statistics_{table} ORDER BY random() LIMIT {per_table};"
        )
    });
    cases + &pending.concat()
}

/// Times each PxWeb read beside the plain read of the same figures: the PxWeb row's `db` is
/// the plain read's p50/p99 (its baseline, in the same run), its `http` the PxWeb read's.
async fn ask_pxweb(base: &str, rounds: usize, backend: &'static str, cases: usize) -> Vec<Row> {
    let (manager, analyst) = (
        service::token("security_manager"),
        service::token("analyst"),
    );
    let mut rows = Vec::new();
    for (label, plain, pxweb) in PXWEB {
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(120))
            .finish();
        let read = |path: &'static str, token: &str| {
            let (client, url, token) = (client.clone(), format!("{base}{path}"), token.to_owned());
            move || {
                let (client, url, token) = (client.clone(), url.clone(), token.clone());
                async move {
                    let mut response = client.get(&url).bearer_auth(token).send().await.unwrap();
                    let body = response.body().limit(64 << 20).await.unwrap();
                    assert!(
                        response.status().is_success(),
                        "{url}: {}",
                        String::from_utf8_lossy(&body)
                    );
                }
            }
        };
        let plain = timed(rounds, read(plain, &manager)).await;
        let pxweb = timed(rounds, read(pxweb, &analyst)).await;
        rows.push(Row {
            backend,
            cases,
            question: label,
            state: "",
            db: Some(plain),
            http: pxweb,
        });
    }
    rows
}

/// Times every question, straight against the database and through the service.
async fn ask(
    storage: &Database,
    base: &str,
    token: &str,
    rounds: usize,
    backend: &'static str,
    cases: usize,
    state: &'static str,
) -> Vec<Row> {
    let catalogue = Catalogue::builtin();
    let mut rows = Vec::new();
    for question in &QUESTIONS {
        let db = match question.count {
            Some(Count(from, to, group_by, filters)) => {
                let period = Period::new(from.parse().unwrap(), to.parse().unwrap()).unwrap();
                let query = StatisticsQuery::new(&catalogue, period, group_by, filters).unwrap();
                Some(
                    timed(rounds, || async {
                        storage
                            .count(&query, &Release::Live, Outcomes::NotNeeded)
                            .map(drop)
                            .unwrap()
                    })
                    .await,
                )
            }
            None => None,
        };
        // A new client: the server closes connections left idle while the database was timed.
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(120))
            .finish();
        let url = format!("{base}{}", question.path);
        let http = timed(rounds, || async {
            let mut response = client.get(&url).bearer_auth(token).send().await.unwrap();
            let body = response.body().limit(64 << 20).await.unwrap();
            assert!(
                response.status().is_success(),
                "{}: {}",
                question.path,
                String::from_utf8_lossy(&body)
            );
        })
        .await;
        rows.push(Row {
            backend,
            cases,
            question: question.label,
            state,
            db,
            http,
        });
    }
    rows
}

#[actix_web::main]
async fn main() {
    let sizes = history::env_list("TRYGG_BENCH_CASES", "1000000,10000000");
    let rounds = history::env_list("TRYGG_BENCH_ROUNDS", "100")[0];
    println!(
        "| backend | cases | question | db p50 ms | db p99 ms | http p50 ms | http p99 ms | db p99 ratio | http p99 ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "(ratios: to the same question at {} cases; for (backlog), to it before the backlog; \
         for PxWeb, the published PxWeb read's p99 to the plain live read's of the same figures)",
        sizes[0]
    );
    // Printed as each size finishes, the smallest first: a long run keeps what it measured.
    for (backend, admin_url) in history::backends() {
        let mut baseline: Vec<Row> = Vec::new();
        for &cases in &sizes {
            let (rows, pxweb) = measure(backend, admin_url.as_deref(), cases, rounds).await;
            for row in &pxweb {
                let (plain, read) = (row.db.expect("the plain read's baseline"), row.http);
                println!(
                    "| {} | {} | {} | plain {} | plain {} | {} | {} | – | {:.2} |",
                    row.backend,
                    row.cases,
                    row.question,
                    ms(plain.0),
                    ms(plain.1),
                    ms(read.0),
                    ms(read.1),
                    read.1.as_secs_f64() / plain.1.as_secs_f64()
                );
            }
            for row in &rows {
                let same = |r: &&Row| r.question == row.question;
                let base = if row.state.is_empty() {
                    baseline.iter().find(same)
                } else {
                    rows.iter().filter(|r| r.state.is_empty()).find(same)
                }
                .unwrap_or(row);
                let db_ratio = row.db.zip(base.db).map_or("–".into(), |(now, before)| {
                    format!("{:.2}", now.1.as_secs_f64() / before.1.as_secs_f64())
                });
                let (db50, db99) = row
                    .db
                    .map(|(a, b)| (ms(a), ms(b)))
                    .unwrap_or(("–".into(), "–".into()));
                println!(
                    "| {} | {} | {}{} | {db50} | {db99} | {} | {} | {db_ratio} | {:.2} |",
                    row.backend,
                    row.cases,
                    row.question,
                    row.state,
                    ms(row.http.0),
                    ms(row.http.1),
                    row.http.1.as_secs_f64() / base.http.1.as_secs_f64()
                );
            }
            if baseline.is_empty() {
                baseline = rows;
            }
        }
    }
}
