//! Filing and reading incident reports.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use trygg_domain::statistics::RecordKey;
use trygg_domain::{
    CaseEvent, CaseField, CaseNumber, Change, Circumstances, FollowUp, NewReport, Outcome,
    PlannedAlert, Status, UnknownCode, ViolenceForm, Visibility, work_environment_deadline,
};
use uuid::Uuid;

mod postgres;

use crate::access_log::{Reader, Unread};
use crate::alerts::{first_alerts, write_alerts};
use crate::case_work::{EventRow, insert_offices, record};
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::fixed_sql::{Fixed, fixed};
use crate::schema::{idempotency_keys, incident_offices, incidents};
use crate::statistics::{facts_of_new, record_change};

/// The largest page a listing returns.
pub const MAX_PAGE_SIZE: i64 = 100;

pub(crate) type Backend = <DbConnection as Connection>::Backend;

/// A report about to be stored, with what the service adds to it.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub id: Uuid,
    pub reporter: String,
    pub report: NewReport,
    pub received_at: DateTime<Utc>,
    /// The alerts filing raises, written in the same transaction.
    pub alerts: Vec<PlannedAlert>,
}

/// A filing's `Idempotency-Key`, scoped to the user who sent it, and the hash of its body.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub subject: String,
    pub key: String,
    pub request_hash: String,
}

/// A page of cases, and the cursor of the next page if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentPage {
    pub cases: Vec<Incident>,
    pub next_cursor: Option<i64>,
}

/// What filing did.
#[derive(Debug)]
pub enum Filing {
    /// A new case.
    Created(Box<Incident>),
    /// The key was used before: the first filing's request hash, its case, and the answer it
    /// was given, which holds the case as it was filed. `None` where none was kept: before
    /// the first filing's answer is, if keeping it failed or the service stopped first, and
    /// always for the pages, which answer with a redirect.
    Replayed {
        request_hash: String,
        incident_id: Uuid,
        answer: Option<Unread<String>>,
    },
}

/// A filing's key whose answer is not kept yet.
const NO_ANSWER_KEPT: &str = "";

/// A stored case, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: Uuid,
    pub case_number: CaseNumber,
    pub reporter: String,
    pub circumstances: Circumstances,
    pub violence_forms: Vec<ViolenceForm>,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub district: String,
    pub description: String,
    pub focus_area: String,
    pub offices: Vec<String>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    /// The handler the case is assigned to (their `sub`).
    pub assignee: Option<String>,
    pub follow_up: FollowUp,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// The case's key for the cell-key method; never leaves the statistics.
    pub(crate) record_key: RecordKey,
}

impl Incident {
    /// When Arbetsmiljöverket must have been notified, if it must be and has not been.
    pub fn authority_notification_due(&self) -> Option<DateTime<Utc>> {
        work_environment_deadline(&self.circumstances, self.received_at)
            .filter(|_| self.follow_up.authority_notified_at.is_none())
    }
}

/// Which cases a listing returns, newest first, and where the page starts.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub status: Option<Status>,
    pub focus_area: Option<String>,
    pub district: Option<String>,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_before: Option<DateTime<Utc>>,
    /// Only cases filed before the case with this sequence number (the cursor).
    pub after_cursor: Option<i64>,
    /// How many to return; callers cap it (see [`MAX_PAGE_SIZE`]).
    pub limit: i64,
}

/// Every column is given (none left to its default), so diesel may keep the insert prepared.
#[derive(Insertable)]
#[diesel(table_name = incidents, treat_none_as_default_value = false)]
struct IncidentInsert<'a> {
    id: String,
    reporter: &'a str,
    kind: &'a str,
    violence_forms: String,
    occurred_at: NaiveDateTime,
    received_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    district: &'a str,
    place_kind: &'a str,
    affected_category: &'a str,
    affected_gender: &'a str,
    affected_age_group: &'a str,
    children_affected: &'a str,
    perpetrator_relation: &'a str,
    perpetrator_influence: &'a str,
    severity: &'a str,
    description: &'a str,
    focus_area: &'a str,
    status: &'a str,
    version: i64,
    record_key: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = incidents)]
pub(crate) struct IncidentRow {
    pub(crate) seq: i64,
    id: String,
    reporter: String,
    #[diesel(embed)]
    circumstances: CircumstanceColumns,
    violence_forms: String,
    occurred_at: NaiveDateTime,
    received_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    district: String,
    description: String,
    focus_area: String,
    status: String,
    version: i64,
    assignee: Option<String>,
    outcome: Option<String>,
    police_report_filed: bool,
    police_reference: Option<String>,
    authority_notified_at: Option<NaiveDateTime>,
    support_offered: bool,
    closed_at: Option<NaiveDateTime>,
    record_key: i64,
}

/// The coded circumstances of a case as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = incidents)]
pub(crate) struct CircumstanceColumns {
    kind: String,
    place_kind: String,
    affected_category: String,
    affected_gender: String,
    affected_age_group: String,
    children_affected: String,
    perpetrator_relation: String,
    perpetrator_influence: String,
    severity: String,
}

impl CircumstanceColumns {
    pub(crate) fn parse(&self) -> Result<Circumstances, StorageError> {
        Ok(Circumstances {
            kind: code(&self.kind)?,
            place_kind: code(&self.place_kind)?,
            affected_category: code(&self.affected_category)?,
            affected_gender: code(&self.affected_gender)?,
            affected_age_group: code(&self.affected_age_group)?,
            children_affected: code(&self.children_affected)?,
            perpetrator_relation: code(&self.perpetrator_relation)?,
            perpetrator_influence: code(&self.perpetrator_influence)?,
            severity: code(&self.severity)?,
        })
    }
}

/// The forms of violence as stored: codes separated by commas.
pub(crate) fn violence_forms(stored: &str) -> Result<Vec<ViolenceForm>, StorageError> {
    stored
        .split(',')
        .filter(|form| !form.is_empty())
        .map(code)
        .collect()
}

fn code<T: FromStr<Err = UnknownCode>>(text: &str) -> Result<T, StorageError> {
    text.parse()
        .map_err(|e: UnknownCode| StorageError::Corrupt(e.to_string()))
}

/// A stored record key, which the migration and filing keep within 32 bits.
pub(crate) fn record_key(stored: i64) -> Result<RecordKey, StorageError> {
    u32::try_from(stored)
        .map(RecordKey::from_random)
        .map_err(|_| StorageError::Corrupt(format!("record key {stored} out of range")))
}

impl IncidentRow {
    pub(crate) fn into_incident(self, offices: Vec<String>) -> Result<Incident, StorageError> {
        let received_at = self.received_at.and_utc();
        Ok(Incident {
            id: Uuid::parse_str(&self.id).map_err(|e| StorageError::Corrupt(e.to_string()))?,
            case_number: CaseNumber::new(received_at.year(), self.seq),
            reporter: self.reporter,
            circumstances: self.circumstances.parse()?,
            violence_forms: violence_forms(&self.violence_forms)?,
            occurred_at: self.occurred_at.and_utc(),
            received_at,
            updated_at: self.updated_at.and_utc(),
            district: self.district,
            description: self.description,
            focus_area: self.focus_area,
            offices,
            status: code(&self.status)?,
            outcome: self.outcome.as_deref().map(code).transpose()?,
            assignee: self.assignee,
            follow_up: FollowUp {
                police_report_filed: self.police_report_filed,
                police_reference: self.police_reference,
                authority_notified_at: self.authority_notified_at.map(|at| at.and_utc()),
                support_offered: self.support_offered,
            },
            closed_at: self.closed_at.map(|at| at.and_utc()),
            version: self.version,
            record_key: record_key(self.record_key)?,
        })
    }
}

/// Cases not closed: the predicate of the partial index `incidents_open`, through which the
/// queue and the worker's sweeps read the cases still being worked rather than every case ever
/// filed. It is written into the statement as the index has it, not bound: a planner matches a
/// partial index against the statement before it knows any parameter's value (SQLite always;
/// PostgreSQL in a plan it keeps for every execution).
const OPEN: &str = "incidents.status <> 'closed'";

pub(crate) fn open() -> Fixed<diesel::sql_types::Bool> {
    fixed(OPEN)
}

pub(crate) type Condition<'a> =
    Box<dyn BoxableExpression<incidents::table, Backend, SqlType = diesel::sql_types::Bool> + 'a>;

/// The visibility rule as a condition on `incidents`. Purged cases are visible to no one.
pub(crate) fn visible_to(visibility: &Visibility) -> Condition<'_> {
    Box::new(incidents::purged_at.is_null().and(permitted(visibility)))
}

fn permitted(visibility: &Visibility) -> Condition<'_> {
    match visibility {
        Visibility::All => Box::new(fixed::<diesel::sql_types::Bool>("1 = 1")),
        Visibility::Scoped { reporter, offices } => {
            // Asked of each case read, by its key (`OFFSET 0` keeps either planner from turning
            // it into a read of every case the offices ever had): the readers stop at a page,
            // or read open cases only.
            let of_offices = diesel::dsl::exists(
                incident_offices::table
                    .filter(incident_offices::incident_seq.eq(incidents::seq))
                    .filter(incident_offices::office.eq_any(offices.iter().map(|o| o.as_str())))
                    .offset(0),
            );
            match reporter {
                Some(reporter) => {
                    Box::new(incidents::reporter.eq(reporter.as_str()).or(of_offices))
                }
                None => Box::new(of_offices),
            }
        }
    }
}

pub(crate) fn offices_of(
    conn: &mut DbConnection,
    seqs: &[i64],
) -> Result<HashMap<i64, Vec<String>>, DieselError> {
    let rows: Vec<(i64, String)> = incident_offices::table
        .filter(incident_offices::incident_seq.eq_any(seqs))
        .select((incident_offices::incident_seq, incident_offices::office))
        .order((incident_offices::incident_seq, incident_offices::office))
        .load(conn)?;
    let mut offices: HashMap<i64, Vec<String>> = HashMap::new();
    for (seq, office) in rows {
        offices.entry(seq).or_default().push(office);
    }
    Ok(offices)
}

pub(crate) fn with_offices(
    conn: &mut DbConnection,
    rows: Vec<IncidentRow>,
) -> Result<Vec<Incident>, StorageError> {
    joined_with_offices(conn, rows, |row| row.seq, IncidentRow::into_incident)
}

/// Rows of cases, each made into `T` with its offices, read for all of them at once; `seq`
/// names a row's case.
pub(crate) fn joined_with_offices<R, T>(
    conn: &mut DbConnection,
    rows: Vec<R>,
    seq: impl Fn(&R) -> i64,
    join: impl Fn(R, Vec<String>) -> Result<T, StorageError>,
) -> Result<Vec<T>, StorageError> {
    let seqs: Vec<i64> = rows.iter().map(&seq).collect();
    let mut offices = offices_of(conn, &seqs)?;
    rows.into_iter()
        .map(|row| {
            let of_row = offices.remove(&seq(&row)).unwrap_or_default();
            join(row, of_row)
        })
        .collect()
}

fn replay(conn: &mut DbConnection, key: &IdempotencyKey) -> Result<Option<Filing>, StorageError> {
    let found: Option<(String, String, String)> = idempotency_keys::table
        .find((&key.subject, &key.key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::incident_id,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .optional()?;
    found
        .map(|(request_hash, incident_id, response_body)| {
            let incident_id =
                Uuid::parse_str(&incident_id).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let answer = (response_body != NO_ANSWER_KEPT)
                .then(|| Unread::new(response_body, vec![incident_id]));
            Ok(Filing::Replayed {
                request_hash,
                incident_id,
                answer,
            })
        })
        .transpose()
}

impl Database {
    /// Stores a report and its responsible offices in one transaction. With an idempotency key,
    /// a key seen before returns the first filing instead; the answer to replay is kept
    /// afterwards ([`Database::keep_filing_answer`]), so that no caller's code runs inside
    /// the write.
    pub fn file_incident(
        &self,
        new: NewIncident,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Filing, StorageError> {
        let filing = match idempotency {
            // On PostgreSQL, a filing without a key is one statement.
            None => Filing::Created(Box::new(
                self.write_autocommit(move |conn| insert_incident(conn, &new))?,
            )),
            Some(key) => self.file_keyed(new, key)?,
        };
        if let Filing::Created(_) = &filing {
            self.counters.filings.fetch_add(1, Ordering::Relaxed);
        }
        Ok(filing)
    }

    /// Files `new` with its key, or replays the filing that used the key first.
    fn file_keyed(&self, new: NewIncident, key: IdempotencyKey) -> Result<Filing, StorageError> {
        let scope = key.clone();
        let outcome = self.write(move |conn| {
            if let Some(replayed) = replay(conn, &key)? {
                return Ok(replayed);
            }
            let incident = insert_incident(conn, &new)?;
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::subject.eq(&key.subject),
                    idempotency_keys::key.eq(&key.key),
                    idempotency_keys::request_hash.eq(&key.request_hash),
                    idempotency_keys::incident_id.eq(incident.id.to_string()),
                    idempotency_keys::response_body.eq(NO_ANSWER_KEPT),
                    idempotency_keys::created_at.eq(new.received_at.naive_utc()),
                ))
                .execute(conn)?;
            Ok::<_, StorageError>(Filing::Created(Box::new(incident)))
        });
        match outcome {
            // A concurrent filing with the same key committed first (PostgreSQL): replay it.
            Err(StorageError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _,
            ))) => replay(&mut *self.connection()?, &scope)?
                .ok_or_else(|| StorageError::Corrupt("idempotency key vanished".into())),
            outcome => outcome,
        }
    }

    /// Keeps the answer given to the filing that used `key` first, for its replays: once
    /// only, so a replay always answers what the first filing did.
    pub fn keep_filing_answer(
        &self,
        key: &IdempotencyKey,
        answer: String,
    ) -> Result<(), StorageError> {
        let (subject, key) = (key.subject.clone(), key.key.clone());
        self.write(move |conn| {
            diesel::update(idempotency_keys::table.find((subject, key)))
                .filter(idempotency_keys::response_body.eq(NO_ANSWER_KEPT))
                .set(idempotency_keys::response_body.eq(answer))
                .execute(conn)?;
            Ok(())
        })
    }

    /// Whether `subject` filed the case `id`: they know it exists, whatever else they may see.
    pub fn is_reporter_of(&self, id: Uuid, subject: &str) -> Result<bool, StorageError> {
        let filed: i64 = incidents::table
            .filter(incidents::id.eq(id.to_string()))
            .filter(incidents::reporter.eq(subject))
            .count()
            .get_result(&mut *self.connection()?)?;
        Ok(filed > 0)
    }

    /// The id of the case with this number, if there is one: a case number names a case
    /// without its content (nothing is read, so nothing is logged).
    pub fn case_with_number(&self, number: CaseNumber) -> Result<Option<Uuid>, StorageError> {
        let found: Option<(String, NaiveDateTime)> = incidents::table
            .filter(incidents::seq.eq(number.number()))
            .select((incidents::id, incidents::received_at))
            .first(&mut *self.connection()?)
            .optional()?;
        found
            .filter(|(_, received_at)| received_at.year() == number.year())
            .map(|(id, _)| Uuid::parse_str(&id).map_err(|e| StorageError::Corrupt(e.to_string())))
            .transpose()
    }

    /// The case numbers of these cases, by id (those that no longer exist are left out).
    pub fn case_numbers(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, CaseNumber>, StorageError> {
        let rows: Vec<(String, i64, NaiveDateTime)> = incidents::table
            .filter(incidents::id.eq_any(ids))
            .select((incidents::id, incidents::seq, incidents::received_at))
            .load(&mut *self.connection()?)?;
        Ok(rows
            .into_iter()
            .map(|(id, seq, received_at)| (id, CaseNumber::new(received_at.year(), seq)))
            .collect())
    }

    /// One case, if it exists and is visible to `reader`, who is logged as reading it.
    pub fn read_incident(
        &self,
        id: Uuid,
        visibility: &Visibility,
        reader: &Reader,
    ) -> Result<Option<Incident>, StorageError> {
        let found = self.incident(id, visibility)?;
        self.log_found(found, id, reader)
    }

    /// One case, if it exists and is visible; unlogged, so for storage's own use.
    pub(crate) fn incident(
        &self,
        id: Uuid,
        visibility: &Visibility,
    ) -> Result<Option<Incident>, StorageError> {
        let mut conn = self.connection()?;
        let rows = incidents::table
            .filter(incidents::id.eq(id.to_string()))
            .filter(visible_to(visibility))
            .select(IncidentRow::as_select())
            .load(&mut *conn)?;
        Ok(with_offices(&mut conn, rows)?.pop())
    }

    /// A page of `filter.limit` visible cases, newest first, each logged as read by `reader`.
    pub fn list_incidents(
        &self,
        filter: &IncidentFilter,
        visibility: &Visibility,
        reader: &Reader,
    ) -> Result<IncidentPage, StorageError> {
        // One more than asked tells whether there is a next page.
        let mut rows = self.incidents(filter, filter.limit + 1, visibility)?;
        let next_cursor = (rows.len() as i64 > filter.limit).then(|| {
            rows.truncate(filter.limit as usize);
            rows.last().map_or(0, |(seq, _)| *seq)
        });
        self.log_reads(reader, rows.iter().map(|(_, case)| case.id).collect())?;
        Ok(IncidentPage {
            cases: rows.into_iter().map(|(_, case)| case).collect(),
            next_cursor,
        })
    }

    /// Up to `limit` visible cases, newest first, each with its sequence number.
    fn incidents(
        &self,
        filter: &IncidentFilter,
        limit: i64,
        visibility: &Visibility,
    ) -> Result<Vec<(i64, Incident)>, StorageError> {
        let mut conn = self.connection()?;
        let mut query = incidents::table
            .filter(visible_to(visibility))
            .select(IncidentRow::as_select())
            .order(incidents::seq.desc())
            .limit(limit)
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(incidents::status.eq(status.code()));
        }
        if let Some(focus_area) = &filter.focus_area {
            query = query.filter(incidents::focus_area.eq(focus_area));
        }
        if let Some(district) = &filter.district {
            query = query.filter(incidents::district.eq(district));
        }
        if let Some(from) = filter.occurred_from {
            query = query.filter(incidents::occurred_at.ge(from.naive_utc()));
        }
        if let Some(before) = filter.occurred_before {
            query = query.filter(incidents::occurred_at.lt(before.naive_utc()));
        }
        if let Some(cursor) = filter.after_cursor {
            query = query.filter(incidents::seq.lt(cursor));
        }
        let rows = query.load(&mut *conn)?;
        let seqs: Vec<i64> = rows.iter().map(|row| row.seq).collect();
        Ok(seqs
            .into_iter()
            .zip(with_offices(&mut conn, rows)?)
            .collect())
    }
}

/// Inserts one case and its offices on `conn`, in whatever transaction the caller holds; on
/// PostgreSQL in one statement, so it needs none. The service goes through
/// [`Database::file_incident`]; this is public for the benchmark's baseline.
pub fn insert_incident(
    conn: &mut DbConnection,
    new: &NewIncident,
) -> Result<Incident, StorageError> {
    let report = &new.report;
    let facts = &report.circumstances;
    let violence_forms: Vec<&str> = report
        .violence_forms
        .as_slice()
        .iter()
        .map(|form| form.code())
        .collect();
    let received_at = new.received_at.naive_utc();
    // Drawn here, once: a rebuild of the statistics reads it back rather than drawing anew.
    let key = RecordKey::from_random(Uuid::new_v4().as_u128() as u32);
    let values = IncidentInsert {
        id: new.id.to_string(),
        reporter: &new.reporter,
        kind: facts.kind.code(),
        violence_forms: violence_forms.join(","),
        occurred_at: report.occurred_at.naive_utc(),
        received_at,
        updated_at: received_at,
        district: report.district.as_str(),
        place_kind: facts.place_kind.code(),
        affected_category: facts.affected_category.code(),
        affected_gender: facts.affected_gender.code(),
        affected_age_group: facts.affected_age_group.code(),
        children_affected: facts.children_affected.code(),
        perpetrator_relation: facts.perpetrator_relation.code(),
        perpetrator_influence: facts.perpetrator_influence.code(),
        severity: facts.severity.code(),
        description: report.description.as_str(),
        focus_area: report.focus_area.as_str(),
        status: Status::Received.code(),
        version: 1,
        record_key: i64::from(key.get()),
    };
    let offices: Vec<&str> = report
        .offices
        .iter()
        .map(|office| office.as_str())
        .collect();
    let alerts = first_alerts(&new.alerts);
    let event = EventRow::from(&CaseEvent {
        at: new.received_at,
        actor: new.reporter.clone(),
        change: Change::Case {
            field: CaseField::Status,
            from: None,
            to: Some(Status::Received.code().into()),
        },
        reason: None,
    });
    let row = match conn {
        // The statistics count the case when they next fold (see `Database::fold_statistics`).
        DbConnection::Postgresql(conn) => {
            postgres::file(conn, &values, &offices, &alerts, &event, received_at)?
        }
        DbConnection::Sqlite(sqlite) => {
            let row: IncidentRow = diesel::insert_into(incidents::table)
                .values(&values)
                .returning(IncidentRow::as_returning())
                .get_result(sqlite)?;
            insert_offices(conn, row.seq, &offices)?;
            write_alerts(conn, row.seq, &alerts, new.received_at)?;
            record(conn, &event, row.seq)?;
            record_change(conn, row.seq, None, Some(&facts_of_new(new, key)))?;
            row
        }
    };
    row.into_incident(offices.iter().map(|office| (*office).to_owned()).collect())
}

#[cfg(test)]
mod tests {
    use trygg_domain::Status;

    use super::OPEN;

    /// The open-cases predicate names the domain's closed status, and each backend's migration
    /// gives the partial index the same predicate.
    #[test]
    fn the_open_cases_predicate_matches_the_domain_and_the_partial_index() {
        assert_eq!(
            OPEN,
            format!("incidents.status <> '{}'", Status::Closed.code())
        );
        let indexed = format!("WHERE {};", OPEN.replace("incidents.", ""));
        for migration in [
            include_str!("../../../migrations/postgres/2026-12-06-000012_open_cases/up.sql"),
            include_str!("../../../migrations/sqlite/2026-12-06-000012_open_cases/up.sql"),
        ] {
            let statements = migration.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(statements.contains(&indexed), "{migration}");
        }
    }
}
