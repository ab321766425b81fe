//! A case's life: received → triaged → in progress → closed with an outcome; a security manager
//! may reopen a closed case. Who may touch a case at all is the caller's business (visibility);
//! this module decides which changes are legal.

use std::fmt::Write;

use crate::access::{Principal, Role};
use crate::catalogue::{Catalogue, FocusArea};
use crate::codes::{IncidentKind, Outcome, Severity, Status};

/// The longest reason accepted for a reclassification, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

impl Status {
    /// The statuses a case in this status may move to.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Received => &[Status::Triaged],
            Status::Triaged => &[Status::InProgress, Status::Closed],
            Status::InProgress => &[Status::Closed],
            Status::Closed => &[Status::InProgress],
        }
    }
}

/// Why a change to a case is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error(
        "a `{from}` case cannot become `{to}`; it can become {}",
        codes(allowed)
    )]
    IllegalTransition {
        from: Status,
        to: Status,
        allowed: &'static [Status],
    },
    #[error("closing a case needs an `outcome`")]
    OutcomeRequired,
    #[error("only closing a case takes an `outcome`")]
    UnexpectedOutcome,
    #[error("only a security manager may reopen a closed case")]
    ReopenNeedsSecurityManager,
    #[error("only handlers and security managers work cases")]
    NotCaseWorker,
    #[error("{0}")]
    InvalidReclassification(String),
}

fn codes(statuses: &[Status]) -> String {
    let mut list = String::new();
    for (i, status) in statuses.iter().enumerate() {
        let separator = if i == 0 { "" } else { " or " };
        let _ = write!(list, "{separator}`{status}`");
    }
    list
}

/// May this caller work cases (triage, assign, reclassify, change status)?
pub fn ensure_case_worker(by: &Principal) -> Result<(), WorkflowError> {
    if by.has(Role::Handler) || by.has(Role::SecurityManager) {
        Ok(())
    } else {
        Err(WorkflowError::NotCaseWorker)
    }
}

/// Checks a status change and returns the outcome the case will have afterwards.
pub fn change_status(
    from: Status,
    to: Status,
    outcome: Option<Outcome>,
    by: &Principal,
) -> Result<Option<Outcome>, WorkflowError> {
    ensure_case_worker(by)?;
    let allowed = from.next();
    if !allowed.contains(&to) {
        return Err(WorkflowError::IllegalTransition { from, to, allowed });
    }
    if from == Status::Closed && !by.has(Role::SecurityManager) {
        return Err(WorkflowError::ReopenNeedsSecurityManager);
    }
    match (to, outcome) {
        (Status::Closed, None) => Err(WorkflowError::OutcomeRequired),
        (Status::Closed, outcome) => Ok(outcome),
        (_, Some(_)) => Err(WorkflowError::UnexpectedOutcome),
        (_, None) => Ok(None),
    }
}

/// A reclassification that passed the rules: what changes, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reclassification<'a> {
    pub focus_area: Option<&'a FocusArea>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    pub reason: String,
}

impl<'a> Reclassification<'a> {
    /// Checks a requested reclassification: at least one field changes, the focus area is in
    /// the catalogue, and a reason is given.
    pub fn parse(
        catalogue: &'a Catalogue,
        focus_area: Option<&str>,
        severity: Option<Severity>,
        kind: Option<IncidentKind>,
        reason: &str,
        by: &Principal,
    ) -> Result<Reclassification<'a>, WorkflowError> {
        ensure_case_worker(by)?;
        let invalid = |message: String| WorkflowError::InvalidReclassification(message);
        let focus_area = focus_area
            .map(|code| catalogue.focus_area(code))
            .transpose()
            .map_err(|e| invalid(e.to_string()))?;
        if focus_area.is_none() && severity.is_none() && kind.is_none() {
            return Err(invalid(
                "name at least one of `focus_area`, `severity` and `kind`".into(),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(invalid(format!(
                "a `reason` of 1 to {MAX_REASON_CHARS} characters is needed"
            )));
        }
        Ok(Reclassification {
            focus_area,
            severity,
            kind,
            reason: reason.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role]) -> Principal {
        Principal::new("p".into(), roles.iter().copied().collect(), None)
    }

    /// Every (from, to) pair, with and without an outcome, for each kind of caller.
    #[test]
    fn every_transition_is_legal_or_refused_with_the_allowed_ones() {
        use Status::*;
        let handler = principal(&[Role::Handler]);
        let manager = principal(&[Role::SecurityManager]);
        let legal = [
            (Received, Triaged),
            (Triaged, InProgress),
            (Triaged, Closed),
            (InProgress, Closed),
            (Closed, InProgress),
        ];
        for from in Status::ALL.iter().copied() {
            for to in Status::ALL.iter().copied() {
                let outcome = (to == Closed).then_some(Outcome::Resolved);
                let result = change_status(from, to, outcome, &manager);
                if legal.contains(&(from, to)) {
                    assert_eq!(result, Ok(outcome), "{from} → {to}");
                } else {
                    assert_eq!(
                        result,
                        Err(WorkflowError::IllegalTransition {
                            from,
                            to,
                            allowed: from.next()
                        }),
                        "{from} → {to}"
                    );
                }
                let by_handler = change_status(from, to, outcome, &handler);
                match (from, legal.contains(&(from, to))) {
                    (Closed, true) => {
                        assert_eq!(by_handler, Err(WorkflowError::ReopenNeedsSecurityManager))
                    }
                    (_, true) => assert_eq!(by_handler, Ok(outcome)),
                    (_, false) => assert!(matches!(
                        by_handler,
                        Err(WorkflowError::IllegalTransition { .. })
                    )),
                }
            }
        }
    }

    #[test]
    fn closing_needs_an_outcome_and_nothing_else_takes_one() {
        let manager = principal(&[Role::SecurityManager]);
        assert_eq!(
            change_status(Status::InProgress, Status::Closed, None, &manager),
            Err(WorkflowError::OutcomeRequired)
        );
        assert_eq!(
            change_status(
                Status::Received,
                Status::Triaged,
                Some(Outcome::Duplicate),
                &manager
            ),
            Err(WorkflowError::UnexpectedOutcome)
        );
    }

    #[test]
    fn the_refusal_names_the_allowed_statuses() {
        let error = change_status(
            Status::Received,
            Status::Closed,
            Some(Outcome::Duplicate),
            &principal(&[Role::Handler]),
        );
        assert_eq!(
            error.unwrap_err().to_string(),
            "a `received` case cannot become `closed`; it can become `triaged`"
        );
        let error = change_status(
            Status::Triaged,
            Status::Received,
            None,
            &principal(&[Role::Handler]),
        );
        assert_eq!(
            error.unwrap_err().to_string(),
            "a `triaged` case cannot become `received`; it can become `in_progress` or `closed`"
        );
    }

    #[test]
    fn only_case_workers_change_cases() {
        for roles in [&[Role::Reporter][..], &[Role::Analyst], &[Role::Admin], &[]] {
            let result = change_status(Status::Received, Status::Triaged, None, &principal(roles));
            assert_eq!(result, Err(WorkflowError::NotCaseWorker), "{roles:?}");
        }
    }

    #[test]
    fn reclassification_needs_a_change_and_a_reason() {
        let catalogue = Catalogue::builtin();
        let handler = principal(&[Role::Handler]);
        let parsed = Reclassification::parse(
            &catalogue,
            Some("organised_crime"),
            None,
            None,
            " gang pressure ",
            &handler,
        )
        .unwrap();
        assert_eq!(parsed.focus_area.unwrap().code.as_str(), "organised_crime");
        assert_eq!(parsed.reason, "gang pressure");
        for (focus_area, severity, reason) in [
            (None, None, "why"),
            (Some("parking"), None, "why"),
            (None, Some(Severity::High), "  "),
            (
                None,
                Some(Severity::High),
                &*"x".repeat(MAX_REASON_CHARS + 1),
            ),
        ] {
            let result =
                Reclassification::parse(&catalogue, focus_area, severity, None, reason, &handler);
            assert!(
                matches!(result, Err(WorkflowError::InvalidReclassification(_))),
                "{focus_area:?} {reason:.10}"
            );
        }
    }
}
