//! Statistics on the pages: the statistics page, the district picture and the yearly
//! compilation show the API's numbers with its suppression, the downloads are the API's
//! documents, and only analysts and security managers see any of it.

use awc::http::StatusCode;
use chrono::{Datelike, Duration};
use serde_json::{Value, json};

use super::{Browser, manager};
use crate::helpers::*;

/// Text without its white space, as the table cells are compared.
fn compact(text: &str) -> String {
    text.split_whitespace().collect()
}

fn analyst() -> String {
    token("olga", &["analyst"], None)
}

/// A security manager, who reads live figures (the same person as `ivy:security_manager`).
fn live() -> String {
    token("ivy", &["security_manager"], None)
}

/// Files `count` reports in `district` (the example report otherwise), happening `occurred_at`.
async fn file(app: &TestApp, district: &str, occurred_at: &str, count: usize) {
    let report = report_with(json!({"district": district, "occurred_at": occurred_at}));
    for _ in 0..count {
        app.file_ok(&reporter("anna"), &report).await;
    }
}

#[actix_web::test]
async fn the_statistics_pages_answer_each_role_as_the_api_does() {
    let app = spawn_app_with_pages().await;
    let pages = [
        "/statistik",
        "/statistik?rader=month&kolumner=focus_area",
        "/statistik/hamta?format=csv",
        "/lagesbild",
        "/lagesbild?stadsdel=central",
        "/arssammanstallning",
        "/arssammanstallning?ar=2025",
    ];
    for (user, status) in [
        ("anna:reporter", StatusCode::FORBIDDEN),
        ("dave:handler:utbildning", StatusCode::FORBIDDEN),
        ("olga:analyst", StatusCode::OK),
        ("ivy:security_manager", StatusCode::OK),
    ] {
        let mut browser = Browser::new(&app);
        browser.sign_in(user).await;
        for page in pages {
            assert_eq!(browser.get(page).await.status, status, "{user} {page}");
        }
    }
    let mut stranger = Browser::new(&app);
    for page in pages {
        let answer = stranger.get(page).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{page}");
        assert!(answer.location.unwrap().starts_with("/logga-in?tillbaka="));
    }
    let mut olga = Browser::new(&app);
    olga.sign_in("olga:analyst").await;
    let atlantis = olga.get("/lagesbild?stadsdel=atlantis").await;
    assert_eq!(atlantis.status, StatusCode::NOT_FOUND);
    for bad in [
        "/statistik/hamta?format=json",
        "/statistik/hamta?format=xls",
        "/statistik/hamta?format=csv&fran=ig%C3%A5r",
    ] {
        assert_eq!(olga.get(bad).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[actix_web::test]
async fn the_statistics_page_shows_and_downloads_what_the_api_serves() {
    let app = spawn_app_with_pages().await;
    file(&app, "central", "2026-11-20T09:30:00+01:00", 6).await;
    // Too few to publish: shown as suppressed, never as a number.
    file(&app, "east", "2026-11-21T09:30:00+01:00", 1).await;
    let mut olga = Browser::new(&app);
    olga.sign_in("ivy:security_manager").await;

    let web = "fran=2026-11-01&till=2026-11-30&rader=district&kolumner=";
    let api = "/api/v1/statistics?from=2026-11-01&to=2026-12-01&group_by=district";
    let page = olga.get(&format!("/statistik?{web}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let published = app.get(api, &live()).await.body;
    let cell = |district: &str| {
        published["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|cell| cell["categories"]["district"] == district)
            .unwrap()
            .clone()
    };
    assert_eq!(
        cell("east")["count"],
        Value::Null,
        "one case is never published"
    );
    let shown = |count: &Value| match count.as_u64() {
        Some(count) => format!(r#"<td class="number">{count}</td>"#),
        None => r#"<td class="number suppressed">skyddat</td>"#.to_owned(),
    };
    for (district, label) in [
        ("central", "Centrala"),
        ("east", "Östra"),
        ("total", "Totalt"),
    ] {
        let row = format!(
            r#"<th scope="row">{label}</th>{}"#,
            shown(&cell(district)["count"])
        );
        assert!(
            compact(&page.html).contains(&compact(&row)),
            "{row} in {}",
            page.html
        );
    }
    assert!(page.html.contains("<svg role=\"img\""));

    for format in ["csv", "csv-semicolon", "json-stat"] {
        let download = olga
            .get(&format!("/statistik/hamta?format={format}&{web}"))
            .await;
        assert_eq!(download.status, StatusCode::OK, "{format}");
        if format == "csv-semicolon" {
            // For people with Excel: words in the page's language, hidden counts as `..`
            // (text to Excel, where an empty cell reads as nothing), the legend below.
            let total = cell("total")["count"].as_u64().unwrap();
            assert!(download.html.starts_with("\u{feff}Kommundel;Antal\r\n"));
            assert!(
                download.html.contains("\r\nÖstra;..\r\n"),
                "{}",
                download.html
            );
            assert!(download.html.contains(&format!("\r\nTotalt;{total}\r\n")));
            assert!(download.html.contains(".. = skyddat"));
            assert!(!download.html.contains("false"));
            continue;
        }
        assert!(
            page.html
                .replace("&#38;", "&")
                .contains(&format!("/statistik/hamta?format={format}&{web}"))
        );
        let served = app
            .get(&format!("{api}&format={format}"), &live())
            .await
            .body;
        match served {
            Value::String(text) => assert_eq!(download.html, text, "{format}"),
            dataset => assert_eq!(
                serde_json::from_str::<Value>(&download.html).unwrap(),
                dataset
            ),
        }
    }

    let same = olga.get("/statistik?rader=month&kolumner=week").await;
    assert!(
        same.html.contains("Välj olika uppdelningar"),
        "{}",
        same.html
    );
    let backwards = olga.get("/statistik?fran=2026-11-30&till=2026-11-01").await;
    assert!(backwards.html.contains(r##"href="#field-till""##));
}

#[actix_web::test]
async fn the_district_picture_and_the_yearly_compilation_are_the_apis_with_their_comparisons() {
    let app = spawn_app_with_pages().await;
    let now = app.clock.now();
    let days_ago = |days: i64| (now - Duration::days(days)).to_rfc3339();
    file(&app, "central", &days_ago(3), 5).await;
    // The same twelve months before: compared, not counted.
    file(&app, "central", &days_ago(3 + 365), 7).await;
    let mut ivy = Browser::new(&app);
    ivy.sign_in("ivy:security_manager").await;

    let picture = ivy.get("/lagesbild?stadsdel=central").await;
    assert_eq!(picture.status, StatusCode::OK, "{}", picture.html);
    let api = app
        .get("/api/v1/statistics/districts/central", &manager())
        .await
        .body;
    let total = api["by_place_kind"]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|cell| cell["categories"]["place_kind"] == "total")
        .unwrap()
        .clone();
    assert_eq!(total["count"], 5);
    assert_eq!(total["previous"]["count"], 7);
    assert!(picture.html.contains("Lägesbild för Centrala"));
    for title in [
        "Per månad och fokusområde",
        "Per typ av plats",
        "Per timme på dygnet",
        "Per veckodag",
    ] {
        assert!(picture.html.contains(title), "{title}");
    }
    assert!(
        picture
            .html
            .contains("Totalt: 5. Flest: Skola (5). Perioden före: 7."),
        "{}",
        picture.html
    );
    // 7 cases before are too few for a percentage to mean anything: the change is counted.
    assert!(
        picture.html.contains("<td class=\"number\">\u{2212}2</td>"),
        "{}",
        picture.html
    );

    let year = chrono::DateTime::parse_from_rfc3339(&days_ago(3))
        .unwrap()
        .year();
    let compilation = ivy.get(&format!("/arssammanstallning?ar={year}")).await;
    assert_eq!(compilation.status, StatusCode::OK);
    let api = app
        .get(&format!("/api/v1/statistics/yearly/{year}"), &manager())
        .await
        .body;
    let cases = api["total"]["cases"].as_u64().unwrap();
    assert!(
        compilation
            .html
            .contains(&format!("Årssammanställning {year}"))
    );
    assert!(
        compilation.html.contains(&format!("Totalt: {cases}.")),
        "{}",
        compilation.html
    );
    for title in [
        "Per fokusområde",
        "Per ansvarigt kontor",
        "Årets ärenden per kön",
    ] {
        assert!(compilation.html.contains(title), "{title}");
    }
    let bad = ivy.get("/arssammanstallning?ar=tjugohundra").await;
    assert!(bad.html.contains("Skriv ett år mellan 1970 och 9998"));
}

/// The pages spend the API's statistics allowance: through both, a caller gets no more than
/// through one; the page refused says so, and the allowance comes back with time.
#[actix_web::test]
async fn the_pages_and_the_api_share_one_statistics_allowance() {
    let app = spawn_app_with_pages_configured(|settings| {
        settings.rate_limits.statistics = std::num::NonZeroU32::new(3).unwrap();
    })
    .await;
    let mut olga = Browser::new(&app);
    olga.sign_in("olga:analyst").await;
    for page in ["/statistik", "/lagesbild"] {
        assert_eq!(olga.get(page).await.status, StatusCode::OK, "{page}");
    }
    let api = "/api/v1/statistics";
    assert_eq!(app.get(api, &analyst()).await.status, StatusCode::OK);
    let refused = olga.get("/arssammanstallning").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.html.contains("För många frågor just nu"));
    let wait: u64 = refused.retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait} s");
    app.get(api, &analyst()).await.assert_problem(429);
    // Another analyst has an allowance of their own.
    let mut other = Browser::new(&app);
    other.sign_in("ivy:security_manager").await;
    assert_eq!(other.get("/statistik").await.status, StatusCode::OK);

    app.clock.advance(Duration::minutes(1));
    assert_eq!(olga.get("/arssammanstallning").await.status, StatusCode::OK);
}
