//! A case worker's queue: what needs someone, what is theirs, what is late.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Integer;
use trygg_domain::{ActionStatus, DEADLINE_AT_RISK_WITHIN, Severity, Visibility};

use uuid::Uuid;

use crate::access_log::Reader;
use crate::case::{Backend, Condition, Incident, IncidentRow, open, visible_to, with_offices};
use crate::database::{Database, DbConnection};
use crate::deadline;
use crate::error::StorageError;
use crate::fixed_sql::{Fixed, fixed};
use crate::schema::{actions, incidents};

/// Whose queue, and when.
#[derive(Debug, Clone)]
pub struct QueueQuery {
    /// The caller (`sub`), for "mine".
    pub me: String,
    pub now: DateTime<Utc>,
    /// Cases whose Arbetsmiljöverket deadline falls at or before this are at risk.
    pub deadline_at_risk_by: DateTime<Utc>,
    /// The most cases in each list.
    pub limit: i64,
}

impl QueueQuery {
    /// `me`'s queue at `now`, at most `limit` cases in a list.
    pub fn new(me: String, now: DateTime<Utc>, limit: i64) -> QueueQuery {
        QueueQuery {
            me,
            now,
            deadline_at_risk_by: now + DEADLINE_AT_RISK_WITHIN,
            limit,
        }
    }
}

/// One of the queue's lists; a case can be in several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueList {
    /// No handler assigned yet.
    Unassigned,
    /// Assigned to the caller.
    Mine,
    /// With an open action past its due date.
    Overdue,
    /// Serious cases against staff or officials not yet reported to Arbetsmiljöverket.
    DeadlineAtRisk,
}

impl QueueList {
    pub const ALL: [QueueList; 4] = [
        QueueList::Unassigned,
        QueueList::Mine,
        QueueList::Overdue,
        QueueList::DeadlineAtRisk,
    ];

    /// The condition on open cases that puts a case in this list.
    fn condition(self, query: &QueueQuery) -> Condition<'_> {
        match self {
            QueueList::Unassigned => Box::new(incidents::assignee.is_null()),
            QueueList::Mine => {
                Box::new(incidents::assignee.assume_not_null().eq(query.me.as_str()))
            }
            QueueList::Overdue => {
                let late_actions = actions::table
                    .filter(actions::status.eq(ActionStatus::Open.code()))
                    .filter(actions::due_at.lt(query.now.naive_utc()))
                    .select(actions::incident_seq);
                Box::new(incidents::seq.eq_any(late_actions))
            }
            QueueList::DeadlineAtRisk => deadline::due_by(query.deadline_at_risk_by),
        }
    }
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    /// Received longest ago first: who has waited longest.
    #[default]
    Oldest,
    Newest,
    /// Most serious first, then oldest.
    MostSevere,
}

/// Open cases in four lists, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    pub unassigned: Vec<Incident>,
    pub mine: Vec<Incident>,
    pub overdue: Vec<Incident>,
    pub deadline_at_risk: Vec<Incident>,
}

/// The open cases of a list among those the scope covers.
fn open_in<'a>(
    scope: &'a Visibility,
    list: QueueList,
    query: &'a QueueQuery,
) -> incidents::BoxedQuery<'a, Backend> {
    incidents::table
        .filter(visible_to(scope))
        .filter(open())
        .filter(list.condition(query))
        .into_boxed()
}

/// Severity as a rank, most serious first, for ordering.
fn severity_rank() -> Fixed<Integer> {
    static RANK: LazyLock<String> = LazyLock::new(|| {
        let ranks: String = Severity::ALL
            .iter()
            .rev()
            .enumerate()
            .map(|(rank, severity)| format!(" WHEN '{}' THEN {rank}", severity.code()))
            .collect();
        format!("CASE severity{ranks} ELSE {} END", Severity::ALL.len())
    });
    fixed(RANK.as_str())
}

impl Database {
    /// Each list's first `query.limit` cases, oldest first, logged as read by `reader` (a case
    /// on two lists once).
    pub fn read_queue(
        &self,
        scope: &Visibility,
        query: &QueueQuery,
        reader: &Reader,
    ) -> Result<Queue, StorageError> {
        let queue = {
            let mut conn = self.connection()?;
            let mut list = |list| queue_page(&mut conn, scope, query, list, QueueOrder::Oldest, 0);
            Queue {
                unassigned: list(QueueList::Unassigned)?,
                mine: list(QueueList::Mine)?,
                overdue: list(QueueList::Overdue)?,
                deadline_at_risk: list(QueueList::DeadlineAtRisk)?,
            }
        };
        // The connection went back first: on PostgreSQL logging takes one of its own.
        let lists = [
            &queue.unassigned,
            &queue.mine,
            &queue.overdue,
            &queue.deadline_at_risk,
        ];
        let cases: BTreeSet<Uuid> = lists
            .iter()
            .flat_map(|list| list.iter().map(|case| case.id))
            .collect();
        self.log_reads(reader, cases.into_iter().collect())?;
        Ok(queue)
    }

    /// How many cases each list of [`QueueList::ALL`] holds.
    pub fn queue_counts(
        &self,
        scope: &Visibility,
        query: &QueueQuery,
    ) -> Result<[i64; 4], StorageError> {
        let mut conn = self.connection()?;
        let mut counts = [0; 4];
        for (count, list) in counts.iter_mut().zip(QueueList::ALL) {
            *count = open_in(scope, list, query).count().get_result(&mut *conn)?;
        }
        Ok(counts)
    }

    /// Up to `query.limit` cases of one list in `order`, skipping the first `offset`, logged
    /// as read by `reader`; and whether more follow.
    pub fn read_queue_list(
        &self,
        scope: &Visibility,
        query: &QueueQuery,
        list: QueueList,
        order: QueueOrder,
        offset: i64,
        reader: &Reader,
    ) -> Result<(Vec<Incident>, bool), StorageError> {
        // One more than a page tells whether another follows; it is not read.
        let one_more = QueueQuery {
            limit: query.limit + 1,
            ..query.clone()
        };
        let mut cases = queue_page(
            &mut *self.connection()?,
            scope,
            &one_more,
            list,
            order,
            offset,
        )?;
        let more = cases.len() as i64 > query.limit;
        cases.truncate(usize::try_from(query.limit).unwrap_or(0));
        self.log_reads(reader, cases.iter().map(|case| case.id).collect())?;
        Ok((cases, more))
    }
}

fn queue_page(
    conn: &mut DbConnection,
    scope: &Visibility,
    query: &QueueQuery,
    list: QueueList,
    order: QueueOrder,
    offset: i64,
) -> Result<Vec<Incident>, StorageError> {
    let cases = open_in(scope, list, query).select(IncidentRow::as_select());
    let cases = match order {
        QueueOrder::Oldest => cases.order(incidents::seq.asc()),
        QueueOrder::Newest => cases.order(incidents::seq.desc()),
        QueueOrder::MostSevere => cases.order((severity_rank().asc(), incidents::seq.asc())),
    };
    let rows = cases.offset(offset).limit(query.limit).load(conn)?;
    with_offices(conn, rows)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use trygg_domain::{Catalogue, Clock};

    use super::*;
    use crate::database::DatabaseUrl;
    use crate::plan::SqlitePlan;

    /// Planned on a new, empty database: SQLite plans from the statement and the schema until
    /// `ANALYZE` has gathered statistics, so what this holds is the statements' shape.
    #[test]
    fn no_list_reads_the_whole_history_on_sqlite() {
        let path = std::env::temp_dir().join(format!("trygg-plan-{}.db", uuid::Uuid::now_v7()));
        let url = DatabaseUrl::Sqlite(path.clone());
        let database = Database::connect(&url, 1, Clock::system()).unwrap();
        database.migrate().unwrap();
        let office = Catalogue::builtin().offices()[0].code.clone();
        let handler = Visibility::Scoped {
            reporter: None,
            offices: vec![office],
        };
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let query = QueueQuery::new("dave".into(), now, 25);
        let mut conn = database.connection().unwrap();
        for scope in [Visibility::All, handler] {
            for list in QueueList::ALL {
                let cases = open_in(&scope, list, &query).select(incidents::seq);
                let plan: Vec<(i32, i32, i32, String)> =
                    SqlitePlan::sqlite(cases).load(&mut *conn).unwrap();
                // A list reads cases by key (`SEARCH`) or walks the open cases' index, and
                // asks a case's offices by its key. A walk of the table, of an index of every
                // case, or of an office's cases reads the whole history.
                let reads_history = |(.., step): &(i32, i32, i32, String)| {
                    (step.starts_with("SCAN incidents") && !step.contains("INDEX incidents_open"))
                        || (step.contains(" incident_offices ") && !step.contains("incident_seq="))
                };
                assert!(
                    !plan.iter().any(reads_history),
                    "{list:?} for {scope:?}: {plan:?}"
                );
            }
        }
        drop((conn, database));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
