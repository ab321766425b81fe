//! Working a case: amendments under optimistic concurrency, each recorded in the case's
//! timeline.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{
    ActionField, ActionStatus, Audience, CaseEvent, CaseField, Change, ChangeText, FollowUp,
    IncidentKind, Outcome, PlannedAlert, Severity, Status, Visibility,
};
use uuid::Uuid;

use crate::access_log::{Reader, Unread};
use crate::alerts::insert_alerts;
use crate::comments::{Comment, comments_of};
use crate::database::{Database, DbConnection, insert_rows};
use crate::error::StorageError;
use crate::incidents::{Incident, IncidentRow, visible_to, with_offices};
use crate::schema::{actions, case_events, incident_offices, incidents};
use crate::statistics::{facts_of, record_change};

/// A timeline entry as a row of `case_events` keeps it: the change as text
/// ([`Change::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventRow {
    pub(crate) at: DateTime<Utc>,
    pub(crate) actor: String,
    pub(crate) field: String,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) reason: Option<String>,
}

impl From<&CaseEvent> for EventRow {
    fn from(event: &CaseEvent) -> EventRow {
        let ChangeText { field, from, to } = event.change.text();
        EventRow {
            at: event.at,
            actor: event.actor.clone(),
            field,
            from,
            to,
            reason: event.reason.clone(),
        }
    }
}

impl EventRow {
    fn into_event(self) -> Result<CaseEvent, StorageError> {
        let text = ChangeText {
            field: self.field,
            from: self.from,
            to: self.to,
        };
        Ok(CaseEvent {
            at: self.at,
            actor: self.actor,
            change: Change::from_text(text).map_err(|e| StorageError::Corrupt(e.to_string()))?,
            reason: self.reason,
        })
    }
}

/// What a case worker changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Amendment {
    pub status: Option<Status>,
    /// `Some(None)` clears the outcome (a reopened case has none).
    pub outcome: Option<Option<Outcome>>,
    pub assignee: Option<String>,
    /// A new focus area and the offices responsible for it.
    pub focus_area: Option<(String, Vec<String>)>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    pub follow_up: Option<FollowUp>,
    pub new_action: Option<NewAction>,
    pub action_update: Option<ActionUpdate>,
    pub reason: Option<String>,
    /// Alerts the change raises (a case rerouted to new receivers), written with it.
    pub alerts: Vec<PlannedAlert>,
}

/// An action (åtgärd) to add to a case.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub id: Uuid,
    pub description: String,
    pub owner: String,
    pub due_at: DateTime<Utc>,
}

/// Changes to one of a case's actions; `None` leaves a field as it is.
#[derive(Debug, Clone)]
pub struct ActionUpdate {
    pub id: Uuid,
    pub status: Option<ActionStatus>,
    pub owner: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
}

/// An action as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: Uuid,
    pub description: String,
    pub owner: String,
    pub due_at: DateTime<Utc>,
    pub status: ActionStatus,
    pub created_at: DateTime<Utc>,
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

#[derive(AsChangeset)]
#[diesel(table_name = actions)]
struct ActionChanges<'a> {
    status: Option<&'a str>,
    owner: Option<&'a str>,
    due_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = actions)]
struct ActionRow {
    id: String,
    description: String,
    owner: String,
    due_at: NaiveDateTime,
    status: String,
    created_at: NaiveDateTime,
}

impl ActionRow {
    fn into_action(self) -> Result<Action, StorageError> {
        Ok(Action {
            id: Uuid::parse_str(&self.id).map_err(|e| StorageError::Corrupt(e.to_string()))?,
            description: self.description,
            owner: self.owner,
            due_at: self.due_at.and_utc(),
            status: self
                .status
                .parse()
                .map_err(|e: trygg_domain::UnknownCode| StorageError::Corrupt(e.to_string()))?,
            created_at: self.created_at.and_utc(),
        })
    }
}

pub(crate) fn record(
    conn: &mut DbConnection,
    event: &EventRow,
    incident_seq: i64,
) -> Result<(), diesel::result::Error> {
    diesel::insert_into(case_events::table)
        .values((
            case_events::incident_seq.eq(incident_seq),
            case_events::at.eq(event.at.naive_utc()),
            case_events::actor.eq(&event.actor),
            case_events::field.eq(&event.field),
            case_events::from_value.eq(&event.from),
            case_events::to_value.eq(&event.to),
            case_events::reason.eq(&event.reason),
        ))
        .execute(conn)
        .map(drop)
}

pub(crate) fn set_offices(
    conn: &mut DbConnection,
    incident_seq: i64,
    offices: &[&str],
) -> Result<(), diesel::result::Error> {
    diesel::delete(incident_offices::table.filter(incident_offices::incident_seq.eq(incident_seq)))
        .execute(conn)?;
    insert_offices(conn, incident_seq, offices)
}

/// Adds a case's responsible offices, in one statement.
pub(crate) fn insert_offices(
    conn: &mut DbConnection,
    incident_seq: i64,
    offices: &[&str],
) -> Result<(), diesel::result::Error> {
    if offices.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = offices
        .iter()
        .map(|office| {
            (
                incident_offices::office.eq(*office),
                incident_offices::incident_seq.eq(incident_seq),
            )
        })
        .collect();
    insert_rows!(conn, incident_offices::table, &rows).map(drop)
}

/// The sequence number of a visible case.
pub(crate) fn visible_seq(
    conn: &mut DbConnection,
    id: Uuid,
    visibility: &Visibility,
) -> Result<Option<i64>, diesel::result::Error> {
    incidents::table
        .filter(incidents::id.eq(id.to_string()))
        .filter(visible_to(visibility))
        .select(incidents::seq)
        .first::<i64>(conn)
        .optional()
}

pub(crate) fn find(
    conn: &mut DbConnection,
    id: Uuid,
    visibility: &Visibility,
) -> Result<Option<(i64, Incident)>, StorageError> {
    let rows = incidents::table
        .filter(incidents::id.eq(id.to_string()))
        .filter(visible_to(visibility))
        .select(IncidentRow::as_select())
        .load(conn)?;
    let seq = rows.first().map(|row| row.seq);
    Ok(seq.zip(with_offices(conn, rows)?.pop()))
}

fn at_text(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The events an amendment makes: one per field whose value changes.
fn events(
    current: &Incident,
    current_action: Option<&Action>,
    amendment: &Amendment,
    actor: &str,
    at: DateTime<Utc>,
) -> Vec<CaseEvent> {
    let mut events = Vec::new();
    let mut record = |change: Change| {
        let unchanged = match &change {
            Change::Case { from, to, .. } | Change::Action { from, to, .. } => from == to,
            Change::Offices { from, to } => from == to,
            Change::ActionAdded { .. } => false,
        };
        if !unchanged {
            events.push(CaseEvent {
                at,
                actor: actor.into(),
                change,
                reason: amendment.reason.clone(),
            });
        }
    };
    let case = |field: CaseField, from: Option<String>, to: Option<String>| Change::Case {
        field,
        from,
        to,
    };
    let code = |value: &str| Some(value.to_owned());
    let flag = |value: bool| Some(value.to_string());
    if let Some(status) = amendment.status {
        record(case(
            CaseField::Status,
            code(current.status.code()),
            code(status.code()),
        ));
    }
    if let Some(outcome) = amendment.outcome {
        let text = |outcome: Option<Outcome>| outcome.map(|o| o.code().to_owned());
        record(case(
            CaseField::Outcome,
            text(current.outcome),
            text(outcome),
        ));
    }
    if let Some(assignee) = &amendment.assignee {
        record(case(
            CaseField::Assignee,
            current.assignee.clone(),
            Some(assignee.clone()),
        ));
    }
    if let Some((focus_area, offices)) = &amendment.focus_area {
        record(case(
            CaseField::FocusArea,
            Some(current.focus_area.clone()),
            Some(focus_area.clone()),
        ));
        record(Change::Offices {
            from: current.offices.clone(),
            to: offices.clone(),
        });
    }
    if let Some(severity) = amendment.severity {
        record(case(
            CaseField::Severity,
            code(current.circumstances.severity.code()),
            code(severity.code()),
        ));
    }
    if let Some(kind) = amendment.kind {
        record(case(
            CaseField::Kind,
            code(current.circumstances.kind.code()),
            code(kind.code()),
        ));
    }
    if let Some(follow_up) = &amendment.follow_up {
        let was = &current.follow_up;
        record(case(
            CaseField::PoliceReportFiled,
            flag(was.police_report_filed),
            flag(follow_up.police_report_filed),
        ));
        record(case(
            CaseField::PoliceReference,
            was.police_reference.clone(),
            follow_up.police_reference.clone(),
        ));
        record(case(
            CaseField::AuthorityNotifiedAt,
            at_text(was.authority_notified_at),
            at_text(follow_up.authority_notified_at),
        ));
        record(case(
            CaseField::SupportOffered,
            flag(was.support_offered),
            flag(follow_up.support_offered),
        ));
    }
    if let Some(action) = &amendment.new_action {
        let summary = format!(
            "{}: {} (owner {}, due {})",
            action.id,
            action.description,
            action.owner,
            action
                .due_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        record(Change::ActionAdded { summary });
    }
    if let (Some(update), Some(was)) = (&amendment.action_update, current_action) {
        let mut action = |field: ActionField, from: Option<String>, to: Option<String>| {
            record(Change::Action {
                id: update.id,
                field,
                from,
                to,
            });
        };
        if let Some(status) = update.status {
            action(
                ActionField::Status,
                code(was.status.code()),
                code(status.code()),
            );
        }
        if let Some(owner) = &update.owner {
            action(
                ActionField::Owner,
                Some(was.owner.clone()),
                Some(owner.clone()),
            );
        }
        if let Some(due_at) = update.due_at {
            action(
                ActionField::DueAt,
                at_text(Some(was.due_at)),
                at_text(Some(due_at)),
            );
        }
    }
    events
}

fn find_action(
    conn: &mut DbConnection,
    incident_seq: i64,
    id: Uuid,
) -> Result<Option<Action>, StorageError> {
    actions::table
        .filter(actions::incident_seq.eq(incident_seq))
        .filter(actions::id.eq(id.to_string()))
        .select(ActionRow::as_select())
        .first(conn)
        .optional()?
        .map(ActionRow::into_action)
        .transpose()
}

fn apply_actions(
    conn: &mut DbConnection,
    incident_seq: i64,
    amendment: &Amendment,
    at: DateTime<Utc>,
) -> Result<(), diesel::result::Error> {
    if let Some(action) = &amendment.new_action {
        diesel::insert_into(actions::table)
            .values((
                actions::id.eq(action.id.to_string()),
                actions::incident_seq.eq(incident_seq),
                actions::description.eq(&action.description),
                actions::owner.eq(&action.owner),
                actions::due_at.eq(action.due_at.naive_utc()),
                actions::status.eq(ActionStatus::Open.code()),
                actions::created_at.eq(at.naive_utc()),
            ))
            .execute(conn)?;
    }
    if let Some(update) = &amendment.action_update {
        let changes = ActionChanges {
            status: update.status.map(ActionStatus::code),
            owner: update.owner.as_deref(),
            due_at: update.due_at.map(|at| at.naive_utc()),
        };
        diesel::update(actions::table.filter(actions::id.eq(update.id.to_string())))
            .set(changes)
            .execute(conn)?;
    }
    Ok(())
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
                let offices: Vec<&str> = offices.iter().map(String::as_str).collect();
                set_offices(conn, seq, &offices)?;
            }
            apply_actions(conn, seq, &amendment, at)?;
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

    /// The actions of a visible case, in the order they were added, logged as read by
    /// `reader`; `None` when not visible.
    pub fn read_actions(
        &self,
        id: Uuid,
        visibility: &Visibility,
        reader: &Reader,
    ) -> Result<Option<Vec<Action>>, StorageError> {
        let mut conn = self.connection()?;
        let Some(seq) = visible_seq(&mut conn, id, visibility)? else {
            return Ok(None);
        };
        let found = actions_of(&mut conn, seq)?;
        // The connection goes back first: on PostgreSQL logging takes one of its own.
        drop(conn);
        self.log_found(Some(found), id, reader)
    }

    /// The timeline of a visible case, oldest first, logged as read by `reader`; `None` when
    /// not visible.
    pub fn read_timeline(
        &self,
        id: Uuid,
        visibility: &Visibility,
        reader: &Reader,
    ) -> Result<Option<Vec<CaseEvent>>, StorageError> {
        let mut conn = self.connection()?;
        let Some(seq) = visible_seq(&mut conn, id, visibility)? else {
            return Ok(None);
        };
        let found = timeline_of(&mut conn, seq)?;
        drop(conn);
        self.log_found(Some(found), id, reader)
    }

    /// A visible case with its comments for `audiences`, and, for those who work it
    /// (`work`), its actions and timeline: all a page shows of it, logged as one read by
    /// `reader`. `None` when not visible.
    pub fn read_case_file(
        &self,
        id: Uuid,
        visibility: &Visibility,
        audiences: &[Audience],
        work: bool,
        reader: &Reader,
    ) -> Result<Option<CaseFile>, StorageError> {
        let mut conn = self.connection()?;
        let Some((seq, incident)) = find(&mut conn, id, visibility)? else {
            return Ok(None);
        };
        let file = CaseFile {
            incident,
            comments: comments_of(&mut conn, seq, audiences)?,
            actions: if work {
                actions_of(&mut conn, seq)?
            } else {
                Vec::new()
            },
            timeline: if work {
                timeline_of(&mut conn, seq)?
            } else {
                Vec::new()
            },
        };
        drop(conn);
        self.log_found(Some(file), id, reader)
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

/// The actions of the case `seq`, in the order they were added.
fn actions_of(conn: &mut DbConnection, seq: i64) -> Result<Vec<Action>, StorageError> {
    let rows: Vec<ActionRow> = actions::table
        .filter(actions::incident_seq.eq(seq))
        .order(actions::seq)
        .select(ActionRow::as_select())
        .load(conn)?;
    rows.into_iter().map(ActionRow::into_action).collect()
}

/// The timeline of the case `seq`, oldest first.
fn timeline_of(conn: &mut DbConnection, seq: i64) -> Result<Vec<CaseEvent>, StorageError> {
    type Row = (
        chrono::NaiveDateTime,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = case_events::table
        .filter(case_events::incident_seq.eq(seq))
        .order(case_events::seq)
        .select((
            case_events::at,
            case_events::actor,
            case_events::field,
            case_events::from_value,
            case_events::to_value,
            case_events::reason,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(at, actor, field, from, to, reason)| {
            EventRow {
                at: at.and_utc(),
                actor,
                field,
                from,
                to,
                reason,
            }
            .into_event()
        })
        .collect()
}
