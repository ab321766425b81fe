//! `GET /arenden/{id}`: a case as its case workers see it, with a form for every change the
//! visitor may make from here, and (after a refused form) what they entered and why.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use trygg_app::CaseDesk;
use trygg_app::{CaseFile, Person, Seen};
use trygg_domain::time::local_time;
use trygg_domain::{
    ActionField, ActionStatus, Audience, CaseEvent, CaseField, Change, IncidentKind, OfficeCode,
    Outcome, Severity, status_moves,
};
use uuid::Uuid;

use super::alerts::listed;
use super::{Desk, time_left};
use crate::error::WebError;
use crate::filing::report_facts;
use crate::html;
use crate::reports::label;
use crate::templates::{
    ActionForm, ActionRow, AssignForm, CasePage, Choice, ClassifyForm, FieldError, FollowUpForm,
    Layout, NoteRow, Saved, TimelineRow,
};

/// The most alerts a case page lists.
const ALERTS_SHOWN: i64 = 100;

/// What the visitor sent in one of the case page's forms, shown again when it was refused.
#[derive(Debug, Default)]
pub(super) struct Entered(pub(super) Vec<(String, String)>);

impl Entered {
    /// The value of a field of `form`, if that is the form the visitor sent.
    fn value(&self, form: &str, field: &str) -> Option<&str> {
        (self.get("form") == Some(form))
            .then(|| self.get(field))
            .flatten()
    }

    /// A field's value as sent.
    pub(super) fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.as_str())
    }

    /// Whether a checkbox of `form` is ticked: as sent, or `current` when another form was.
    fn checked(&self, form: &str, field: &str, current: bool) -> bool {
        if self.get("form") == Some(form) {
            self.get(field).is_some()
        } else {
            current
        }
    }

    /// A field of `form` as sent, or its current value.
    fn or(&self, form: &str, field: &str, current: impl Into<String>) -> String {
        self.value(form, field)
            .map_or_else(|| current.into(), str::to_owned)
    }
}

/// Why a form sent from the case page is shown again.
#[derive(Debug, Default)]
pub(super) enum Refusal {
    #[default]
    None,
    /// What is wrong with the fields.
    Invalid(Vec<FieldError>),
    /// Someone changed the case since the visitor read it: the timeline entries past `seen`
    /// say what.
    Conflict { seen: usize },
}

#[derive(Debug, serde::Deserialize)]
pub struct CaseQuery {
    /// Set after a change was saved: which one.
    sparat: Option<String>,
}

/// `GET /arenden/{id}`.
pub async fn show(
    id: web::Path<Uuid>,
    query: web::Query<CaseQuery>,
    desk: Desk,
) -> Result<HttpResponse, WebError> {
    // Said in the section of the form that saved it, where the visitor is.
    let saved = query
        .sparat
        .as_deref()
        .and_then(|saved| {
            let form = form_of(saved);
            FORMS.contains(&form).then_some((form, saved))
        })
        .map(|(form, saved)| Saved {
            form: form.to_owned(),
            message: desk.lang().text(&format!("case-saved-{saved}")),
        });
    let page = case_page(&desk, id.into_inner(), &Entered::default(), Refusal::None).await?;
    html(&CasePage { saved, ..page })
}

/// The case page's forms, by the name each sends as `form`.
pub(super) const FORMS: [&str; 7] = [
    "status",
    "assignment",
    "classification",
    "follow_up",
    "action",
    "action_status",
    "comment",
];

/// The form that saved what a confirmation names: a message to the reporter is a comment.
pub(super) fn form_of(saved: &str) -> &str {
    match saved {
        "reporter_message" => "comment",
        form => form,
    }
}

/// A set of choices, the one matching `selected` chosen.
fn choices<'a>(
    options: impl IntoIterator<Item = (&'a str, String)>,
    selected: &str,
) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            checked: value == selected,
            value: value.to_owned(),
            label,
            hint: None,
        })
        .collect()
}

/// A local date and time as a form's date and time fields show them.
/// A person as a case worker recognises them: name and e-mail where the service has seen
/// them, else the identity provider's subject.
fn person_in_words(seen: Option<&Seen>, subject: &str) -> String {
    match seen.map(|seen| &seen.person) {
        Some(Person {
            name,
            email: Some(email),
            ..
        }) => format!("{name} ({email})"),
        Some(person) => person.name.clone(),
        None => subject.to_owned(),
    }
}

fn date_and_time(at: Option<DateTime<Utc>>) -> (String, String) {
    at.map(local_time).map_or_else(Default::default, |local| {
        (
            local.format("%Y-%m-%d").to_string(),
            local.format("%H:%M").to_string(),
        )
    })
}

/// The case page, read now; `entered` and `refusal` say what to show again after a form.
pub(super) async fn case_page(
    desk: &Desk,
    id: Uuid,
    entered: &Entered,
    refusal: Refusal,
) -> Result<CasePage, WebError> {
    let CaseDesk {
        file,
        alerts,
        case_workers,
        reporter,
    } = desk
        .app
        .read_case_desk(&desk.principal, id, ALERTS_SHOWN)
        .await?;
    let CaseFile {
        incident,
        comments,
        actions,
        timeline,
    } = file;

    let lang = desk.lang();
    let now = desk.now();
    let layout = Layout::new(&desk.visitor, "case-title");
    let circumstances = &incident.circumstances;
    let (conflict, errors) = match refusal {
        Refusal::None => (Vec::new(), Vec::new()),
        Refusal::Invalid(errors) => (Vec::new(), errors),
        Refusal::Conflict { seen } => (
            timeline
                .iter()
                .skip(seen)
                .map(|event| timeline_row(desk, event))
                .collect(),
            Vec::new(),
        ),
    };
    let yes_no = |value: bool| lang.text(if value { "case-yes" } else { "case-no" });
    // The report as the reporter gave it; focus area and severity are shown (and changed)
    // as the case's classification below, the description under its own heading.
    let mut facts = report_facts(
        &incident,
        desk.catalogue(),
        lang,
        &["focus_area", "severity", "description"],
    );
    facts.push((
        layout.t("report-received"),
        layout.local(&incident.received_at),
    ));
    facts.push((
        layout.t("case-reporter"),
        person_in_words(reporter.as_ref(), &incident.reporter),
    ));
    if let Some(office) = reporter
        .as_ref()
        .and_then(|seen| seen.person.office.as_ref())
    {
        facts.push((
            layout.t("case-reporter-workplace"),
            desk.office_label(office),
        ));
    }
    let classification = vec![
        (
            layout.t("case-focus-area"),
            desk.focus_area_label(incident.focus_area.as_str()),
        ),
        (
            layout.t("case-offices"),
            incident
                .offices
                .iter()
                .map(|office| desk.office_label(office.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            layout.t("question-severity"),
            label(lang, "severity", circumstances.severity.code()),
        ),
    ];
    let follow_up = &incident.follow_up;
    let follow_up_facts = vec![
        (
            layout.t("case-police-report"),
            yes_no(follow_up.police_report_filed),
        ),
        (
            layout.t("case-police-reference"),
            follow_up
                .police_reference
                .clone()
                .unwrap_or_else(|| "–".into()),
        ),
        (
            layout.t("case-authority-notified"),
            follow_up
                .authority_notified_at
                .map_or_else(|| "–".into(), |at| layout.local(&at)),
        ),
        (
            layout.t("case-support-offered"),
            yes_no(follow_up.support_offered),
        ),
    ];

    let moves = status_moves(incident.status, &desk.principal);
    let chosen_move = entered.value("status", "status").unwrap_or_default();
    let chosen_outcome = entered.value("status", "outcome").unwrap_or_default();
    let (notified_date, notified_time) = date_and_time(follow_up.authority_notified_at);
    let me = desk.principal.subject();
    // Whom the case or an action may go to: its case workers, not its reporter.
    let people = |chosen: &str| -> Vec<Choice> {
        case_workers
            .iter()
            .filter(|seen| seen.person.subject != incident.reporter)
            .map(|seen| {
                let person = &seen.person;
                let place = match &person.office {
                    Some(office) if !person.roles.iter().any(|r| r == "security_manager") => {
                        desk.office_label(office)
                    }
                    _ => lang.text("case-worker-security-manager"),
                };
                Choice {
                    value: person.subject.clone(),
                    label: format!("{} ({place})", person.name),
                    hint: None,
                    checked: person.subject == chosen,
                }
            })
            .collect()
    };
    let my_office = desk
        .principal
        .office()
        .map(|o| o.as_str())
        .unwrap_or_default();
    let default_office = if incident.offices.iter().any(|o| o.as_str() == my_office) {
        my_office
    } else {
        incident
            .offices
            .first()
            .map(OfficeCode::as_str)
            .unwrap_or_default()
    };
    let office_choice = entered.or("assignment", "office", default_office);
    let (internal, to_reporter): (Vec<_>, Vec<_>) = comments
        .into_iter()
        .partition(|comment| comment.audience == Audience::Internal);
    let note = |comment: trygg_app::Comment| NoteRow {
        at: comment.at,
        author: comment.author,
        body: comment.body,
    };
    Ok(CasePage {
        id: id.to_string(),
        base: format!("/arenden/{id}"),
        case_number: incident.case_number.to_string(),
        status: label(lang, "status", incident.status.code()),
        outcome: incident.outcome.map(|o| label(lang, "outcome", o.code())),
        version: incident.version,
        seen: timeline.len(),
        saved: None,
        conflict,
        errors,
        facts,
        description: incident.description.clone(),
        classification,
        assignee: incident.assignee.as_deref().map(|subject| {
            let seen = case_workers
                .iter()
                .find(|seen| seen.person.subject == subject);
            person_in_words(seen, subject)
        }),
        deadline: incident
            .authority_notification_due()
            .map(|due| time_left(lang, due, now)),
        follow_up_facts,
        moves: choices(
            moves
                .iter()
                .map(|s| (s.code(), label(lang, "status", s.code()))),
            chosen_move,
        ),
        outcomes: if moves.contains(&trygg_domain::Status::Closed) {
            choices(
                Outcome::ALL
                    .iter()
                    .map(|o| (o.code(), label(lang, "outcome", o.code()))),
                chosen_outcome,
            )
        } else {
            Vec::new()
        },
        assign: AssignForm {
            assignees: people(&entered.or(
                "assignment",
                "assignee",
                incident.assignee.as_deref().unwrap_or(me),
            )),
            offices: choices(
                incident
                    .offices
                    .iter()
                    .map(|o| (o.as_str(), desk.office_label(o.as_str()))),
                &office_choice,
            ),
        },
        classify: ClassifyForm {
            focus_areas: choices(
                desk.catalogue().focus_areas().iter().map(|area| {
                    (
                        area.code.as_str(),
                        lang.pick(&area.label, area.label_en.as_deref()),
                    )
                }),
                &entered.or("classification", "focus_area", incident.focus_area.as_str()),
            ),
            severities: choices(
                Severity::ALL
                    .iter()
                    .map(|s| (s.code(), label(lang, "severity", s.code()))),
                &entered.or("classification", "severity", circumstances.severity.code()),
            ),
            kinds: choices(
                IncidentKind::ALL
                    .iter()
                    .map(|k| (k.code(), label(lang, "kind", k.code()))),
                &entered.or("classification", "kind", circumstances.kind.code()),
            ),
            reason: entered.or("classification", "reason", ""),
        },
        follow_up: FollowUpForm {
            police_report_filed: entered.checked(
                "follow_up",
                "police_report_filed",
                follow_up.police_report_filed,
            ),
            police_reference: entered.or(
                "follow_up",
                "police_reference",
                follow_up.police_reference.as_deref().unwrap_or_default(),
            ),
            notified_date: entered.or("follow_up", "notified_date", notified_date),
            notified_time: entered.or("follow_up", "notified_time", notified_time),
            support_offered: entered.checked(
                "follow_up",
                "support_offered",
                follow_up.support_offered,
            ),
        },
        actions: actions
            .into_iter()
            .map(|action| ActionRow {
                overdue: action.status == ActionStatus::Open && action.due_at < now,
                open: action.status == ActionStatus::Open,
                status: label(lang, "action-status", action.status.code()),
                id: action.id.to_string(),
                description: action.description,
                owner: action.owner,
                due: local_time(action.due_at).format("%Y-%m-%d").to_string(),
            })
            .collect(),
        new_action: ActionForm {
            description: entered.or("action", "description", ""),
            owners: people(&entered.or("action", "owner", me)),
            due: entered.or("action", "due", ""),
        },
        internal: internal.into_iter().map(note).collect(),
        to_reporter: to_reporter.into_iter().map(note).collect(),
        comment_audience: entered.or("comment", "audience", Audience::Internal.code()),
        comment_body: entered.or("comment", "body", ""),
        timeline: timeline
            .iter()
            .map(|event| timeline_row(desk, event))
            .collect(),
        alerts: alerts
            .into_iter()
            .map(|alert| listed(desk, &layout, alert))
            .collect(),
        layout,
    })
}

/// A timeline entry in words: the field's name, and coded values by their labels.
fn timeline_row(desk: &Desk, event: &CaseEvent) -> TimelineRow {
    let lang = desk.lang();
    let text = |value: &Option<String>, labelled: &dyn Fn(&str) -> String| {
        value.as_deref().map_or_else(
            || "–".to_owned(),
            |value| match value {
                "true" => lang.text("case-yes"),
                "false" => lang.text("case-no"),
                value => labelled(value),
            },
        )
    };
    let (field, from, to) = match &event.change {
        Change::Case { field, from, to } => {
            let labelled = |value: &str| match field {
                CaseField::FocusArea => desk.focus_area_label(value),
                CaseField::Status | CaseField::Outcome | CaseField::Severity | CaseField::Kind => {
                    label(lang, field.code(), value)
                }
                _ => value.to_owned(),
            };
            (
                field.code().to_owned(),
                text(from, &labelled),
                text(to, &labelled),
            )
        }
        Change::Offices { from, to } => {
            let offices = |offices: &[String]| {
                offices
                    .iter()
                    .map(|office| desk.office_label(office.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            ("offices".to_owned(), offices(from), offices(to))
        }
        Change::ActionAdded { summary } => ("action".to_owned(), "–".to_owned(), summary.clone()),
        Change::Action {
            field, from, to, ..
        } => {
            let labelled = |value: &str| match field {
                ActionField::Status => label(lang, "action-status", value),
                _ => value.to_owned(),
            };
            (
                format!("action-{}", field.code()),
                text(from, &labelled),
                text(to, &labelled),
            )
        }
    };
    TimelineRow {
        at: event.at,
        actor: event.actor.clone(),
        field: lang.text(&format!("field-{field}")),
        from,
        to,
        reason: event.reason.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn entered_values_belong_to_the_form_sent() {
        let entered = Entered(vec![
            ("form".into(), "follow_up".into()),
            ("police_reference".into(), "5000-K1".into()),
        ]);
        assert_eq!(entered.or("follow_up", "police_reference", "x"), "5000-K1");
        assert_eq!(entered.or("action", "description", "kept"), "kept");
        assert!(!entered.checked("follow_up", "support_offered", true));
        assert!(entered.checked("action", "support_offered", true));
    }

    #[test]
    fn every_language_names_every_timeline_field() {
        let fields: Vec<String> = CaseField::ALL
            .iter()
            .map(|field| field.code().to_owned())
            .chain(["offices".to_owned(), "action".to_owned()])
            .chain(
                ActionField::ALL
                    .iter()
                    .map(|field| format!("action-{}", field.code())),
            )
            .collect();
        for lang in [Lang::Sv, Lang::En] {
            for field in &fields {
                let id = format!("field-{field}");
                assert_ne!(lang.text(&id), id, "{lang:?} {field}");
            }
        }
    }
}
