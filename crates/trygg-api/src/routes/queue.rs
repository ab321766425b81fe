//! A case worker's queue.

use actix_web::web;
use chrono::{DateTime, Utc};
use serde::Serialize;
use trygg_app::{App, Incident, MAX_PAGE_SIZE, QueueQuery};
use trygg_domain::{Severity, Status};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};

/// A case in a queue: enough to pick it, nothing more.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueEntry {
    pub id: Uuid,
    pub case_number: String,
    pub status: Status,
    pub focus_area: String,
    pub severity: Severity,
    pub received_at: DateTime<Utc>,
    pub assignee: Option<String>,
    /// When Arbetsmiljöverket must have been notified, if it must be and has not been.
    pub authority_notification_due: Option<DateTime<Utc>>,
}

impl From<Incident> for QueueEntry {
    fn from(incident: Incident) -> Self {
        QueueEntry {
            authority_notification_due: incident.authority_notification_due(),
            id: incident.id,
            case_number: incident.case_number.to_string(),
            status: incident.status,
            focus_area: incident.focus_area.to_string(),
            severity: incident.circumstances.severity,
            received_at: incident.received_at,
            assignee: incident.assignee,
        }
    }
}

/// Open cases among those the caller works, oldest first, at most 100 in each list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueView {
    /// No handler assigned yet.
    pub unassigned: Vec<QueueEntry>,
    /// Assigned to the caller.
    pub mine: Vec<QueueEntry>,
    /// With an open action past its due date.
    pub overdue: Vec<QueueEntry>,
    /// Serious cases against staff or officials not yet reported to Arbetsmiljöverket, with 12
    /// hours or less of the 24 left.
    pub deadline_at_risk: Vec<QueueEntry>,
}

/// The caller's queue.
#[utoipa::path(
    get,
    path = "/api/v1/queue",
    tag = "case work",
    responses(
        (status = 200, description = "The queue", body = QueueView),
        (status = 403, description = "Only handlers and security managers have a queue", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read_queue(
    caller: Caller,
    app: web::Data<App>,
) -> Result<web::Json<QueueView>, ApiError> {
    let query = QueueQuery::new(
        caller.0.subject().to_owned(),
        app.clock().now(),
        MAX_PAGE_SIZE,
    );
    let queue = app.read_queue(&caller.0, query).await?;
    let entries = |list: Vec<Incident>| list.into_iter().map(QueueEntry::from).collect();
    Ok(web::Json(QueueView {
        unassigned: entries(queue.unassigned),
        mine: entries(queue.mine),
        overdue: entries(queue.overdue),
        deadline_at_risk: entries(queue.deadline_at_risk),
    }))
}
