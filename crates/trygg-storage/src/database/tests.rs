use diesel::RunQueryDsl;

use std::path::PathBuf;

use super::*;
use crate::test_database::{PostgresDatabase, SqliteDatabase};

#[test]
fn urls_pick_their_backend_by_scheme() {
    assert_eq!(
        DatabaseUrl::parse("postgres://u@h/db").backend(),
        Backend::Postgres
    );
    assert_eq!(
        DatabaseUrl::parse("postgresql://u@h/db").backend(),
        Backend::Postgres
    );
    assert_eq!(
        DatabaseUrl::parse("sqlite://data/x.db"),
        DatabaseUrl::Sqlite(PathBuf::from("data/x.db"))
    );
    assert_eq!(
        DatabaseUrl::parse("./data/trygg.db").backend(),
        Backend::Sqlite
    );
}

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

/// A unit of work that panics fails alone: what it wrote is rolled back, the writes beside
/// it commit, the connection it ran on is clean for the next, and writes go on.
fn a_panicking_write_fails_alone(database: &Database) {
    let outcomes: Vec<Result<(), StorageError>> = std::thread::scope(|scope| {
        let writes: Vec<_> = (0..8)
            .map(|n| scope.spawn(move || keep_draft(database, format!("writer-{n}"), n == 3)))
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
    let kept = |pattern: &str| -> i64 {
        use crate::schema::report_drafts;
        use diesel::dsl::count_star;
        use diesel::prelude::*;
        report_drafts::table
            .filter(report_drafts::subject.like(pattern))
            .select(count_star())
            .first(&mut *database.connection().unwrap())
            .unwrap()
    };
    assert_eq!(
        kept("writer-3"),
        0,
        "what the panicking write wrote is rolled back"
    );
    assert_eq!(kept("writer-%"), 7);
    keep_draft(database, "later".into(), false).expect("a later write succeeds");
    assert_eq!(kept("later"), 1);
    assert!(
        database.is_ready().unwrap(),
        "the writer still takes writes"
    );
}

#[test]
fn a_panicking_write_fails_alone_on_sqlite() {
    a_panicking_write_fails_alone(&SqliteDatabase::create(1).database);
}

/// With one pooled connection: the next write reuses the one that panicked.
#[test]
fn a_panicking_write_fails_alone_on_postgres() {
    if let Some(test) = PostgresDatabase::create() {
        a_panicking_write_fails_alone(&test.database);
    }
}

#[test]
fn redaction_hides_credentials() {
    let url = DatabaseUrl::parse("postgres://trygg:s3cret@db:5432/trygg");
    assert_eq!(url.redacted(), "postgres://…@db:5432/trygg");
}
