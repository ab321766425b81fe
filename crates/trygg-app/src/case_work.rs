//! Working a case: its status, assignment, classification, follow-up facts and actions, each
//! decided by the domain's rules on the case as it is inside storage's unit of work, under the
//! version the caller read; and comments.

use chrono::{DateTime, Utc};
use trygg_domain::{
    ActionStatus, AlertReason, Audience, Description, FollowUp, OfficeCode, Outcome, Principal,
    Reclassification, Status, WorkflowError, change_status, check_assignment, check_case_worker,
    check_due, may_comment,
};
use trygg_notifier::{AlertFacts, Routing};
use trygg_storage::{
    Action, ActionUpdate, Amended, Amendment, Comment, Incident, NewAction, Purpose, Reader,
};
use uuid::Uuid;

use crate::reading::{Cases, worked};
use crate::{App, Error};

/// A change to a case, its input already parsed; the rules that need the case are applied to
/// it as it stands.
#[derive(Debug, Clone)]
pub enum Change {
    /// Moves the case along its workflow; closing takes an outcome.
    Status {
        status: Status,
        outcome: Option<Outcome>,
    },
    /// To a case worker (their user id) of one of the case's offices.
    Assign {
        assignee: String,
        office: OfficeCode,
    },
    /// Only what differs from the case is a change; a new focus area routes it anew.
    Reclassify(Reclassification),
    /// The follow-up facts, replaced whole.
    FollowUp(FollowUp),
    /// A new action (its id made by the caller, who then knows it), for a case worker
    /// (their user id).
    AddAction {
        id: Uuid,
        description: Description,
        owner: String,
        due_at: DateTime<Utc>,
    },
    /// Changes to one of the case's actions.
    ChangeAction(ActionChange),
}

/// Changes to an action; `None` leaves a field as it is.
#[derive(Debug, Clone)]
pub struct ActionChange {
    pub id: Uuid,
    pub status: Option<ActionStatus>,
    /// A case worker's user id.
    pub owner: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
}

/// What the caller answers a change with, read back in the same trip (and logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Nothing of the case (the pages go back to the case page, which reads it).
    Nothing,
    /// The case as changed.
    Case,
    /// The case's actions as changed.
    Actions,
}

/// A change made.
#[derive(Debug)]
pub struct Changed {
    /// The case's version now.
    pub version: i64,
    pub answer: Answered,
}

/// What was read back for the answer.
#[derive(Debug)]
pub enum Answered {
    Nothing,
    Case(Box<Incident>),
    Actions(Vec<Action>),
}

impl App {
    /// Whether `by` works cases at all: for a front end to refuse before it judges what was
    /// sent.
    pub fn may_work_cases(&self, by: &Principal) -> Result<(), Error> {
        worked(by).map(drop)
    }

    /// Makes `change` to case `id` as `by`, if the case is still at `version`.
    pub async fn change_case(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        change: Change,
        answer: Answer,
    ) -> Result<Changed, Error> {
        let scope = worked(by)?;
        let subject = by.subject().to_owned();
        let principal = by.clone();
        let now = self.clock.now();
        let reclassifies = matches!(change, Change::Reclassify(_));
        self.blocking(move |app| {
            let decide = app.decision(&principal, change, now)?;
            let amended =
                app.database
                    .amend(id, scope.clone(), version, subject.clone(), decide)?;
            let case = match amended {
                Amended::Done { version, case } => (version, case),
                Amended::NotFound => return Err(app.not_worked(id, &subject)),
                Amended::NoSuchAction => return Err(Error::NoSuchAction),
                Amended::Stale { current_version } => {
                    return Err(Error::Stale { current_version });
                }
                Amended::Refused(rule) => return Err(Error::Rule(rule)),
            };
            let (version, case) = case;
            if reclassifies {
                // Committed: receivers the new classification reaches are alerted, whatever
                // reading the answer back comes to.
                app.wake_alert_worker();
            }
            let reader = Reader::new(&subject, Purpose::CaseWorkAnswer);
            let answer = match answer {
                Answer::Nothing => Answered::Nothing,
                Answer::Case => Answered::Case(Box::new(case.read_by(&app.database, &reader)?)),
                Answer::Actions => Answered::Actions(
                    app.database
                        .read_actions(id, &scope, &reader)?
                        .ok_or(Error::NotFound)?,
                ),
            };
            Ok(Changed { version, answer })
        })
        .await
    }

    /// How `change` amends the case as it stands: the people it names looked up first, so
    /// that the rules can judge them against the case.
    fn decision(
        &self,
        by: &Principal,
        change: Change,
        now: DateTime<Utc>,
    ) -> Result<Decision, Error> {
        let known = |subject: &str| self.database.known_principal(subject, &self.catalogue);
        let decision: Decision = match change {
            Change::Status { status, outcome } => {
                let by = by.clone();
                Box::new(move |current: &Incident| {
                    let outcome = change_status(current.status, status, outcome, &by)?;
                    Ok(Amendment {
                        status: Some(status),
                        outcome: Some(outcome),
                        ..Amendment::default()
                    })
                })
            }
            Change::Assign { assignee, office } => {
                let candidate = known(&assignee)?;
                Box::new(move |current: &Incident| {
                    check_assignment(
                        office.as_str(),
                        candidate.as_ref(),
                        &current.offices,
                        &current.reporter,
                    )?;
                    Ok(Amendment {
                        assignee: Some(assignee),
                        ..Amendment::default()
                    })
                })
            }
            Change::Reclassify(reclassification) => {
                let routing = self.routing.clone();
                Box::new(move |current: &Incident| {
                    let change = reclassification
                        .against(current.focus_area.as_str(), &current.circumstances)?;
                    Ok(reclassified(&routing, current, change))
                })
            }
            Change::FollowUp(follow_up) => Box::new(move |current: &Incident| {
                follow_up.check_against(current.occurred_at)?;
                Ok(Amendment {
                    follow_up: Some(follow_up),
                    ..Amendment::default()
                })
            }),
            Change::AddAction {
                id,
                description,
                owner,
                due_at,
            } => {
                let candidate = known(&owner)?;
                Box::new(move |current: &Incident| {
                    check_due(due_at, current.received_at, now)?;
                    let (offices, reporter) = (&current.offices, &current.reporter);
                    check_case_worker("owner", candidate.as_ref(), offices, reporter)?;
                    Ok(Amendment {
                        new_action: Some(NewAction {
                            id,
                            description: description.as_str().to_owned(),
                            owner,
                            due_at,
                        }),
                        ..Amendment::default()
                    })
                })
            }
            Change::ChangeAction(change) => {
                let candidate = change.owner.as_deref().map(known).transpose()?;
                Box::new(move |current: &Incident| {
                    if let Some(due_at) = change.due_at {
                        check_due(due_at, current.received_at, now)?;
                    }
                    if let Some(candidate) = &candidate {
                        let (offices, reporter) = (&current.offices, &current.reporter);
                        check_case_worker("owner", candidate.as_ref(), offices, reporter)?;
                    }
                    Ok(Amendment {
                        action_update: Some(ActionUpdate {
                            id: change.id,
                            status: change.status,
                            owner: change.owner,
                            due_at: change.due_at,
                        }),
                        ..Amendment::default()
                    })
                })
            }
        };
        Ok(decision)
    }

    /// Adds a comment to case `id`, one of `by`'s `cases`: case workers write both kinds, its
    /// reporter messages the reporter sees too. Comments add to a case without changing it, so
    /// they take no version.
    pub async fn comment(
        &self,
        by: &Principal,
        id: Uuid,
        cases: Cases,
        audience: Audience,
        body: Description,
    ) -> Result<Comment, Error> {
        let visibility = cases.of(by).ok_or(Error::NotFound)?;
        let comment = Comment {
            at: self.clock.now(),
            author: by.subject().to_owned(),
            audience,
            body: body.as_str().to_owned(),
        };
        let principal = by.clone();
        let permit = move |case: &Incident| {
            let works = principal.works_case(case.offices.iter().map(OfficeCode::as_str));
            may_comment(audience, works, case.reporter == principal.subject())
        };
        self.blocking(move |app| {
            match app.database.add_comment(id, visibility, comment, permit)? {
                None => Err(Error::NotFound),
                Some(added) => Ok(added?),
            }
        })
        .await
    }
}

/// What a reclassification changes in a case, with alerts for the receivers the new
/// classification reaches (storage leaves out those the case alerted before).
fn reclassified(routing: &Routing, current: &Incident, change: Reclassification) -> Amendment {
    let focus_area = change
        .focus_area
        .map(|area| (area.code.clone(), area.offices.clone()));
    let (code, offices) = focus_area
        .clone()
        .unwrap_or_else(|| (current.focus_area.clone(), current.offices.clone()));
    let facts = AlertFacts {
        focus_area: code.as_str(),
        offices: &offices,
        district: current.district.as_str(),
        kind: change.kind.unwrap_or(current.circumstances.kind),
        severity: change.severity.unwrap_or(current.circumstances.severity),
    };
    Amendment {
        alerts: routing.alerts_for(&facts, AlertReason::Rerouted),
        focus_area,
        severity: change.severity,
        kind: change.kind,
        reason: Some(change.reason),
        ..Amendment::default()
    }
}

/// How a change amends the case as it stands, or the rule it breaks.
type Decision = Box<dyn FnOnce(&Incident) -> Result<Amendment, WorkflowError> + Send>;
