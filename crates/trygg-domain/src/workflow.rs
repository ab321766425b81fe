//! A case's life: received → triaged → in progress → closed with an outcome; a security manager
//! may reopen a closed case. Who may touch a case at all is the caller's business (visibility);
//! this module decides which changes are legal.

use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};

use crate::access::{Principal, Role};
use crate::catalogue::{Catalogue, FocusArea};
use crate::codes::{AffectedCategory, Audience, IncidentKind, Outcome, Severity, Status};
use crate::report::Circumstances;
use crate::text::{self, TextError};

/// The longest reason accepted for a reclassification, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;
/// The longest police report reference accepted.
pub const MAX_POLICE_REFERENCE_CHARS: usize = 100;
/// The employer reports a serious incident to Arbetsmiljöverket "utan dröjsmål"; guidance says
/// within 24 hours.
pub const WORK_ENVIRONMENT_DEADLINE: Duration = Duration::hours(24);
/// A deadline this close, or passed, puts a case in the queue's "deadline at risk".
pub const DEADLINE_AT_RISK_WITHIN: Duration = Duration::hours(12);

/// Who the work-environment deadline covers: employees, and elected officials, who follow the
/// same track since kommunallagen 4 kap. 18 a §.
pub const WORK_ENVIRONMENT_CATEGORIES: [AffectedCategory; 2] = [
    AffectedCategory::Employee,
    AffectedCategory::ElectedOfficial,
];
/// The severity that makes an incident an allvarligt tillbud.
pub const WORK_ENVIRONMENT_SEVERITY: Severity = Severity::Serious;

/// When Arbetsmiljöverket must have been notified of this incident, if it must be.
pub fn work_environment_deadline(
    circumstances: &Circumstances,
    received_at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let covered = WORK_ENVIRONMENT_CATEGORIES.contains(&circumstances.affected_category);
    (covered && circumstances.severity == WORK_ENVIRONMENT_SEVERITY)
        .then(|| received_at + WORK_ENVIRONMENT_DEADLINE)
}

/// The follow-up facts of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub police_report_filed: bool,
    pub police_reference: Option<String>,
    pub authority_notified_at: Option<DateTime<Utc>>,
    pub support_offered: bool,
}

impl FollowUp {
    /// Checks follow-up facts: a reference only with a police report, bounded, and no
    /// notification in the future.
    pub fn parse(
        police_report_filed: bool,
        police_reference: Option<&str>,
        authority_notified_at: Option<DateTime<Utc>>,
        support_offered: bool,
        now: DateTime<Utc>,
    ) -> Result<FollowUp, WorkflowError> {
        let invalid = WorkflowError::InvalidFollowUp;
        let police_reference = police_reference
            .map(|reference| text::line(reference, MAX_POLICE_REFERENCE_CHARS))
            .transpose()
            .map_err(|e| invalid(FollowUpError::PoliceReference(e)))?;
        if police_reference.is_some() && !police_report_filed {
            return Err(invalid(FollowUpError::ReferenceWithoutReport));
        }
        if authority_notified_at.is_some_and(|at| at > now + Duration::minutes(5)) {
            return Err(invalid(FollowUpError::NotifiedInFuture));
        }
        Ok(FollowUp {
            police_report_filed,
            police_reference,
            authority_notified_at,
            support_offered,
        })
    }

    /// Checks the facts against the case they are about: Arbetsmiljöverket cannot have been
    /// told before the incident happened (a date that would silence the deadline).
    pub fn check_against(&self, occurred_at: DateTime<Utc>) -> Result<(), WorkflowError> {
        match self.authority_notified_at {
            Some(at) if at < occurred_at => Err(WorkflowError::InvalidFollowUp(
                FollowUpError::NotifiedBeforeIncident,
            )),
            _ => Ok(()),
        }
    }
}

/// Why someone cannot be given a case or an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAssignable {
    /// The service has never seen them with verified claims.
    Unknown,
    /// Neither a security manager nor a handler of one of the case's offices.
    NotACaseWorker,
    /// They reported the case.
    Reporter,
}

impl NotAssignable {
    fn reason(self) -> &'static str {
        match self {
            NotAssignable::Unknown => "the service has not seen them signed in",
            NotAssignable::NotACaseWorker => {
                "they are neither a security manager nor a handler of one of the case's offices"
            }
            NotAssignable::Reporter => "they reported the case",
        }
    }
}

/// Checks whom a case is assigned to or an action given (`field` names which): a security
/// manager or a handler of one of the case's `offices`, whom the service knows (`candidate`,
/// as the people it has seen describe them), and not its `reporter`.
pub fn check_case_worker(
    field: &'static str,
    candidate: Option<&Principal>,
    offices: &[impl AsRef<str>],
    reporter: &str,
) -> Result<(), WorkflowError> {
    let refused = |why| Err(WorkflowError::NotAssignable { field, why });
    match candidate {
        None => refused(NotAssignable::Unknown),
        Some(person) if person.subject() == reporter => refused(NotAssignable::Reporter),
        Some(person) if !person.works_case(offices.iter().map(AsRef::as_ref)) => {
            refused(NotAssignable::NotACaseWorker)
        }
        Some(_) => Ok(()),
    }
}

/// Checks an assignment: to a handler of `office`, which must be one of the case's `offices`,
/// who may be given the case ([`check_case_worker`]).
pub fn check_assignment(
    office: &str,
    candidate: Option<&Principal>,
    offices: &[impl AsRef<str>],
    reporter: &str,
) -> Result<(), WorkflowError> {
    if !offices
        .iter()
        .any(|responsible| responsible.as_ref() == office)
    {
        return Err(WorkflowError::NotResponsibleOffice {
            offices: offices.iter().map(|o| o.as_ref().to_owned()).collect(),
        });
    }
    check_case_worker("assignee", candidate, offices, reporter)
}

/// How far ahead an action may be due.
pub const MAX_ACTION_HORIZON: Duration = Duration::days(5 * 366);

/// Checks when an action of a case received at `received_at` is due: not before the case
/// came in, and at most [`MAX_ACTION_HORIZON`] from `now`.
pub fn check_due(
    due_at: DateTime<Utc>,
    received_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), WorkflowError> {
    if due_at < received_at || due_at > now + MAX_ACTION_HORIZON {
        Err(WorkflowError::DueOutOfRange)
    } else {
        Ok(())
    }
}

/// May this caller comment for this audience? Case workers write both kinds; the reporter adds
/// information to their own case, which the reporter sees too.
pub fn may_comment(
    audience: Audience,
    works_case: bool,
    is_reporter: bool,
) -> Result<(), WorkflowError> {
    match (audience, works_case, is_reporter) {
        (_, true, _) | (Audience::Reporter, false, true) => Ok(()),
        _ => Err(WorkflowError::InternalCommentNeedsCaseWorker),
    }
}

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

/// Why follow-up facts are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowUpError {
    #[error("`police_reference` {0}")]
    PoliceReference(TextError),
    #[error("a `police_reference` needs `police_report_filed`")]
    ReferenceWithoutReport,
    #[error("`authority_notified_at` must not be in the future")]
    NotifiedInFuture,
    #[error("`authority_notified_at` must not be before the incident happened")]
    NotifiedBeforeIncident,
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
    #[error(transparent)]
    InvalidFollowUp(FollowUpError),
    #[error("only handlers and security managers write internal comments")]
    InternalCommentNeedsCaseWorker,
    #[error("`due_at` must not be before the case was received, nor more than five years ahead")]
    DueOutOfRange,
    #[error(
        "`{field}` must name a security manager or a handler of one of the case's offices whom \
         the service knows, other than the reporter: {}",
        why.reason()
    )]
    NotAssignable {
        field: &'static str,
        why: NotAssignable,
    },
    #[error("`office` must be one of the case's responsible offices: {}", offices.join(", "))]
    NotResponsibleOffice { offices: Vec<String> },
    #[error(
        "the case already has this classification: a reclassification changes at least one of \
         `focus_area`, `severity` and `kind`"
    )]
    ClassificationUnchanged,
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

/// The statuses this caller may move a case in `from` to: what a form offers.
pub fn status_moves(from: Status, by: &Principal) -> &'static [Status] {
    let reopening = from == Status::Closed;
    if ensure_case_worker(by).is_err() || (reopening && !by.has(Role::SecurityManager)) {
        return &[];
    }
    from.next()
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
pub struct Reclassification {
    pub focus_area: Option<FocusArea>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    pub reason: String,
}

impl Reclassification {
    /// Checks a requested reclassification: at least one field changes, the focus area is in
    /// the catalogue, and a reason is given.
    pub fn parse(
        catalogue: &Catalogue,
        focus_area: Option<&str>,
        severity: Option<Severity>,
        kind: Option<IncidentKind>,
        reason: &str,
        by: &Principal,
    ) -> Result<Reclassification, WorkflowError> {
        ensure_case_worker(by)?;
        let invalid = |message: String| WorkflowError::InvalidReclassification(message);
        let focus_area = focus_area
            .map(|code| catalogue.focus_area(code).cloned())
            .transpose()
            .map_err(|e| invalid(e.to_string()))?;
        if focus_area.is_none() && severity.is_none() && kind.is_none() {
            return Err(invalid(
                "name at least one of `focus_area`, `severity` and `kind`".into(),
            ));
        }
        let reason =
            text::prose(reason, MAX_REASON_CHARS).map_err(|e| invalid(format!("`reason` {e}")))?;
        Ok(Reclassification {
            focus_area,
            severity,
            kind,
            reason,
        })
    }

    /// What this reclassification changes of a case now in `focus_area` with these
    /// `circumstances`: only what differs is a change, and one that changes nothing is refused
    /// (a reason recorded for no change would mislead whoever reads the timeline).
    pub fn against(
        self,
        focus_area: &str,
        circumstances: &Circumstances,
    ) -> Result<Reclassification, WorkflowError> {
        let changed = Reclassification {
            focus_area: self
                .focus_area
                .filter(|area| area.code.as_str() != focus_area),
            severity: self
                .severity
                .filter(|severity| *severity != circumstances.severity),
            kind: self.kind.filter(|kind| *kind != circumstances.kind),
            reason: self.reason,
        };
        if changed.focus_area.is_none() && changed.severity.is_none() && changed.kind.is_none() {
            return Err(WorkflowError::ClassificationUnchanged);
        }
        Ok(changed)
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

    /// A form offers exactly the moves the rules then accept, for every kind of caller.
    #[test]
    fn the_moves_offered_are_the_moves_accepted() {
        for roles in [
            &[Role::Handler][..],
            &[Role::SecurityManager],
            &[Role::Reporter],
            &[Role::Analyst],
        ] {
            let by = principal(roles);
            for from in Status::ALL.iter().copied() {
                for to in Status::ALL.iter().copied() {
                    let outcome = (to == Status::Closed).then_some(Outcome::Resolved);
                    assert_eq!(
                        status_moves(from, &by).contains(&to),
                        change_status(from, to, outcome, &by).is_ok(),
                        "{roles:?}: {from} → {to}"
                    );
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
    fn the_work_environment_deadline_covers_serious_cases_against_staff_and_officials() {
        let at: DateTime<Utc> = "2026-11-27T08:00:00Z".parse().unwrap();
        let mut facts = Circumstances {
            kind: IncidentKind::Threat,
            place_kind: crate::PlaceKind::Workplace,
            affected_category: AffectedCategory::ElectedOfficial,
            affected_gender: crate::Gender::Woman,
            affected_age_group: crate::AgeGroup::Age50To64,
            children_affected: crate::ChildrenAffected::No,
            perpetrator_relation: crate::PerpetratorRelation::Resident,
            perpetrator_influence: crate::Influence::Unknown,
            severity: Severity::Serious,
        };
        assert_eq!(
            work_environment_deadline(&facts, at),
            Some(at + Duration::hours(24))
        );
        facts.affected_category = AffectedCategory::Employee;
        assert!(work_environment_deadline(&facts, at).is_some());
        facts.severity = Severity::High;
        assert_eq!(work_environment_deadline(&facts, at), None);
        facts.severity = Severity::Serious;
        facts.affected_category = AffectedCategory::Resident;
        assert_eq!(work_environment_deadline(&facts, at), None);
    }

    #[test]
    fn cases_go_to_known_case_workers_of_their_offices_only() {
        let catalogue = Catalogue::builtin();
        let person = |subject: &str, role: &str, office: Option<&str>| {
            Principal::from_claims(subject.into(), &[role.into()], office, &catalogue).unwrap()
        };
        let offices = ["utbildning".to_owned()];
        let check = |candidate: Option<&Principal>| {
            check_case_worker("assignee", candidate, &offices, "anna")
        };
        let refused = |why| {
            Err(WorkflowError::NotAssignable {
                field: "assignee",
                why,
            })
        };
        assert_eq!(
            check(Some(&person("dave", "handler", Some("utbildning")))),
            Ok(())
        );
        assert_eq!(
            check(Some(&person("ivy", "security_manager", None))),
            Ok(())
        );
        assert_eq!(check(None), refused(NotAssignable::Unknown));
        assert_eq!(
            check(Some(&person("erin", "handler", Some("social_omsorg")))),
            refused(NotAssignable::NotACaseWorker)
        );
        assert_eq!(
            check(Some(&person("olga", "analyst", None))),
            refused(NotAssignable::NotACaseWorker)
        );
        assert_eq!(
            check(Some(&person("anna", "handler", Some("utbildning")))),
            refused(NotAssignable::Reporter)
        );
    }

    #[test]
    fn follow_up_facts_hang_together() {
        let now: DateTime<Utc> = "2026-11-27T08:00:00Z".parse().unwrap();
        let ok = FollowUp::parse(true, Some(" 5000-K123456-26 "), Some(now), true, now).unwrap();
        assert_eq!(ok.police_reference.as_deref(), Some("5000-K123456-26"));
        assert!(FollowUp::parse(false, Some("5000-K1"), None, false, now).is_err());
        assert!(FollowUp::parse(true, Some(&"9".repeat(101)), None, false, now).is_err());
        assert!(FollowUp::parse(false, None, Some(now + Duration::hours(1)), false, now).is_err());
        // No reference is `null`; a blank one is a mistake, not a way of saying none.
        assert!(FollowUp::parse(true, Some("  "), None, false, now).is_err());
        let notified =
            FollowUp::parse(false, None, Some(now - Duration::days(2)), false, now).unwrap();
        assert!(notified.check_against(now - Duration::days(3)).is_ok());
        assert_eq!(
            notified.check_against(now - Duration::days(1)),
            Err(WorkflowError::InvalidFollowUp(
                FollowUpError::NotifiedBeforeIncident
            ))
        );
    }

    #[test]
    fn reporters_comment_to_themselves_only() {
        assert!(may_comment(Audience::Internal, true, false).is_ok());
        assert!(may_comment(Audience::Reporter, true, false).is_ok());
        assert!(may_comment(Audience::Reporter, false, true).is_ok());
        assert!(may_comment(Audience::Internal, false, true).is_err());
        assert!(may_comment(Audience::Reporter, false, false).is_err());
    }

    #[test]
    fn a_reclassification_changes_only_what_differs_and_refuses_no_change() {
        let catalogue = Catalogue::builtin();
        let handler = principal(&[Role::Handler]);
        let circumstances = Circumstances {
            kind: IncidentKind::Threat,
            place_kind: crate::PlaceKind::School,
            affected_category: AffectedCategory::Employee,
            affected_gender: crate::Gender::Woman,
            affected_age_group: crate::AgeGroup::Age30To49,
            children_affected: crate::ChildrenAffected::No,
            perpetrator_relation: crate::PerpetratorRelation::Unknown,
            perpetrator_influence: crate::Influence::Unknown,
            severity: Severity::High,
        };
        let requested = |focus_area, severity| {
            Reclassification::parse(
                &catalogue,
                Some(focus_area),
                Some(severity),
                Some(IncidentKind::Threat),
                "why",
                &handler,
            )
            .unwrap()
        };
        let change = requested("school", Severity::Serious)
            .against("school", &circumstances)
            .unwrap();
        assert_eq!(
            (change.focus_area, change.severity, change.kind),
            (None, Some(Severity::Serious), None)
        );
        assert_eq!(
            requested("school", Severity::High).against("school", &circumstances),
            Err(WorkflowError::ClassificationUnchanged)
        );
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
