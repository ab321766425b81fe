//! Writes that fail: a unit of work that panics fails alone (what it wrote is rolled back, the
//! writes beside it commit, the connection it ran on is clean for the next, the service stays
//! ready), and an internal error tells the caller where the log holds it.

use std::sync::Arc;

use diesel::RunQueryDsl;
use trygg_storage::{Database, StorageError};

use crate::helpers::*;

/// Keeps a draft for `subject`, panicking after the insert when told to.
fn keep_draft(database: &Database, subject: String, panic: bool) -> Result<(), StorageError> {
    database.write(move |conn| {
        diesel::sql_query(format!(
            "INSERT INTO report_drafts (subject, answers, updated_at) \
             VALUES ('{subject}', '{{}}', CURRENT_TIMESTAMP)"
        ))
        .execute(conn)?;
        if panic {
            panic!("a bug in a unit of work");
        }
        Ok::<_, StorageError>(())
    })
}

#[actix_web::test]
async fn a_panicking_write_fails_alone_and_later_writes_succeed() {
    let app = spawn_app().await;
    // One pooled connection: on PostgreSQL the next write reuses the one that panicked.
    let database = Arc::new(Database::connect(&app.database.url(), 1, app.clock.clock()).unwrap());
    let outcomes: Vec<Result<(), StorageError>> = std::thread::scope(|scope| {
        let writes: Vec<_> = (0..8)
            .map(|n| {
                let database = database.clone();
                scope.spawn(move || keep_draft(&database, format!("writer-{n}"), n == 3))
            })
            .collect();
        writes
            .into_iter()
            .map(|write| write.join().unwrap())
            .collect()
    });
    for (n, outcome) in outcomes.iter().enumerate() {
        match (n, outcome) {
            (3, Err(StorageError::Panicked(cause))) => assert!(cause.contains("a bug")),
            (3, other) => panic!("the panicking write answered {other:?}"),
            (_, outcome) => assert!(outcome.is_ok(), "writer-{n}: {outcome:?}"),
        }
    }
    let kept = |subject: &str| {
        app.database.count(&format!(
            "SELECT COUNT(*) FROM report_drafts WHERE subject = '{subject}'"
        ))
    };
    assert_eq!(
        kept("writer-3"),
        0,
        "what the panicking write wrote is rolled back"
    );
    assert_eq!(
        app.database
            .count("SELECT COUNT(*) FROM report_drafts WHERE subject LIKE 'writer-%'"),
        7
    );
    keep_draft(&database, "later".into(), false).expect("a later write succeeds");
    assert_eq!(kept("later"), 1);
    assert!(
        database.is_ready().unwrap(),
        "the writer still takes writes"
    );
}

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
