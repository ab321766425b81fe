//! OWASP API4:2023, unrestricted resource consumption: filings and statistics are limited per
//! caller, bad tokens per address; past a limit the caller hears 429 with `Retry-After`, others
//! go on, and the caller recovers as time passes (the service's clock, advanced).

use std::num::NonZeroU32;

use awc::http::{Method, StatusCode};
use trygg_api::RateLimits;

use crate::helpers::*;

fn limited(per_minute: u32) -> RateLimits {
    let n = NonZeroU32::new(per_minute).unwrap();
    RateLimits {
        filings: n,
        statistics: n,
        open_statistics: n,
        failed_authentications: n,
    }
}

fn assert_too_many(reply: &Reply, retry_after: &str) {
    reply.assert_problem(429);
    assert_eq!(reply.header("retry-after"), Some(retry_after));
}

#[actix_web::test]
async fn api4_unrestricted_resource_consumption_filings_are_limited_per_caller() {
    let app = spawn_app_configured(|settings| settings.rate_limits = limited(2)).await;
    let alice = reporter("alice");
    app.file_ok(&alice, &report()).await;
    app.file_ok(&alice, &report()).await;
    let refused = app.file(&alice, &report()).await;
    assert_too_many(&refused, "30");
    assert!(refused.assert_problem(429).contains("reports filed"));
    // Past the limit, what is sent is not read at all: a broken report is 429 too, not 422.
    let broken = app
        .file(&alice, &serde_json::json!({"kind": "no-such-kind"}))
        .await;
    assert_too_many(&broken, "30");
    app.file_ok(&reporter("bob"), &report()).await;

    app.clock.advance(chrono::Duration::seconds(30));
    app.file_ok(&alice, &report()).await;
    let manager = token("ivy", &["security_manager"], None);
    assert_eq!(
        app.listed_ids(&manager, "").await.len(),
        4,
        "nothing refused was filed"
    );
}

#[actix_web::test]
async fn api4_unrestricted_resource_consumption_statistics_are_limited_per_caller() {
    let app = spawn_app_configured(|settings| settings.rate_limits = limited(3)).await;
    let analyst = token("olga", &["analyst"], None);
    let path = "/api/v1/statistics?group_by=focus_area";
    for _ in 0..3 {
        assert_eq!(app.get(path, &analyst).await.status, StatusCode::OK);
    }
    assert_too_many(&app.get(path, &analyst).await, "20");
    assert_too_many(
        &app.get("/api/v1/statistics/districts/west", &analyst).await,
        "20",
    );
    let other = token("per", &["analyst"], None);
    assert_eq!(app.get(path, &other).await.status, StatusCode::OK);
    app.clock.advance(chrono::Duration::seconds(20));
    assert_eq!(app.get(path, &analyst).await.status, StatusCode::OK);
}

/// A client bound to another loopback address, as another machine would be.
fn client_at(address: &str) -> awc::Client {
    awc::Client::builder()
        .connector(awc::Connector::new().local_address(address.parse().unwrap()))
        .finish()
}

async fn status(request: awc::ClientRequest) -> u16 {
    request.send().await.unwrap().status().as_u16()
}

#[actix_web::test]
async fn api4_unrestricted_resource_consumption_a_flood_of_bad_tokens_slows_only_its_failures() {
    let app = spawn_app_configured(|settings| settings.rate_limits = limited(3)).await;
    let flooder = client_at("127.0.0.2");
    let from_flooder = |token: &str| {
        flooder
            .request(Method::GET, app.url("/api/v1/catalogue"))
            .bearer_auth(token)
    };
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(status(from_flooder("not-a-token")).await);
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    // An integration polling with an expired token shares the proxy's address with everyone:
    // a caller whose token verifies is never refused for it.
    let valid = reporter("alice");
    for _ in 0..10 {
        assert_eq!(status(from_flooder(&valid)).await, 200);
        assert_eq!(status(from_flooder("not-a-token")).await, 429);
    }
    assert_eq!(
        app.get("/api/v1/catalogue", &valid).await.status,
        StatusCode::OK,
        "another address goes on"
    );
    app.clock.advance(chrono::Duration::seconds(20));
    assert_eq!(
        status(from_flooder("not-a-token")).await,
        401,
        "recovered: a failure is a 401 again"
    );
}

#[actix_web::test]
async fn behind_a_trusted_proxy_failures_count_against_the_client_it_names() {
    let app = spawn_app_configured(|settings| {
        settings.rate_limits = limited(2);
        settings.trusted_proxies = trygg_api::TrustedProxies::parse("127.0.0.2/32").unwrap();
    })
    .await;
    let proxy = client_at("127.0.0.2");
    let forwarded_for = |client: &'static str, token: &str| {
        proxy
            .request(Method::GET, app.url("/api/v1/catalogue"))
            .insert_header(("X-Forwarded-For", client))
            .bearer_auth(token)
    };
    for expected in [401, 401, 429] {
        assert_eq!(status(forwarded_for("198.51.100.7", "bad")).await, expected);
    }
    assert_eq!(
        status(forwarded_for("198.51.100.8", "bad")).await,
        401,
        "another client behind the same proxy is counted on its own"
    );
    // A client that writes its own X-Forwarded-For gets the proxy's entry appended: the
    // right-most untrusted address is still its own.
    assert_eq!(
        status(forwarded_for("203.0.113.1, 198.51.100.7", "bad")).await,
        429,
        "a forged first entry changes nothing"
    );

    // A peer the operator did not name cannot pick its address by writing the header.
    let stranger = client_at("127.0.0.3");
    let from_stranger = |client: &'static str| {
        stranger
            .request(Method::GET, app.url("/api/v1/catalogue"))
            .insert_header(("X-Forwarded-For", client))
            .bearer_auth("bad")
    };
    assert_eq!(status(from_stranger("198.51.100.20")).await, 401);
    assert_eq!(status(from_stranger("198.51.100.21")).await, 401);
    assert_eq!(
        status(from_stranger("198.51.100.22")).await,
        429,
        "counted against the peer, whatever the header says"
    );
}

#[actix_web::test]
async fn filing_on_the_pages_spends_the_same_allowance_as_the_api() {
    let app = spawn_app_with_pages_configured(|settings| settings.rate_limits = limited(2)).await;
    let anna = reporter("anna");
    app.file_ok(&anna, &report()).await;
    app.file_ok(&anna, &report()).await;
    let mut browser = crate::web::Browser::new(&app);
    browser.sign_in("anna:reporter").await;
    crate::web::answer_every_step(&mut browser).await;
    let csrf = browser.get("/rapportera/kontrollera").await.csrf();
    let refused = browser
        .send(Method::POST, "/rapportera/skicka", Some(&[("csrf", &csrf)]))
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.retry_after.as_deref(), Some("30"));
}
