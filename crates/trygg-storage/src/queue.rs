//! A case worker's queue: what needs someone, what is theirs, what is late.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{
    ActionStatus, Status, Visibility, WORK_ENVIRONMENT_CATEGORIES, WORK_ENVIRONMENT_SEVERITY,
};

use crate::database::Database;
use crate::error::StorageError;
use crate::incidents::{Incident, IncidentRow, visible_to, with_offices};
use crate::schema::{actions, incidents};

/// Whose queue, and when.
#[derive(Debug, Clone)]
pub struct QueueQuery {
    /// The caller (`sub`), for "mine".
    pub me: String,
    pub now: DateTime<Utc>,
    /// Cases received before this whose Arbetsmiljöverket deadline is near or passed.
    pub at_risk_received_before: DateTime<Utc>,
    /// The most cases in each list.
    pub limit: i64,
}

/// Open cases in four lists, oldest first; a case can be in several.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    pub unassigned: Vec<Incident>,
    pub mine: Vec<Incident>,
    /// Cases with an open action past its due date.
    pub overdue: Vec<Incident>,
    /// Serious cases against staff or officials not yet reported to Arbetsmiljöverket.
    pub deadline_at_risk: Vec<Incident>,
}

impl Database {
    pub fn queue(&self, scope: &Visibility, query: &QueueQuery) -> Result<Queue, StorageError> {
        let mut conn = self.connection()?;
        let open = || {
            incidents::table
                .filter(visible_to(scope))
                .filter(incidents::status.ne(Status::Closed.code()))
                .select(IncidentRow::as_select())
                .order(incidents::seq)
                .limit(query.limit)
                .into_boxed()
        };
        let unassigned = open()
            .filter(incidents::assignee.is_null())
            .load(&mut *conn)?;
        let mine = open()
            .filter(incidents::assignee.eq(&query.me))
            .load(&mut *conn)?;
        let late_actions = actions::table
            .filter(actions::status.eq(ActionStatus::Open.code()))
            .filter(actions::due_at.lt(query.now.naive_utc()))
            .select(actions::incident_seq);
        let overdue = open()
            .filter(incidents::seq.eq_any(late_actions))
            .load(&mut *conn)?;
        let covered = WORK_ENVIRONMENT_CATEGORIES.map(|category| category.code());
        let deadline_at_risk = open()
            .filter(incidents::severity.eq(WORK_ENVIRONMENT_SEVERITY.code()))
            .filter(incidents::affected_category.eq_any(covered))
            .filter(incidents::authority_notified_at.is_null())
            .filter(incidents::received_at.le(query.at_risk_received_before.naive_utc()))
            .load(&mut *conn)?;
        Ok(Queue {
            unassigned: with_offices(&mut conn, unassigned)?,
            mine: with_offices(&mut conn, mine)?,
            overdue: with_offices(&mut conn, overdue)?,
            deadline_at_risk: with_offices(&mut conn, deadline_at_risk)?,
        })
    }
}
