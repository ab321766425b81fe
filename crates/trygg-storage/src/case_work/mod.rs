//! Working a case: amendments under optimistic concurrency, each recorded in the case's
//! timeline.

mod events;

use events::events;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use trygg_domain::{
    FocusAreaCode, FollowUp, IncidentKind, OfficeCode, Outcome, PlannedAlert, Severity, Status,
    Visibility,
};
use uuid::Uuid;

use crate::access_log::Unread;
use crate::actions::{ActionUpdate, NewAction, apply_actions, find_action};
use crate::alerts::insert_alerts;
use crate::case::{EventRow, Incident, find, record, set_offices};
use crate::database::Database;
use crate::error::StorageError;
use crate::schema::incidents;
use crate::statistics::{facts_of, record_change};

/// What a case worker changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Amendment {
    pub status: Option<Status>,
    /// `Some(None)` clears the outcome (a reopened case has none).
    pub outcome: Option<Option<Outcome>>,
    pub assignee: Option<String>,
    /// A new focus area and the offices responsible for it.
    pub focus_area: Option<(FocusAreaCode, Vec<OfficeCode>)>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    pub follow_up: Option<FollowUp>,
    pub new_action: Option<NewAction>,
    pub action_update: Option<ActionUpdate>,
    pub reason: Option<String>,
    /// Alerts the change raises (a case rerouted to new receivers), written with it.
    pub alerts: Vec<PlannedAlert>,
}

/// What an amendment came to.
#[derive(Debug)]
pub enum Amended<R> {
    /// The case as it stands now (amended, or as it was when the amendment changed nothing),
    /// and its version.
    Done {
        version: i64,
        case: Box<Unread<Incident>>,
    },
    /// No such case, or not visible to the caller.
    NotFound,
    /// The case has no action with the id the update names.
    NoSuchAction,
    /// The caller's version is not the current one.
    Stale { current_version: i64 },
    /// The decision refused the change; nothing was written.
    Refused(R),
}

impl<R> Amended<R> {
    fn done(case: Incident) -> Amended<R> {
        let (version, id) = (case.version, case.id);
        Amended::Done {
            version,
            case: Box::new(Unread::new(case, vec![id])),
        }
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = incidents)]
struct Changes<'a> {
    status: Option<&'a str>,
    outcome: Option<Option<&'a str>>,
    assignee: Option<&'a str>,
    focus_area: Option<&'a str>,
    severity: Option<&'a str>,
    kind: Option<&'a str>,
    police_report_filed: Option<bool>,
    police_reference: Option<Option<&'a str>>,
    authority_notified_at: Option<Option<NaiveDateTime>>,
    support_offered: Option<bool>,
    closed_at: Option<Option<NaiveDateTime>>,
    updated_at: NaiveDateTime,
    version: i64,
}

impl Database {
    /// Amends a visible case if the caller's `expected_version` is current. `decide` sees the
    /// case as it is inside the transaction and returns the amendment, or refuses.
    pub fn amend<R: Send + 'static>(
        &self,
        id: Uuid,
        visibility: Visibility,
        expected_version: i64,
        actor: String,
        decide: impl FnOnce(&Incident) -> Result<Amendment, R> + Send + 'static,
    ) -> Result<Amended<R>, StorageError> {
        let at = self.clock.now();
        self.write(move |conn| {
            let Some((seq, current)) = find(conn, id, &visibility)? else {
                return Ok(Amended::NotFound);
            };
            if current.version != expected_version {
                return Ok(Amended::Stale {
                    current_version: current.version,
                });
            }
            let amendment = match decide(&current) {
                Ok(amendment) => amendment,
                Err(refusal) => return Ok(Amended::Refused(refusal)),
            };
            let current_action = match &amendment.action_update {
                Some(update) => match find_action(conn, seq, update.id)? {
                    Some(action) => Some(action),
                    None => return Ok(Amended::NoSuchAction),
                },
                None => None,
            };
            let events = events(&current, current_action.as_ref(), &amendment, &actor, at);
            if events.is_empty() {
                return Ok(Amended::done(current));
            }
            // Closing stamps the time the retention period runs from; reopening clears it.
            let closed_at = amendment
                .status
                .map(|status| (status == Status::Closed).then(|| at.naive_utc()));
            let follow_up = amendment.follow_up.as_ref();
            let changes = Changes {
                status: amendment.status.map(Status::code),
                outcome: amendment.outcome.map(|outcome| outcome.map(Outcome::code)),
                assignee: amendment.assignee.as_deref(),
                focus_area: amendment.focus_area.as_ref().map(|(code, _)| code.as_str()),
                severity: amendment.severity.map(Severity::code),
                kind: amendment.kind.map(IncidentKind::code),
                police_report_filed: follow_up.map(|f| f.police_report_filed),
                police_reference: follow_up.map(|f| f.police_reference.as_deref()),
                authority_notified_at: follow_up
                    .map(|f| f.authority_notified_at.map(|at| at.naive_utc())),
                support_offered: follow_up.map(|f| f.support_offered),
                closed_at,
                updated_at: at.naive_utc(),
                version: expected_version + 1,
            };
            // The version check in SQL too: on PostgreSQL a concurrent amendment may have
            // committed since the read above.
            let updated = diesel::update(
                incidents::table
                    .filter(incidents::seq.eq(seq))
                    .filter(incidents::version.eq(expected_version)),
            )
            .set(changes)
            .execute(conn)?;
            if updated == 0 {
                return Ok(Amended::Stale {
                    current_version: expected_version + 1,
                });
            }
            if let Some((_, offices)) = &amendment.focus_area {
                let offices: Vec<&str> = offices.iter().map(OfficeCode::as_str).collect();
                set_offices(conn, seq, &offices)?;
            }
            apply_actions(
                conn,
                seq,
                amendment.new_action.as_ref(),
                amendment.action_update.as_ref(),
                at,
            )?;
            insert_alerts(conn, seq, &amendment.alerts, at)?;
            for event in &events {
                record(conn, &EventRow::from(event), seq)?;
            }
            let (_, amended) = find(conn, id, &Visibility::All)?
                .ok_or_else(|| StorageError::Corrupt("an amended case vanished".into()))?;
            record_change(
                conn,
                seq,
                Some(&facts_of(&current)),
                Some(&facts_of(&amended)),
            )?;
            Ok(Amended::done(amended))
        })
    }
}
