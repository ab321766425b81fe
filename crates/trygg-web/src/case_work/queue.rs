//! `GET /arenden`: the queue, one list at a time, each list's count in its tab.

use actix_web::{HttpResponse, web};
use trygg_app::QueueListing;
use trygg_app::{QueueList, QueueOrder, QueueQuery};
use trygg_domain::DEADLINE_AT_RISK_WITHIN;

use super::{Desk, time_left};
use crate::error::WebError;
use crate::html;
use crate::reports::{district_label, label};
use crate::templates::{Layout, Link, QueuePage, QueueRow};

const PAGE_SIZE: i64 = 25;

/// Each list, by its name in the address and its message.
const LISTS: [(QueueList, &str, &str); 4] = [
    (QueueList::Unassigned, "ej-tilldelade", "queue-unassigned"),
    (QueueList::Mine, "mina", "queue-mine"),
    (QueueList::Overdue, "forsenade-atgarder", "queue-overdue"),
    (QueueList::DeadlineAtRisk, "tidsfrist", "queue-deadline"),
];

const ORDERS: [(QueueOrder, &str, &str); 3] = [
    (QueueOrder::Oldest, "aldst", "queue-order-oldest"),
    (QueueOrder::Newest, "nyast", "queue-order-newest"),
    (
        QueueOrder::MostSevere,
        "allvarligast",
        "queue-order-severity",
    ),
];

#[derive(Debug, serde::Deserialize)]
pub struct QueueParams {
    lista: Option<String>,
    ordning: Option<String>,
    sida: Option<u32>,
}

/// Where a name is in a table of (value, name, message); no name is the first entry, and an
/// unknown name a page that does not exist.
fn position<T>(table: &[(T, &str, &str)], name: Option<&str>) -> Result<usize, WebError> {
    match name {
        None => Ok(0),
        Some(name) => table
            .iter()
            .position(|(_, slug, _)| *slug == name)
            .ok_or(WebError::NotFound),
    }
}

fn href(list: &str, order: &str, page: u32) -> String {
    format!("/arenden?lista={list}&ordning={order}&sida={page}")
}

pub async fn queue(params: web::Query<QueueParams>, desk: Desk) -> Result<HttpResponse, WebError> {
    let list_index = position(&LISTS, params.lista.as_deref())?;
    let (list, list_slug, list_title) = LISTS[list_index];
    let (order, order_slug, _) = ORDERS[position(&ORDERS, params.ordning.as_deref())?];
    let page = params.sida.unwrap_or(1).max(1);
    let now = desk.now();
    let query = QueueQuery::new(desk.principal.subject().to_owned(), now, PAGE_SIZE);
    let offset = i64::from(page - 1) * PAGE_SIZE;
    let QueueListing {
        counts,
        cases,
        has_next,
        assignees: people,
    } = desk
        .app
        .read_queue_page(&desk.principal, query, list, order, offset)
        .await?;

    let lang = desk.lang();
    let layout = Layout::new(&desk.visitor, "queue-title");
    let tabs = LISTS
        .iter()
        .zip(counts)
        .map(|((_, slug, message), count)| Link {
            href: href(slug, order_slug, 1),
            label: lang.text_count(message, "count", count),
            current: *slug == list_slug,
        })
        .collect();
    let orders = ORDERS
        .iter()
        .map(|(_, slug, message)| Link {
            href: href(list_slug, slug, 1),
            label: lang.text(message),
            current: *slug == order_slug,
        })
        .collect();
    let rows = cases
        .into_iter()
        .map(|case| QueueRow {
            deadline: case
                .authority_notification_due()
                .map(|due| time_left(lang, due, now)),
            href: format!("/arenden/{}", case.id),
            case_number: case.case_number.to_string(),
            received_at: case.received_at,
            kind: label(lang, "kind", case.circumstances.kind.code()),
            district: district_label(desk.catalogue(), lang, case.district.as_str()),
            focus_area: desk.focus_area_label(case.focus_area.as_str()),
            severity: label(lang, "severity", case.circumstances.severity.code()),
            status: label(lang, "status", case.status.code()),
            assignee: case.assignee.map(|subject| {
                people
                    .get(&subject)
                    .map_or(subject, |person| person.name.clone())
            }),
        })
        .collect();
    html(&QueuePage {
        list_title: lang.text_count(list_title, "count", counts[list_index]),
        list_explained: lang.text_with(
            &format!("{list_title}-explained"),
            &[("hours", &DEADLINE_AT_RISK_WITHIN.num_hours().to_string())],
        ),
        layout,
        tabs,
        orders,
        rows,
        page,
        previous_href: (page > 1).then(|| href(list_slug, order_slug, page - 1)),
        next_href: has_next.then(|| href(list_slug, order_slug, page + 1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tabs take their counts from [`QueueList::ALL`]'s order.
    #[test]
    fn the_lists_follow_the_order_counts_come_in() {
        let lists: Vec<QueueList> = LISTS.iter().map(|(list, _, _)| *list).collect();
        assert_eq!(lists, QueueList::ALL);
    }
}
