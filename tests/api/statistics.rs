//! Reporting statistics: every published count checked against a direct count of the cases,
//! suppression attacked from the margins, who may read them, and the formats read by
//! independent readers.

use std::collections::BTreeMap;

use awc::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use serde_json::{Value, json};
use trygg_domain::statistics::{PublicationCalendar, SuppressionThreshold};
use trygg_domain::{
    AffectedCategory, AgeGroup, Catalogue, ChildrenAffected, Gender, IncidentKind, ManualClock,
    PlaceKind, Severity, ViolenceForm,
};
use trygg_storage::DisclosureControl;

use crate::helpers::*;

pub(crate) fn analyst() -> String {
    token("integration:uppfoljning", &["analyst"], None)
}

pub(crate) fn manager() -> String {
    token("ivy", &["security_manager"], None)
}

/// A small deterministic generator (xorshift64*), so a failing run can be repeated.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }

    pub(crate) fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| code(*v).to_owned()).collect()
}

/// Every code of a dimension, as the test knows them (from the catalogue and vocabularies).
pub(crate) fn categories(dimension: &str) -> Vec<String> {
    let catalogue = Catalogue::builtin();
    match dimension {
        "focus_area" => catalogue
            .focus_areas()
            .iter()
            .map(|f| f.code.as_str().to_owned())
            .collect(),
        "office" => catalogue
            .offices()
            .iter()
            .map(|o| o.code.as_str().to_owned())
            .collect(),
        "district" => catalogue
            .districts()
            .iter()
            .map(|d| d.code.as_str().to_owned())
            .collect(),
        "kind" => codes(IncidentKind::ALL, IncidentKind::code),
        "violence_form" => codes(ViolenceForm::ALL, ViolenceForm::code),
        "severity" => codes(Severity::ALL, Severity::code),
        "affected_category" => codes(AffectedCategory::ALL, AffectedCategory::code),
        "gender" => codes(Gender::ALL, Gender::code),
        "age_group" => codes(AgeGroup::ALL, AgeGroup::code),
        "children_affected" => codes(ChildrenAffected::ALL, ChildrenAffected::code),
        "place_kind" => codes(PlaceKind::ALL, PlaceKind::code),
        "weekday" => (1..=7).map(|d| d.to_string()).collect(),
        "hour" => (0..24).map(|h| format!("{h:02}")).collect(),
        other => panic!("no categories for {other}"),
    }
}

/// The cell that is the total of every dimension of a table.
pub(crate) fn grand_total(reply: &Value) -> &Value {
    reply["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("a table: {reply}"))
        .iter()
        .find(|cell| {
            let categories = cell["categories"].as_object().unwrap();
            categories.values().all(|v| v == "total")
        })
        .unwrap_or_else(|| panic!("a grand total: {reply}"))
}

/// A filed case as the test knows it: the facts it sent, in the local time it wrote.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub(crate) id: String,
    local: NaiveDateTime,
    facts: BTreeMap<&'static str, String>,
    forms: Vec<String>,
    offices: Vec<String>,
    focus_area: String,
}

impl Case {
    fn values(&self, dimension: &str) -> Vec<String> {
        let one = |value: String| vec![value];
        match dimension {
            "focus_area" => one(self.focus_area.clone()),
            "office" => self.offices.clone(),
            "violence_form" => self.forms.clone(),
            "day" => one(self.local.format("%Y-%m-%d").to_string()),
            "week" => {
                let week = self.local.date().iso_week();
                one(format!("{}-W{:02}", week.year(), week.week()))
            }
            "month" => one(self.local.format("%Y-%m").to_string()),
            "quarter" => one(format!(
                "{}-Q{}",
                self.local.year(),
                self.local.month0() / 3 + 1
            )),
            "year" => one(self.local.year().to_string()),
            "weekday" => one(self.local.weekday().number_from_monday().to_string()),
            "hour" => one(format!("{:02}", self.local.hour())),
            fact => one(self.facts[fact].clone()),
        }
    }

    fn update(&mut self, case: &Value) {
        self.focus_area = case["focus_area"].as_str().unwrap().to_owned();
        self.offices = strings(&case["offices"]);
        self.facts
            .insert("severity", case["severity"].as_str().unwrap().to_owned());
        self.facts
            .insert("kind", case["kind"].as_str().unwrap().to_owned());
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The last Sunday of a month: the EU's summer time starts on March's and ends on October's.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let last = NaiveDate::from_ymd_opt(year, month + 1, 1)
        .unwrap()
        .pred_opt()
        .unwrap();
    last - Duration::days(last.weekday().num_days_from_sunday().into())
}

/// Whether the clocks change in Sweden on this day.
pub(crate) fn is_clock_change(day: NaiveDate) -> bool {
    day == last_sunday(day.year(), 3) || day == last_sunday(day.year(), 10)
}

/// The UTC offset of Swedish local time (the test never writes times on the days the clocks
/// change).
fn offset(local: NaiveDateTime) -> &'static str {
    let day = local.date();
    assert!(!is_clock_change(day), "{day} is ambiguous");
    if day > last_sunday(day.year(), 3) && day < last_sunday(day.year(), 10) {
        "+02:00"
    } else {
        "+01:00"
    }
}

/// Files a case with these facts, happening at `local` Swedish time.
pub(crate) async fn file_case(
    app: &TestApp,
    local: NaiveDateTime,
    facts: &[(&'static str, &str)],
    forms: &[String],
) -> Case {
    let mut report = report_with(json!({
        "occurred_at": format!("{}{}", local.format("%Y-%m-%dT%H:%M:%S"), offset(local)),
        "description": "Hemlig beskrivning: Kim Svensson hotades av en granne.",
    }));
    for (name, value) in facts {
        report[*name] = json!(value);
    }
    if !forms.is_empty() {
        report["violence_forms"] = json!(forms);
    }
    let body = app.file_ok(&reporter("kim.svensson"), &report).await;
    let facts: BTreeMap<&'static str, String> = [
        ("district", "district"),
        ("kind", "kind"),
        ("severity", "severity"),
        ("affected_category", "affected_category"),
        ("gender", "affected_gender"),
        ("age_group", "affected_age_group"),
        ("children_affected", "children_affected"),
        ("place_kind", "place_kind"),
    ]
    .into_iter()
    .map(|(dimension, field)| (dimension, report[field].as_str().unwrap().to_owned()))
    .collect();
    let mut case = Case {
        id: body["id"].as_str().unwrap().to_owned(),
        local,
        facts,
        forms: forms.to_vec(),
        offices: Vec::new(),
        focus_area: String::new(),
    };
    case.update(&body);
    case
}

/// Changes a case as a security manager, with its current ETag; returns the case after.
async fn change(app: &TestApp, id: &str, what: &str, body: Value) -> Value {
    let path = format!("/api/v1/incidents/{id}");
    let etag = app
        .get(&path, &manager())
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let request = match what {
        "follow-up" => app.request(
            awc::http::Method::PUT,
            &format!("{path}/{what}"),
            Some(&manager()),
        ),
        _ => app.request(
            awc::http::Method::POST,
            &format!("{path}/{what}"),
            Some(&manager()),
        ),
    };
    let reply = app
        .send_body(
            request
                .insert_header(("If-Match", etag))
                .content_type("application/json"),
            body.to_string(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.body);
    reply.body
}

pub(crate) async fn close(app: &TestApp, id: &str) {
    change(app, id, "status", json!({"status": "triaged"})).await;
    change(
        app,
        id,
        "status",
        json!({"status": "closed", "outcome": "resolved"}),
    )
    .await;
}

/// Random cases from 2025 to November 2026, some reclassified and some closed afterwards.
async fn seed(app: &TestApp, rng: &mut Rng, count: usize) -> Vec<Case> {
    let start: NaiveDate = "2025-01-01".parse().unwrap();
    let mut cases = Vec::new();
    while cases.len() < count {
        let local = (start + Duration::days(rng.below(688) as i64))
            .and_hms_opt(rng.below(24) as u32, rng.below(60) as u32, 0)
            .unwrap();
        if is_clock_change(local.date()) {
            continue;
        }
        let kind = rng.pick(&codes(IncidentKind::ALL, IncidentKind::code));
        let forms: Vec<String> = if kind == "violence" {
            let all = codes(ViolenceForm::ALL, ViolenceForm::code);
            let first = rng.below(all.len());
            let mut forms = vec![all[first].clone()];
            if rng.chance(40) {
                forms.push(all[(first + 1 + rng.below(all.len() - 1)) % all.len()].clone());
            }
            forms
        } else {
            Vec::new()
        };
        let facts = [
            ("kind", kind.clone()),
            ("district", rng.pick(&categories("district"))),
            ("place_kind", rng.pick(&categories("place_kind"))),
            (
                "affected_category",
                rng.pick(&categories("affected_category")),
            ),
            ("affected_gender", rng.pick(&categories("gender"))),
            ("affected_age_group", rng.pick(&categories("age_group"))),
            (
                "children_affected",
                rng.pick(&categories("children_affected")),
            ),
            (
                "perpetrator_relation",
                rng.pick(
                    &["unknown", "pupil", "partner", "relative", "resident"].map(String::from),
                ),
            ),
            ("severity", rng.pick(&categories("severity"))),
        ];
        let facts: Vec<(&'static str, &str)> =
            facts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut case = file_case(app, local, &facts, &forms).await;
        if rng.chance(12) {
            let focus_area = rng.pick(&categories("focus_area"));
            let severity = rng.pick(&categories("severity"));
            let body = json!({"focus_area": focus_area, "severity": severity, "reason": "omklassificerad"});
            let after = change(app, &case.id, "classification", body).await;
            case.update(&after);
        }
        if rng.chance(15) {
            close(app, &case.id).await;
        }
        cases.push(case);
    }
    cases
}

#[derive(Debug)]
struct Query {
    from: NaiveDate,
    to: NaiveDate,
    group_by: Vec<String>,
    filters: Vec<(String, String)>,
}

impl Query {
    fn string(&self) -> String {
        let mut text = format!(
            "from={}&to={}&group_by={}",
            self.from,
            self.to,
            self.group_by.join(",")
        );
        for (dimension, value) in &self.filters {
            text.push_str(&format!("&{dimension}={value}"));
        }
        text
    }

    /// What a cell should hold: the cases of the period that pass the filters, each counted
    /// once per combination of its values (a case with two offices counts under both).
    fn expected(&self, cases: &[Case], cell: &serde_json::Map<String, Value>) -> u64 {
        cases
            .iter()
            .filter(|case| case.local.date() >= self.from && case.local.date() < self.to)
            .filter(|case| self.filters.iter().all(|(d, v)| case.values(d).contains(v)))
            .map(|case| {
                self.group_by
                    .iter()
                    .map(|dimension| {
                        let values = case.values(dimension);
                        match cell[dimension.as_str()].as_str().unwrap() {
                            "total" => values.len() as u64,
                            code => values.iter().filter(|v| *v == code).count() as u64,
                        }
                    })
                    .product::<u64>()
            })
            .sum()
    }
}

const DIMENSIONS: [&str; 13] = [
    "focus_area",
    "office",
    "district",
    "kind",
    "violence_form",
    "severity",
    "affected_category",
    "gender",
    "age_group",
    "children_affected",
    "place_kind",
    "weekday",
    "hour",
];

fn random_query(rng: &mut Rng) -> Query {
    let whole_months = rng.chance(60);
    let (from, to, grains) = if whole_months {
        let first = rng.below(20) as u32;
        let from = NaiveDate::from_ymd_opt(2025 + (first / 12) as i32, first % 12 + 1, 1).unwrap();
        let to = from
            .checked_add_months(chrono::Months::new(
                1 + rng.below(23 - first as usize) as u32,
            ))
            .unwrap();
        (from, to, &["month", "quarter", "year"][..])
    } else {
        let from =
            "2025-01-01".parse::<NaiveDate>().unwrap() + Duration::days(rng.below(650) as i64);
        (
            from,
            from + Duration::days(1 + rng.below(40) as i64),
            &["day", "week", "month"][..],
        )
    };
    let mut pool: Vec<&str> = DIMENSIONS.to_vec();
    let mut group_by = Vec::new();
    if rng.chance(40) {
        group_by.push(rng.pick(grains).to_owned());
    }
    for _ in 0..rng.below(3) {
        let dimension = pool.remove(rng.below(pool.len()));
        group_by.push(dimension.to_owned());
    }
    let mut filters = Vec::new();
    for _ in 0..rng.below(3) {
        let dimension = pool.remove(rng.below(pool.len()));
        filters.push((dimension.to_owned(), rng.pick(&categories(dimension))));
    }
    Query {
        from,
        to,
        group_by,
        filters,
    }
}

#[actix_web::test]
async fn every_published_count_equals_a_direct_count_of_the_cases() {
    let threshold = 2;
    let app = spawn_app_configured(|settings| {
        settings.disclosure = DisclosureControl::new(
            SuppressionThreshold::new(threshold).unwrap(),
            None,
            None,
            PublicationCalendar::DEFAULT,
        )
        .unwrap();
    })
    .await;
    let mut rng = Rng(0x7279_6767_2026);
    let cases = seed(&app, &mut rng, 160).await;
    assert_eq!(
        app.database.count("SELECT COUNT(*) FROM incidents"),
        cases.len() as i64
    );
    let (mut published, mut suppressed) = (0, 0);
    for _ in 0..80 {
        let query = random_query(&mut rng);
        let reply = app
            .get(
                &format!("/api/v1/statistics?{}", query.string()),
                &manager(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{query:?}: {}", reply.body);
        for cell in reply.body["cells"].as_array().unwrap() {
            let categories = cell["categories"].as_object().unwrap();
            let expected = query.expected(&cases, categories);
            match cell["count"].as_u64() {
                Some(count) => {
                    assert_eq!(count, expected, "{query:?} {categories:?}");
                    assert!(
                        count == 0 || count >= threshold,
                        "{query:?}: {count} is published"
                    );
                    published += 1;
                }
                None => {
                    assert_eq!(cell["suppressed"], true);
                    suppressed += 1;
                }
            }
        }
    }
    assert!(
        published > 1000 && suppressed > 50,
        "{published} published, {suppressed} suppressed"
    );
}

/// Cases in `district` at school in November 2025, one per gender listed.
async fn file_genders(app: &TestApp, district: &str, genders: &[(&str, usize)]) {
    let local: NaiveDateTime = "2025-11-12T10:00:00".parse().unwrap();
    for (gender, count) in genders {
        for _ in 0..*count {
            file_case(
                app,
                local,
                &[("district", district), ("affected_gender", gender)],
                &[],
            )
            .await;
        }
    }
}

/// Every line of a published table, as (cells along it, its total): what subtraction works on.
fn lines(cells: &[Value], dimensions: &[String]) -> Vec<(Vec<usize>, usize)> {
    let key = |cell: &Value, skip: &str| -> Vec<String> {
        dimensions
            .iter()
            .filter(|d| d.as_str() != skip)
            .map(|d| cell["categories"][d].as_str().unwrap().to_owned())
            .collect()
    };
    // Per dimension and the other dimensions' categories: the cells along it and its total.
    type Line = (Vec<usize>, Option<usize>);
    let mut lines: BTreeMap<(String, Vec<String>), Line> = BTreeMap::new();
    for dimension in dimensions {
        for (i, cell) in cells.iter().enumerate() {
            let line = lines
                .entry((dimension.clone(), key(cell, dimension)))
                .or_default();
            if cell["categories"][dimension] == "total" {
                line.1 = Some(i);
            } else {
                line.0.push(i);
            }
        }
    }
    lines
        .into_values()
        .map(|(members, total)| (members, total.unwrap()))
        .collect()
}

/// What an attacker recovers by subtracting published counts along lines, again and again.
fn recover_by_subtraction(cells: &[Value], dimensions: &[String]) -> Vec<usize> {
    let mut known: Vec<Option<i64>> = cells.iter().map(|c| c["count"].as_i64()).collect();
    let mut recovered = Vec::new();
    loop {
        let mut progress = false;
        for (members, total) in lines(cells, dimensions) {
            let unknown: Vec<usize> = members
                .iter()
                .chain([&total])
                .copied()
                .filter(|&i| known[i].is_none())
                .collect();
            if let [only] = unknown[..] {
                let sum: i64 = members
                    .iter()
                    .filter(|&&i| i != only)
                    .map(|&i| known[i].unwrap())
                    .sum();
                known[only] = Some(if only == total {
                    sum
                } else {
                    known[total].unwrap() - sum
                });
                recovered.push(only);
                progress = true;
            }
        }
        if !progress {
            return recovered;
        }
    }
}

#[actix_web::test]
async fn api6_sensitive_business_flows_a_suppressed_count_cannot_be_recovered_from_the_margins() {
    let app = spawn_app().await;
    file_genders(&app, "central", &[("woman", 5), ("man", 4), ("other", 1)]).await;
    file_genders(&app, "west", &[("woman", 3), ("man", 6)]).await;
    file_genders(&app, "east", &[("woman", 7), ("man", 8), ("unknown", 2)]).await;
    let period = "from=2025-11-01&to=2025-12-01";
    for group_by in ["district,gender", "gender", "gender,district"] {
        let reply = app
            .get(
                &format!("/api/v1/statistics?{period}&group_by={group_by}"),
                &manager(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let cells = reply.body["cells"].as_array().unwrap();
        let dimensions: Vec<String> = group_by.split(',').map(String::from).collect();
        let small: Vec<&Value> = cells
            .iter()
            .filter(|c| {
                let cats = &c["categories"];
                (cats.get("district").is_none_or(|d| d == "central") && cats["gender"] == "other")
                    || (cats.get("district").is_none_or(|d| d == "east")
                        && cats["gender"] == "unknown")
            })
            .filter(|c| {
                c["categories"]
                    .as_object()
                    .unwrap()
                    .values()
                    .all(|v| v != "total")
                    || dimensions.len() == 1
            })
            .collect();
        assert!(!small.is_empty());
        for cell in small {
            assert_eq!(cell["count"], Value::Null, "{group_by}: {cell}");
            assert_eq!(cell["suppressed"], true);
        }
        let hidden = cells.iter().filter(|c| c["count"].is_null()).count();
        assert!(
            hidden >= 4 || dimensions.len() == 1,
            "{group_by}: complements are hidden too"
        );
        assert_eq!(
            recover_by_subtraction(cells, &dimensions),
            Vec::<usize>::new(),
            "{group_by}"
        );
    }
    // The same cell filtered down to one district: still not published, not even as a total.
    let reply = app
        .get(
            &format!("/api/v1/statistics?{period}&district=central&gender=other"),
            &manager(),
        )
        .await;
    assert_eq!(
        reply.body["cells"][0]["count"],
        Value::Null,
        "{}",
        reply.body
    );
}

#[actix_web::test]
async fn only_analysts_and_security_managers_read_statistics_and_never_a_case() {
    let app = spawn_app().await;
    let local: NaiveDateTime = "2026-10-07T21:15:00".parse().unwrap();
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(
            file_case(&app, local, &[("district", "west")], &[])
                .await
                .id,
        );
    }
    let paths = [
        "/api/v1/statistics?group_by=focus_area,gender",
        "/api/v1/statistics?group_by=month&format=csv",
        "/api/v1/statistics?group_by=district&format=json-stat",
        "/api/v1/statistics/yearly/2025",
        "/api/v1/statistics/districts/west",
        "/api/v1/statistics/publications",
    ];
    let refused = [
        ("reporter", token("kim.svensson", &["reporter"], None)),
        ("handler", token("dave", &["handler"], Some("utbildning"))),
        ("admin", token("root", &["admin"], None)),
        (
            "reporter and handler",
            token("eve", &["reporter", "handler"], Some("utbildning")),
        ),
    ];
    for path in paths {
        for (who, token) in &refused {
            let reply = app.get(path, token).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{who} {path}");
            reply.assert_problem(403);
        }
        assert_eq!(
            app.get(path, "not a token").await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        for (who, token) in [("analyst", analyst()), ("security manager", manager())] {
            let reply = app.get(path, &token).await;
            assert_eq!(reply.status, StatusCode::OK, "{who} {path}: {}", reply.body);
            let text = reply.body.to_string();
            for secret in
                ids.iter()
                    .map(String::as_str)
                    .chain(["Hemlig", "Svensson", "kim.svensson", "TRG-"])
            {
                assert!(!text.contains(secret), "{path} shows {secret}");
            }
        }
    }
}

#[actix_web::test]
async fn counts_are_compared_with_the_previous_period() {
    let app = spawn_app().await;
    for (day, count) in [
        ("2026-08-10T12:00:00", 4),
        ("2026-05-10T12:00:00", 3),
        ("2026-06-10T12:00:00", 5),
    ] {
        for _ in 0..count {
            file_case(&app, day.parse().unwrap(), &[], &[]).await;
        }
    }
    let reply = app
        .get(
            "/api/v1/statistics?from=2026-07-01&to=2026-10-01&group_by=month",
            &manager(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = &reply.body;
    assert_eq!(
        body["period"],
        json!({"from": "2026-07-01", "to": "2026-10-01"})
    );
    assert_eq!(
        body["previous_period"],
        json!({"from": "2026-04-01", "to": "2026-07-01"})
    );
    let cell = |month: &str| {
        body["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["categories"]["month"] == month)
            .unwrap()
            .clone()
    };
    // August against May, September against June, the total against the total.
    assert_eq!(cell("2026-08")["count"], 4);
    assert_eq!(
        cell("2026-08")["previous"],
        json!({"count": 3, "suppressed": false, "change": 1, "change_percent": 33.3})
    );
    assert_eq!(
        cell("2026-09")["previous"],
        json!({"count": 5, "suppressed": false, "change": -5, "change_percent": -100.0})
    );
    assert_eq!(
        cell("2026-07")["previous"],
        json!({"count": 0, "suppressed": false, "change": 0, "change_percent": null})
    );
    assert_eq!(
        cell("total")["previous"],
        json!({"count": 8, "suppressed": false, "change": -4, "change_percent": -50.0})
    );
}

/// A period of days whose previous period starts on the 1st: the two together span a whole
/// month, which a monthly rollup cannot split between them.
#[actix_web::test]
async fn a_period_of_days_is_compared_with_the_days_before_it() {
    let app = spawn_app().await;
    for (day, count) in [("2026-06-05T12:00:00", 4), ("2026-06-20T12:00:00", 5)] {
        for _ in 0..count {
            file_case(&app, day.parse().unwrap(), &[], &[]).await;
        }
    }
    for group_by in ["kind", "severity,gender", "weekday"] {
        let reply = app
            .get(
                &format!("/api/v1/statistics?from=2026-06-16&to=2026-07-01&group_by={group_by}"),
                &manager(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let body = &reply.body;
        assert_eq!(
            body["previous_period"],
            json!({"from": "2026-06-01", "to": "2026-06-16"})
        );
        let total = grand_total(body);
        assert_eq!(total["count"], 5, "{group_by}: {total}");
        assert_eq!(total["previous"]["count"], 4, "{group_by}: {total}");
    }
}

#[actix_web::test]
async fn the_yearly_compilation_gives_counts_shares_and_the_median_per_focus_area_and_office() {
    let app = spawn_app().await;
    let local: NaiveDateTime = "2025-06-11T08:00:00".parse().unwrap();
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(file_case(&app, local, &[], &[]).await.id);
    }
    for id in &ids[..3] {
        change(
            &app,
            id,
            "follow-up",
            json!({"police_report_filed": true, "support_offered": false}),
        )
        .await;
        close(&app, id).await;
    }
    // Another year stays out; three cases against staff and one in public space add rows.
    file_case(&app, "2024-12-31T10:00:00".parse().unwrap(), &[], &[]).await;
    let staff = [
        ("place_kind", "workplace"),
        ("affected_category", "employee"),
    ];
    for _ in 0..3 {
        file_case(&app, local, &staff, &[]).await;
    }
    let public = [
        ("place_kind", "public_space"),
        ("affected_category", "resident"),
    ];
    file_case(&app, local, &public, &[]).await;

    let reply = app.get("/api/v1/statistics/yearly/2025", &manager()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = &reply.body;
    assert_eq!(body["year"], 2025);
    let school = body["focus_areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "school")
        .unwrap();
    assert_eq!(school["cases"], 6);
    assert_eq!(school["label"], "Hot och våld i skolan");
    let count = |section: &Value, breakdown: &str, code: &str| {
        section[breakdown]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(count(school, "by_kind", "threat"), 6);
    assert_eq!(count(school, "by_severity", "high"), 6);
    assert_eq!(count(school, "by_gender", "woman"), 6);
    assert_eq!(count(school, "by_gender", "man"), 0);
    assert_eq!(count(school, "by_age_group", "age_13_17"), 6);
    assert_eq!(school["police_reported_share"], 0.5);
    assert_eq!(school["closed_share"], 0.5);
    assert_eq!(school["median_days_to_close"], 0.0);
    // The single public-space case is suppressed wherever it shows, and so is what would
    // give it away: the staff cases it would be subtracted from.
    let section = |code: &str| {
        body["focus_areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap()
            .clone()
    };
    let public = section("public_space");
    assert_eq!(public["cases"], Value::Null);
    assert_eq!(count(&public, "by_kind", "threat"), Value::Null);
    assert_eq!(public["police_reported_share"], Value::Null);
    assert_eq!(section("staff_and_officials")["cases"], Value::Null);
    assert_eq!(
        count(&section("staff_and_officials"), "by_gender", "woman"),
        Value::Null
    );
    assert_eq!(body["total"]["cases"], 10);
    assert_eq!(body["total"]["closed_share"], 0.3);
    let education = body["offices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "utbildning")
        .unwrap();
    assert_eq!(education["cases"], 6);
    assert_eq!(education["closed_share"], 0.5);
    assert!(
        body["offices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["code"] != "total")
    );

    let reply = app.get("/api/v1/statistics/yearly/1900", &manager()).await;
    reply.assert_problem(400);
}

#[actix_web::test]
async fn the_district_picture_shows_the_last_twelve_months_by_month_place_hour_and_weekday() {
    let app = spawn_app().await;
    // "The last 12 months" are the whole months up to and including this one (in local time).
    let today = trygg_domain::time::local_time(app.clock.now()).date();
    let this_month = today.with_day(1).unwrap();
    let (from, to) = (
        this_month - chrono::Months::new(11),
        this_month + chrono::Months::new(1),
    );
    // A Friday, 22:40 local time, one to two weeks ago: four times in the west, once in the
    // east, and once in the west 56 weeks earlier (a Friday too), outside the period.
    let friday = (7..14)
        .map(|days| today - Duration::days(days))
        .find(|day| day.weekday() == chrono::Weekday::Fri)
        .unwrap();
    let friday_night = friday.and_hms_opt(22, 40, 0).unwrap();
    for _ in 0..4 {
        file_case(&app, friday_night, &[("district", "west")], &[]).await;
    }
    file_case(&app, friday_night, &[("district", "east")], &[]).await;
    let year_before = friday_night - Duration::weeks(56);
    file_case(&app, year_before, &[("district", "west")], &[]).await;

    let reply = app
        .get("/api/v1/statistics/districts/west", &manager())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = &reply.body;
    assert_eq!(body["district"], json!({"code": "west", "label": "Västra"}));
    assert_eq!(
        body["period"],
        json!({"from": from.to_string(), "to": to.to_string()})
    );
    let cell = |table: &str, categories: Value| {
        body[table]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["categories"] == categories)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(cell("by_hour", json!({"hour": "22"})), 4);
    assert_eq!(cell("by_hour", json!({"hour": "20"})), 0);
    assert_eq!(cell("by_weekday", json!({"weekday": "5"})), 4);
    assert_eq!(cell("by_place_kind", json!({"place_kind": "school"})), 4);
    assert_eq!(
        cell(
            "by_month_and_focus_area",
            json!({"month": friday.format("%Y-%m").to_string(), "focus_area": "school"})
        ),
        4
    );
    assert_eq!(
        cell(
            "by_month_and_focus_area",
            json!({"month": "total", "focus_area": "total"})
        ),
        4
    );
    assert_eq!(
        body["by_month_and_focus_area"]["dimensions"][0]["categories"]
            .as_array()
            .unwrap()
            .len(),
        13
    );

    app.get("/api/v1/statistics/districts/atlantis", &manager())
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn csv_marks_suppressed_cells_and_has_a_semicolon_variant_for_swedish_excel() {
    let app = spawn_app().await;
    let local: NaiveDateTime = "2026-09-09T09:00:00".parse().unwrap();
    let places = [("school", 1), ("workplace", 3), ("digital", 5)];
    for place in places
        .iter()
        .flat_map(|(place, n)| std::iter::repeat_n(*place, *n))
    {
        file_case(
            &app,
            local,
            &[("place_kind", place), ("affected_category", "resident")],
            &[],
        )
        .await;
    }
    let path = "/api/v1/statistics?from=2026-09-01&to=2026-10-01&group_by=place_kind";
    let reply = app.get(&format!("{path}&format=csv"), &manager()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=utf-8; header=present")
    );
    let text = reply.body.as_str().unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "place_kind,place_kind_label,count,suppressed");
    assert!(lines.contains(&"school,Skola,,true"), "{text}");
    assert!(
        lines.contains(&"workplace,Arbetsplats,,true"),
        "the total less the others would give the 1 away: {text}"
    );
    assert!(
        lines.contains(&"digital,\"Digitalt, till exempel sociala medier\",5,false"),
        "{text}"
    );
    assert!(lines.contains(&"total,Totalt,9,false"), "{text}");
    assert_eq!(lines.last(), Some(&""), "every record ends with CRLF");

    let reply = app
        .get(&format!("{path}&format=csv-semicolon"), &manager())
        .await;
    let text = reply.body.as_str().unwrap();
    assert!(text.starts_with("\u{feff}place_kind;place_kind_label;count;suppressed\r\n"));
    assert!(
        text.contains("digital;Digitalt, till exempel sociala medier;5;false\r\n"),
        "{text}"
    );

    let accept = |media: &str| {
        app.request(awc::http::Method::GET, path, Some(&manager()))
            .insert_header(("Accept", media.to_owned()))
    };
    let reply = app.send(accept("text/csv")).await;
    assert!(reply.body.as_str().unwrap().starts_with("place_kind,"));
    let reply = app.send(accept("application/json-stat+json")).await;
    assert_eq!(reply.body["class"], "dataset");
    assert_eq!(
        app.send(accept("text/html")).await.status,
        StatusCode::NOT_ACCEPTABLE
    );
}

/// A JSON-stat 2.0 reader written from the specification: checks a dataset's structure and
/// reads one value by its categories.
fn json_stat_value(dataset: &Value, categories: &[(&str, &str)]) -> (Value, Option<String>) {
    assert_eq!(dataset["version"], "2.0");
    assert_eq!(dataset["class"], "dataset");
    let ids: Vec<&str> = dataset["id"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let sizes: Vec<usize> = dataset["size"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(ids.len(), sizes.len());
    let dimensions = dataset["dimension"].as_object().unwrap();
    assert_eq!(dimensions.len(), ids.len(), "one dimension object per id");
    let mut positions = Vec::new();
    for (id, size) in ids.iter().zip(&sizes) {
        let category = &dimensions[*id]["category"];
        let index: Vec<&str> = match &category["index"] {
            Value::Array(codes) => codes.iter().map(|c| c.as_str().unwrap()).collect(),
            Value::Object(map) => {
                let mut pairs: Vec<(&str, u64)> = map
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_u64().unwrap()))
                    .collect();
                pairs.sort_by_key(|(_, at)| *at);
                pairs.into_iter().map(|(k, _)| k).collect()
            }
            Value::Null => category["label"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect(),
            other => panic!("a category index is an array or an object, not {other}"),
        };
        assert_eq!(index.len(), *size, "{id}: size and categories agree");
        for code in &index {
            assert!(
                category["label"][code].is_string(),
                "{id}/{code} has a label"
            );
        }
        let wanted = categories
            .iter()
            .find(|(d, _)| d == id)
            .map(|(_, c)| *c)
            .unwrap_or(index[0]);
        positions.push(index.iter().position(|c| *c == wanted).unwrap());
    }
    let values = dataset["value"].as_array().unwrap();
    assert_eq!(
        values.len(),
        sizes.iter().product::<usize>(),
        "one value per cell"
    );
    let at = positions
        .iter()
        .zip(&sizes)
        .fold(0, |at, (p, s)| at * s + p);
    let status = match &dataset["status"] {
        Value::Object(map) => map
            .get(&at.to_string())
            .map(|s| s.as_str().unwrap().to_owned()),
        Value::Array(list) => list.get(at).and_then(|s| s.as_str()).map(String::from),
        Value::String(all) => Some(all.clone()),
        _ => None,
    };
    (values[at].clone(), status)
}

#[actix_web::test]
async fn json_stat_is_a_valid_dataset_with_suppressed_values_marked() {
    let app = spawn_app().await;
    let local: NaiveDateTime = "2026-03-03T15:00:00".parse().unwrap();
    for (district, gender) in [
        ("central", "woman"),
        ("central", "woman"),
        ("central", "woman"),
        ("central", "man"),
        ("east", "man"),
        ("east", "man"),
        ("east", "man"),
        ("east", "man"),
    ] {
        file_case(
            &app,
            local,
            &[("district", district), ("affected_gender", gender)],
            &[],
        )
        .await;
    }
    let query = "from=2026-01-01&to=2026-07-01&group_by=quarter,district,gender";
    let stat = app
        .get(
            &format!("/api/v1/statistics?{query}&format=json-stat"),
            &manager(),
        )
        .await;
    assert_eq!(stat.status, StatusCode::OK, "{}", stat.body);
    assert_eq!(
        stat.header("content-type"),
        Some("application/json-stat+json")
    );
    assert_eq!(stat.body["role"]["time"], json!(["quarter"]));
    let table = app
        .get(&format!("/api/v1/statistics?{query}"), &manager())
        .await;
    // Every cell of the JSON form, read back from the JSON-stat dataset.
    for cell in table.body["cells"].as_array().unwrap() {
        let categories: Vec<(&str, &str)> = cell["categories"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(d, c)| (d.as_str(), c.as_str().unwrap()))
            .collect();
        let (value, status) = json_stat_value(&stat.body, &categories);
        assert_eq!(value, cell["count"], "{categories:?}");
        assert_eq!(
            status.as_deref() == Some("c"),
            cell["suppressed"] == true,
            "{categories:?}"
        );
    }
    let (value, status) = json_stat_value(
        &stat.body,
        &[
            ("quarter", "2026-Q1"),
            ("district", "central"),
            ("gender", "man"),
        ],
    );
    assert_eq!((value, status.as_deref()), (Value::Null, Some("c")));
    let (value, status) = json_stat_value(
        &stat.body,
        &[
            ("quarter", "total"),
            ("district", "west"),
            ("gender", "total"),
        ],
    );
    assert_eq!((value, status), (json!(0), None));
}

#[actix_web::test]
async fn bad_statistics_requests_are_refused_with_a_problem() {
    let app = spawn_app().await;
    let cases = [
        ("group_by=colour", 400, "`colour` is not a dimension"),
        ("group_by=month,year", 400, "one period grain"),
        ("group_by=gender,gender", 400, "more than once"),
        (
            "group_by=gender,kind,severity,district,hour",
            400,
            "at most 4",
        ),
        ("gender=nonbinary", 400, "`nonbinary` is not a gender code"),
        ("month=2026-01", 400, "not by `month`"),
        ("from=2026-13-01", 400, "must be a date"),
        ("from=2026-05-01&to=2026-04-01", 400, "after `from`"),
        ("from=1990-01-01&to=2026-01-01", 400, "at most 20 years"),
        ("from=2026-01-01&from=2026-02-01", 400, "more than once"),
        ("format=xml", 400, "not a format"),
        (
            "from=2006-01-01&to=2026-01-01&group_by=day,hour",
            400,
            "more than 20000",
        ),
    ];
    for (query, status, detail) in cases {
        let reply = app
            .get(&format!("/api/v1/statistics?{query}"), &manager())
            .await;
        let text = reply.assert_problem(status);
        assert!(text.contains(detail), "{query}: {text}");
    }
    let reply = app
        .send(app.request(
            awc::http::Method::POST,
            "/api/v1/statistics",
            Some(&manager()),
        ))
        .await;
    reply.assert_problem(405);
}

/// Empties every rollup behind the service's back.
const WIPE: &str = "DELETE FROM statistics_daily; DELETE FROM statistics_pairs; DELETE FROM statistics_events; \
     DELETE FROM statistics_people; DELETE FROM statistics_places; DELETE FROM statistics_monthly; DELETE FROM statistics_closing; \
     DELETE FROM statistics_daily_pending; DELETE FROM statistics_pairs_pending; DELETE FROM statistics_events_pending; \
     DELETE FROM statistics_people_pending; DELETE FROM statistics_places_pending; DELETE FROM statistics_monthly_pending; \
     DELETE FROM statistics_closing_pending;";
/// The rollups, the changes left pending for them and, on PostgreSQL, the cases filings left
/// uncounted, under the lock a fold takes (its key is "tryf"), so that a
/// background fold cannot put back what it had read.
const WIPE_POSTGRES: &str = "BEGIN; SELECT pg_advisory_xact_lock(500136765286); \
     DELETE FROM statistics_daily; DELETE FROM statistics_pairs; DELETE FROM statistics_events; \
     DELETE FROM statistics_people; DELETE FROM statistics_places; DELETE FROM statistics_monthly; DELETE FROM statistics_closing; \
     DELETE FROM statistics_daily_pending; DELETE FROM statistics_pairs_pending; DELETE FROM statistics_events_pending; \
     DELETE FROM statistics_people_pending; DELETE FROM statistics_places_pending; DELETE FROM statistics_monthly_pending; \
     DELETE FROM statistics_closing_pending; DELETE FROM uncounted_cases; COMMIT;";

#[actix_web::test]
async fn rebuilt_rollups_answer_as_the_ones_kept_while_filing() {
    let app = spawn_app().await;
    let mut rng = Rng(0xfeed);
    seed(&app, &mut rng, 30).await;
    // Read from the daily rollup, a pair, and the full monthly rollup.
    let paths = [
        "/api/v1/statistics?from=2025-01-01&to=2026-12-01&group_by=quarter,focus_area,office",
        "/api/v1/statistics?from=2025-01-01&to=2026-12-01&group_by=place_kind,violence_form",
        "/api/v1/statistics?from=2025-01-01&to=2026-12-01&group_by=kind,gender,age_group",
    ];
    let mut before = Vec::new();
    for path in paths {
        before.push(app.get(path, &manager()).await.body);
    }
    app.database.execute(WIPE, WIPE_POSTGRES);
    for (path, before) in paths.iter().zip(&before) {
        assert_ne!(
            &app.get(path, &manager()).await.body,
            before,
            "the rollups are what answers {path}"
        );
    }
    let output = app.trygg(&["statistics", "rebuild"], &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("30 cases"));
    for (path, before) in paths.iter().zip(&before) {
        assert_eq!(&app.get(path, &manager()).await.body, before, "{path}");
    }
}

#[actix_web::test]
async fn upgrading_a_database_with_cases_fills_the_pairs_rollup() {
    let app = spawn_app().await;
    let mut rng = Rng(0xbeef);
    seed(&app, &mut rng, 30).await;
    let path = "/api/v1/statistics?from=2025-01-01&to=2026-12-01&group_by=place_kind,gender";
    let before = app.get(path, &manager()).await.body;
    // Back to the release before the pairs, with the down migrations since.
    let forget = "DELETE FROM __diesel_schema_migrations \
                  WHERE version IN ('20261127000005', '20261207000018');";
    app.database.execute(
        &format!(
            "{}{}{forget}",
            include_str!(
                "../../migrations/sqlite/2026-12-07-000018_statistics_publication/down.sql"
            ),
            include_str!("../../migrations/sqlite/2026-11-27-000005_statistics_pairs/down.sql")
        ),
        &format!(
            "{}{}{forget}",
            include_str!(
                "../../migrations/postgres/2026-12-07-000018_statistics_publication/down.sql"
            ),
            include_str!("../../migrations/postgres/2026-11-27-000005_statistics_pairs/down.sql")
        ),
    );
    let output = app.trygg(&["migrate"], &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(app.get(path, &manager()).await.body, before);
}

/// The month's counts of a reply grouped by `dimension` and month, by code (and `total`),
/// leaving out codes that count nothing.
fn counts_by(reply: &Value, dimension: &str) -> BTreeMap<String, u64> {
    reply["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|cell| cell["categories"]["month"] != "total" && cell["count"] != 0)
        .map(|cell| {
            let code = cell["categories"][dimension].as_str().unwrap().to_owned();
            (code, cell["count"].as_u64().expect("not suppressed"))
        })
        .collect()
}

/// Moves `cases` to another focus area, one after the other.
async fn reclassify(app: &TestApp, cases: &[Value], focus_area: &str) {
    for case in cases {
        let body = json!({"focus_area": focus_area, "reason": "omklassificerad"});
        change(app, case["id"].as_str().unwrap(), "classification", body).await;
    }
}

/// Two instances filing at once into one database. On PostgreSQL their cases wait, uncounted,
/// until a fold counts them into the rollups; the statistics count every case exactly once
/// before and after the fold, and after reclassifications of cases not yet counted and of
/// cases counted already; no case number repeats.
#[actix_web::test]
async fn two_instances_filing_at_once_count_every_case_once() {
    let first = spawn_app().await;
    let postgres = !matches!(first.database.url(), trygg_storage::DatabaseUrl::Sqlite(_));
    let second = spawn_app_on(first.database.clone(), first.clock.clone(), |_| {}).await;
    let districts = ["central", "west", "east"];
    let filings = (0..60).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        let report = report_with(json!({"district": districts[i % 3]}));
        async move {
            app.file_ok(&reporter(&format!("reporter-{i}")), &report)
                .await
        }
    });
    let cases = futures_util::future::join_all(filings).await;
    let numbers: std::collections::HashSet<&str> = cases
        .iter()
        .map(|case| case["case_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 60, "case numbers are unique");

    let path = "/api/v1/statistics?from=2026-11-01&to=2026-12-01&group_by=district,month";
    let counts = |reply: &Value| counts_by(reply, "district");
    let expected: BTreeMap<String, u64> =
        [("central", 20), ("west", 20), ("east", 20), ("total", 60)]
            .into_iter()
            .map(|(district, count)| (district.to_owned(), count))
            .collect();
    for app in [&first, &second] {
        assert_eq!(counts(&app.get(path, &manager()).await.body), expected);
    }

    let database =
        trygg_storage::Database::connect(&first.database.url(), 1, first.clock.clock()).unwrap();
    let by_focus_area =
        "/api/v1/statistics?from=2026-11-01&to=2026-12-01&group_by=focus_area,month";
    let focus_areas = |reply: &Value| counts_by(reply, "focus_area");
    let filed_in = cases[0]["focus_area"].as_str().unwrap().to_owned();
    let moved_to = categories("focus_area")
        .into_iter()
        .find(|code| *code != filed_in)
        .unwrap();
    let expect = |moved: u64| -> BTreeMap<String, u64> {
        [
            (filed_in.clone(), 60 - moved),
            (moved_to.clone(), moved),
            ("total".into(), 60),
        ]
        .into_iter()
        .collect()
    };
    reclassify(&first, &cases[..20], &moved_to).await;
    assert_eq!(
        focus_areas(&second.get(by_focus_area, &manager()).await.body),
        expect(20)
    );

    let folded = database.fold_statistics().unwrap();
    if postgres {
        // A fold skips while an instance's own fold holds the lock; that one ends soon.
        let uncounted = || first.database.count("SELECT COUNT(*) FROM uncounted_cases");
        for _ in 0..10_000 {
            if uncounted() == 0 {
                break;
            }
            database.fold_statistics().unwrap();
        }
        assert_eq!(uncounted(), 0, "the folds count every case filed");
    } else {
        assert_eq!(folded, 0, "SQLite writes the rollups at once");
    }
    assert_eq!(counts(&first.get(path, &manager()).await.body), expected);
    assert_eq!(
        focus_areas(&first.get(by_focus_area, &manager()).await.body),
        expect(20)
    );
    reclassify(&first, &cases[20..40], &moved_to).await;
    assert_eq!(
        focus_areas(&second.get(by_focus_area, &manager()).await.body),
        expect(40)
    );
    database.fold_statistics().unwrap();
    assert_eq!(
        focus_areas(&first.get(by_focus_area, &manager()).await.body),
        expect(40)
    );
}

/// Filings that outran the fold (PostgreSQL): one call folds until every waiting case is
/// counted, though a fold takes 5 000 at a time.
#[actix_web::test]
async fn a_fold_behind_the_filings_counts_every_waiting_case() {
    let database = TestDatabase::create();
    let url = database.url();
    if matches!(url, trygg_storage::DatabaseUrl::Sqlite(_)) {
        return; // SQLite counts each case as it is filed: there is nothing to fold.
    }
    let storage =
        trygg_storage::Database::connect(&url, 1, ManualClock::new(test_start()).clock()).unwrap();
    storage.migrate().unwrap();
    // 12 001 cases as filings leave them on PostgreSQL, uncounted; no service runs, so no
    // fold but the one below.
    database.execute(
        "",
        "INSERT INTO incidents (id, reporter, kind, violence_forms, occurred_at, received_at, \
         updated_at, district, place_kind, affected_category, affected_gender, \
         affected_age_group, children_affected, perpetrator_relation, perpetrator_influence, \
         severity, description, focus_area, status, version, police_report_filed, \
         support_offered) \
         SELECT gen_random_uuid()::text, 'alice', 'violence', 'physical', \
         '2026-11-02 09:00'::timestamp + n * interval '1 minute', '2026-11-20 10:00', \
         '2026-11-20 10:00', 'west', 'workplace', 'employee', 'unknown', 'age_30_49', 'no', \
         'unknown', 'unknown', 'medium', 'En rapport.', 'staff_and_officials', 'received', 1, \
         false, false FROM generate_series(1, 12001) AS n; \
         INSERT INTO incident_offices (office, incident_seq) \
         SELECT 'kommunledning', seq FROM incidents; \
         INSERT INTO uncounted_cases SELECT seq FROM incidents;",
    );

    storage.fold_statistics().unwrap();
    assert_eq!(
        database.count("SELECT COUNT(*) FROM uncounted_cases"),
        0,
        "every waiting case is counted"
    );
    assert_eq!(
        database.count(
            "SELECT CAST(SUM(n) AS BIGINT) FROM statistics_daily \
             WHERE office = '*' AND focus_area = 'staff_and_officials' AND district = 'west'"
        ),
        12_001
    );
}

#[actix_web::test]
async fn no_figure_derived_from_a_suppressed_count_is_published() {
    let app = spawn_app().await;
    let local: NaiveDateTime = "2025-06-11T08:00:00".parse().unwrap();
    // One case in public space is suppressed; the six against staff are suppressed with it, or
    // the total would give it away. Half of those six were police-reported and closed: shares
    // and a median that would each be published for a visible count of six.
    file_case(
        &app,
        local,
        &[
            ("place_kind", "public_space"),
            ("affected_category", "resident"),
        ],
        &[],
    )
    .await;
    let staff = [
        ("place_kind", "workplace"),
        ("affected_category", "employee"),
    ];
    for n in 0..6 {
        let id = file_case(&app, local, &staff, &[]).await.id;
        if n < 3 {
            change(
                &app,
                &id,
                "follow-up",
                json!({"police_report_filed": true, "support_offered": false}),
            )
            .await;
            close(&app, &id).await;
        }
    }
    let reply = app.get("/api/v1/statistics/yearly/2025", &manager()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = &reply.body;
    let sections = body["focus_areas"]
        .as_array()
        .unwrap()
        .iter()
        .chain(body["offices"].as_array().unwrap())
        .chain(std::iter::once(&body["total"]));
    let mut suppressed = 0;
    for section in sections.filter(|section| section["cases"].is_null()) {
        suppressed += 1;
        for derived in [
            "police_reported_share",
            "closed_share",
            "median_days_to_close",
        ] {
            assert_eq!(
                section[derived],
                Value::Null,
                "{derived} of {}, whose count is suppressed",
                section["code"]
            );
        }
    }
    let staff = body["focus_areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|section| section["code"] == "staff_and_officials")
        .unwrap();
    assert_eq!(
        staff["cases"],
        Value::Null,
        "suppressed with the single case"
    );
    assert!(suppressed >= 2);
}

/// Rates per 100 000 inhabitants of the population a cell counts among, where the catalogue
/// has it; nothing invented where it has none.
#[actix_web::test]
async fn counts_come_with_rates_per_100_000_of_the_population_they_count_among() {
    let population = "\n[population]\nyear = 2025\nsource = \"SCB\"\ntotal = 40000\n\
                      districts = { central = 20000, west = 10000, east = 10000 }\n";
    let catalogue = Catalogue::from_toml(
        &(include_str!("../../crates/trygg-domain/catalogue.toml").to_owned() + population),
    )
    .unwrap();
    let app = spawn_app_configured(|settings| settings.catalogue = catalogue).await;
    let local: NaiveDateTime = "2025-05-12T10:00:00".parse().unwrap();
    for (district, count) in [("central", 6), ("west", 5)] {
        for _ in 0..count {
            file_case(&app, local, &[("district", district)], &[]).await;
        }
    }
    let reply = app
        .get(
            "/api/v1/statistics?from=2025-05-01&to=2025-06-01&group_by=district",
            &manager(),
        )
        .await
        .body;
    assert_eq!(reply["population"], json!({"year": 2025, "source": "SCB"}));
    let rate = |code: &str| {
        reply["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|cell| cell["categories"]["district"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(rate("central")["rate"], 30.0, "6 of 20 000");
    assert_eq!(rate("west")["rate"], 50.0, "5 of 10 000");
    assert_eq!(rate("total")["rate"], 27.5, "11 of 40 000");
    assert_eq!(rate("central")["previous"]["rate"], 0.0);
    // Women in the west: the catalogue has no such population.
    let crossed = app
        .get(
            "/api/v1/statistics?from=2025-05-01&to=2025-06-01&group_by=gender&district=west",
            &manager(),
        )
        .await
        .body;
    assert!(
        grand_total(&crossed).get("rate").is_some(),
        "the west as a whole: {crossed}"
    );
    assert!(crossed["cells"][0].get("rate").is_none(), "{crossed}");
    let yearly = app
        .get("/api/v1/statistics/yearly/2025", &manager())
        .await
        .body;
    assert_eq!(yearly["total"]["cases_per_100_000"], 27.5, "{yearly}");
    let picture = app
        .get("/api/v1/statistics/districts/west", &manager())
        .await
        .body;
    assert_eq!(picture["population"]["year"], 2025);

    // The shipped catalogue has no population: no rate, and nothing to say it is zero.
    let plain = spawn_app().await;
    let reply = plain
        .get("/api/v1/statistics?group_by=district", &manager())
        .await
        .body;
    assert!(reply.get("population").is_none());
    assert!(!reply.to_string().contains("rate"), "{reply}");
}
