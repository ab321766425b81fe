//! The PxWeb API 2.0 tables, read as an integration reads Statistics Sweden's: the same
//! numbers as the statistics API, the limits the specification sets, open data by choice.

use std::collections::BTreeMap;

use awc::http::Method;
use chrono::{Datelike, Months, NaiveDate};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::statistics::{Rng, analyst, categories, close, file_case, is_clock_change, manager};

const ROOT: &str = "/api/pxweb/v2";

/// Cases in 2025, a year every test clock has published: spread over months, districts,
/// kinds and people; the first `closed` of them closed (the same day they were filed).
async fn seed(app: &TestApp, count: usize, closed: usize) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start: NaiveDate = "2025-01-01".parse().unwrap();
    let mut filed = 0;
    while filed < count {
        let day = start + chrono::Duration::days(rng.below(365) as i64);
        if is_clock_change(day) {
            continue;
        }
        let local = day.and_hms_opt(9 + rng.below(8) as u32, 0, 0).unwrap();
        let (district, kind, gender, age) = (
            rng.pick(&categories("district")),
            rng.pick(&categories("kind")),
            rng.pick(&categories("gender")),
            rng.pick(&categories("age_group")),
        );
        let forms = match kind.as_str() {
            "violence" => vec![rng.pick(&categories("violence_form"))],
            _ => Vec::new(),
        };
        let case = file_case(
            app,
            local,
            &[
                ("district", &district),
                ("kind", &kind),
                ("affected_gender", &gender),
                ("affected_age_group", &age),
            ],
            &forms,
        )
        .await;
        if filed < closed {
            close(app, &case.id).await;
        }
        filed += 1;
    }
    app.publish_statistics();
}

/// A JSON-stat 2.0 dataset's values by their categories' codes, in `id` order.
fn cells(dataset: &Value) -> BTreeMap<Vec<String>, Value> {
    let ids: Vec<&str> = dataset["id"]
        .as_array()
        .unwrap_or_else(|| panic!("a dataset: {dataset}"))
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    let codes: Vec<Vec<String>> = ids
        .iter()
        .map(|id| {
            let index = dataset["dimension"][id]["category"]["index"]
                .as_object()
                .expect("category.index is an object of positions");
            let mut codes: Vec<(u64, String)> = index
                .iter()
                .map(|(code, at)| (at.as_u64().unwrap(), code.clone()))
                .collect();
            codes.sort();
            codes.into_iter().map(|(_, code)| code).collect()
        })
        .collect();
    let values = dataset["value"].as_array().unwrap();
    assert_eq!(
        values.len(),
        codes.iter().map(Vec::len).product::<usize>(),
        "a value per cell"
    );
    let mut out = BTreeMap::new();
    let mut at = 0;
    let mut wheel = vec![0; codes.len()];
    loop {
        let key = wheel
            .iter()
            .zip(&codes)
            .map(|(&i, codes)| codes[i].clone())
            .collect();
        out.insert(key, values[at].clone());
        at += 1;
        let mut turn = codes.len();
        loop {
            if turn == 0 {
                return out;
            }
            turn -= 1;
            wheel[turn] += 1;
            if wheel[turn] < codes[turn].len() {
                break;
            }
            wheel[turn] = 0;
        }
    }
}

/// The published count of a cell of `/api/v1/statistics`, by its categories.
fn statistics_cells(reply: &Value, dimensions: &[&str]) -> BTreeMap<Vec<String>, Value> {
    reply["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("a table: {reply}"))
        .iter()
        .map(|cell| {
            let key = dimensions
                .iter()
                .map(|d| cell["categories"][d].as_str().unwrap().to_owned())
                .collect();
            (key, cell["count"].clone())
        })
        .collect()
}

async fn data(app: &TestApp, table: &str, token: &str, selection: Value) -> Reply {
    app.post(
        &format!("{ROOT}/tables/{table}/data"),
        token,
        None,
        &selection,
    )
    .await
}

#[actix_web::test]
async fn every_cell_of_a_table_is_the_statistics_api_s_cell_for_its_period() {
    let app = spawn_app().await;
    seed(&app, 60, 12).await;
    let config = app.get(&format!("{ROOT}/config"), "").await;
    assert_eq!(config.status, 200, "{:?}", config.body);
    assert_eq!(config.body["apiVersion"], "2.0.0");
    assert_eq!(config.body["maxDataCells"], 10_000);
    assert_eq!(config.body["defaultLanguage"], "sv");

    let tables = app.get(&format!("{ROOT}/tables"), &analyst()).await;
    assert_eq!(tables.status, 200, "{:?}", tables.body);
    assert_eq!(tables.body["page"]["totalElements"], 4);
    let monthly = &tables.body["tables"][0];
    assert_eq!(monthly["id"], "TRYGG01");
    assert_eq!(
        monthly["firstPeriod"], "2025-01",
        "from the first published case"
    );
    assert!(monthly["updated"].as_str().unwrap().ends_with('Z'));
    let searched = app
        .get(&format!("{ROOT}/tables?query=kvartal%20kontor"), &analyst())
        .await;
    assert_eq!(searched.body["page"]["totalElements"], 1);
    assert_eq!(searched.body["tables"][0]["id"], "TRYGG03");

    // By month, focus area and district: each month's cells are that month's table.
    let reply = data(
        &app,
        "TRYGG01",
        &analyst(),
        json!({"selection": [
            {"variableCode": "month", "valueCodes": ["range(2025-03,2025-05)"]},
            {"variableCode": "focus_area", "valueCodes": ["*"]},
            {"variableCode": "district", "valueCodes": ["*"]},
        ]}),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["extension"]["px"]["tableid"], "TRYGG01");
    let px = cells(&reply.body);
    assert_eq!(px.len(), 3 * 10 * 4);
    for month in ["2025-03", "2025-04", "2025-05"] {
        let from: NaiveDate = format!("{month}-01").parse().unwrap();
        let to = from + Months::new(1);
        let ours = app
            .get(
                &format!("/api/v1/statistics?group_by=focus_area,district&from={from}&to={to}"),
                &analyst(),
            )
            .await;
        assert_eq!(ours.status, 200, "{:?}", ours.body);
        for ((focus, district), count) in statistics_cells(&ours.body, &["focus_area", "district"])
            .into_iter()
            .map(|(key, count)| ((key[0].clone(), key[1].clone()), count))
        {
            let key = vec![focus, district, "cases".into(), month.into()];
            assert_eq!(px[&key].as_f64(), count.as_f64(), "{key:?}");
        }
    }

    // A single value filters, a left-out variable is its total, by GET as by POST.
    let quarter = "2025-Q2";
    let reply = app
        .get(
            &format!(
                "{ROOT}/tables/TRYGG02/data?valuecodes[quarter]={quarter}&valuecodes[kind]=*&valuecodes[gender]=woman"
            ),
            &analyst(),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(
        reply.body["id"],
        json!(["kind", "gender", "age_group", "ContentsCode", "quarter"])
    );
    // Labels in the categories' order, for readers that go by them rather than by `index`.
    let kinds = &reply.body["dimension"]["kind"]["category"];
    let by_label: Vec<&String> = kinds["label"].as_object().unwrap().keys().collect();
    let by_index: Vec<&String> = kinds["index"].as_object().unwrap().keys().collect();
    assert_eq!(by_label, by_index);
    assert_eq!(by_index.last().map(|code| code.as_str()), Some("total"));
    let px = cells(&reply.body);
    let ours = app
        .get(
            "/api/v1/statistics?group_by=kind&gender=woman&from=2025-04-01&to=2025-07-01",
            &analyst(),
        )
        .await;
    for (key, count) in statistics_cells(&ours.body, &["kind"]) {
        let cell = vec![
            key[0].clone(),
            "woman".into(),
            "total".into(),
            "cases".into(),
            quarter.into(),
        ];
        assert_eq!(px[&cell].as_f64(), count.as_f64(), "{cell:?}");
    }

    // The broad age groups are cells of their own, not sums of noisy parts.
    let reply = app
        .get(
            &format!(
                "{ROOT}/tables/TRYGG02/data?valuecodes[quarter]=*&valuecodes[age_group]=*&codelist[age_group]=agg_age_group_broad&lang=en"
            ),
            &analyst(),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let labels = &reply.body["dimension"]["age_group"]["category"]["label"];
    assert_eq!(labels["age_0_17"], "0–17");
    assert_eq!(labels["total"], "Total");
    let broad = cells(&reply.body);
    let year: f64 = broad
        .iter()
        .filter(|(key, _)| key[0] == "total" && key[4].starts_with("2025"))
        .map(|(_, value)| value.as_f64().unwrap())
        .sum();
    assert!(
        year > 40.0,
        "the year's quarters hold the 60 cases, give or take noise: {year}"
    );
    // A group of one value, and the total, are the very cells the plain variable gives.
    let fine = app
        .get(
            &format!("{ROOT}/tables/TRYGG02/data?valuecodes[quarter]=*&valuecodes[age_group]=*"),
            &analyst(),
        )
        .await;
    let fine = cells(&fine.body);
    for (key, value) in &broad {
        if ["age_65_plus", "unknown", "total"].contains(&key[2].as_str()) {
            assert_eq!(&fine[key], value, "{key:?}");
        }
    }

    // Medians: published only over enough closed cases, else null with PX's "..".
    let reply = data(
        &app,
        "TRYGG04",
        &analyst(),
        json!({"selection": [{"variableCode": "year", "valueCodes": ["2025"]}, {"variableCode": "focus_area", "valueCodes": ["*"]}]}),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let yearly = app.get("/api/v1/statistics/yearly/2025", &analyst()).await;
    let medians = cells(&reply.body);
    assert_eq!(
        medians[&vec!["total".into(), "median_days_to_close".into(), "2025".into()]],
        yearly.body["total"]["median_days_to_close"]
    );
    for section in yearly.body["focus_areas"].as_array().unwrap() {
        let key = vec![
            section["code"].as_str().unwrap().to_owned(),
            "median_days_to_close".into(),
            "2025".into(),
        ];
        assert_eq!(medians[&key], section["median_days_to_close"], "{key:?}");
    }
    let hidden: Vec<&Value> = reply.body["status"]
        .as_object()
        .map_or(Vec::new(), |s| s.values().collect());
    assert!(
        !hidden.is_empty() && hidden.iter().all(|status| *status == ".."),
        "12 closed cases over nine focus areas leave some medians unpublished: {:?}",
        reply.body["status"]
    );

    // CSV: a row per cell with its labels, the same values as JSON-stat's, in its order.
    let selection =
        format!("{ROOT}/tables/TRYGG03/data?valuecodes[quarter]=2025-Q1&valuecodes[office]=*");
    let dataset = app.get(&selection, &analyst()).await;
    let reply = app
        .send(app.request(
            Method::GET,
            &format!("{selection}&outputFormat=csv"),
            Some(&analyst()),
        ))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let text = reply.body.as_str().expect("CSV text");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("Ansvarigt kontor,Allvarlighetsgrad,tabellinnehåll,Kvartal,value")
    );
    let rows: Vec<&str> = lines.collect();
    let values = dataset.body["value"].as_array().unwrap();
    assert_eq!(rows.len(), values.len(), "{text}");
    for (row, value) in rows.iter().zip(values) {
        assert!(
            row.ends_with(&format!(",2025-Q1,{}", value.as_f64().unwrap())),
            "{row} {value}"
        );
        assert!(row.contains(",Antal anmälda händelser,"), "{row}");
    }
}

#[actix_web::test]
async fn a_table_is_for_analysts_and_refuses_what_the_specification_refuses() {
    let app = spawn_app().await;
    // One case nine years back: the quarterly table spans 36 quarters.
    let long_ago = test_start().date_naive() - Months::new(9 * 12);
    let long_ago = NaiveDate::from_ymd_opt(long_ago.year(), long_ago.month(), 15).unwrap();
    file_case(&app, long_ago.and_hms_opt(12, 0, 0).unwrap(), &[], &[]).await;
    app.publish_statistics();

    let tables = format!("{ROOT}/tables");
    app.get(&tables, "").await.assert_problem(401);
    app.get(&tables, &reporter("kim.svensson"))
        .await
        .assert_problem(403);
    assert_eq!(app.get(&tables, &manager()).await.status, 200);

    let all = json!({"selection": [
        {"variableCode": "quarter", "valueCodes": ["*"]},
        {"variableCode": "kind", "valueCodes": ["*"]},
        {"variableCode": "gender", "valueCodes": ["*"]},
        {"variableCode": "age_group", "valueCodes": ["*"]},
    ]});
    let reply = data(&app, "TRYGG02", &analyst(), all).await;
    let detail = reply.assert_problem(403);
    assert!(detail.contains("10000"), "{detail}");

    for (selection, status) in [
        (
            json!({"selection": [{"variableCode": "nope", "valueCodes": ["*"]}]}),
            400,
        ),
        (
            json!({"selection": [{"variableCode": "quarter", "valueCodes": ["1999-Q1"]}]}),
            400,
        ),
        (
            json!({"selection": [{"variableCode": "kind", "valueCodes": ["*"]}]}),
            400,
        ),
        (
            json!({"selection": [{"variableCode": "quarter", "valueCodes": ["top(1)"]}, {"variableCode": "kind", "codelist": "agg_age_group_broad", "valueCodes": ["*"]}]}),
            400,
        ),
        (json!({"selection": "all"}), 400),
        (
            json!({"selection": [{"variableCode": "quarter", "valueCodes": vec!["1999-Q1"; 501]}]}),
            400,
        ),
    ] {
        let reply = data(&app, "TRYGG02", &analyst(), selection.clone()).await;
        reply.assert_problem(status);
    }
    // A case counts under each of its offices: their margin is no count of cases, so the
    // office has no total, and may not be left out.
    let offices = app
        .get(&format!("{ROOT}/tables/TRYGG03/metadata"), &analyst())
        .await;
    let office = &offices.body["dimension"]["office"];
    assert!(
        office["category"]["index"].get("total").is_none(),
        "{office}"
    );
    assert_eq!(office["extension"]["elimination"], false);
    data(
        &app,
        "TRYGG03",
        &analyst(),
        json!({"selection": [{"variableCode": "quarter", "valueCodes": ["top(1)"]}]}),
    )
    .await
    .assert_problem(400);
    app.get(&format!("{ROOT}/tables/TRYGG99"), &analyst())
        .await
        .assert_problem(404);
    app.get(&format!("{ROOT}/codelists/nope"), &analyst())
        .await
        .assert_problem(404);
    app.get(&format!("{ROOT}/tables?lang=fi"), &analyst())
        .await
        .assert_problem(400);
    app.get(
        &format!("{ROOT}/tables/TRYGG01/data?outputFormat=px"),
        &analyst(),
    )
    .await
    .assert_problem(400);
    let codelist = app
        .get(&format!("{ROOT}/codeLists/agg_age_group_broad"), &analyst())
        .await;
    assert_eq!(codelist.status, 200, "{:?}", codelist.body);
    assert_eq!(
        codelist.body["values"][0]["valueMap"],
        json!(["under_13", "age_13_17"])
    );
    // The default selection: the latest period.
    let reply = app
        .get(&format!("{ROOT}/tables/TRYGG01/data"), &analyst())
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["size"][3], 1);
}

#[actix_web::test]
async fn open_statistics_need_no_token_and_each_address_has_its_allowance() {
    let app = spawn_app_configured(|settings| {
        settings.open_statistics = true;
        settings.rate_limits.open_statistics = std::num::NonZeroU32::new(2).unwrap();
    })
    .await;
    app.publish_statistics();
    let metadata = format!("{ROOT}/tables/TRYGG01/metadata");
    let first = app.send(app.request(Method::GET, &metadata, None)).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert!(first.body["dimension"]["month"]["category"]["index"].is_object());
    assert_eq!(
        first.body["dimension"]["district"]["extension"]["elimination"],
        true
    );
    assert_eq!(
        app.send(app.request(Method::GET, &metadata, None))
            .await
            .status,
        200
    );
    let third = app.send(app.request(Method::GET, &metadata, None)).await;
    third.assert_problem(429);
    assert_eq!(third.header("retry-after"), Some("30"));
    // A token reads on its own allowance; a bad one is refused, not taken as anyone.
    assert_eq!(app.get(&metadata, &analyst()).await.status, 200);
    app.get(&metadata, "not-a-token").await.assert_problem(401);
    let config = app
        .send(app.request(Method::GET, &format!("{ROOT}/config"), None))
        .await;
    assert_eq!(config.body["maxCallsPerTimeWindow"], 2);
}
