//! The case page's forms. Each reads what was sent, lets the domain decide on the case as it
//! is now (inside the storage transaction, under the version the visitor read), and then
//! either goes back to the case page, or shows it again with the visitor's input kept and
//! what stopped it: a rule (422), or someone else's change made meanwhile (409).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveTime};
use trygg_app::{ActionChange, Answer, Cases, Change, Error};
use trygg_domain::text::{self, TextError};
use trygg_domain::time::from_local_time;
use trygg_domain::{
    ActionStatus, Audience, Description, FollowUp, FollowUpError, IncidentKind, MAX_REASON_CHARS,
    Outcome, Reclassification, Severity, Status, WorkflowError,
};
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

/// Makes `change` to the case, if the visitor read its current version; otherwise shows the
/// page again, with what stopped it.
async fn amend(
    desk: &Desk,
    sent: Sent,
    form: &str,
    change: Change,
) -> Result<HttpResponse, WebError> {
    let (id, version) = (sent.id, sent.version);
    let changed = desk
        .app
        .change_case(&desk.principal, id, version, change, Answer::Nothing)
        .await;
    let refusal = match changed {
        Ok(_) => return Ok(saved(id, form)),
        Err(Error::Stale { .. }) => Refusal::Conflict { seen: sent.seen },
        Err(Error::Rule(rule)) => Refusal::Invalid(rule_broken(desk.lang(), &rule)),
        Err(other) => return Err(other.into()),
    };
    refused(desk, &sent, refusal).await
}

/// The field a rule is about, and what the page says of it.
fn rule_broken(lang: Lang, rule: &WorkflowError) -> Vec<FieldError> {
    let (field, message) = match rule {
        WorkflowError::OutcomeRequired => ("outcome", "case-error-outcome-missing"),
        WorkflowError::IllegalTransition { .. }
        | WorkflowError::UnexpectedOutcome
        | WorkflowError::ReopenNeedsSecurityManager
        | WorkflowError::NotCaseWorker
        | WorkflowError::InternalCommentNeedsCaseWorker => {
            ("status", "case-error-status-not-allowed")
        }
        WorkflowError::NotResponsibleOffice { .. } => ("office", "case-error-office"),
        WorkflowError::NotAssignable { field, .. } if *field == "assignee" => {
            ("assignee", "case-error-assignee-not-case-worker")
        }
        WorkflowError::NotAssignable { .. } => ("owner", "case-error-owner-not-case-worker"),
        WorkflowError::InvalidReclassification(_) => ("focus_area", "case-error-focus-area"),
        WorkflowError::ClassificationUnchanged => {
            ("focus_area", "case-error-classification-unchanged")
        }
        WorkflowError::DueOutOfRange => ("due", "case-error-due-range"),
        WorkflowError::InvalidFollowUp(error) => match error {
            FollowUpError::NotifiedInFuture => ("notified_date", "case-error-notified-future"),
            FollowUpError::NotifiedBeforeIncident => {
                ("notified_date", "case-error-notified-before-incident")
            }
            FollowUpError::ReferenceWithoutReport => {
                ("police_reference", "case-error-reference-without-report")
            }
            FollowUpError::PoliceReference(_) => {
                ("police_reference", "case-error-reference-invalid")
            }
        },
    };
    invalid(lang, field, message)
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
    amend(&desk, sent, "status", Change::Status { status, outcome }).await
}

/// `POST /arenden/{id}/tilldelning`: to a handler of one of the case's offices.
pub async fn assign(id: web::Path<Uuid>, form: Form, desk: Desk) -> Result<HttpResponse, WebError> {
    let sent = Sent::read(&desk, id, form)?;
    let assignee = match user_id(&desk, "assignee", sent.field("assignee")) {
        Ok(assignee) => assignee,
        Err(errors) => return refused(&desk, &sent, Refusal::Invalid(errors)).await,
    };
    let Ok(office) = desk.catalogue().office(sent.field("office")) else {
        let errors = invalid(desk.lang(), "office", "case-error-office");
        return refused(&desk, &sent, Refusal::Invalid(errors)).await;
    };
    let assign = Change::Assign { assignee, office };
    amend(&desk, sent, "assignment", assign).await
}

/// Someone chosen to get the case or an action (`field`): their user id, or why it cannot
/// be one.
fn user_id(desk: &Desk, field: &str, chosen: &str) -> Result<String, Vec<FieldError>> {
    text::line(chosen, text::MAX_USER_ID_CHARS).map_err(|error| {
        let message = text_message(&format!("case-error-{field}"), error);
        invalid(desk.lang(), field, &message)
    })
}

/// `POST /arenden/{id}/klassning`: what changed of focus area, severity and kind, with a reason;
/// receivers the new classification reaches are alerted.
pub async fn reclassify(
    id: web::Path<Uuid>,
    form: Form,
    desk: Desk,
) -> Result<HttpResponse, WebError> {
    let sent = Sent::read(&desk, id, form)?;
    let lang = desk.lang();
    let severity = sent.field("severity").parse::<Severity>();
    let kind = sent.field("kind").parse::<IncidentKind>();
    let (Ok(severity), Ok(kind)) = (severity, kind) else {
        return Err(WebError::BadForm);
    };
    if let Err(error) = text::prose(sent.field("reason"), MAX_REASON_CHARS) {
        let errors = invalid(lang, "reason", &text_message("case-error-reason", error));
        return refused(&desk, &sent, Refusal::Invalid(errors)).await;
    }
    // The form names all three; the case keeps what is unchanged.
    let reclassification = Reclassification::parse(
        desk.app.catalogue(),
        Some(sent.field("focus_area")),
        Some(severity),
        Some(kind),
        sent.field("reason"),
        &desk.principal,
    );
    match reclassification {
        Ok(reclassification) => {
            let change = Change::Reclassify(reclassification);
            amend(&desk, sent, "classification", change).await
        }
        Err(rule) => refused(&desk, &sent, Refusal::Invalid(rule_broken(lang, &rule))).await,
    }
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
    let now = desk.now();
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
    match follow_up {
        Ok(follow_up) => amend(&desk, sent, "follow_up", Change::FollowUp(follow_up)).await,
        Err(rule) => refused(&desk, &sent, Refusal::Invalid(rule_broken(lang, &rule))).await,
    }
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
    let owner =
        user_id(&desk, "owner", sent.field("owner")).map_err(|invalid| errors.extend(invalid));
    let end_of_day = NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default();
    let due_at = NaiveDate::parse_from_str(sent.field("due").trim(), "%Y-%m-%d")
        .map(|date| from_local_time(date.and_time(end_of_day)))
        .map_err(|_| errors.extend(invalid(lang, "due", "case-error-due-invalid")));
    let (Ok(description), Ok(owner), Ok(due_at)) = (description, owner, due_at) else {
        return refused(&desk, &sent, Refusal::Invalid(errors)).await;
    };
    let action = Change::AddAction {
        id: Uuid::now_v7(),
        description,
        owner,
        due_at,
    };
    amend(&desk, sent, "action", action).await
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
    let update = ActionChange {
        id: action,
        status: Some(status),
        owner: None,
        due_at: None,
    };
    amend(&desk, sent, "action_status", Change::ChangeAction(update)).await
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
    desk.app
        .comment(&desk.principal, sent.id, Cases::Worked, audience, body)
        .await?;
    let id = sent.id;
    Ok(saved(
        id,
        match audience {
            Audience::Reporter => "reporter_message",
            Audience::Internal => "comment",
        },
    ))
}
