//! Alerts on the web: a security manager's list of alerts, failed ones first, with a retry;
//! an alert's own page, where its receiver acknowledges it (the e-mail links there). The same
//! rules as the API: only security managers list and retry, only the receiver acknowledges.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use trygg_app::AlertRecord;
use trygg_app::{AlertList, Error, Retried};
use trygg_domain::DeliveryState;
use trygg_domain::text::{self, TextError};
use uuid::Uuid;

use super::Desk;
use crate::error::WebError;
use crate::reports::label;
use crate::templates::{AlertPage, AlertsPage, DeliveryRow, FieldError, Layout, Link, ListedAlert};
use crate::{Form, html, see_other};

/// Alerts a page of the list shows.
const PAGE_SIZE: i64 = 25;

#[derive(Debug, serde::Deserialize)]
pub struct AlertsQuery {
    /// `alla` for every alert; otherwise the failed ones.
    visa: Option<String>,
    /// The page, from 1.
    sida: Option<u32>,
    /// Set after a retry: `ja` (queued again), `nej` (nothing to retry) or the number of
    /// alerts a retry of every failed one queued.
    forsok: Option<String>,
}

/// `GET /larm`: failed alerts (or all), newest first, a page at a time with the total.
pub async fn list(query: web::Query<AlertsQuery>, desk: Desk) -> Result<HttpResponse, WebError> {
    desk.app.may_list_alerts(&desk.principal)?;
    let (all, tab) = match query.visa.as_deref() {
        None => (false, ""),
        Some("alla") => (true, "visa=alla&"),
        Some(_) => return Err(WebError::NotFound),
    };
    let page = i64::from(query.sida.unwrap_or(1).max(1));
    let state = (!all).then_some(DeliveryState::Failed);
    let AlertList {
        alerts,
        total,
        failed_total,
    } = desk
        .app
        .alert_list(&desk.principal, state, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        .await?;
    let lang = desk.lang();
    let layout = Layout::new(&desk.visitor, "alerts-title");
    let tabs = [
        (
            false,
            "/larm",
            lang.text_count("alerts-failed", "count", failed_total),
        ),
        (true, "/larm?visa=alla", lang.text("alerts-all")),
    ]
    .into_iter()
    .map(|(shows_all, href, label)| Link {
        href: href.to_owned(),
        label,
        current: shows_all == all,
    })
    .collect();
    let notice = match query.forsok.as_deref() {
        Some("ja") => Some(lang.text("alerts-retried")),
        Some("nej") => Some(lang.text("alerts-nothing-to-retry")),
        Some(count) => count
            .parse::<i64>()
            .ok()
            .map(|count| lang.text_count("alerts-retried-all", "count", count)),
        None => None,
    };
    let first = (page - 1) * PAGE_SIZE + 1;
    let last = (first + alerts.len() as i64 - 1).max(0);
    let shown = if total == 0 {
        String::new()
    } else {
        lang.text_with(
            "alerts-shown",
            &[
                ("first", &first.to_string()),
                ("last", &last.to_string()),
                ("total", &total.to_string()),
            ],
        )
    };
    let href = |page: i64| format!("/larm?{tab}sida={page}");
    html(&AlertsPage {
        alerts: alerts
            .into_iter()
            .map(|alert| listed(&desk, &layout, alert))
            .collect(),
        layout,
        tabs,
        notice,
        shown,
        failed_total,
        previous_href: (page > 1).then(|| href(page - 1)),
        next_href: (page * PAGE_SIZE < total).then(|| href(page + 1)),
    })
}

/// An alert as the list shows it.
pub(super) fn listed(desk: &Desk, layout: &Layout, alert: AlertRecord) -> ListedAlert {
    let lang = desk.lang();
    ListedAlert {
        href: format!("/larm/{}", alert.id),
        retry: format!("/larm/{}/forsok-igen", alert.id),
        failed: alert
            .deliveries
            .iter()
            .any(|delivery| delivery.state == DeliveryState::Failed),
        case_href: format!("/arenden/{}", alert.case_id),
        case_number: alert.case_number.to_string(),
        receiver: desk.receiver_label(&alert.receiver),
        reason: label(lang, "alert-reason", alert.reason.code()),
        created_at: alert.created_at,
        acknowledged: alert.acknowledged_at.map(|at| {
            let by = alert.acknowledged_by.unwrap_or_default();
            lang.text_with(
                "case-alert-acknowledged",
                &[("by", &by), ("at", &layout.local(&at))],
            )
        }),
        deliveries: alert
            .deliveries
            .into_iter()
            .map(|delivery| DeliveryRow {
                channel: label(lang, "channel", delivery.channel.code()),
                target: delivery.target,
                state: label(lang, "delivery", delivery.state.code()),
                attempts: delivery.attempts,
                failure: match (delivery.last_failure, &delivery.last_error) {
                    (Some(failure), _) => Some(label(lang, "delivery-failure", failure.code())),
                    (None, Some(_)) => Some(lang.text("delivery-failure-unexpected")),
                    (None, None) => None,
                },
                last_error: delivery.last_error,
            })
            .collect(),
    }
}

/// `POST /larm/forsok-igen`: every failed delivery queued again, after an outage.
pub async fn retry_all(form: Form, desk: Desk) -> Result<HttpResponse, WebError> {
    desk.visitor.check_csrf(&form)?;
    let Retried(alerts) = desk.app.retry_failed_alerts(&desk.principal).await?;
    Ok(see_other(&format!("/larm?forsok={alerts}")))
}

/// `POST /larm/{id}/forsok-igen`: the alert's failed deliveries queued again.
pub async fn retry(id: web::Path<Uuid>, form: Form, desk: Desk) -> Result<HttpResponse, WebError> {
    desk.visitor.check_csrf(&form)?;
    let retried = match desk.app.retry_alert(&desk.principal, id.into_inner()).await {
        Ok(_) => true,
        Err(Error::NothingToRetry) => false,
        Err(other) => return Err(other.into()),
    };
    Ok(see_other(if retried {
        "/larm?forsok=ja"
    } else {
        "/larm?forsok=nej"
    }))
}

#[derive(Debug, serde::Deserialize)]
pub struct AlertQuery {
    kvitterat: Option<String>,
}

/// `GET /larm/{id}`: the alert, for its receiver to acknowledge and for security managers.
pub async fn show(
    id: web::Path<Uuid>,
    query: web::Query<AlertQuery>,
    desk: Desk,
) -> Result<HttpResponse, WebError> {
    let page = alert_page(&desk, id.into_inner(), String::new(), Vec::new()).await?;
    html(&AlertPage {
        acknowledged_now: query.kvitterat.is_some(),
        ..page
    })
}

async fn alert_page(
    desk: &Desk,
    id: Uuid,
    comment: String,
    errors: Vec<FieldError>,
) -> Result<AlertPage, WebError> {
    let alert = desk.app.alert(&desk.principal, id).await?;
    let receives = desk.app.acknowledges(&desk.principal, &alert.receiver);
    let layout = Layout::new(&desk.visitor, "alert-title");
    let may_acknowledge = receives && alert.acknowledged_at.is_none();
    Ok(AlertPage {
        alert: listed(desk, &layout, alert),
        layout,
        may_acknowledge,
        action: format!("/larm/{id}/kvittera"),
        comment,
        errors,
        acknowledged_now: false,
    })
}

/// `POST /larm/{id}/kvittera`: the receiver acknowledges, with a comment if they like; the first
/// acknowledgement stands.
pub async fn acknowledge(
    id: web::Path<Uuid>,
    form: Form,
    desk: Desk,
) -> Result<HttpResponse, WebError> {
    desk.visitor.check_csrf(&form)?;
    let id = id.into_inner();
    let typed = form
        .iter()
        .find(|(name, _)| name == "comment")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    let comment = match text::prose(&typed, text::MAX_ACKNOWLEDGEMENT_CHARS) {
        Ok(comment) => Some(comment),
        Err(TextError::Blank) => None,
        Err(_) => {
            let errors = vec![FieldError {
                field: "comment".into(),
                message: desk.lang().text("alert-error-comment"),
                href: "#field-comment".into(),
            }];
            let page = alert_page(&desk, id, typed, errors).await?;
            let mut response = html(&page)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
    };
    desk.app
        .acknowledge_alert(&desk.principal, id, comment)
        .await?;
    Ok(see_other(&format!("/larm/{id}?kvitterat=1")))
}
