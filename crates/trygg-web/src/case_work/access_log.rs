//! The access log on the web, for security managers: who read a case (or what a user read) and
//! when, oldest first; and the hash chains' check, as `trygg audit verify` makes it.

use actix_web::{HttpResponse, web};
use trygg_storage::{AccessFilter, MAX_PAGE_SIZE};
use uuid::Uuid;

use super::Desk;
use crate::error::WebError;
use crate::templates::{AccessLogPage, AccessRow, ChainCheckPage, Layout};
use crate::{html, urlencode};

#[derive(Debug, serde::Deserialize)]
pub struct AccessQuery {
    arende: Option<String>,
    anvandare: Option<String>,
    /// The last entry of the previous page.
    efter: Option<i64>,
}

/// `GET /atkomstlogg?arende=…&anvandare=…`.
pub async fn list(query: web::Query<AccessQuery>, desk: Desk) -> Result<HttpResponse, WebError> {
    desk.security_manager()?;
    let case = query
        .arende
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let user = query
        .anvandare
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let layout = Layout::new(&desk.visitor, "access-title");
    // A case is named by its id, as the case page links here; anything else matches nothing.
    let case_id = match case.map(Uuid::parse_str) {
        Some(Err(_)) => {
            return html(&AccessLogPage {
                error: Some(layout.t("access-error-case")),
                ..AccessLogPage::empty(layout, case, user)
            });
        }
        Some(Ok(id)) => Some(id),
        None => None,
    };
    let filter = AccessFilter {
        incident_id: case_id,
        actor: user.map(str::to_owned),
        after_cursor: query.efter.filter(|seq| *seq >= 0),
        limit: MAX_PAGE_SIZE + 1,
    };
    let reader = desk.database.clone();
    let mut entries = web::block(move || reader.access_log(&filter)).await??;
    let next_href = (entries.len() as i64 > MAX_PAGE_SIZE).then(|| {
        entries.truncate(MAX_PAGE_SIZE as usize);
        format!(
            "/atkomstlogg?arende={}&anvandare={}&efter={}",
            urlencode(case.unwrap_or_default()),
            urlencode(user.unwrap_or_default()),
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
            case: entry.incident_id,
            user: entry.actor,
        })
        .collect();
    html(&AccessLogPage {
        rows,
        next_href,
        ..AccessLogPage::empty(layout, case, user)
    })
}

/// `GET /atkomstlogg/kontroll`: walks every chain, as `trygg audit verify` does.
pub async fn check(desk: Desk) -> Result<HttpResponse, WebError> {
    desk.security_manager()?;
    let reader = desk.database.clone();
    let report = web::block(move || reader.verify_access_log(&[])).await??;
    html(&ChainCheckPage {
        layout: Layout::new(&desk.visitor, "chain-title"),
        entries: report.entries,
        first_broken: report.first_broken.map(|(seq, _)| seq),
        heads: report.heads,
    })
}
