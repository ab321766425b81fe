use diesel::query_builder::QueryBuilder;

use diesel::pg::Pg;
use diesel::query_builder::QueryFragment;

use super::appender::{AppendStatement, NewEntry};
use super::seal::{GENESIS, genesis, sealed_text};
use super::*;

fn entry(n: usize) -> NewEntry {
    NewEntry {
        at: "2026-11-27T10:00:00".parse().unwrap(),
        actor: format!("reader {n}"),
        incident_id: Uuid::nil().to_string(),
        purpose: "read_incident",
        prev_hash: GENESIS.to_owned(),
        hash: GENESIS.to_owned(),
        chain: "chain".to_owned(),
        key_id: "key".to_owned(),
    }
}

#[test]
fn a_batch_is_the_same_prepared_statement_whatever_its_size() {
    let text = |entries: &[NewEntry]| {
        let statement = AppendStatement::new(entries);
        assert!(statement.is_safe_to_cache_prepared(&Pg).unwrap());
        let mut builder = diesel::pg::PgQueryBuilder::default();
        statement.to_sql(&mut builder, &Pg).unwrap();
        builder.finish()
    };
    let one = text(&[entry(1)]);
    assert_eq!(one, text(&[entry(1), entry(2), entry(3)]));
    assert!(one.ends_with("ORDER BY n"), "{one}");
}

#[test]
fn chains_start_apart() {
    assert_eq!(genesis(""), GENESIS);
    assert_ne!(genesis("a"), genesis("b"));
    assert_eq!(genesis("a").len(), 64);
}

#[test]
fn the_seal_covers_every_field_the_link_and_the_key() {
    let key = AccessLogKey::new(&[7; 32]).unwrap();
    let at = "2026-11-27T10:00:00.123456".parse().unwrap();
    let seal = |prev: &str, at, actor: &str, id: &str, purpose: &str, key_id: &str| {
        key.seal(&sealed_text(prev, at, actor, id, purpose, key_id))
    };
    let base = seal(GENESIS, at, "alice", "id", "read_incident", key.id());
    assert_eq!(base.len(), 64);
    let later = at + chrono::Duration::microseconds(1);
    for other in [
        seal(&base, at, "alice", "id", "read_incident", key.id()),
        seal(GENESIS, at, "alicf", "id", "read_incident", key.id()),
        seal(GENESIS, at, "alice", "ie", "read_incident", key.id()),
        seal(GENESIS, at, "alice", "id", "list_incidents", key.id()),
        seal(GENESIS, later, "alice", "id", "read_incident", key.id()),
        seal(GENESIS, at, "alice", "id", "read_incident", "another"),
        AccessLogKey::new(&[8; 32]).unwrap().seal(&sealed_text(
            GENESIS,
            at,
            "alice",
            "id",
            "read_incident",
            key.id(),
        )),
    ] {
        assert_ne!(base, other);
    }
    // Field boundaries cannot be moved.
    assert_ne!(
        seal(GENESIS, at, "ab", "c", "p", key.id()),
        seal(GENESIS, at, "a", "bc", "p", key.id())
    );
}

#[test]
fn keys_are_long_and_known_by_an_id_that_does_not_give_them_away() {
    assert_eq!(AccessLogKey::new(&[1; 31]).unwrap_err(), WeakKey);
    let key = AccessLogKey::new(&[1; 32]).unwrap();
    assert_eq!(key.id().len(), 16);
    assert_ne!(key.id(), AccessLogKey::new(&[2; 32]).unwrap().id());
    assert!(!format!("{key:?}").contains("secret"));
    assert_ne!(
        AccessLogKey::ephemeral().id(),
        AccessLogKey::ephemeral().id()
    );
}
