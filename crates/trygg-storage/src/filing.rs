//! Filing a report: the case, its offices, its first alerts, its first timeline event and its
//! place in the statistics, in one transaction; replayed, not filed again, under a reused
//! idempotency key.

use std::sync::atomic::Ordering;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use trygg_domain::statistics::RecordKey;
use trygg_domain::{CaseEvent, CaseField, Change, NewReport, PlannedAlert, Status, still_to_raise};
use uuid::Uuid;

mod postgres;

use crate::access_log::Unread;
use crate::alerts::write_alerts;
use crate::case::{EventRow, Incident, IncidentRow, insert_offices, record};
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::schema::{idempotency_keys, incidents};
use crate::statistics::{facts_of_new, record_change};

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
}

/// Inserts one case and its offices on `conn`, in whatever transaction the caller holds; on
/// PostgreSQL in one statement, so it needs none.
fn insert_incident(conn: &mut DbConnection, new: &NewIncident) -> Result<Incident, StorageError> {
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
    let alerts = still_to_raise(&[], &new.alerts);
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
            record_change(
                conn,
                row.seq,
                None,
                Some(&facts_of_new(report, new.received_at, key)),
            )?;
            row
        }
    };
    row.into_incident(offices.iter().map(|office| (*office).to_owned()).collect())
}
