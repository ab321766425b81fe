//! Working a case, under `If-Match`: status, assignment, reclassification, follow-up facts
//! and actions; and the timeline.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};
use trygg_app::{Action, Answer, Answered, App, Change, Changed};
use trygg_domain::text::{
    self,
    schema::{PoliceReference, Prose, Reason, UserId},
};
use trygg_domain::{
    ActionStatus, CaseEvent, ChangeText, Description, FollowUp, IncidentKind, Outcome,
    Reclassification, Severity, Status,
};
use trygg_domain::{FocusAreaCode, OfficeCode};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};
use crate::routes::incidents::{CaseView, etag, not_found};

/// A user id named in a request (an assignee, an action's owner).
fn user_id(field: &str, value: &str) -> Result<String, ApiError> {
    text::line(value, text::MAX_USER_ID_CHARS)
        .map_err(|e| ApiError::UnprocessableBody(format!("`{field}` {e}")))
}

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
    #[schema(value_type = UserId)]
    pub assignee: String,
    /// The handler's office: one of the case's responsible offices.
    #[schema(value_type = OfficeCode)]
    pub office: String,
}

/// Correct a case's classification; a new focus area can move it to another office.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassificationChange {
    #[schema(value_type = Option<FocusAreaCode>)]
    pub focus_area: Option<String>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    /// Why; kept in the timeline.
    #[schema(value_type = Reason)]
    pub reason: String,
}

/// The follow-up facts, replaced whole.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpChange {
    pub police_report_filed: bool,
    /// The police report's reference (diarienummer); only with `police_report_filed`.
    #[schema(value_type = Option<PoliceReference>)]
    pub police_reference: Option<String>,
    /// When Arbetsmiljöverket was notified: not before the incident, not in the future.
    pub authority_notified_at: Option<DateTime<Utc>>,
    pub support_offered: bool,
}

/// A new action (åtgärd).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionDraft {
    #[schema(value_type = Prose)]
    pub description: String,
    /// Who carries it out (user id).
    #[schema(value_type = UserId)]
    pub owner: String,
    /// When it is due: not before the case was received, at most five years ahead.
    pub due_at: DateTime<Utc>,
}

/// Changes to an action; absent fields stay as they are, and at least one is given.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct ActionChange {
    #[serde(default, deserialize_with = "given")]
    #[schema(nullable = false)]
    pub status: Option<ActionStatus>,
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<UserId>, nullable = false)]
    pub owner: Option<String>,
    /// When it is due: not before the case was received, at most five years ahead.
    #[serde(default, deserialize_with = "given")]
    #[schema(nullable = false)]
    pub due_at: Option<DateTime<Utc>>,
}

/// A field that may be left out but is never `null` when given: a change of nothing is no
/// change, and the document says so.
fn given<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// An action on a case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionView {
    pub id: Uuid,
    pub description: String,
    pub owner: String,
    pub due_at: DateTime<Utc>,
    pub status: ActionStatus,
    /// Open and past its due date.
    pub overdue: bool,
}

impl ActionView {
    fn new(action: Action, now: DateTime<Utc>) -> Self {
        ActionView {
            overdue: action.status == ActionStatus::Open && action.due_at < now,
            id: action.id,
            description: action.description,
            owner: action.owner,
            due_at: action.due_at,
            status: action.status,
        }
    }
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
        let ChangeText { field, from, to } = event.change.text();
        TimelineEntry {
            at: event.at,
            actor: event.actor,
            field,
            from,
            to,
            reason: event.reason,
        }
    }
}

/// How a change to a case is refused, for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, reason = "describes responses; never built")]
pub enum ChangeRefused {
    /// `If-Match` is not one ETag of the documented form, or the body is not JSON
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// No valid bearer token
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthenticated(Problem),
    /// The caller does not work cases, may not make this change, or the case is their own
    /// report outside those they work
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such case (or action) among those the caller works
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The case changed since it was read; the detail names the current ETag
    #[response(status = 412, content_type = "application/problem+json")]
    Stale(Problem),
    /// The change breaks a rule; the detail says which
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// No `If-Match`
    #[response(status = 428, content_type = "application/problem+json")]
    NoIfMatch(Problem),
}

/// The `If-Match` header's schema: an ETag as [`etag`] writes them.
#[derive(Debug)]
pub struct EntityTag;

impl utoipa::PartialSchema for EntityTag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("The case's `ETag` as last read, quotes included"))
            .pattern(Some(r#"^"[0-9]{1,18}"$"#))
            .into()
    }
}

impl utoipa::ToSchema for EntityTag {}

/// The version the caller last read, from `If-Match: "<version>"`. A value of another form
/// (a list, `*`, a weak tag) is malformed (400): the document's pattern admits one of this
/// API's ETags only, and one that is well formed but not current fails the precondition (412,
/// RFC 9110, 13.1.1). An extractor, so that a change without it is 428 before its body is
/// read: no body makes a missing precondition right.
pub struct IfMatch(i64);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<IfMatch, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(expected_version(request).map(IfMatch))
    }
}

fn expected_version(request: &HttpRequest) -> Result<i64, ApiError> {
    let value = request
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    value
        .to_str()
        .ok()
        .and_then(|tag| tag.strip_prefix('"')?.strip_suffix('"'))
        .filter(|version| {
            (1..=18).contains(&version.len()) && version.bytes().all(|b| b.is_ascii_digit())
        })
        .and_then(|version| version.parse().ok())
        .ok_or_else(|| {
            ApiError::BadRequest(
                "`If-Match` must be one ETag as this API gives them out, such as \"3\"".into(),
            )
        })
}

/// Makes a change to case `id` under the version last read, answering with `answer`.
async fn change(
    caller: &Caller,
    id: Uuid,
    IfMatch(version): IfMatch,
    app: &App,
    change: Change,
    answer: Answer,
) -> Result<Changed, ApiError> {
    Ok(app
        .change_case(&caller.0, id, version, change, answer)
        .await?)
}

/// The changed case, with its new ETag.
fn answer_with_case(changed: Changed, caller: &Caller) -> Result<HttpResponse, ApiError> {
    let Answered::Case(incident) = changed.answer else {
        return Err(ApiError::internal("a change answered without its case"));
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(incident.version)))
        .json(CaseView::new(*incident, &caller.0)))
}

/// Change a case's status.
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/status",
    tag = "case work",
    request_body = StatusChange,
    params(("id" = Uuid, Path), ("If-Match" = EntityTag, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = CaseView, headers(("ETag" = String))),
        (status = 409, description = "Not allowed from the current status; the detail names the allowed ones", body = Problem, content_type = "application/problem+json"),
        ChangeRefused,
    ),
    security(("bearer" = []))
)]
pub async fn change_case_status(
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<StatusChange>,
    app: web::Data<App>,
) -> Result<HttpResponse, ApiError> {
    app.may_work_cases(&caller.0)?;
    let StatusChange { status, outcome } = body.into_inner();
    let status = Change::Status { status, outcome };
    let changed = change(
        &caller,
        id.into_inner(),
        if_match,
        &app,
        status,
        Answer::Case,
    )
    .await?;
    answer_with_case(changed, &caller)
}

/// Assign a case to a handler.
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/assignment",
    tag = "case work",
    request_body = Assignment,
    params(("id" = Uuid, Path), ("If-Match" = EntityTag, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Assigned", body = CaseView, headers(("ETag" = String))),
        ChangeRefused,
    ),
    security(("bearer" = []))
)]
pub async fn assign_case(
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<Assignment>,
    app: web::Data<App>,
) -> Result<HttpResponse, ApiError> {
    app.may_work_cases(&caller.0)?;
    let Assignment { assignee, office } = body.into_inner();
    // An office the catalogue does not have could never be one of the case's: refused before
    // the version is compared, as every request that could never succeed is.
    let office = app
        .catalogue()
        .office(&office)
        .map_err(|e| ApiError::UnprocessableBody(format!("`office`: {e}")))?;
    let assign = Change::Assign {
        assignee: user_id("assignee", &assignee)?,
        office,
    };
    let changed = change(
        &caller,
        id.into_inner(),
        if_match,
        &app,
        assign,
        Answer::Case,
    )
    .await?;
    answer_with_case(changed, &caller)
}

/// Reclassify a case: focus area, severity or kind, with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/classification",
    tag = "case work",
    request_body = ClassificationChange,
    params(("id" = Uuid, Path), ("If-Match" = EntityTag, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Reclassified (a new focus area routes it to its offices)", body = CaseView, headers(("ETag" = String))),
        ChangeRefused,
    ),
    security(("bearer" = []))
)]
#[allow(
    clippy::too_many_arguments,
    reason = "each argument is an actix extractor"
)]
pub async fn reclassify_case(
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<ClassificationChange>,
    app: web::Data<App>,
) -> Result<HttpResponse, ApiError> {
    app.may_work_cases(&caller.0)?;
    let request = body.into_inner();
    // Refused before the version is compared: a request that could never succeed is 422
    // whatever the case's version.
    let reclassification = Reclassification::parse(
        app.catalogue(),
        request.focus_area.as_deref(),
        request.severity,
        request.kind,
        &request.reason,
        &caller.0,
    )?;
    let reclassify = Change::Reclassify(reclassification);
    let changed = change(
        &caller,
        id.into_inner(),
        if_match,
        &app,
        reclassify,
        Answer::Case,
    )
    .await?;
    answer_with_case(changed, &caller)
}

/// Record the follow-up facts: police report, Arbetsmiljöverket, support.
#[utoipa::path(
    put,
    path = "/api/v1/incidents/{id}/follow-up",
    tag = "case work",
    request_body = FollowUpChange,
    params(("id" = Uuid, Path), ("If-Match" = EntityTag, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Recorded", body = CaseView, headers(("ETag" = String))),
        ChangeRefused,
    ),
    security(("bearer" = []))
)]
pub async fn record_follow_up(
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<FollowUpChange>,
    app: web::Data<App>,
) -> Result<HttpResponse, ApiError> {
    app.may_work_cases(&caller.0)?;
    let request = body.into_inner();
    let follow_up = FollowUp::parse(
        request.police_report_filed,
        request.police_reference.as_deref(),
        request.authority_notified_at,
        request.support_offered,
        app.clock().now(),
    )?;
    let record = Change::FollowUp(follow_up);
    let changed = change(
        &caller,
        id.into_inner(),
        if_match,
        &app,
        record,
        Answer::Case,
    )
    .await?;
    answer_with_case(changed, &caller)
}

/// Add an action (åtgärd) to a case.
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/actions",
    tag = "case work",
    request_body = ActionDraft,
    params(("id" = Uuid, Path), ("If-Match" = EntityTag, Header, description = "The case's ETag last read")),
    responses(
        (status = 201, description = "Added; the ETag is the case's new one", body = ActionView, headers(("ETag" = String))),
        ChangeRefused,
    ),
    security(("bearer" = []))
)]
pub async fn add_action(
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<ActionDraft>,
    app: web::Data<App>,
) -> Result<HttpResponse, ApiError> {
    app.may_work_cases(&caller.0)?;
    let draft = body.into_inner();
    let description = Description::parse(&draft.description)
        .map_err(|message| ApiError::UnprocessableBody(format!("`description` {message}")))?;
    let view = ActionView {
        id: Uuid::now_v7(),
        description: description.as_str().to_owned(),
        owner: user_id("owner", &draft.owner)?,
        due_at: draft.due_at,
        status: ActionStatus::Open,
        overdue: draft.due_at < app.clock().now(),
    };
    let add = Change::AddAction {
        id: view.id,
        description,
        owner: view.owner.clone(),
        due_at: view.due_at,
    };
    let changed = change(
        &caller,
        id.into_inner(),
        if_match,
        &app,
        add,
        Answer::Nothing,
    )
    .await?;
    // Its answer is the action the caller has just written, not a read of the case.
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(changed.version)))
        .json(view))
}

/// Change an action: mark it done or cancelled, hand it over, move its due date.
#[utoipa::path(
    patch,
    path = "/api/v1/incidents/{id}/actions/{action_id}",
    tag = "case work",
    request_body = ActionChange,
    params(("id" = Uuid, Path), ("action_id" = Uuid, Path), ("If-Match" = EntityTag, Header, description = "The case's ETag last read")),
    responses(
        (status = 200, description = "Changed; the ETag is the case's new one", body = ActionView, headers(("ETag" = String))),
        ChangeRefused,
    ),
    security(("bearer" = []))
)]
pub async fn change_action(
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: web::Json<ActionChange>,
    app: web::Data<App>,
) -> Result<HttpResponse, ApiError> {
    app.may_work_cases(&caller.0)?;
    let (id, action_id) = path.into_inner();
    let request = body.into_inner();
    if request.status.is_none() && request.owner.is_none() && request.due_at.is_none() {
        return Err(ApiError::UnprocessableBody(
            "name at least one of `status`, `owner` and `due_at`".into(),
        ));
    }
    let update = Change::ChangeAction(trygg_app::ActionChange {
        id: action_id,
        status: request.status,
        owner: request
            .owner
            .map(|owner| user_id("owner", &owner))
            .transpose()?,
        due_at: request.due_at,
    });
    let changed = change(&caller, id, if_match, &app, update, Answer::Actions).await?;
    let action = match changed.answer {
        Answered::Actions(actions) => actions.into_iter().find(|action| action.id == action_id),
        _ => None,
    }
    .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(changed.version)))
        .json(ActionView::new(action, app.clock().now())))
}

/// A case's actions, in the order they were added.
#[utoipa::path(
    get,
    path = "/api/v1/incidents/{id}/actions",
    tag = "case work",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The actions", body = Vec<ActionView>),
        (status = 403, description = "The caller works no cases, or the case is their own report outside those they work", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case among those the caller works", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_actions(
    caller: Caller,
    id: web::Path<Uuid>,
    app: web::Data<App>,
) -> Result<web::Json<Vec<ActionView>>, ApiError> {
    let actions = app.read_actions(&caller.0, id.into_inner()).await?;
    let now = app.clock().now();
    Ok(web::Json(
        actions
            .into_iter()
            .map(|action| ActionView::new(action, now))
            .collect(),
    ))
}

/// Every change to a case, oldest first; for those who work the case.
#[utoipa::path(
    get,
    path = "/api/v1/incidents/{id}/timeline",
    tag = "case work",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The timeline", body = Vec<TimelineEntry>),
        (status = 403, description = "The caller works no cases, or the case is their own report outside those they work", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case among those the caller works", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn case_timeline(
    caller: Caller,
    id: web::Path<Uuid>,
    app: web::Data<App>,
) -> Result<web::Json<Vec<TimelineEntry>>, ApiError> {
    let events = app.read_timeline(&caller.0, id.into_inner()).await?;
    Ok(web::Json(
        events.into_iter().map(TimelineEntry::from).collect(),
    ))
}
