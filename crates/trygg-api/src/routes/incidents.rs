//! Filing and reading incident reports.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use trygg_app::{
    App, Filed, FilingKey, Incident, IncidentFilter, MAX_PAGE_SIZE, Purpose, Replay, Replayed,
};
use trygg_domain::{
    Circumstances, DistrictCode, FocusAreaCode, OfficeCode, Outcome, Principal, ReportDraft,
    Status, ViolenceForm,
};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};

const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;
const DEFAULT_PAGE_SIZE: i64 = 50;

/// A case as its readers see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub id: Uuid,
    /// The human case number, e.g. `TRG-2026-000123`.
    pub case_number: String,
    pub status: Status,
    /// Set when the case is closed.
    pub outcome: Option<Outcome>,
    pub focus_area: String,
    /// The offices responsible for the case.
    pub offices: Vec<String>,
    #[serde(flatten)]
    pub circumstances: Circumstances,
    pub violence_forms: Vec<ViolenceForm>,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub district: String,
    pub description: String,
    /// The case work, for those who work the case (absent for the reporter).
    pub work: Option<CaseWork>,
}

/// What case workers record on a case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseWork {
    /// The handler working the case (their user id).
    pub assignee: Option<String>,
    pub police_report_filed: bool,
    pub police_reference: Option<String>,
    /// When Arbetsmiljöverket was notified.
    pub authority_notified_at: Option<DateTime<Utc>>,
    /// When Arbetsmiljöverket must have been notified: serious incidents against employees and
    /// elected officials, 24 hours after filing.
    pub authority_notification_due: Option<DateTime<Utc>>,
    pub support_offered: bool,
    pub closed_at: Option<DateTime<Utc>>,
}

impl CaseView {
    /// The case as `caller` may see it: the case work only for those who work it.
    pub fn new(incident: Incident, caller: &Principal) -> CaseView {
        let works = caller.works_case(incident.offices.iter().map(OfficeCode::as_str));
        let work = works.then(|| CaseWork {
            assignee: incident.assignee.clone(),
            police_report_filed: incident.follow_up.police_report_filed,
            police_reference: incident.follow_up.police_reference.clone(),
            authority_notified_at: incident.follow_up.authority_notified_at,
            authority_notification_due: incident.authority_notification_due(),
            support_offered: incident.follow_up.support_offered,
            closed_at: incident.closed_at,
        });
        CaseView {
            work,
            id: incident.id,
            case_number: incident.case_number.to_string(),
            status: incident.status,
            outcome: incident.outcome,
            focus_area: incident.focus_area.to_string(),
            offices: incident.offices.iter().map(ToString::to_string).collect(),
            circumstances: incident.circumstances,
            violence_forms: incident.violence_forms,
            occurred_at: incident.occurred_at,
            received_at: incident.received_at,
            updated_at: incident.updated_at,
            district: incident.district.to_string(),
            description: incident.description,
        }
    }
}

/// One page of cases, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of the case list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    status: Option<Status>,
    #[param(value_type = Option<FocusAreaCode>)]
    focus_area: Option<String>,
    #[param(value_type = Option<DistrictCode>)]
    district: Option<String>,
    /// Cases that happened at or after this time (RFC 3339).
    occurred_from: Option<DateTime<Utc>>,
    /// Cases that happened before this time (RFC 3339).
    occurred_before: Option<DateTime<Utc>>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    cursor: Option<String>,
    /// Page size, 1 to 100 (larger values are capped); 50 when absent.
    #[param(minimum = 1)]
    limit: Option<i64>,
}

/// The `Idempotency-Key` header's schema: what [`idempotency_key`] accepts.
#[derive(Debug)]
pub struct IdempotencyKeyValue;

impl utoipa::PartialSchema for IdempotencyKeyValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "1 to 255 visible ASCII characters, chosen by the client",
            ))
            .max_length(Some(MAX_IDEMPOTENCY_KEY_LEN))
            .pattern(Some("^[!-~]+$"))
            .into()
    }
}

impl utoipa::ToSchema for IdempotencyKeyValue {}

fn idempotency_key(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    let well_formed = (1..=MAX_IDEMPOTENCY_KEY_LEN).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_graphic());
    if well_formed {
        Ok(Some(key.to_owned()))
    } else {
        Err(ApiError::BadRequest(format!(
            "the {IDEMPOTENCY_KEY} header must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters"
        )))
    }
}

/// The fingerprint of a body: the same JSON value hashes the same, however it is spaced or its
/// keys ordered.
fn fingerprint(body: &RawValue) -> String {
    let canonical = serde_json::from_str::<serde_json::Value>(body.get())
        .map(|value| value.to_string())
        .unwrap_or_else(|_| body.get().to_owned());
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn render(incident: Incident, caller: &Principal) -> Result<String, ApiError> {
    serde_json::to_string(&CaseView::new(incident, caller)).map_err(ApiError::internal)
}

fn created(incident_id: Uuid, body: String) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/incidents/{incident_id}")))
        .content_type(header::ContentType::json())
        .body(body)
}

/// File an incident report.
///
/// The report is classified into a focus area (unless it names one) and routed to the
/// responsible offices. With an `Idempotency-Key`, a retry with the same body returns the first
/// response; the same key with another body is refused.
#[utoipa::path(
    post,
    path = "/api/v1/incidents",
    tag = "incidents",
    request_body = ReportDraft,
    params(("Idempotency-Key" = Option<IdempotencyKeyValue>, Header, description = "Makes retries safe; scoped to the caller")),
    responses(
        (status = 201, description = "Filed", body = CaseView, headers(("Location" = String))),
        (status = 400, description = "Malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not file", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Report breaks a rule, or key reused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many reports from this caller; `Retry-After` says when to try again", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn file_incident(
    caller: Caller,
    request: HttpRequest,
    body: web::Json<Box<RawValue>>,
    app: web::Data<App>,
) -> Result<HttpResponse, ApiError> {
    // Permission and the allowance before anything sent is read: a refused caller's bodies
    // cost nothing to send, and each costs them a filing.
    let admitted = app.admit_filing(&caller.0)?;
    let body = body.into_inner();
    // Only a keyed filing needs its body's fingerprint.
    let key = idempotency_key(&request)?.map(|key| FilingKey {
        key,
        fingerprint: fingerprint(&body),
    });
    let draft = parse_draft(&body)?;
    match app
        .file(admitted, draft, key.clone(), Replay::Answer)
        .await?
    {
        Filed::New(incident) => {
            let id = incident.id;
            let body = render(*incident, &caller.0)?;
            if let Some(key) = key {
                app.keep_filing_answer(&caller.0, key, body.clone()).await;
            }
            Ok(created(id, body))
        }
        Filed::Again { id, answer } => {
            let body =
                match answer.ok_or_else(|| ApiError::internal("a replay without its answer"))? {
                    Replayed::Kept(body) => body,
                    Replayed::Case(incident) => render(*incident, &caller.0)?,
                };
            let mut response = created(id, body);
            response.headers_mut().insert(
                header::HeaderName::from_static("idempotent-replayed"),
                header::HeaderValue::from_static("true"),
            );
            Ok(response)
        }
    }
}

/// Reads a report in one typed pass, naming the field at fault.
fn parse_draft(body: &RawValue) -> Result<ReportDraft, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_str(body.get());
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let field = match e.path().to_string().as_str() {
            "." => String::new(),
            path => format!("`{path}`: "),
        };
        ApiError::UnprocessableBody(format!(
            "the body is not a valid report: {field}{}",
            e.inner()
        ))
    })
}

/// Read one case.
///
/// A case the caller may not see answers 404, exactly like one that does not exist.
#[utoipa::path(
    get,
    path = "/api/v1/incidents/{id}",
    tag = "incidents",
    params(("id" = Uuid, Path, description = "The case id")),
    responses(
        (status = 200, description = "The case", body = CaseView, headers(("ETag" = String, description = "For If-Match when changing the case"))),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read_incident(
    caller: Caller,
    id: web::Path<Uuid>,
    app: web::Data<App>,
) -> Result<HttpResponse, ApiError> {
    let incident = app
        .read_case(&caller.0, id.into_inner(), Purpose::ReadIncident)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(incident.version)))
        .json(CaseView::new(incident, &caller.0)))
}

/// A case the caller may not see reads exactly like one that does not exist.
pub(crate) fn not_found() -> ApiError {
    ApiError::NotFound("there is no case with this id".into())
}

/// The ETag of a case's version.
pub(crate) fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A cursor as this API writes them: a positive sequence number in plain digits.
fn parse_cursor(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    cursor
        .map(|cursor| {
            let plain = (1..=18).contains(&cursor.len())
                && !cursor.starts_with('0')
                && cursor.bytes().all(|b| b.is_ascii_digit());
            plain
                .then(|| cursor.parse::<i64>().ok())
                .flatten()
                .ok_or_else(|| {
                    ApiError::BadRequest("`cursor` is not a cursor this API returned".into())
                })
        })
        .transpose()
}

/// List the cases the caller may see, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/incidents",
    tag = "incidents",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of cases", body = CasePage),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role sees no cases", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_incidents(
    caller: Caller,
    query: web::Query<ListQuery>,
    app: web::Data<App>,
) -> Result<web::Json<CasePage>, ApiError> {
    app.may_list_cases(&caller.0)?;
    let catalogue = app.catalogue();
    let query = query.into_inner();
    let bad = |e: trygg_domain::CatalogueError| ApiError::BadRequest(e.to_string());
    if let Some(code) = &query.focus_area {
        catalogue.focus_area(code).map_err(bad)?;
    }
    if let Some(code) = &query.district {
        catalogue.district(code).map_err(bad)?;
    }
    let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if limit < 1 {
        return Err(ApiError::BadRequest("`limit` must be at least 1".into()));
    }
    let limit = limit.min(MAX_PAGE_SIZE);
    let filter = IncidentFilter {
        status: query.status,
        focus_area: query.focus_area,
        district: query.district,
        occurred_from: query.occurred_from,
        occurred_before: query.occurred_before,
        after_cursor: parse_cursor(query.cursor.as_deref())?,
        limit,
    };
    let page = app.list_cases(&caller.0, filter).await?;
    Ok(web::Json(CasePage {
        items: page
            .cases
            .into_iter()
            .map(|incident| CaseView::new(incident, &caller.0))
            .collect(),
        next_cursor: page.next_cursor.map(|seq| seq.to_string()),
    }))
}
