//! "Rapportera en händelse": a report one short group of questions per page, a page to check
//! the answers, and a receipt. The answers are kept as a draft after every page, so a lost
//! session or a closed tab loses nothing; sending goes through the same domain rules, routing
//! and storage as the API, idempotently.

mod answers;
mod steps;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use trygg_app::{App, Error, Filed, FilingKey, Replay};
use trygg_app::{Incident, Purpose};
use trygg_domain::{Catalogue, Principal, ReportError};
use uuid::Uuid;

use answers::Answers;
use steps::Step;

use crate::error::WebError;
use crate::i18n::Lang;
use crate::session::{SessionUser, Visitor};
use crate::templates::{CheckPage, DraftPage, FieldError, Layout, QuestionPage, ReceiptPage};
use crate::{Form, html, see_other};

/// A filed report's facts as the form asked them, in the reporter's words' order, for the
/// case page: all but the questions named (which the case page shows as case work has them).
pub(crate) fn report_facts(
    incident: &Incident,
    catalogue: &Catalogue,
    lang: Lang,
    leave_out: &[&str],
) -> Vec<(String, String)> {
    steps::facts(&Answers::of_case(incident), catalogue, lang, leave_out)
}

/// The signed-in reporter, with what they may do.
fn reporter(
    visitor: &Visitor,
    catalogue: &Catalogue,
) -> Result<(SessionUser, Principal), WebError> {
    let user = visitor.user()?.clone();
    let principal = user.principal(catalogue)?;
    if principal.may_file() {
        Ok((user, principal))
    } else {
        Err(WebError::Forbidden)
    }
}

/// A reporter's report in the making: whose, the answers so far, and the time it is.
struct Draft {
    subject: String,
    answers: Answers,
    now: DateTime<Utc>,
}

async fn open_draft(visitor: &Visitor, app: &App) -> Result<Draft, WebError> {
    let (user, _) = reporter(visitor, app.catalogue())?;
    let answers = load(app, &user.subject).await?;
    Ok(Draft {
        subject: user.subject,
        answers,
        now: app.clock().now(),
    })
}

async fn load(app: &App, subject: &str) -> Result<Answers, WebError> {
    let stored = app.draft(subject).await?;
    Ok(stored
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_else(Answers::new))
}

async fn save(app: &App, subject: &str, answers: &Answers) -> Result<(), WebError> {
    let json = serde_json::to_string(answers).map_err(WebError::internal)?;
    Ok(app.save_draft(subject, json).await?)
}

/// Whether the signed-in visitor has answers waiting.
pub async fn has_draft(app: &App, visitor: &Visitor) -> Result<bool, WebError> {
    let Some(user) = &visitor.user else {
        return Ok(false);
    };
    Ok(!load(app, &user.subject).await?.is_empty())
}

/// `GET /rapportera`: a new report begins at the first question; a report begun and not sent
/// is offered to continue (at the first question not yet answered, or the check page) or to
/// throw away, never continued unasked.
pub async fn begin(visitor: Visitor, app: web::Data<App>) -> Result<HttpResponse, WebError> {
    let Draft { answers, now, .. } = open_draft(&visitor, &app).await?;
    let catalogue = app.catalogue();
    let continue_href = match steps::first_unanswered(&answers, catalogue, now) {
        Some(step) => step.href(),
        None => "/rapportera/kontrollera".to_owned(),
    };
    if answers.is_empty() {
        return Ok(see_other(&continue_href));
    }
    let answered = steps::facts(&answers, catalogue, visitor.lang, &[])
        .into_iter()
        .filter(|(_, answer)| !answer.is_empty())
        .collect();
    html(&DraftPage {
        layout: Layout::new(&visitor, "draft-title"),
        answered,
        continue_href,
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct StepQuery {
    /// Set by the check page's change links: come back there afterwards.
    andra: Option<String>,
    /// Set when the session ran out as this page was sent: its answers were not kept.
    utgangen: Option<String>,
}

/// `GET /rapportera/{step}`.
pub async fn show_step(
    slug: web::Path<String>,
    query: web::Query<StepQuery>,
    visitor: Visitor,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    let Draft { answers, now, .. } = open_draft(&visitor, &app).await?;
    let catalogue = app.catalogue();
    let step = Step::from_slug(&slug).ok_or(WebError::NotFound)?;
    if let Some(earlier) = steps::first_unanswered(&answers, catalogue, now)
        .filter(|earlier| *earlier < step)
        .or_else(|| (!step.applies(&answers)).then_some(Step::Kind))
    {
        return Ok(see_other(&earlier.href()));
    }
    // Sent here from the check page, perhaps by one of its errors: say here what is wrong.
    let errors = if query.andra.is_some() {
        steps::errors(step, &answers, catalogue, now, visitor.lang)
    } else {
        Vec::new()
    };
    let mut page = question_page(
        &visitor,
        step,
        &answers,
        catalogue,
        errors,
        query.andra.is_some(),
        now,
    );
    if query.utgangen.is_some() {
        page.notice = Some(visitor.lang.text("session-expired-notice"));
    }
    html(&page)
}

/// `POST /rapportera/{step}`: keeps the answers whatever they are, then moves on or shows
/// what needs fixing.
pub async fn answer_step(
    slug: web::Path<String>,
    form: Form,
    visitor: Visitor,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    visitor.check_csrf(&form)?;
    let Draft {
        subject,
        mut answers,
        now,
    } = open_draft(&visitor, &app).await?;
    let catalogue = app.catalogue();
    let step = Step::from_slug(&slug).ok_or(WebError::NotFound)?;
    answers.take(step.fields(), &form);
    save(&app, &subject, &answers).await?;

    let return_to_check = form.iter().any(|(name, _)| name == "return_to_check");
    let errors = steps::errors(step, &answers, catalogue, now, visitor.lang);
    if !errors.is_empty() {
        let page = question_page(
            &visitor,
            step,
            &answers,
            catalogue,
            errors,
            return_to_check,
            now,
        );
        let mut response = html(&page)?;
        *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let next = if return_to_check {
        steps::first_unanswered(&answers, catalogue, now)
    } else {
        step.next(&answers)
    };
    Ok(see_other(&next.map_or_else(
        || "/rapportera/kontrollera".to_owned(),
        Step::href,
    )))
}

fn question_page(
    visitor: &Visitor,
    step: Step,
    answers: &Answers,
    catalogue: &Catalogue,
    errors: Vec<FieldError>,
    return_to_check: bool,
    now: DateTime<Utc>,
) -> QuestionPage {
    let lang = visitor.lang;
    let position = steps::position(step, answers);
    QuestionPage {
        layout: Layout::new(visitor, step.title_id()),
        heading: lang.text(step.title_id()),
        intro: lang.optional_text(&format!("{}-intro", step.title_id())),
        action: step.href(),
        back: if return_to_check {
            Some("/rapportera/kontrollera".to_owned())
        } else {
            step.previous(answers)
                .map(Step::href)
                .or(Some("/".to_owned()))
        },
        questions: steps::questions(step, answers, catalogue, &errors, lang, now),
        errors,
        notice: None,
        return_to_check,
        step_label: lang.text_with(
            "step-of",
            &[
                ("step", &position.0.to_string()),
                ("steps", &position.1.to_string()),
            ],
        ),
    }
}

/// `GET /rapportera/kontrollera`.
pub async fn check(visitor: Visitor, app: web::Data<App>) -> Result<HttpResponse, WebError> {
    let Draft { answers, now, .. } = open_draft(&visitor, &app).await?;
    let catalogue = app.catalogue();
    if let Some(step) = steps::first_unanswered(&answers, catalogue, now) {
        return Ok(see_other(&step.href()));
    }
    html(&check_page(&visitor, &answers, catalogue, Vec::new()))
}

fn check_page(
    visitor: &Visitor,
    answers: &Answers,
    catalogue: &Catalogue,
    errors: Vec<FieldError>,
) -> CheckPage {
    CheckPage {
        layout: Layout::new(visitor, "check-title"),
        answers: steps::summary(answers, catalogue, visitor.lang),
        errors,
    }
}

/// `POST /rapportera/skicka`: files the report, once however often the form is sent.
pub async fn send(
    form: Form,
    visitor: Visitor,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    visitor.check_csrf(&form)?;
    let catalogue = app.catalogue();
    let (_, principal) = reporter(&visitor, catalogue)?;
    let Draft {
        subject,
        answers,
        now,
    } = open_draft(&visitor, &app).await?;
    if let Some(step) = steps::first_unanswered(&answers, catalogue, now) {
        return Ok(see_other(&step.href()));
    }
    let admitted = app.admit_filing(&principal)?;
    let draft = answers
        .draft()
        .ok_or_else(|| WebError::internal("answered but no draft"))?;
    let key = FilingKey {
        key: format!("web:{}", answers.key),
        fingerprint: answers.fingerprint(),
    };
    // A replay (a second click, a resent form) shows the receipt of the case the first filed.
    let id = match app.file(admitted, draft, Some(key), Replay::Id).await {
        Ok(Filed::New(incident)) => incident.id,
        Ok(Filed::Again { id, .. }) => id,
        Err(refusal) => {
            let errors = match refusal {
                Error::InvalidReport(ReportError { violations }) => {
                    steps::violations(&violations, visitor.lang)
                }
                // Sent before, and changed since: what was sent stands, and the changes wait
                // here, not lost, for the reporter to decide on.
                Error::KeyReused => vec![FieldError {
                    field: "answers".into(),
                    message: visitor.lang.text("check-error-already-sent"),
                    href: "/mina-rapporter".into(),
                }],
                other => return Err(other.into()),
            };
            let mut response = html(&check_page(&visitor, &answers, catalogue, errors))?;
            *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
    };
    app.discard_draft(&subject).await?;
    Ok(see_other(&format!("/rapportera/kvitto/{id}")))
}

/// `POST /rapportera/borja-om`: forgets the draft.
pub async fn start_over(
    form: Form,
    visitor: Visitor,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    visitor.check_csrf(&form)?;
    app.discard_draft(&visitor.user()?.subject).await?;
    Ok(see_other("/rapportera"))
}

/// `GET /rapportera/kvitto/{id}`: the case number, what happens next, where to get help.
pub async fn receipt(
    id: web::Path<Uuid>,
    visitor: Visitor,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    let (_, principal) = reporter(&visitor, app.catalogue())?;
    let id = id.into_inner();
    let incident = app.read_case(&principal, id, Purpose::WebReceipt).await?;
    let page = ReceiptPage {
        layout: Layout::new(&visitor, "receipt-title"),
        case_number: incident.case_number.to_string(),
        report_href: format!("/mina-rapporter/{id}"),
    };
    html(&page)
}
