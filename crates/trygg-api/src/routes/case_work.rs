//! Working a case: status, assignment and reclassification under `If-Match`, and the
//! timeline.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trygg_domain::{
    Catalogue, IncidentKind, Outcome, Reclassification, Severity, Status, change_status,
};
use trygg_storage::{Amended, Amendment, CaseEvent, Database, Incident};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};
use crate::routes::incidents::{CaseView, etag, log_reads, not_found};

const MAX_SUBJECT_LEN: usize = 255;

/// Move a case along its workflow.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: Status,
    /// Required when closing, refused otherwise.
    pub outcome: Option<Outcome>,
}

/// Assign a case to a handler of one of its responsible offices.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The handler's user id (`sub`).
    pub assignee: String,
    /// The handler's office: one of the case's responsible offices.
    pub office: String,
}

/// Correct a case's classification; a new focus area can move it to another office.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassificationChange {
    pub focus_area: Option<String>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    /// Why; kept in the timeline.
    pub reason: String,
}

/// One change in a case's timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// Who made the change (`sub`).
    pub actor: String,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub reason: Option<String>,
}

impl From<CaseEvent> for TimelineEntry {
    fn from(event: CaseEvent) -> Self {
        TimelineEntry {
            at: event.at,
            actor: event.actor,
            field: event.field,
            from: event.from,
            to: event.to,
            reason: event.reason,
        }
    }
}

/// The version the caller last read, from `If-Match: "<version>"`.
fn expected_version(request: &HttpRequest) -> Result<i64, ApiError> {
    let value = request
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    value
        .to_str()
        .ok()
        .and_then(|tag| {
            tag.trim()
                .strip_prefix('"')?
                .strip_suffix('"')?
                .parse()
                .ok()
        })
        .ok_or_else(|| {
            ApiError::PreconditionFailed("`If-Match` is not an ETag this API gave out".into())
        })
}

/// Runs a decision on the current case and stores the amendment it makes.
async fn amend(
    caller: Caller,
    id: Uuid,
    request: &HttpRequest,
    database: web::Data<Database>,
    decide: impl FnOnce(&Incident) -> Result<Amendment, ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let scope = caller.0.work_scope().ok_or_else(|| {
        ApiError::Forbidden("only handlers and security managers work cases".into())
    })?;
    let expected = expected_version(request)?;
    let actor = caller.0.subject().to_owned();
    match web::block(move || database.amend(id, scope, expected, actor, decide)).await?? {
        Amended::Done(incident) => Ok(HttpResponse::Ok()
            .insert_header((header::ETAG, etag(incident.version)))
            .json(CaseView::from(*incident))),
        Amended::NotFound => Err(not_found()),
        Amended::Stale { current_version } => Err(ApiError::PreconditionFailed(format!(
            "the case has changed since you read it (now {}); read it again",
            etag(current_version)
        ))),
        Amended::Refused(error) => Err(error),
    }
}

/// Change a case's status.
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/status",
    tag = "case work",
    request_body = StatusChange,
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = CaseView, headers(("ETag" = String))),
        (status = 403, description = "Not a case worker, or reopening without being a security manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case among those the caller works", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current status; the detail names the allowed ones", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn change_case_status(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    body: web::Json<StatusChange>,
    database: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.0.clone();
    let StatusChange { status, outcome } = body.into_inner();
    amend(
        caller,
        id.into_inner(),
        &request,
        database,
        move |current| {
            let outcome = change_status(current.status, status, outcome, &principal)?;
            Ok(Amendment {
                status: Some(status),
                outcome: Some(outcome),
                ..Amendment::default()
            })
        },
    )
    .await
}

/// Assign a case to a handler.
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/assignment",
    tag = "case work",
    request_body = Assignment,
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Assigned", body = CaseView, headers(("ETag" = String))),
        (status = 404, description = "No such case among those the caller works", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The office is not responsible for the case", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn assign_case(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    body: web::Json<Assignment>,
    database: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let Assignment { assignee, office } = body.into_inner();
    let assignee = assignee.trim().to_owned();
    if assignee.is_empty()
        || assignee.len() > MAX_SUBJECT_LEN
        || assignee.chars().any(char::is_control)
    {
        return Err(ApiError::UnprocessableBody(format!(
            "`assignee` must be a user id of 1 to {MAX_SUBJECT_LEN} characters"
        )));
    }
    amend(
        caller,
        id.into_inner(),
        &request,
        database,
        move |current| {
            if !current.offices.contains(&office) {
                return Err(ApiError::UnprocessableBody(format!(
                    "`office` must be one of the case's responsible offices: {}",
                    current.offices.join(", ")
                )));
            }
            Ok(Amendment {
                assignee: Some(assignee),
                ..Amendment::default()
            })
        },
    )
    .await
}

/// Reclassify a case: focus area, severity or kind, with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/classification",
    tag = "case work",
    request_body = ClassificationChange,
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Reclassified (a new focus area routes it to its offices)", body = CaseView, headers(("ETag" = String))),
        (status = 404, description = "No such case among those the caller works", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing to change, unknown focus area, or no reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn reclassify_case(
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    body: web::Json<ClassificationChange>,
    database: web::Data<Database>,
    catalogue: web::Data<Catalogue>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.0.clone();
    let change = body.into_inner();
    amend(caller, id.into_inner(), &request, database, move |_| {
        let parsed = Reclassification::parse(
            &catalogue,
            change.focus_area.as_deref(),
            change.severity,
            change.kind,
            &change.reason,
            &principal,
        )?;
        Ok(Amendment {
            focus_area: parsed.focus_area.map(|area| {
                (
                    area.code.to_string(),
                    area.offices.iter().map(ToString::to_string).collect(),
                )
            }),
            severity: parsed.severity,
            kind: parsed.kind,
            reason: Some(parsed.reason),
            ..Amendment::default()
        })
    })
    .await
}

/// Every change to a case, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/incidents/{id}/timeline",
    tag = "case work",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The timeline", body = Vec<TimelineEntry>),
        (status = 404, description = "No such case, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn case_timeline(
    caller: Caller,
    id: web::Path<Uuid>,
    database: web::Data<Database>,
) -> Result<web::Json<Vec<TimelineEntry>>, ApiError> {
    let visibility = caller.0.visibility().ok_or_else(not_found)?;
    let id = id.into_inner();
    let reader = database.clone();
    let events = web::block(move || reader.timeline(id, &visibility))
        .await??
        .ok_or_else(not_found)?;
    log_reads(&database, &caller, "read_timeline", vec![id]).await?;
    Ok(web::Json(
        events.into_iter().map(TimelineEntry::from).collect(),
    ))
}
