//! "Mina rapporter": a reporter's own reports, each with what case workers wrote to them and a
//! way to add information. Every read is in the access log, as the API's are.

use actix_web::{HttpResponse, web};
use trygg_app::{App, Cases, OwnReport, OwnReports};
use trygg_app::{CaseFile, Comment, IncidentFilter};
use trygg_domain::{Audience, Catalogue, Description, Entry, Principal};
use uuid::Uuid;

use crate::error::WebError;
use crate::filing::report_facts;
use crate::i18n::Lang;
use crate::session::Visitor;
use crate::templates::{CommentRow, FieldError, Layout, ReportPage, ReportRow, ReportsPage};
use crate::{Form, html, see_other};

const PAGE_SIZE: i64 = 25;

fn signed_in(visitor: &Visitor, catalogue: &Catalogue) -> Result<Principal, WebError> {
    visitor.user()?.principal(catalogue)
}

/// A district's label in the page's language (its code, should the catalogue lose it).
pub(crate) fn district_label(catalogue: &Catalogue, lang: Lang, code: &str) -> String {
    entry_label(catalogue.districts(), lang, code)
}

/// An office's label in the page's language.
pub(crate) fn office_label(catalogue: &Catalogue, lang: Lang, code: &str) -> String {
    entry_label(catalogue.offices(), lang, code)
}

/// A focus area's label in the page's language.
pub(crate) fn focus_area_label(catalogue: &Catalogue, lang: Lang, code: &str) -> String {
    catalogue.focus_area(code).map_or_else(
        |_| code.to_owned(),
        |area| lang.pick(&area.label, area.label_en.as_deref()),
    )
}

/// A catalogue entry's label in the page's language; the code itself if there is none.
fn entry_label<C: AsRef<str>>(entries: &[Entry<C>], lang: Lang, code: &str) -> String {
    entries
        .iter()
        .find(|entry| entry.code.as_ref() == code)
        .map_or_else(
            || code.to_owned(),
            |entry| lang.pick(&entry.label, entry.label_en.as_deref()),
        )
}

/// A code's label in the page's language.
pub(crate) fn label(lang: Lang, prefix: &str, code: &str) -> String {
    lang.text(&format!("{prefix}-{code}"))
}

#[derive(Debug, serde::Deserialize)]
pub struct ListQuery {
    /// The last report of the previous page (its sequence number).
    fore: Option<i64>,
}

/// `GET /mina-rapporter`.
pub async fn list(
    query: web::Query<ListQuery>,
    visitor: Visitor,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    let principal = signed_in(&visitor, app.catalogue())?;
    let filter = IncidentFilter {
        after_cursor: query.fore.filter(|seq| *seq > 0),
        limit: PAGE_SIZE,
        ..IncidentFilter::default()
    };
    let OwnReports { page, unread } = app.list_own_reports(&principal, filter).await?;
    let older_href = page
        .next_cursor
        .map(|seq| format!("/mina-rapporter?fore={seq}"));
    let lang = visitor.lang;
    let reports = page
        .cases
        .into_iter()
        .map(|incident| ReportRow {
            href: format!("/mina-rapporter/{}", incident.id),
            case_number: incident.case_number.to_string(),
            kind: label(lang, "kind", incident.circumstances.kind.code()),
            occurred_at: incident.occurred_at,
            status: label(lang, "status", incident.status.code()),
            unread: unread
                .get(&incident.id.to_string())
                .map(|count| lang.text_count("reports-unread", "count", *count)),
        })
        .collect();
    html(&ReportsPage {
        layout: Layout::new(&visitor, "reports-title"),
        reports,
        older_href,
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct ReportQuery {
    /// Set after information was added, to say so.
    tillagd: Option<String>,
}

/// `GET /mina-rapporter/{id}`.
pub async fn show(
    id: web::Path<Uuid>,
    query: web::Query<ReportQuery>,
    visitor: Visitor,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    let principal = signed_in(&visitor, app.catalogue())?;
    let id = id.into_inner();
    let page = report_page(&visitor, &app, &principal, id).await?;
    if page.comments.iter().any(|comment| comment.new) {
        app.mark_replies_seen(&principal, id).await?;
    }
    html(&ReportPage {
        added: query.tillagd.is_some(),
        ..page
    })
}

async fn report_page(
    visitor: &Visitor,
    app: &App,
    principal: &Principal,
    id: Uuid,
) -> Result<ReportPage, WebError> {
    let OwnReport {
        file: CaseFile {
            incident, comments, ..
        },
        unread,
    } = app.read_own_report(principal, id).await?;
    let catalogue = app.catalogue();
    let lang = visitor.lang;
    let layout = Layout::new(visitor, "report-title");
    let mut facts = report_facts(&incident, catalogue, lang, &["focus_area", "description"]);
    facts.push((
        layout.t("report-received"),
        layout.local(&incident.received_at),
    ));
    // The newest `unread` messages from others are the ones not seen before.
    let mut unseen = unread;
    let mut comments: Vec<CommentRow> = comments
        .into_iter()
        .rev()
        .map(|comment: Comment| {
            let from_me = comment.author == principal.subject();
            let new = !from_me && unseen > 0;
            unseen -= i64::from(new);
            CommentRow {
                from_me,
                new,
                at: comment.at,
                body: comment.body,
            }
        })
        .collect();
    comments.reverse();
    Ok(ReportPage {
        layout,
        case_number: incident.case_number.to_string(),
        status: label(lang, "status", incident.status.code()),
        status_explained: label(lang, "status-explained", incident.status.code()),
        facts,
        description: incident.description,
        comments,
        action: format!("/mina-rapporter/{id}/komplettera"),
        addition: String::new(),
        errors: Vec::new(),
        added: false,
    })
}

/// `POST /mina-rapporter/{id}/komplettera`: the reporter adds information, as a comment the
/// case workers and the reporter see.
pub async fn add_information(
    id: web::Path<Uuid>,
    form: Form,
    visitor: Visitor,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    visitor.check_csrf(&form)?;
    let principal = signed_in(&visitor, app.catalogue())?;
    let id = id.into_inner();
    let typed = form
        .iter()
        .find(|(name, _)| name == "addition")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    let text = match Description::parse(&typed) {
        Ok(text) => text,
        Err(_) => {
            let problem = if typed.trim().is_empty() {
                "missing"
            } else {
                "invalid"
            };
            let page = report_page(&visitor, &app, &principal, id).await?;
            let mut response = html(&ReportPage {
                addition: typed,
                errors: vec![FieldError {
                    field: "addition".into(),
                    message: visitor.lang.text(&format!("error-addition-{problem}")),
                    href: "#field-addition".into(),
                }],
                ..page
            })?;
            *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
    };
    app.comment(&principal, id, Cases::Own, Audience::Reporter, text)
        .await?;
    Ok(see_other(&format!("/mina-rapporter/{id}?tillagd=1")))
}
