//! The timeline events an amendment makes: one per field whose value changes.

use chrono::{DateTime, Utc};
use trygg_domain::{ActionField, CaseEvent, CaseField, Change, Outcome};

use super::Amendment;
use crate::actions::Action;
use crate::case::Incident;

fn at_text(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The events an amendment makes: one per field whose value changes.
pub(super) fn events(
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
            Some(current.focus_area.to_string()),
            Some(focus_area.to_string()),
        ));
        record(Change::Offices {
            from: current.offices.iter().map(ToString::to_string).collect(),
            to: offices.iter().map(ToString::to_string).collect(),
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
