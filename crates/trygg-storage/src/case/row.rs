//! A case's row, and the case it makes.

use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::statistics::RecordKey;
use trygg_domain::{
    CaseNumber, Circumstances, DistrictCode, FocusAreaCode, FollowUp, OfficeCode, Outcome, Status,
    UnknownCode, ViolenceForm, work_environment_deadline,
};
use uuid::Uuid;

use crate::error::StorageError;
use crate::schema::incidents;

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
    pub district: DistrictCode,
    pub description: String,
    pub focus_area: FocusAreaCode,
    pub offices: Vec<OfficeCode>,
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

fn corrupt(error: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(error.to_string())
}

fn code<T: FromStr<Err = UnknownCode>>(text: &str) -> Result<T, StorageError> {
    text.parse().map_err(corrupt)
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
            district: DistrictCode::stored(&self.district).map_err(corrupt)?,
            description: self.description,
            focus_area: FocusAreaCode::stored(&self.focus_area).map_err(corrupt)?,
            offices: offices
                .iter()
                .map(|office| OfficeCode::stored(office).map_err(corrupt))
                .collect::<Result<_, _>>()?,
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
