//! Comments on a case: internal ones for case workers, and those shared with the reporter.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{Audience, Visibility};
use uuid::Uuid;

use crate::access_log::Reader;
use crate::case::{Incident, find, visible_seq};
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::schema::{comments, incidents, reporter_reads};

/// A comment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub at: DateTime<Utc>,
    pub author: String,
    pub audience: Audience,
    pub body: String,
}

impl Database {
    /// Adds a comment to a visible case if `permit`, which sees the case, allows it. `None`
    /// when the case is not visible.
    pub fn add_comment<R: Send + 'static>(
        &self,
        id: Uuid,
        visibility: Visibility,
        comment: Comment,
        permit: impl FnOnce(&Incident) -> Result<(), R> + Send + 'static,
    ) -> Result<Option<Result<Comment, R>>, StorageError> {
        let Some(incident) = self.incident(id, &visibility)? else {
            return Ok(None);
        };
        if let Err(refusal) = permit(&incident) {
            return Ok(Some(Err(refusal)));
        }
        self.write(move |conn| {
            let Some(seq) = visible_seq(conn, id, &visibility)? else {
                return Ok(None);
            };
            diesel::insert_into(comments::table)
                .values((
                    comments::incident_seq.eq(seq),
                    comments::at.eq(comment.at.naive_utc()),
                    comments::author.eq(&comment.author),
                    comments::audience.eq(comment.audience.code()),
                    comments::body.eq(&comment.body),
                ))
                .execute(conn)?;
            Ok::<_, StorageError>(Some(Ok(comment)))
        })
    }

    /// The comments of a visible case, oldest first, for the audiences `audiences` picks seeing
    /// the case (all for those who work it, say); logged as read by `reader`.
    pub fn read_comments(
        &self,
        id: Uuid,
        visibility: &Visibility,
        audiences: impl FnOnce(&Incident) -> &'static [Audience],
        reader: &Reader,
    ) -> Result<Option<Vec<Comment>>, StorageError> {
        let mut conn = self.connection()?;
        let Some((seq, incident)) = find(&mut conn, id, visibility)? else {
            return Ok(None);
        };
        let found = comments_of(&mut conn, seq, audiences(&incident))?;
        // The connection goes back first: on PostgreSQL logging takes one of its own.
        drop(conn);
        self.log_found(Some(found), id, reader)
    }
}

impl Database {
    /// How many case workers' messages to the reporter each of these cases has that its
    /// reporter has not seen on their report's page, by case id (cases with none left out).
    pub fn unread_replies(&self, ids: &[String]) -> Result<HashMap<String, i64>, StorageError> {
        let mut conn = self.connection()?;
        let replies: Vec<(String, i64, i64)> = comments::table
            .inner_join(incidents::table)
            .filter(incidents::id.eq_any(ids))
            .filter(comments::audience.eq(Audience::Reporter.code()))
            .filter(comments::author.ne(incidents::reporter))
            .select((incidents::id, incidents::seq, comments::seq))
            .load(&mut *conn)?;
        let cases: Vec<i64> = replies.iter().map(|(_, case, _)| *case).collect();
        let seen: HashMap<i64, i64> = reporter_reads::table
            .filter(reporter_reads::incident_seq.eq_any(&cases))
            .select((
                reporter_reads::incident_seq,
                reporter_reads::last_seen_comment,
            ))
            .load::<(i64, i64)>(&mut *conn)?
            .into_iter()
            .collect();
        let mut unread = HashMap::new();
        for (id, case, comment) in replies {
            if seen.get(&case).is_none_or(|last| comment > *last) {
                *unread.entry(id).or_insert(0) += 1;
            }
        }
        Ok(unread)
    }

    /// Records that the reporter has seen every comment the case has now (their report's page
    /// showed them).
    pub fn mark_replies_seen(&self, id: Uuid) -> Result<(), StorageError> {
        self.write(move |conn| {
            let latest: Option<(i64, Option<i64>)> = incidents::table
                .filter(incidents::id.eq(id.to_string()))
                .select((
                    incidents::seq,
                    comments::table
                        .filter(comments::incident_seq.eq(incidents::seq))
                        .select(diesel::dsl::max(comments::seq))
                        .single_value(),
                ))
                .first(conn)
                .optional()?;
            let Some((case, Some(latest))) = latest else {
                return Ok(());
            };
            let row = reporter_reads::table.filter(reporter_reads::incident_seq.eq(case));
            diesel::delete(row).execute(conn)?;
            diesel::insert_into(reporter_reads::table)
                .values((
                    reporter_reads::incident_seq.eq(case),
                    reporter_reads::last_seen_comment.eq(latest),
                ))
                .execute(conn)?;
            Ok::<_, StorageError>(())
        })
    }
}

/// The comments of the case `seq` for these audiences, oldest first.
pub(crate) fn comments_of(
    conn: &mut DbConnection,
    seq: i64,
    audiences: &[Audience],
) -> Result<Vec<Comment>, StorageError> {
    let rows: Vec<(NaiveDateTime, String, String, String)> = comments::table
        .filter(comments::incident_seq.eq(seq))
        .filter(comments::audience.eq_any(audiences.iter().map(|a| a.code())))
        .order(comments::seq)
        .select((
            comments::at,
            comments::author,
            comments::audience,
            comments::body,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(at, author, audience, body)| {
            Ok(Comment {
                at: at.and_utc(),
                author,
                audience: audience
                    .parse()
                    .map_err(|e: trygg_domain::UnknownCode| StorageError::Corrupt(e.to_string()))?,
                body,
            })
        })
        .collect()
}
