//! Signed-in sessions of the web pages, held on the server: a session lives while it is not
//! ended, was seen lately and began recently enough, whatever the cookie that names it says.
//! Sessions are kept under the SHA-256 of their id, so the table signs no one in.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::database::Database;
use crate::error::StorageError;
use crate::schema::web_sessions;

/// A session's last visit is written at most this often: a page view reads its session, and
/// writes it only when the last write is older than this, so the idle timeout is kept to
/// within this much.
pub const SEEN_PRECISION: Duration = Duration::seconds(60);

/// When a session must have begun and been last seen to be alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liveness {
    pub started_after: DateTime<Utc>,
    pub seen_after: DateTime<Utc>,
}

impl Database {
    /// Records a session that begins now, and forgets those begun before `expired_before`
    /// (past any lifetime, so dead whatever else holds).
    pub fn start_session(
        &self,
        key: String,
        subject: String,
        expired_before: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let now = self.clock.now().naive_utc();
        self.write(move |conn| {
            diesel::delete(
                web_sessions::table.filter(web_sessions::started_at.lt(expired_before.naive_utc())),
            )
            .execute(conn)?;
            diesel::insert_into(web_sessions::table)
                .values((
                    web_sessions::key.eq(&key),
                    web_sessions::subject.eq(&subject),
                    web_sessions::started_at.eq(now),
                    web_sessions::seen_at.eq(now),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// Whether the session is alive by `liveness`; when it is, it is seen now, and when it has
    /// timed out, it is ended.
    pub fn continue_session(&self, key: String, liveness: Liveness) -> Result<bool, StorageError> {
        let now = self.clock.now();
        let found: Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)> = web_sessions::table
            .filter(web_sessions::key.eq(&key))
            .filter(web_sessions::ended_at.is_null())
            .select((web_sessions::started_at, web_sessions::seen_at))
            .first(&mut *self.connection()?)
            .optional()?;
        let Some((started_at, seen_at)) = found else {
            return Ok(false);
        };
        let (started_at, seen_at) = (started_at.and_utc(), seen_at.and_utc());
        if started_at <= liveness.started_after || seen_at <= liveness.seen_after {
            // Timed out is ended: nothing brings it back.
            self.end_session(key)?;
            return Ok(false);
        }
        if now - seen_at >= SEEN_PRECISION {
            self.write(move |conn| {
                diesel::update(web_sessions::table.filter(web_sessions::key.eq(&key)))
                    .set(web_sessions::seen_at.eq(now.naive_utc()))
                    .execute(conn)
                    .map_err(StorageError::from)
            })?;
        }
        Ok(true)
    }

    /// Ends the session: no cookie naming it signs anyone in again.
    pub fn end_session(&self, key: String) -> Result<(), StorageError> {
        let now = self.clock.now().naive_utc();
        self.write(move |conn| {
            diesel::update(web_sessions::table.filter(web_sessions::key.eq(&key)))
                .set(web_sessions::ended_at.eq(now))
                .execute(conn)?;
            Ok(())
        })
    }
}
