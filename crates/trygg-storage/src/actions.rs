//! A case's actions (åtgärder): added and changed by an amendment, read with the case.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use trygg_domain::{ActionStatus, Visibility};
use uuid::Uuid;

use crate::access_log::Reader;
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::schema::actions;

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

pub(crate) fn find_action(
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

/// Adds `added` to the case `incident_seq`, and applies `changed` to one of its actions.
pub(crate) fn apply_actions(
    conn: &mut DbConnection,
    incident_seq: i64,
    added: Option<&NewAction>,
    changed: Option<&ActionUpdate>,
    at: DateTime<Utc>,
) -> Result<(), diesel::result::Error> {
    if let Some(action) = added {
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
    if let Some(update) = changed {
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

/// The actions of the case `seq`, in the order they were added.
pub(crate) fn actions_of(conn: &mut DbConnection, seq: i64) -> Result<Vec<Action>, StorageError> {
    let rows: Vec<ActionRow> = actions::table
        .filter(actions::incident_seq.eq(seq))
        .order(actions::seq)
        .select(ActionRow::as_select())
        .load(conn)?;
    rows.into_iter().map(ActionRow::into_action).collect()
}

impl Database {
    /// The actions of a visible case, in the order they were added, logged as read by
    /// `reader`; `None` when not visible.
    pub fn read_actions(
        &self,
        id: Uuid,
        visibility: &Visibility,
        reader: &Reader,
    ) -> Result<Option<Vec<Action>>, StorageError> {
        self.read_visible(id, visibility, reader, actions_of)
    }
}
