//! What the service cannot read answers 500 and tells the caller where the log holds it. (A
//! unit of work that panics fails alone: storage's own tests hold that, on both backends.)

use crate::helpers::*;

/// What the service cannot read (here a case whose stored status a bug, or a hand, broke)
/// answers 500 with a problem naming the request id the log holds the cause under, and
/// nothing of the cause.
#[actix_web::test]
async fn an_internal_error_answers_with_the_request_id_it_is_logged_under() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let id = app.file_id(&alice, &report()).await;
    app.database.execute(
        "UPDATE incidents SET status = 'misfiled'",
        "UPDATE incidents SET status = 'misfiled'",
    );
    let reply = app.get(&format!("/api/v1/incidents/{id}"), &alice).await;
    let detail = reply.assert_problem(500).to_owned();
    let instance = reply.body["instance"].as_str().expect("an instance");
    let request_id = instance
        .strip_prefix("urn:uuid:")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .unwrap_or_else(|| panic!("not a request id: {instance}"));
    assert!(detail.contains(&request_id.to_string()), "{detail}");
    assert!(!detail.contains("misfiled"), "{detail}");

    let other = app.get(&format!("/api/v1/incidents/{id}"), &alice).await;
    assert_ne!(
        other.body["instance"], reply.body["instance"],
        "one id per request"
    );
    let missing = app.get("/api/v1/nothing-here", &alice).await;
    missing.assert_problem(404);
    assert!(
        missing.body.get("instance").is_none(),
        "only internal errors carry one"
    );
}
