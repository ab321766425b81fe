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

#[actix_web::test]
async fn api4_unrestricted_resource_consumption_a_flood_of_bad_tokens_slows_only_its_address() {
    let app = spawn_app_configured(|settings| settings.rate_limits = limited(3)).await;
    // A second loopback address, as another machine would be.
    let flooder = awc::Client::builder()
        .connector(awc::Connector::new().local_address("127.0.0.2".parse().unwrap()))
        .finish();
    let from_flooder = |token: &str| {
        flooder
            .request(Method::GET, app.url("/api/v1/catalogue"))
            .bearer_auth(token)
    };
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            from_flooder("not-a-token")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let valid = reporter("alice");
    let refused = from_flooder(&valid).send().await.unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "refused before the token is looked at"
    );
    assert_eq!(
        app.get("/api/v1/catalogue", &valid).await.status,
        StatusCode::OK,
        "another address goes on"
    );
    app.clock.advance(chrono::Duration::seconds(20));
    assert_eq!(
        from_flooder(&valid).send().await.unwrap().status(),
        StatusCode::OK,
        "recovered"
    );
}
