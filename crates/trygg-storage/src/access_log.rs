//! The access log: who read which case, when and through which endpoint.
//!
//! Append-only (no code path updates or deletes it, and triggers refuse it), and chained: each
//! entry's hash covers the previous entry's hash and its own fields, so editing, removing or
//! inserting an entry is detected by [`Database::verify_access_log`].

use std::sync::atomic::Ordering;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::schema::access_log;

/// The hash before the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Serialises appends on PostgreSQL, where several instances may write at once.
const APPEND_LOCK_KEY: i64 = 0x0074_7279_6761; // "tryga"
const VERIFY_PAGE: i64 = 1_000;

/// One read of one case.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = access_log)]
pub struct AccessEntry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub incident_id: String,
    pub purpose: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Which entries to list, oldest first.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub incident_id: Option<Uuid>,
    pub actor: Option<String>,
    /// Only entries after this sequence number (the cursor).
    pub after_cursor: Option<i64>,
    pub limit: i64,
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub entries: u64,
    /// The first entry whose hash or link does not hold.
    pub first_broken: Option<i64>,
}

fn entry_hash(
    prev: &str,
    at: NaiveDateTime,
    actor: &str,
    incident_id: &str,
    purpose: &str,
) -> String {
    // Length-prefixed, so no two different entries hash the same text.
    let text = format!(
        "{prev}\n{}\n{}:{actor}\n{}:{incident_id}\n{}:{purpose}",
        at.format("%Y-%m-%dT%H:%M:%S%.6f"),
        actor.len(),
        incident_id.len(),
        purpose.len(),
    );
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl AccessEntry {
    fn holds(&self, prev: &str) -> bool {
        self.prev_hash == prev
            && self.hash == entry_hash(prev, self.at, &self.actor, &self.incident_id, &self.purpose)
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.at.and_utc()
    }
}

impl Database {
    /// Records that `actor` read these cases through `purpose` (the endpoint).
    pub fn log_access(
        &self,
        actor: String,
        purpose: &'static str,
        incident_ids: Vec<Uuid>,
    ) -> Result<(), StorageError> {
        if incident_ids.is_empty() {
            return Ok(());
        }
        // Microseconds: what both backends store, so the hash survives the round trip.
        let at = self.clock.now().trunc_subsecs(6).naive_utc();
        let entries = incident_ids.len() as u64;
        self.write(move |conn| {
            if let DbConnection::Postgresql(pg) = conn {
                diesel::sql_query(format!("SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})"))
                    .execute(pg)?;
            }
            let mut prev: String = access_log::table
                .order(access_log::seq.desc())
                .select(access_log::hash)
                .first(conn)
                .optional()?
                .unwrap_or_else(|| GENESIS.into());
            for id in incident_ids {
                let incident_id = id.to_string();
                let hash = entry_hash(&prev, at, &actor, &incident_id, purpose);
                diesel::insert_into(access_log::table)
                    .values((
                        access_log::at.eq(at),
                        access_log::actor.eq(&actor),
                        access_log::incident_id.eq(&incident_id),
                        access_log::purpose.eq(purpose),
                        access_log::prev_hash.eq(&prev),
                        access_log::hash.eq(&hash),
                    ))
                    .execute(conn)?;
                prev = hash;
            }
            Ok::<_, StorageError>(())
        })?;
        self.counters
            .access_log_appends
            .fetch_add(entries, Ordering::Relaxed);
        Ok(())
    }

    /// Entries matching the filter, oldest first.
    pub fn access_log(&self, filter: &AccessFilter) -> Result<Vec<AccessEntry>, StorageError> {
        let mut query = access_log::table
            .select(AccessEntry::as_select())
            .order(access_log::seq)
            .limit(filter.limit)
            .into_boxed();
        if let Some(id) = filter.incident_id {
            query = query.filter(access_log::incident_id.eq(id.to_string()));
        }
        if let Some(actor) = &filter.actor {
            query = query.filter(access_log::actor.eq(actor));
        }
        if let Some(cursor) = filter.after_cursor {
            query = query.filter(access_log::seq.gt(cursor));
        }
        Ok(query.load(&mut *self.connection()?)?)
    }

    /// Walks the whole chain and reports the first entry that does not hold.
    pub fn verify_access_log(&self) -> Result<ChainReport, StorageError> {
        let mut conn = self.connection()?;
        let mut prev = GENESIS.to_owned();
        let mut entries = 0;
        let mut after = 0;
        loop {
            let page: Vec<AccessEntry> = access_log::table
                .filter(access_log::seq.gt(after))
                .order(access_log::seq)
                .limit(VERIFY_PAGE)
                .select(AccessEntry::as_select())
                .load(&mut *conn)?;
            let Some(last) = page.last() else {
                return Ok(ChainReport {
                    entries,
                    first_broken: None,
                });
            };
            after = last.seq;
            for entry in &page {
                if !entry.holds(&prev) {
                    return Ok(ChainReport {
                        entries,
                        first_broken: Some(entry.seq),
                    });
                }
                entries += 1;
                prev = entry.hash.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_field_and_the_link() {
        let at = "2026-11-27T10:00:00.123456".parse().unwrap();
        let base = entry_hash(GENESIS, at, "alice", "id", "read_incident");
        assert_eq!(base.len(), 64);
        assert_ne!(base, entry_hash(&base, at, "alice", "id", "read_incident"));
        assert_ne!(
            base,
            entry_hash(GENESIS, at, "alicf", "id", "read_incident")
        );
        assert_ne!(
            base,
            entry_hash(GENESIS, at, "alice", "ie", "read_incident")
        );
        assert_ne!(
            base,
            entry_hash(GENESIS, at, "alice", "id", "list_incidents")
        );
        assert_ne!(
            base,
            entry_hash(
                GENESIS,
                at + chrono::Duration::microseconds(1),
                "alice",
                "id",
                "read_incident"
            )
        );
        // Field boundaries cannot be moved.
        assert_ne!(
            entry_hash(GENESIS, at, "ab", "c", "p"),
            entry_hash(GENESIS, at, "a", "bc", "p")
        );
    }
}
