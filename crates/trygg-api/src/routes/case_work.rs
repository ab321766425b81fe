//! Working a case, under `If-Match`: status, assignment, reclassification, follow-up facts
//! and actions; and the timeline.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};
use trygg_domain::text::{
    self,
    schema::{PoliceReference, Prose, Reason, UserId},
};
use trygg_domain::{
    ActionStatus, Catalogue, Clock, Description, FollowUp, IncidentKind, Outcome, Principal,
    Reclassification, Severity, Status, Visibility, change_status, check_case_worker, check_due,
};
use trygg_domain::{FocusAreaCode, OfficeCode};
use trygg_notifier::{Routing, Wakeup};
use trygg_storage::{
    Action, ActionUpdate, Amended, Amendment, CaseEvent, Database, Incident, NewAction, Purpose,
    Reader, Unread,
};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};
use crate::routes::incidents::{CaseView, etag, not_found};

/// A user id named in a request (an assignee, an action's owner).
fn user_id(field: &str, value: &str) -> Result<String, ApiError> {
    text::line(value, text::MAX_USER_ID_CHARS)
        .map_err(|e| ApiError::UnprocessableBody(format!("`{field}` {e}")))
}

/// Someone a case or an action is to go to: their user id, and what the service knows of
/// them, for [`check_case_worker`] against the case.
async fn candidate(
    field: &'static str,
    value: &str,
    database: &web::Data<Database>,
    catalogue: &web::Data<Catalogue>,
) -> Result<(String, Option<Principal>), ApiError> {
    let subject = user_id(field, value)?;
    let (database, catalogue, wanted) = (database.clone(), catalogue.clone(), subject.clone());
    let known = web::block(move || database.known_principal(&wanted, &catalogue)).await??;
    Ok((subject, known))
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

/// Runs a decision on the current case and stores the amendment it makes; returns the case's
/// version now and the case, unread.
async fn amend(
    caller: &Caller,
    id: Uuid,
    IfMatch(expected): IfMatch,
    database: web::Data<Database>,
    decide: impl FnOnce(&Incident) -> Result<Amendment, ApiError> + Send + 'static,
) -> Result<(i64, Unread<Incident>), ApiError> {
    let scope = work_scope(caller)?;
    let actor = caller.0.subject().to_owned();
    let writer = database.clone();
    match web::block(move || writer.amend(id, scope, expected, actor, decide)).await?? {
        Amended::Done { version, case } => Ok((version, *case)),
        Amended::NotFound => Err(not_worked(caller, id, database).await),
        Amended::NoSuchAction => Err(ApiError::NotFound(
            "the case has no action with this id".into(),
        )),
        Amended::Stale { current_version } => Err(ApiError::PreconditionFailed(format!(
            "the case has changed since you read it (now {}); read it again",
            etag(current_version)
        ))),
        Amended::Refused(error) => Err(error),
    }
}

/// Why a case is not among those the caller works: a handler's own report outside their
/// office is forbidden (they filed it, so they know it exists); any other case is not found,
/// as if it did not exist.
async fn not_worked(caller: &Caller, id: Uuid, database: web::Data<Database>) -> ApiError {
    let subject = caller.0.subject().to_owned();
    match web::block(move || database.is_reporter_of(id, &subject)).await {
        Ok(Ok(true)) => ApiError::Forbidden(
            "this is your own report: its case work is for those who work its offices' cases"
                .into(),
        ),
        Ok(Ok(false)) => not_found(),
        Ok(Err(error)) => error.into(),
        Err(error) => error.into(),
    }
}

/// The cases the caller works; others are refused before anything is looked up.
pub(crate) fn work_scope(caller: &Caller) -> Result<Visibility, ApiError> {
    caller
        .0
        .work_scope()
        .ok_or_else(|| ApiError::Forbidden("only handlers and security managers work cases".into()))
}

/// The amended case, its read logged, with its new ETag.
async fn answer_with_case(
    case: Unread<Incident>,
    caller: &Caller,
    database: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let reader = Reader::new(caller.0.subject(), Purpose::CaseWorkAnswer);
    let incident = web::block(move || case.read_by(&database, &reader)).await??;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(incident.version)))
        .json(CaseView::new(incident, &caller.0)))
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
    database: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.0.clone();
    let StatusChange { status, outcome } = body.into_inner();
    let decide = move |current: &Incident| {
        let outcome = change_status(current.status, status, outcome, &principal)?;
        Ok(Amendment {
            status: Some(status),
            outcome: Some(outcome),
            ..Amendment::default()
        })
    };
    let (_, case) = amend(&caller, id.into_inner(), if_match, database.clone(), decide).await?;
    answer_with_case(case, &caller, database).await
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
    database: web::Data<Database>,
    catalogue: web::Data<Catalogue>,
) -> Result<HttpResponse, ApiError> {
    let Assignment { assignee, office } = body.into_inner();
    let (assignee, known) = candidate("assignee", &assignee, &database, &catalogue).await?;
    let decide = move |current: &Incident| {
        if !current.offices.contains(&office) {
            return Err(ApiError::UnprocessableBody(format!(
                "`office` must be one of the case's responsible offices: {}",
                current.offices.join(", ")
            )));
        }
        check_case_worker(
            "assignee",
            known.as_ref(),
            &current.offices,
            &current.reporter,
        )?;
        Ok(Amendment {
            assignee: Some(assignee),
            ..Amendment::default()
        })
    };
    let (_, case) = amend(&caller, id.into_inner(), if_match, database.clone(), decide).await?;
    answer_with_case(case, &caller, database).await
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
    database: web::Data<Database>,
    catalogue: web::Data<Catalogue>,
    routing: web::Data<Routing>,
    wakeup: web::Data<Wakeup>,
) -> Result<HttpResponse, ApiError> {
    let change = body.into_inner();
    // Refused before the version is compared: a request that could never succeed is 422
    // whatever the case's version.
    let parsed = Reclassification::parse(
        &catalogue,
        change.focus_area.as_deref(),
        change.severity,
        change.kind,
        &change.reason,
        &caller.0,
    )?;
    let decide = move |current: &Incident| Ok(routing.reclassify(current, parsed));
    let (_, case) = amend(&caller, id.into_inner(), if_match, database.clone(), decide).await?;
    wakeup.notify_one();
    answer_with_case(case, &caller, database).await
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
    database: web::Data<Database>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let change = body.into_inner();
    let follow_up = FollowUp::parse(
        change.police_report_filed,
        change.police_reference.as_deref(),
        change.authority_notified_at,
        change.support_offered,
        clock.now(),
    )?;
    let decide = move |current: &Incident| {
        follow_up.check_against(current.occurred_at)?;
        Ok(Amendment {
            follow_up: Some(follow_up),
            ..Amendment::default()
        })
    };
    let (_, case) = amend(&caller, id.into_inner(), if_match, database.clone(), decide).await?;
    answer_with_case(case, &caller, database).await
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
    database: web::Data<Database>,
    catalogue: web::Data<Catalogue>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let draft = body.into_inner();
    let description = Description::parse(&draft.description)
        .map_err(|message| ApiError::UnprocessableBody(format!("`description` {message}")))?;
    let (owner, known) = candidate("owner", &draft.owner, &database, &catalogue).await?;
    let action = NewAction {
        id: Uuid::now_v7(),
        description: description.as_str().to_owned(),
        owner,
        due_at: draft.due_at,
    };
    let view = ActionView {
        id: action.id,
        description: action.description.clone(),
        owner: action.owner.clone(),
        due_at: action.due_at,
        status: ActionStatus::Open,
        overdue: action.due_at < clock.now(),
    };
    let now = clock.now();
    let decide = move |current: &Incident| {
        check_due(action.due_at, current.received_at, now)?;
        check_case_worker("owner", known.as_ref(), &current.offices, &current.reporter)?;
        Ok(Amendment {
            new_action: Some(action),
            ..Amendment::default()
        })
    };
    let (version, _) = amend(&caller, id.into_inner(), if_match, database, decide).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(version)))
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
    database: web::Data<Database>,
    catalogue: web::Data<Catalogue>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, ApiError> {
    let (id, action_id) = path.into_inner();
    let change = body.into_inner();
    if change.status.is_none() && change.owner.is_none() && change.due_at.is_none() {
        return Err(ApiError::UnprocessableBody(
            "name at least one of `status`, `owner` and `due_at`".into(),
        ));
    }
    let (owner, known) = match &change.owner {
        Some(owner) => {
            let (owner, known) = candidate("owner", owner, &database, &catalogue).await?;
            (Some(owner), known)
        }
        None => (None, None),
    };
    let update = ActionUpdate {
        id: action_id,
        status: change.status,
        owner,
        due_at: change.due_at,
    };
    let now = clock.now();
    let decide = move |current: &Incident| {
        if let Some(due_at) = update.due_at {
            check_due(due_at, current.received_at, now)?;
        }
        if update.owner.is_some() {
            check_case_worker("owner", known.as_ref(), &current.offices, &current.reporter)?;
        }
        Ok(Amendment {
            action_update: Some(update),
            ..Amendment::default()
        })
    };
    let (version, _) = amend(&caller, id, if_match, database.clone(), decide).await?;
    let scope = work_scope(&caller)?;
    let reader = Reader::new(caller.0.subject(), Purpose::CaseWorkAnswer);
    let actions = web::block(move || database.read_actions(id, &scope, &reader))
        .await??
        .unwrap_or_default();
    let action = actions
        .into_iter()
        .find(|action| action.id == action_id)
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(ActionView::new(action, clock.now())))
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
    database: web::Data<Database>,
    clock: web::Data<Clock>,
) -> Result<web::Json<Vec<ActionView>>, ApiError> {
    let scope = work_scope(&caller)?;
    let id = id.into_inner();
    let (store, reader) = (
        database.clone(),
        Reader::new(caller.0.subject(), Purpose::ReadActions),
    );
    let read = web::block(move || store.read_actions(id, &scope, &reader));
    let Some(actions) = read.await?? else {
        return Err(not_worked(&caller, id, database).await);
    };
    let now = clock.now();
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
    database: web::Data<Database>,
) -> Result<web::Json<Vec<TimelineEntry>>, ApiError> {
    let scope = work_scope(&caller)?;
    let id = id.into_inner();
    let (store, reader) = (
        database.clone(),
        Reader::new(caller.0.subject(), Purpose::ReadTimeline),
    );
    let read = web::block(move || store.read_timeline(id, &scope, &reader));
    let Some(events) = read.await?? else {
        return Err(not_worked(&caller, id, database).await);
    };
    Ok(web::Json(
        events.into_iter().map(TimelineEntry::from).collect(),
    ))
}
