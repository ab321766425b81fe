//! A case with what is written about it, read as one page shows it: in one snapshot, so that
//! its version, comments, actions and timeline are of one moment.

use trygg_domain::{Audience, CaseEvent, Visibility};
use uuid::Uuid;

use crate::access_log::Reader;
use crate::actions::{Action, actions_of};
use crate::case::{Incident, find, timeline_of};
use crate::comments::{Comment, comments_of};
use crate::database::{Database, in_one_snapshot};
use crate::error::StorageError;

impl Database {
    /// The timeline of a visible case, oldest first, logged as read by `reader`; `None` when
    /// not visible.
    pub fn read_timeline(
        &self,
        id: Uuid,
        visibility: &Visibility,
        reader: &Reader,
    ) -> Result<Option<Vec<CaseEvent>>, StorageError> {
        self.read_visible(id, visibility, reader, timeline_of)
    }

    /// A visible case with its comments for `audiences`, and, for those who work it
    /// (`work`), its actions and timeline: all a page shows of it, read in one snapshot and
    /// logged as one read by `reader`. `None` when not visible.
    pub fn read_case_file(
        &self,
        id: Uuid,
        visibility: &Visibility,
        audiences: &[Audience],
        work: bool,
        reader: &Reader,
    ) -> Result<Option<CaseFile>, StorageError> {
        let mut conn = self.connection()?;
        let file = in_one_snapshot(&mut conn, |conn| {
            let Some((seq, incident)) = find(conn, id, visibility)? else {
                return Ok(None);
            };
            Ok(Some(CaseFile {
                incident,
                comments: comments_of(conn, seq, audiences)?,
                actions: if work {
                    actions_of(conn, seq)?
                } else {
                    Vec::new()
                },
                timeline: if work {
                    timeline_of(conn, seq)?
                } else {
                    Vec::new()
                },
            }))
        })?;
        // The connection goes back first: on PostgreSQL logging takes one of its own.
        drop(conn);
        self.log_found(file, id, reader)
    }
}

/// A case and what is written about it, as a page shows it.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub incident: Incident,
    pub comments: Vec<Comment>,
    pub actions: Vec<Action>,
    pub timeline: Vec<CaseEvent>,
}
