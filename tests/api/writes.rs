//! A unit of work that panics fails alone: what it wrote is rolled back, the writes beside it
//! commit, the connection it ran on is clean for the next, and the service stays ready.

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
