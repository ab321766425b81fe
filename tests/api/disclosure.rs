//! Disclosure control against differencing, attacked as an analyst would attack it: the
//! published statistics (cell-key perturbation, calendar periods, frozen publications) against
//! the live figures a security manager reads (small-count suppression only).

use std::collections::{BTreeMap, BTreeSet};

use awc::http::StatusCode;
use chrono::{Datelike, Duration, Months, NaiveDate};
use serde_json::Value;
use trygg_domain::statistics::{PublicationCalendar, first_day_of_month_number};

use crate::helpers::*;
use crate::statistics::{
    Rng, analyst, categories, file_case, grand_total, is_clock_change, manager,
};

/// The cases a realistic year of a small municipality holds besides the targets.
const BACKGROUND: usize = 900;
/// The cases whose category the attacker tries to learn.
const TARGETS: usize = 180;
/// The months the cases happen in, ending with the latest month due for publication.
const MONTHS: u32 = 12;

/// One target: the slice the attacker knows it is in (district, kind of place, day), and the
/// facts it does not know.
struct Target {
    district: String,
    place_kind: String,
    day: NaiveDate,
    gender: String,
    age_group: String,
}

/// A gender as a municipality's reports have them: mostly women and men.
fn gender(rng: &mut Rng) -> String {
    let genders = categories("gender");
    match rng.below(100) {
        0..55 => genders[0].clone(),
        55..95 => genders[1].clone(),
        _ => rng.pick(&genders[2..]),
    }
}

async fn file(
    app: &TestApp,
    district: &str,
    place: &str,
    day: NaiveDate,
    rng: &mut Rng,
) -> (String, String) {
    let (gender, age) = (gender(rng), rng.pick(&categories("age_group")));
    let local = day.and_hms_opt(8 + rng.below(10) as u32, 15, 0).unwrap();
    file_case(
        app,
        local,
        &[
            ("district", district),
            ("place_kind", place),
            ("affected_gender", &gender),
            ("affected_age_group", &age),
        ],
        &[],
    )
    .await;
    (gender, age)
}

/// A table's count per category of `dimension` (`None` where suppressed), totals left out.
fn counts(reply: &Value, dimension: &str) -> BTreeMap<String, Option<u64>> {
    reply["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("a table: {reply}"))
        .iter()
        .filter(|cell| cell["categories"][dimension] != "total")
        .map(|cell| {
            let code = cell["categories"][dimension].as_str().unwrap().to_owned();
            (code, cell["count"].as_u64())
        })
        .collect()
}

/// How surely the attacker names `truth` from a table without the target and one with it:
/// the categories that rose the most are the candidates (with a suppressed count, those whose
/// change is unknown, unless a known one rose by one), and the attacker picks among them at
/// random. 1 is certainty, 0 a miss.
fn named(
    before: &BTreeMap<String, Option<u64>>,
    after: &BTreeMap<String, Option<u64>>,
    truth: &str,
) -> f64 {
    let change: BTreeMap<&String, Option<i64>> = after
        .iter()
        .map(|(code, now)| {
            let was = before.get(code).copied().flatten();
            (code, now.zip(was).map(|(now, was)| now as i64 - was as i64))
        })
        .collect();
    let most = change.values().flatten().copied().max();
    let candidates: BTreeSet<&String> = match most {
        Some(most) if most > 0 => change
            .iter()
            .filter(|(_, rise)| **rise == Some(most))
            .map(|(code, _)| *code)
            .collect(),
        _ => change
            .iter()
            .filter(|(_, rise)| rise.is_none())
            .map(|(code, _)| *code)
            .collect(),
    };
    if candidates.iter().any(|code| code.as_str() == truth) {
        1.0 / candidates.len() as f64
    } else {
        0.0
    }
}

/// A day of the `days` from `first`, not one the clocks change on (its local times are not
/// all one offset).
fn some_day(rng: &mut Rng, first: NaiveDate, days: i64) -> NaiveDate {
    loop {
        let day = first + Duration::days(rng.below(days as usize) as i64);
        if !is_clock_change(day) {
            return day;
        }
    }
}

fn month_period(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap();
    (first, first + Months::new(1))
}

/// Section 1 of the attack, and the same differencing at the finest period an analyst may
/// ask, over a hundred targets among nine hundred other cases. Live figures (suppression
/// alone, as before) give every target away; published figures refuse the day-apart pair,
/// show nothing new between publications, and at a revision that counts the targets leave the
/// attacker guessing.
#[actix_web::test]
async fn differencing_names_a_target_under_suppression_and_rarely_under_publication() {
    let app = spawn_app().await;
    let mut rng = Rng(0x0d15_c705_e000);
    let due = PublicationCalendar::DEFAULT.due_through(app.clock.now());
    let first_month = first_day_of_month_number(due + 1 - MONTHS as i32);
    let days = (first_day_of_month_number(due + 1) - first_month).num_days();
    let (districts, places) = (categories("district"), categories("place_kind"));
    assert!(
        districts.len() * places.len() * MONTHS as usize > TARGETS,
        "a slice per target"
    );

    // Each target alone among the targets in its district, kind of place and month (what the
    // published attack reads) and alone among all cases in its district that day (what the
    // live attack reads).
    let (mut slices, mut days_taken) = (BTreeSet::new(), BTreeSet::new());
    let mut targets = Vec::new();
    while targets.len() < TARGETS {
        let day = some_day(&mut rng, first_month, days);
        let (district, place_kind) = (rng.pick(&districts), rng.pick(&places));
        if !days_taken.contains(&(district.clone(), day))
            && slices.insert((district.clone(), place_kind.clone(), day.month()))
        {
            days_taken.insert((district.clone(), day));
            targets.push(Target {
                district,
                place_kind,
                day,
                gender: String::new(),
                age_group: String::new(),
            });
        }
    }
    let mut filed = 0;
    while filed < BACKGROUND {
        let day = some_day(&mut rng, first_month, days);
        let (district, place) = (rng.pick(&districts), rng.pick(&places));
        if !days_taken.contains(&(district.clone(), day)) {
            file(&app, &district, &place, day, &mut rng).await;
            filed += 1;
        }
    }
    app.publish_statistics();

    // The published attack reads the target's district and kind of place in its month; the
    // live one its whole district, where the counts are large enough to be published.
    let slice = |t: &Target, from: NaiveDate, to: NaiveDate, by: &str| {
        format!(
            "/api/v1/statistics?from={from}&to={to}&district={}&place_kind={}&group_by={by}",
            t.district, t.place_kind
        )
    };
    let district = |t: &Target, from: NaiveDate, to: NaiveDate, by: &str| {
        format!(
            "/api/v1/statistics?from={from}&to={to}&district={}&group_by={by}",
            t.district
        )
    };
    let end = first_day_of_month_number(due + 1);
    // The attacker's two windows, a day apart, with the target in the second: the longer
    // side of its day, so that the slice's counts are large enough to be published live.
    let windows = |t: &Target| {
        let next = t.day + Duration::days(1);
        if (t.day - first_month) > (end - t.day) {
            [(first_month, t.day), (first_month, next)]
        } else {
            [(next, end), (t.day, end)]
        }
    };
    let dimensions = ["gender", "age_group"];
    // Before the targets: the published month of each.
    let mut published_before = Vec::new();
    for t in &targets {
        let (from, to) = month_period(t.day);
        for by in dimensions {
            let reply = app.get(&slice(t, from, to, by), &analyst()).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            published_before.push(reply.body);
        }
    }
    for t in &mut targets {
        let (gender, age_group) = file(
            &app,
            &t.district.clone(),
            &t.place_kind.clone(),
            t.day,
            &mut rng,
        )
        .await;
        (t.gender, t.age_group) = (gender, age_group);
    }

    // Section 1 as an analyst: days are refused; the month reads as before (frozen).
    let (mut live, mut published) = (BTreeMap::new(), BTreeMap::new());
    for (at, t) in targets.iter().enumerate() {
        let (from, to) = month_period(t.day);
        let [(from_before, to_before), (from_after, to_after)] = windows(t);
        for (k, by) in dimensions.into_iter().enumerate() {
            let truth = if by == "gender" {
                &t.gender
            } else {
                &t.age_group
            };
            // One of two windows a day apart may be a calendar period; never both.
            let statuses = [
                app.get(&district(t, from_before, to_before, by), &analyst())
                    .await
                    .status,
                app.get(&district(t, from_after, to_after, by), &analyst())
                    .await
                    .status,
            ];
            assert!(statuses.contains(&StatusCode::BAD_REQUEST), "{statuses:?}");
            let frozen = app.get(&slice(t, from, to, by), &analyst()).await.body;
            assert_eq!(
                frozen["cells"],
                published_before[2 * at + k]["cells"],
                "a filing shows nothing before the next publication"
            );
            // Section 1 on live figures: two windows a day apart, read at once.
            let before = app
                .get(&district(t, from_before, to_before, by), &manager())
                .await
                .body;
            let after = app
                .get(&district(t, from_after, to_after, by), &manager())
                .await
                .body;
            *live.entry(by).or_insert(0.0) +=
                named(&counts(&before, by), &counts(&after, by), truth);
        }
    }
    app.publish_statistics();
    for (at, t) in targets.iter().enumerate() {
        let (from, to) = month_period(t.day);
        for (k, by) in dimensions.into_iter().enumerate() {
            let truth = if by == "gender" {
                &t.gender
            } else {
                &t.age_group
            };
            let after = app.get(&slice(t, from, to, by), &analyst()).await.body;
            *published.entry(by).or_insert(0.0) += named(
                &counts(&published_before[2 * at + k], by),
                &counts(&after, by),
                truth,
            );
        }
    }
    // What the attacker would get right without any table: the most common category.
    let prior = |by: &str| {
        let mut seen: BTreeMap<&String, usize> = BTreeMap::new();
        for t in &targets {
            *seen
                .entry(if by == "gender" {
                    &t.gender
                } else {
                    &t.age_group
                })
                .or_default() += 1;
        }
        *seen.values().max().unwrap() as f64 / TARGETS as f64
    };
    let rates: Vec<(&str, f64, f64, f64)> = dimensions
        .iter()
        .map(|by| {
            (
                *by,
                live[by] / TARGETS as f64,
                published[by] / TARGETS as f64,
                prior(by),
            )
        })
        .collect();
    for (by, live, published, prior) in &rates {
        eprintln!(
            "differencing by {by}: live (suppression) names {:.0} % of the targets, published \
             (defaults) {:.0} %; guessing the most common category {:.0} %",
            live * 100.0,
            published * 100.0,
            prior * 100.0
        );
    }
    for (by, live, published, prior) in rates {
        assert!(
            live > 0.9,
            "{by}: suppression alone gives the targets away ({live})"
        );
        assert!(
            published <= (1.0 / 3.0f64).max(prior),
            "{by}: the published figures give away {published}"
        );
    }
}

/// Published figures: the same cell the same from any question, zero kept, small counts never
/// shown; only calendar periods that are published; the live view marked as such.
#[actix_web::test]
async fn published_figures_are_consistent_calendar_bound_and_marked() {
    let app = spawn_app().await;
    let mut rng = Rng(0x5eed);
    let due = PublicationCalendar::DEFAULT.due_through(app.clock.now());
    let month = first_day_of_month_number(due);
    let next = first_day_of_month_number(due + 1);
    for _ in 0..40 {
        let day = some_day(&mut rng, month, 28);
        let place = rng.pick(&categories("place_kind")[..2]);
        file(&app, "central", &place, day, &mut rng).await;
    }
    let ask = format!("from={month}&to={next}");
    // Nothing of it is published until a publication takes it.
    let before = app
        .get(&format!("/api/v1/statistics?{ask}"), &analyst())
        .await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(before.body["cells"][0]["count"], 0, "{}", before.body);
    app.publish_statistics();
    let publications = app
        .get("/api/v1/statistics/publications", &analyst())
        .await
        .body;
    assert_eq!(publications[0]["revision"], true, "{publications}");
    assert_eq!(publications[0]["through_month"], month.to_string());

    let by_gender = app
        .get(
            &format!("/api/v1/statistics?{ask}&group_by=gender"),
            &analyst(),
        )
        .await
        .body;
    assert_eq!(by_gender["release"]["figures"], "published", "{by_gender}");
    assert_eq!(
        by_gender["release"]["publication"]["id"],
        publications[0]["id"]
    );
    let by_both = app
        .get(
            &format!("/api/v1/statistics?{ask}&group_by=gender,place_kind"),
            &analyst(),
        )
        .await
        .body;
    let total = |reply: &Value| grand_total(reply)["count"].clone();
    assert_eq!(
        total(&by_gender),
        total(&by_both),
        "the same cell, the same count"
    );
    let live = app
        .get(
            &format!("/api/v1/statistics?{ask}&group_by=gender,place_kind"),
            &manager(),
        )
        .await
        .body;
    assert_eq!(live["release"]["figures"], "live");
    for cell in by_both["cells"].as_array().unwrap() {
        let published = cell["count"]
            .as_u64()
            .expect("published figures hide nothing");
        assert!(published == 0 || published >= 3, "{cell}");
        let truth = live["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["categories"] == cell["categories"])
            .unwrap();
        if truth["count"] == 0 {
            assert_eq!(published, 0, "zero stays zero");
        }
        if let Some(truth) = truth["count"].as_u64().filter(|n| *n >= 3) {
            assert!(
                truth.abs_diff(published) <= 4,
                "{truth} published as {published}"
            );
        }
    }
    // Asked again, or by another grouping's margin: unchanged.
    let again = app
        .get(
            &format!("/api/v1/statistics?{ask}&group_by=gender"),
            &analyst(),
        )
        .await
        .body;
    assert_eq!(again["cells"], by_gender["cells"]);

    // The latest quarter published whole.
    let quarter_end = due - (due - 2).rem_euclid(3);
    let quarter_start = first_day_of_month_number(quarter_end - 2);
    for allowed in [
        format!("from={quarter_start}&to={}", quarter_start + Months::new(3)),
        String::new(),
    ] {
        let reply = app
            .get(&format!("/api/v1/statistics?{allowed}"), &analyst())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{allowed}: {}", reply.body);
    }
    for refused in [
        format!("from={month}&to={}", month + Duration::days(14)),
        format!(
            "from={}&to={next}",
            month - Months::new(1) + Duration::days(1)
        ),
    ] {
        let reply = app
            .get(&format!("/api/v1/statistics?{refused}"), &analyst())
            .await;
        let detail = reply.assert_problem(400);
        assert!(detail.contains("calendar"), "{refused}: {detail}");
    }
    // Not published yet: not there to be read.
    let unpublished = format!("from={next}&to={}", next + Months::new(1));
    let reply = app
        .get(&format!("/api/v1/statistics?{unpublished}"), &analyst())
        .await;
    assert!(reply.assert_problem(404).contains("published"));
    // A hundred days on, one publication catches up on three months or more; one of them ends a
    // quarter, so it revises.
    app.clock.advance(Duration::days(100));
    let now = app.clock.now().to_rfc3339();
    let output = app.trygg(&["statistics", "publish", "--as-of", &now], &[]);
    assert!(output.status.success(), "{output:?}");
    let latest = app
        .get("/api/v1/statistics/publications", &analyst())
        .await
        .body;
    assert_eq!(latest[0]["revision"], true, "{latest}");
    assert_ne!(latest[0]["id"], publications[0]["id"]);
    let output = app.trygg(&["statistics", "publish", "--as-of", &now], &[]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("nothing is due"));

    // By hour no rollup answers: not published, though live figures count the cases.
    let hourly = format!("/api/v1/statistics?{ask}&group_by=hour,gender,place_kind");
    app.get(&hourly, &analyst()).await.assert_problem(422);
    assert_eq!(app.get(&hourly, &manager()).await.status, StatusCode::OK);
}
