//! `Idempotency-Key`: a retried filing never makes a second case.

use awc::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

async fn file_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Reply {
    let request = app
        .request(Method::POST, "/api/v1/incidents", Some(token))
        .insert_header(("Idempotency-Key", key))
        .content_type("application/json");
    app.send_body(request, body.to_string()).await
}

#[actix_web::test]
async fn a_retry_with_the_same_key_and_body_replays_the_first_response() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let first = file_with_key(&app, &alice, "retry-1", &report()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.header("idempotent-replayed"), None);

    // The same JSON, differently spaced, is the same request.
    let request = app
        .request(Method::POST, "/api/v1/incidents", Some(&alice))
        .insert_header(("Idempotency-Key", "retry-1"))
        .content_type("application/json");
    let retry = app
        .send_body(request, serde_json::to_string_pretty(&report()).unwrap())
        .await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.listed_ids(&alice, "").await.len(), 1);
}

/// The answer is kept after the filing's write, not inside it: if the service stopped in
/// between, a retry still answers with the case the key filed, as it is then.
#[actix_web::test]
async fn a_retry_whose_answer_was_never_kept_answers_with_the_case() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let first = file_with_key(&app, &alice, "retry-2", &report()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_ne!(
        app.database
            .count("SELECT COUNT(*) FROM idempotency_keys WHERE response_body <> ''"),
        0,
        "the answer is kept"
    );
    app.database.execute(
        "UPDATE idempotency_keys SET response_body = ''",
        "UPDATE idempotency_keys SET response_body = ''",
    );
    let retry = file_with_key(&app, &alice, "retry-2", &report()).await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.listed_ids(&alice, "").await.len(), 1);
}

#[actix_web::test]
async fn the_same_key_with_another_body_is_refused() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    file_with_key(&app, &alice, "k", &report()).await;
    let other = report_with(json!({"severity": "low"}));
    let reply = file_with_key(&app, &alice, "k", &other).await;
    reply.assert_problem(422);
    assert_eq!(
        reply.body["type"],
        "urn:trygg:problem:idempotency-key-reused"
    );
    assert_eq!(app.listed_ids(&alice, "").await.len(), 1);
}

#[actix_web::test]
async fn keys_are_scoped_per_user() {
    let app = spawn_app().await;
    let a = file_with_key(&app, &reporter("alice"), "shared-key", &report()).await;
    let b = file_with_key(&app, &reporter("bob"), "shared-key", &report()).await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(b.status, StatusCode::CREATED);
    assert_ne!(
        a.body["id"], b.body["id"],
        "bob must not receive alice's case"
    );
}

#[actix_web::test]
async fn concurrent_retries_make_one_case() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let body = report();
    let retries = (0..12).map(|_| file_with_key(&app, &alice, "storm", &body));
    let replies = futures_util::future::join_all(retries).await;
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.body["id"], replies[0].body["id"]);
    }
    assert_eq!(app.listed_ids(&alice, "").await.len(), 1);
}

#[actix_web::test]
async fn a_rejected_report_does_not_use_up_its_key() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let invalid = report_with(json!({"district": "atlantis"}));
    file_with_key(&app, &alice, "k", &invalid)
        .await
        .assert_problem(422);
    let reply = file_with_key(&app, &alice, "k", &report()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}
