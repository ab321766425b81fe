//! Alerts: the security manager's view of deliveries (failed ones above all) and retries, and
//! acknowledgement by an alert's receiver.

use actix_web::web;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trygg_app::{AlertFilter, AlertRecord, App, MAX_PAGE_SIZE};
use trygg_domain::text::{self, schema::AcknowledgementComment};
use trygg_domain::{AlertReason, Channel, DeliveryFailure, DeliveryState};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};

/// Which alerts to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Alerts with a delivery in this state: `failed` for those parked after every attempt.
    state: Option<DeliveryState>,
    /// Alerts about this case.
    case: Option<Uuid>,
    /// At most this many, newest first (1 to 100; larger values are capped).
    #[param(minimum = 1)]
    limit: Option<i64>,
}

/// One delivery of an alert.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub channel: Channel,
    pub target: String,
    pub state: DeliveryState,
    pub attempts: i64,
    /// Why the last attempt failed: `unreachable` (the server did not answer), `deferred` (it
    /// asked to try later), `refused` (it refused the message), `insecure` (no TLS), `not_configured`
    /// (no SMTP server set), `bad_address`, `unexpected`. Absent for failures recorded before
    /// the service kept it.
    pub last_failure: Option<DeliveryFailure>,
    /// The last failure's technical text.
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// An alert: who was told about which case, why, and how it went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_number: String,
    pub receiver: String,
    pub reason: AlertReason,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub deliveries: Vec<DeliveryView>,
}

impl From<AlertRecord> for AlertView {
    fn from(alert: AlertRecord) -> Self {
        AlertView {
            id: alert.id,
            case_id: alert.case_id,
            case_number: alert.case_number.to_string(),
            receiver: alert.receiver,
            reason: alert.reason,
            created_at: alert.created_at,
            acknowledged_at: alert.acknowledged_at,
            acknowledged_by: alert.acknowledged_by,
            deliveries: alert
                .deliveries
                .into_iter()
                .map(|d| DeliveryView {
                    channel: d.channel,
                    target: d.target,
                    state: d.state,
                    attempts: d.attempts,
                    last_failure: d.last_failure,
                    last_error: d.last_error,
                    delivered_at: d.delivered_at,
                })
                .collect(),
        }
    }
}

/// An acknowledgement.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// A short note; no names of the people involved, please.
    #[schema(value_type = Option<AcknowledgementComment>)]
    pub comment: Option<String>,
}

fn alert_not_found() -> ApiError {
    ApiError::NotFound("there is no alert with this id".into())
}

/// Alerts, newest first; `state=failed` lists those parked after every attempt.
#[utoipa::path(
    get,
    path = "/api/v1/alerts",
    tag = "alerts",
    params(AlertQuery),
    responses(
        (status = 200, description = "The alerts", body = Vec<AlertView>),
        (status = 403, description = "Only security managers list alerts", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_alerts(
    caller: Caller,
    query: web::Query<AlertQuery>,
    app: web::Data<App>,
) -> Result<web::Json<Vec<AlertView>>, ApiError> {
    app.may_list_alerts(&caller.0)?;
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(MAX_PAGE_SIZE);
    if limit < 1 {
        return Err(ApiError::BadRequest("`limit` must be at least 1".into()));
    }
    let filter = AlertFilter {
        state: query.state,
        case: query.case,
        limit: limit.min(MAX_PAGE_SIZE),
        ..AlertFilter::default()
    };
    let alerts = app.alerts(&caller.0, filter).await?;
    Ok(web::Json(alerts.into_iter().map(AlertView::from).collect()))
}

/// Send an alert's failed deliveries again.
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/retry",
    tag = "alerts",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Queued again", body = AlertView),
        (status = 403, description = "Only security managers retry alerts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such alert", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The alert has no failed deliveries", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn retry_alert(
    caller: Caller,
    id: web::Path<Uuid>,
    app: web::Data<App>,
) -> Result<web::Json<AlertView>, ApiError> {
    let alert = app
        .retry_alert(&caller.0, id.into_inner())
        .await
        .map_err(alert_error)?;
    Ok(web::Json(alert.into()))
}

/// Acknowledge an alert: its receiver has seen it, so it does not escalate.
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/ack",
    tag = "alerts",
    params(("id" = Uuid, Path)),
    request_body(content = Acknowledgement, description = "Optional"),
    responses(
        (status = 200, description = "Acknowledged (the first acknowledgement stands)", body = AlertView),
        (status = 403, description = "The caller does not acknowledge for this alert's receiver", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such alert", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn acknowledge_alert(
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Bytes,
    app: web::Data<App>,
) -> Result<web::Json<AlertView>, ApiError> {
    // The body is optional; when there is one, it must be a valid acknowledgement.
    let acknowledgement: Acknowledgement = if body.iter().all(u8::is_ascii_whitespace) {
        Acknowledgement::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::UnprocessableBody(format!("the body is not a valid acknowledgement: {e}"))
        })?
    };
    let comment = acknowledgement
        .comment
        .map(|comment| text::prose(&comment, text::MAX_ACKNOWLEDGEMENT_CHARS))
        .transpose()
        .map_err(|e| ApiError::UnprocessableBody(format!("`comment` {e}")))?;
    let alert = app
        .acknowledge_alert(&caller.0, id.into_inner(), comment)
        .await
        .map_err(alert_error)?;
    Ok(web::Json(alert.into()))
}

/// An alert's refusal: one that is not there is an alert not found, not a case.
fn alert_error(error: trygg_app::Error) -> ApiError {
    match error {
        trygg_app::Error::NotFound => alert_not_found(),
        other => other.into(),
    }
}
