//! The case page's forms. Each reads what was sent, lets the domain decide on the case as it
//! is now (inside the storage transaction, under the version the visitor read), and then
//! either goes back to the case page, or shows it again with the visitor's input kept and
//! what stopped it: a rule (422), or someone else's change made meanwhile (409).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveTime};
use trygg_domain::statistics::from_local_time;
use trygg_domain::text::{self, TextError};
use trygg_domain::{
    ActionStatus, Audience, Catalogue, Description, FollowUp, FollowUpError, IncidentKind,
    MAX_REASON_CHARS, Outcome, Principal, Reclassification, Severity, Status, WorkflowError,
    check_case_worker, check_due, may_comment,
};
use trygg_notifier::{Routing, Wakeup};
use trygg_storage::{ActionUpdate, Amended, Amendment, Comment, Incident, NewAction};
use uuid::Uuid;

use super::Desk;
use super::case::{Entered, Refusal, case_page, form_of};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::templates::FieldError;
use crate::{Form, html, see_other};

/// A form sent from the case page, its token checked.
struct Sent {
    id: Uuid,
    entered: Entered,
    /// The case's version when the visitor read it.
    version: i64,
    /// How many timeline entries the visitor had seen.
    seen: usize,
}

impl Sent {
    fn read(desk: &Desk, id: web::Path<Uuid>, form: Form) -> Result<Sent, WebError> {
        desk.visitor.check_csrf(&form)?;
        let entered = Entered(form.into_inner());
        let version = entered.get("version").and_then(|v| v.parse::<i64>().ok());
        let seen = entered.get("seen").and_then(|v| v.parse::<usize>().ok());
        let (Some(version), Some(seen)) = (version, seen) else {
            return Err(WebError::BadForm);
        };
        Ok(Sent {
            id: id.into_inner(),
            version,
            seen,
            entered,
        })
    }

    fn field(&self, name: &str) -> &str {
        self.entered.get(name).unwrap_or_default()
    }
}

/// One thing wrong with one field, in the page's language.
fn invalid(lang: Lang, field: &str, message_id: &str) -> Vec<FieldError> {
    vec![FieldError {
        field: field.to_owned(),
        message: lang.text(message_id),
        href: format!("#field-{field}"),
    }]
}

/// The message for a text that was refused: missing, or not acceptable.
fn text_message(base: &str, error: TextError) -> String {
    match error {
        TextError::Blank => format!("{base}-missing"),
        TextError::TooLong { .. } | TextError::ControlCharacter | TextError::BidiControl => {
            format!("{base}-invalid")
        }
    }
}

/// The case page again, with what the visitor sent and why it was not saved.
async fn refused(desk: &Desk, sent: &Sent, refusal: Refusal) -> Result<HttpResponse, WebError> {
    let status = match refusal {
        Refusal::Conflict { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = case_page(desk, sent.id, &sent.entered, refusal).await?;
    let mut response = html(&page)?;
    *response.status_mut() = status;
    Ok(response)
}

/// Back to the case, saying what was saved (`what`), at the form that saved it.
fn saved(id: Uuid, what: &str) -> HttpResponse {
    see_other(&format!("/arenden/{id}?sparat={what}#{}", form_of(what)))
}

/// Stores the amendment `decide` makes of the case as it is now, if the visitor read the
/// current version; otherwise shows the page again.
async fn amend(
    desk: &Desk,
    sent: Sent,
    form: &str,
    decide: impl FnOnce(&Incident) -> Result<Amendment, Vec<FieldError>> + Send + 'static,
) -> Result<HttpResponse, WebError> {
    let (database, scope) = (desk.database.clone(), desk.scope.clone());
    let (id, version, actor) = (sent.id, sent.version, desk.principal.subject().to_owned());
    let amended = web::block(move || database.amend(id, scope, version, actor, decide)).await??;
    let refusal = match amended {
        Amended::Done { .. } => return Ok(saved(id, form)),
        Amended::NotFound => return Err(desk.not_worked(id).await),
        Amended::NoSuchAction => return Err(WebError::NotFound),
        Amended::Stale { .. } => Refusal::Conflict { seen: sent.seen },
        Amended::Refused(errors) => Refusal::Invalid(errors),
    };
    refused(desk, &sent, refusal).await
}

/// `POST /arenden/{id}/status`: a move offered on the page; closing takes an outcome.
pub async fn change_status(
    id: web::Path<Uuid>,
    form: Form,
    desk: Desk,
) -> Result<HttpResponse, WebError> {
    let sent = Sent::read(&desk, id, form)?;
    let lang = desk.lang();
    let Ok(status) = sent.field("status").parse::<Status>() else {
        let errors = invalid(lang, "status", "case-error-status-missing");
        return refused(&desk, &sent, Refusal::Invalid(errors)).await;
    };
    // Only closing takes an outcome; the outcome buttons stay on the page for the others.
    let outcome = match (status, sent.field("outcome")) {
        (Status::Closed, "") => None,
        (Status::Closed, code) => match code.parse::<Outcome>() {
            Ok(outcome) => Some(outcome),
            Err(_) => {
                let errors = invalid(lang, "outcome", "case-error-outcome-missing");
                return refused(&desk, &sent, Refusal::Invalid(errors)).await;
            }
        },
        _ => None,
    };
    let principal = desk.principal.clone();
    let decide = move |current: &Incident| match trygg_domain::change_status(
        current.status,
        status,
        outcome,
        &principal,
    ) {
        Ok(outcome) => Ok(Amendment {
            status: Some(status),
            outcome: Some(outcome),
            ..Amendment::default()
        }),
        Err(WorkflowError::OutcomeRequired) => {
            Err(invalid(lang, "outcome", "case-error-outcome-missing"))
        }
        Err(_) => Err(invalid(lang, "status", "case-error-status-not-allowed")),
    };
    amend(&desk, sent, "status", decide).await
}

/// `POST /arenden/{id}/tilldelning`: to a handler of one of the case's offices.
pub async fn assign(id: web::Path<Uuid>, form: Form, desk: Desk) -> Result<HttpResponse, WebError> {
    let sent = Sent::read(&desk, id, form)?;
    let lang = desk.lang();
    let (assignee, known) = match candidate(&desk, "assignee", sent.field("assignee")).await? {
        Ok(candidate) => candidate,
        Err(errors) => return refused(&desk, &sent, Refusal::Invalid(errors)).await,
    };
    let office = sent.field("office").to_owned();
    let decide = move |current: &Incident| {
        if !current.offices.contains(&office) {
            return Err(invalid(lang, "office", "case-error-office"));
        }
        check_case_worker(
            "assignee",
            known.as_ref(),
            &current.offices,
            &current.reporter,
        )
        .map_err(|_| invalid(lang, "assignee", "case-error-assignee-not-case-worker"))?;
        Ok(Amendment {
            assignee: Some(assignee),
            ..Amendment::default()
        })
    };
    amend(&desk, sent, "assignment", decide).await
}

/// Someone chosen to get the case or an action (`field`): their user id and what the service
/// knows of them, or why the choice cannot stand.
async fn candidate(
    desk: &Desk,
    field: &str,
    chosen: &str,
) -> Result<Result<(String, Option<Principal>), Vec<FieldError>>, WebError> {
    let subject = match text::line(chosen, text::MAX_USER_ID_CHARS) {
        Ok(subject) => subject,
        Err(error) => {
            let message = text_message(&format!("case-error-{field}"), error);
            return Ok(Err(invalid(desk.lang(), field, &message)));
        }
    };
    let (database, catalogue, wanted) = (
        desk.database.clone(),
        desk.catalogue.clone(),
        subject.clone(),
    );
    let known = web::block(move || database.known_principal(&wanted, &catalogue)).await??;
    Ok(Ok((subject, known)))
}

/// `POST /arenden/{id}/klassning`: what changed of focus area, severity and kind, with a reason;
/// receivers the new classification reaches are alerted.
pub async fn reclassify(
    id: web::Path<Uuid>,
    form: Form,
    desk: Desk,
    routing: web::Data<Routing>,
    wakeup: web::Data<Wakeup>,
) -> Result<HttpResponse, WebError> {
    let sent = Sent::read(&desk, id, form)?;
    let lang = desk.lang();
    let focus_area = sent.field("focus_area").to_owned();
    let severity = sent.field("severity").parse::<Severity>();
    let kind = sent.field("kind").parse::<IncidentKind>();
    let (Ok(severity), Ok(kind)) = (severity, kind) else {
        return Err(WebError::BadForm);
    };
    if let Err(error) = text::prose(sent.field("reason"), MAX_REASON_CHARS) {
        let errors = invalid(lang, "reason", &text_message("case-error-reason", error));
        return refused(&desk, &sent, Refusal::Invalid(errors)).await;
    }
    let reason = sent.field("reason").to_owned();
    let (principal, catalogue): (_, web::Data<Catalogue>) =
        (desk.principal.clone(), desk.catalogue.clone());
    let decide = move |current: &Incident| {
        // Only what differs from the case is a change.
        let focus_area = (focus_area != current.focus_area).then_some(focus_area.as_str());
        let severity = (severity != current.circumstances.severity).then_some(severity);
        let kind = (kind != current.circumstances.kind).then_some(kind);
        if focus_area.is_none() && severity.is_none() && kind.is_none() {
            return Err(invalid(
                lang,
                "focus_area",
                "case-error-classification-unchanged",
            ));
        }
        let parsed =
            Reclassification::parse(&catalogue, focus_area, severity, kind, &reason, &principal)
                .map_err(|_| invalid(lang, "focus_area", "case-error-focus-area"))?;
        Ok(routing.reclassify(current, parsed))
    };
    let response = amend(&desk, sent, "classification", decide).await?;
    wakeup.notify_one();
    Ok(response)
}

/// `POST /arenden/{id}/uppfoljning`: the follow-up facts, replaced whole.
pub async fn record_follow_up(
    id: web::Path<Uuid>,
    form: Form,
    desk: Desk,
) -> Result<HttpResponse, WebError> {
    let sent = Sent::read(&desk, id, form)?;
    let lang = desk.lang();
    let refuse = |field, message| Refusal::Invalid(invalid(lang, field, message));
    let now = desk.clock.now();
    let notified_at = match (sent.field("notified_date"), sent.field("notified_time")) {
        // The deadline's own button: notified just now.
        _ if sent.field("notified_now") == "1" => Some(now),
        ("", "") => None,
        (date, time) => {
            let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d");
            let time = NaiveTime::parse_from_str(time.trim(), "%H:%M");
            match (date, time) {
                (Ok(date), Ok(time)) => Some(from_local_time(date.and_time(time))),
                (Err(_), _) => {
                    let refusal = refuse("notified_date", "case-error-notified-invalid");
                    return refused(&desk, &sent, refusal).await;
                }
                (_, Err(_)) => {
                    let refusal = refuse("notified_time", "case-error-notified-invalid");
                    return refused(&desk, &sent, refusal).await;
                }
            }
        }
    };
    let reference = Some(sent.field("police_reference")).filter(|r| !r.trim().is_empty());
    let follow_up = FollowUp::parse(
        sent.entered.get("police_report_filed").is_some(),
        reference,
        notified_at,
        sent.entered.get("support_offered").is_some(),
        now,
    );
    let follow_up = match follow_up {
        Ok(follow_up) => follow_up,
        Err(error) => {
            let (field, message) = match error {
                WorkflowError::InvalidFollowUp(FollowUpError::NotifiedInFuture) => {
                    ("notified_date", "case-error-notified-future")
                }
                WorkflowError::InvalidFollowUp(FollowUpError::ReferenceWithoutReport) => {
                    ("police_reference", "case-error-reference-without-report")
                }
                _ => ("police_reference", "case-error-reference-invalid"),
            };
            return refused(&desk, &sent, refuse(field, message)).await;
        }
    };
    let notified_before_incident =
        invalid(lang, "notified_date", "case-error-notified-before-incident");
    let decide = move |current: &Incident| match follow_up.check_against(current.occurred_at) {
        Ok(()) => Ok(Amendment {
            follow_up: Some(follow_up),
            ..Amendment::default()
        }),
        Err(_) => Err(notified_before_incident),
    };
    amend(&desk, sent, "follow_up", decide).await
}

/// `POST /arenden/{id}/atgarder`: a new action, due at the end of the day given.
pub async fn add_action(
    id: web::Path<Uuid>,
    form: Form,
    desk: Desk,
) -> Result<HttpResponse, WebError> {
    let sent = Sent::read(&desk, id, form)?;
    let lang = desk.lang();
    let mut errors = Vec::new();
    let description = Description::parse(sent.field("description")).map_err(|error| {
        errors.extend(invalid(
            lang,
            "description",
            &text_message("case-error-action", error),
        ));
    });
    let owner = candidate(&desk, "owner", sent.field("owner"))
        .await?
        .map_err(|invalid| errors.extend(invalid));
    let end_of_day = NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default();
    let due_at = NaiveDate::parse_from_str(sent.field("due").trim(), "%Y-%m-%d")
        .map(|date| from_local_time(date.and_time(end_of_day)))
        .map_err(|_| errors.extend(invalid(lang, "due", "case-error-due-invalid")));
    let (Ok(description), Ok((owner, known)), Ok(due_at)) = (description, owner, due_at) else {
        return refused(&desk, &sent, Refusal::Invalid(errors)).await;
    };
    let action = NewAction {
        id: Uuid::now_v7(),
        description: description.as_str().to_owned(),
        owner,
        due_at,
    };
    let (now, due_out_of_range) = (
        desk.clock.now(),
        invalid(lang, "due", "case-error-due-range"),
    );
    let decide = move |current: &Incident| {
        check_due(action.due_at, current.received_at, now).map_err(|_| due_out_of_range)?;
        check_case_worker("owner", known.as_ref(), &current.offices, &current.reporter)
            .map_err(|_| invalid(lang, "owner", "case-error-owner-not-case-worker"))?;
        Ok(Amendment {
            new_action: Some(action),
            ..Amendment::default()
        })
    };
    amend(&desk, sent, "action", decide).await
}

/// `POST /arenden/{id}/atgarder/status`: an action done or cancelled.
pub async fn change_action(
    id: web::Path<Uuid>,
    form: Form,
    desk: Desk,
) -> Result<HttpResponse, WebError> {
    let sent = Sent::read(&desk, id, form)?;
    let action = sent.field("action").parse::<Uuid>();
    let status = sent.field("status").parse::<ActionStatus>();
    let (Ok(action), Ok(status)) = (action, status) else {
        return Err(WebError::BadForm);
    };
    let update = ActionUpdate {
        id: action,
        status: Some(status),
        owner: None,
        due_at: None,
    };
    let amendment = Amendment {
        action_update: Some(update),
        ..Amendment::default()
    };
    amend(&desk, sent, "action_status", move |_: &Incident| {
        Ok(amendment)
    })
    .await
}

/// `POST /arenden/{id}/anteckningar`: an internal note, or a message the reporter sees too.
/// Comments add to a case without changing it, so they need no version.
pub async fn add_comment(
    id: web::Path<Uuid>,
    form: Form,
    desk: Desk,
) -> Result<HttpResponse, WebError> {
    let sent = Sent::read(&desk, id, form)?;
    let Ok(audience) = sent.field("audience").parse::<Audience>() else {
        return Err(WebError::BadForm);
    };
    let body = match Description::parse(sent.field("body")) {
        Ok(body) => body,
        Err(error) => {
            let message = text_message("case-error-comment", error);
            let errors = invalid(desk.lang(), "body", &message);
            return refused(&desk, &sent, Refusal::Invalid(errors)).await;
        }
    };
    let comment = Comment {
        at: desk.clock.now(),
        author: desk.principal.subject().to_owned(),
        audience,
        body: body.as_str().to_owned(),
    };
    // The case is among those the visitor works (the scope), so either audience is theirs.
    let permit = move |_: &Incident| may_comment(audience, true, false);
    let (database, scope, id) = (desk.database.clone(), desk.scope.clone(), sent.id);
    web::block(move || database.add_comment(id, scope, comment, permit))
        .await??
        .ok_or(WebError::NotFound)?
        .map_err(|_| WebError::Forbidden)?;
    Ok(saved(
        id,
        match audience {
            Audience::Reporter => "reporter_message",
            Audience::Internal => "comment",
        },
    ))
}
