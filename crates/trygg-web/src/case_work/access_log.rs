//! The access log on the web, for security managers: who read a case (or what a user read) and
//! when, newest first; and the hash chains' check, as `trygg audit verify` makes it.

use actix_web::{HttpResponse, web};
use trygg_app::AccessEntries;
use trygg_app::{AccessFilter, AccessPage};
use trygg_domain::CaseNumber;
use uuid::Uuid;

use super::Desk;
use crate::error::WebError;
use crate::templates::{AccessLogPage, AccessRow, ChainCheckPage, FieldError, Layout};

/// Entries a page shows.
const PAGE_SIZE: i64 = 50;
/// People a search by name offers at most.
const CANDIDATES: usize = 20;

use crate::{html, urlencode};

#[derive(Debug, serde::Deserialize)]
pub struct AccessQuery {
    /// A case number (`TRG-2026-000123`) or a case's id (as the case page links here).
    arende: Option<String>,
    anvandare: Option<String>,
    /// The last entry of the page before (older entries follow).
    fore: Option<i64>,
}

/// `GET /atkomstlogg?arende=…&anvandare=…`: newest first.
pub async fn list(query: web::Query<AccessQuery>, desk: Desk) -> Result<HttpResponse, WebError> {
    desk.app.may_audit(&desk.principal)?;
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (case, user) = (given(&query.arende), given(&query.anvandare));
    let layout = Layout::new(&desk.visitor, "access-title");
    let refused = |layout: Layout| {
        let message = layout.t("access-error-case");
        html(&AccessLogPage {
            errors: vec![FieldError {
                field: "arende".into(),
                message,
                href: "#field-arende".into(),
            }],
            ..AccessLogPage::empty(layout, case.as_deref(), user.as_deref())
        })
    };
    let case_id = match case.as_deref() {
        None => None,
        Some(text) => match (Uuid::parse_str(text), text.parse::<CaseNumber>()) {
            (Ok(id), _) => Some(id),
            (_, Ok(number)) => match desk.app.case_with_number(&desk.principal, number).await? {
                Some(id) => Some(id),
                None => return refused(layout),
            },
            _ => return refused(layout),
        },
    };
    // A person by name, e-mail or id; a name that fits several asks which one.
    let actor = match user.clone() {
        None => None,
        Some(text) => {
            let found = desk
                .app
                .people_matching(&desk.principal, text, CANDIDATES)
                .await?;
            match found.as_slice() {
                [] => user.clone(),
                [person] => Some(person.subject.clone()),
                several => {
                    let case_param = urlencode(case.as_deref().unwrap_or_default());
                    let candidates = several
                        .iter()
                        .map(|person| {
                            let label = match &person.email {
                                Some(email) => format!("{} ({email})", person.name),
                                None => format!("{} ({})", person.name, person.subject),
                            };
                            let subject = urlencode(&person.subject);
                            (
                                label,
                                format!("/atkomstlogg?arende={case_param}&anvandare={subject}"),
                            )
                        })
                        .collect();
                    return html(&AccessLogPage {
                        candidates,
                        ..AccessLogPage::empty(layout, case.as_deref(), user.as_deref())
                    });
                }
            }
        }
    };
    let filter = AccessFilter {
        incident_id: case_id,
        actor,
        page: AccessPage::NewestFirst {
            before: query.fore.filter(|seq| *seq > 0),
        },
        limit: PAGE_SIZE + 1,
    };
    let AccessEntries {
        mut entries,
        case_numbers: numbers,
        people,
    } = desk.app.access_log_page(&desk.principal, filter).await?;
    let next_href = (entries.len() as i64 > PAGE_SIZE).then(|| {
        entries.truncate(PAGE_SIZE as usize);
        format!(
            "/atkomstlogg?arende={}&anvandare={}&fore={}",
            urlencode(case.as_deref().unwrap_or_default()),
            urlencode(user.as_deref().unwrap_or_default()),
            entries.last().map_or(0, |entry| entry.seq)
        )
    });
    let lang = desk.lang();
    let rows = entries
        .into_iter()
        .map(|entry| AccessRow {
            at: entry.at(),
            purpose: lang
                .optional_text(&format!("purpose-{}", entry.purpose))
                .unwrap_or_else(|| entry.purpose.clone()),
            case_href: format!("/arenden/{}", entry.incident_id),
            case: numbers
                .get(&entry.incident_id)
                .map_or_else(|| entry.incident_id.clone(), ToString::to_string),
            user: match people.get(&entry.actor) {
                Some(person) => format!("{} ({})", person.name, entry.actor),
                None => entry.actor,
            },
        })
        .collect();
    html(&AccessLogPage {
        rows,
        next_href,
        ..AccessLogPage::empty(layout, case.as_deref(), user.as_deref())
    })
}

/// `GET /atkomstlogg/kontroll`: walks every chain, as `trygg audit verify` does.
pub async fn check(desk: Desk) -> Result<HttpResponse, WebError> {
    desk.app.may_audit(&desk.principal)?;
    let report = desk.app.verify_access_log(&desk.principal).await?;
    html(&ChainCheckPage {
        layout: Layout::new(&desk.visitor, "chain-title"),
        entries: report.entries,
        first_broken: report.first_broken.map(|(seq, _)| seq),
        heads: report.heads,
    })
}
