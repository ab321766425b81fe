//! Comments on a case: internal ones for case workers, and those shared with the reporter.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{Audience, Visibility};
use uuid::Uuid;

use crate::access_log::Reader;
use crate::case_work::{find, visible_seq};
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::incidents::Incident;
use crate::schema::comments;

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
