//! `/metrics`: scraped and parsed after a filing, as Prometheus would; only for the scraper
//! that presents the metrics token, and absent without one.

use std::collections::HashMap;

use awc::http::{Method, StatusCode};

use crate::helpers::*;

/// The samples of an OpenMetrics text page: `name{labels}` to value.
fn parse(text: &str) -> HashMap<String, f64> {
    assert!(text.trim_end().ends_with("# EOF"), "a complete page");
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (sample, value) = line.rsplit_once(' ').expect("a sample and its value");
            (sample.to_owned(), value.parse().expect("a number"))
        })
        .collect()
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let request = app.request(Method::GET, "/metrics", token);
    let mut response = request.send().await.unwrap();
    let body = response.body().await.unwrap();
    (response.status(), String::from_utf8(body.to_vec()).unwrap())
}

#[actix_web::test]
async fn metrics_count_filings_requests_deliveries_and_reads() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let id = app.file_id(&alice, &report()).await;
    app.get(&format!("/api/v1/incidents/{id}"), &alice).await;
    // Without a mail server the alerts wait; a minute and a half later they still do.
    app.clock.advance(chrono::Duration::seconds(90));

    let (status, text) = scrape(&app, Some(METRICS_TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let samples = parse(&text);
    let sample = |name: &str| {
        *samples
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in\n{text}"))
    };
    assert_eq!(sample("trygg_filings_total"), 1.0);
    assert_eq!(sample("trygg_access_log_appends_total"), 1.0);
    assert_eq!(
        sample(
            r#"trygg_http_requests_total{route="/api/v1/incidents",method="POST",status="201"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            r#"trygg_http_requests_total{route="/api/v1/incidents/{id}",method="GET",status="200"}"#
        ),
        1.0,
        "routes are counted by pattern, not by id"
    );
    assert_eq!(
        sample(r#"trygg_http_request_duration_seconds_count{route="/api/v1/incidents"}"#),
        1.0
    );
    let deliveries: f64 = ["pending", "delivered", "failed"]
        .iter()
        .map(|state| sample(&format!(r#"trygg_alert_deliveries{{state="{state}"}}"#)))
        .sum();
    assert!(deliveries >= 1.0, "the filing's alerts are in the outbox");
    assert_eq!(
        sample("trygg_oldest_undelivered_alert_age_seconds"),
        90.0,
        "on the service's clock"
    );
    assert!(sample("trygg_database_pool_size") >= 1.0);
    assert!(
        sample("trygg_database_pool_connections") >= sample("trygg_database_pool_idle_connections")
    );
    assert!(!text.contains(&id), "no case id in the metrics");
}

#[actix_web::test]
async fn metrics_are_only_for_the_scraper_with_the_token() {
    let app = spawn_app().await;
    assert_eq!(scrape(&app, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(&app, Some("a-guess")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        scrape(&app, Some(&reporter("alice"))).await.0,
        StatusCode::UNAUTHORIZED,
        "an API token is not the metrics token"
    );
    let without = spawn_app_configured(|settings| settings.metrics_token = None).await;
    assert_eq!(
        scrape(&without, Some(METRICS_TOKEN)).await.0,
        StatusCode::NOT_FOUND
    );
}
