//! Every error the API returns, as RFC 9457 `application/problem+json`, mapped in one place.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use tracing_actix_web::RequestId;
use trygg_domain::statistics::StatisticsError;
use trygg_domain::{ReportError, Violation, WorkflowError};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// The rules a report broke, one per field, when the problem is a rejected report.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Violation>,
    /// This occurrence, on an internal error: `urn:uuid:` and the request id the service's
    /// log holds it under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{detail}")]
    Unauthenticated { detail: String, invalid_token: bool },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("this resource does not support the {method} method; it supports {allow}")]
    MethodNotAllowed { method: String, allow: &'static str },
    #[error("the body must be at most {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    UnprocessableBody(String),
    #[error(transparent)]
    InvalidReport(#[from] ReportError),
    #[error("{0}")]
    NotAcceptable(String),
    #[error("{0}")]
    TooSparse(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("changing a case needs an `If-Match` header with the ETag you last read")]
    PreconditionRequired,
    #[error("this Idempotency-Key was used for a different request body")]
    IdempotencyKeyReused,
    #[error("too many {what} from this caller; try again in {retry_after_seconds} s")]
    TooManyRequests {
        what: &'static str,
        retry_after_seconds: u64,
    },
    #[error("the service is busy or its database unavailable; try again shortly")]
    Unavailable,
    /// Its cause is logged with the request's id, never answered.
    #[error("an internal error occurred")]
    Internal(String),
}

impl ApiError {
    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::InvalidReport(_) => ("urn:trygg:problem:invalid-report", "Invalid report"),
            ApiError::IdempotencyKeyReused => (
                "urn:trygg:problem:idempotency-key-reused",
                "Idempotency key reused",
            ),
            ApiError::UnprocessableBody(_) => ("urn:trygg:problem:invalid-body", "Invalid body"),
            ApiError::TooSparse(_) => (
                "urn:trygg:problem:statistics-too-sparse",
                "Too many small counts",
            ),
            other => (
                "about:blank",
                other.status_code().canonical_reason().unwrap_or("Error"),
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind_and_title();
        Problem {
            kind,
            title,
            status: self.status_code().as_u16(),
            detail: self.to_string(),
            errors: match self {
                ApiError::InvalidReport(report) => report.violations.clone(),
                _ => Vec::new(),
            },
            instance: None,
        }
    }

    /// An unexpected failure; [`ensure_problem`] logs its cause under the request's id (the
    /// response never carries it).
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(cause.to_string())
    }
}

impl From<trygg_app::Error> for ApiError {
    fn from(error: trygg_app::Error) -> Self {
        use trygg_app::Error;
        let detail = error.to_string();
        match error {
            Error::NotFound => ApiError::NotFound("there is no case with this id".into()),
            Error::NoSuchAction => ApiError::NotFound(detail),
            Error::NotYoursToWork => ApiError::Forbidden(detail),
            Error::Forbidden(reason) => ApiError::Forbidden(reason.into()),
            Error::Stale { current_version } => ApiError::PreconditionFailed(format!(
                "the case has changed since you read it (now \"{current_version}\"); read it again"
            )),
            Error::Rule(rule) => rule.into(),
            Error::InvalidReport(report) => ApiError::InvalidReport(report),
            Error::Statistics(error) => error.into(),
            Error::TooMany { what, wait } => crate::limits::too_many(what, wait),
            Error::KeyReused => ApiError::IdempotencyKeyReused,
            Error::NothingToRetry => ApiError::Conflict(detail),
            Error::Unavailable => ApiError::Unavailable,
            Error::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<WorkflowError> for ApiError {
    fn from(error: WorkflowError) -> Self {
        let detail = error.to_string();
        match error {
            WorkflowError::IllegalTransition { .. } => ApiError::Conflict(detail),
            WorkflowError::ReopenNeedsSecurityManager
            | WorkflowError::NotCaseWorker
            | WorkflowError::InternalCommentNeedsCaseWorker => ApiError::Forbidden(detail),
            WorkflowError::OutcomeRequired
            | WorkflowError::UnexpectedOutcome
            | WorkflowError::InvalidReclassification(_)
            | WorkflowError::InvalidFollowUp(_)
            | WorkflowError::DueOutOfRange
            | WorkflowError::NotAssignable { .. }
            | WorkflowError::NotResponsibleOffice { .. }
            | WorkflowError::ClassificationUnchanged => ApiError::UnprocessableBody(detail),
        }
    }
}

impl From<StatisticsError> for ApiError {
    fn from(error: StatisticsError) -> Self {
        match error {
            StatisticsError::TooSparse | StatisticsError::NotPublishedAtGrouping => {
                ApiError::TooSparse(error.to_string())
            }
            // Figures not published (yet) are not there to be read.
            StatisticsError::NothingPublished | StatisticsError::NotPublished(_) => {
                ApiError::NotFound(error.to_string())
            }
            StatisticsError::PublicationChanged => ApiError::Conflict(error.to_string()),
            other => ApiError::BadRequest(other.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::internal(error)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::UnprocessableBody(_)
            | ApiError::TooSparse(_)
            | ApiError::InvalidReport(_)
            | ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthenticated { invalid_token, .. } => {
                let challenge = if *invalid_token {
                    r#"Bearer error="invalid_token""#
                } else {
                    "Bearer"
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, *allow));
            }
            ApiError::Unavailable => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::TooManyRequests {
                retry_after_seconds,
                ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

/// Turns any error response not already a problem (actix's own, for instance) into one, so
/// clients see a single error format, and logs an internal error's cause under the request's
/// id, which the answer names. An HTML error page (the web pages' own, for people) is left as it is.
pub fn ensure_problem<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let status = response.status();
    let content_type = response.response().headers().get(header::CONTENT_TYPE);
    let is =
        |prefix: &str| content_type.is_some_and(|v| v.as_bytes().starts_with(prefix.as_bytes()));
    let internal = status == StatusCode::INTERNAL_SERVER_ERROR;
    if is("text/html") || (is(PROBLEM_JSON) && !internal) {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let request_id = internal
        .then(|| response.request().extensions().get::<RequestId>().copied())
        .flatten();
    if internal {
        // Here, in the request's span (so the line carries its `request_id`), rather than
        // where the error arose, which may be a blocking thread outside it.
        let cause = response
            .response()
            .error()
            .map(|error| match error.as_error() {
                Some(ApiError::Internal(cause)) => cause.clone(),
                _ => error.to_string(),
            });
        tracing::error!(
            cause = cause.as_deref().unwrap_or("unknown"),
            "internal error"
        );
    }
    let detail = match (status, request_id) {
        (StatusCode::NOT_FOUND, _) => "there is nothing at this path".to_owned(),
        (_, Some(id)) => {
            format!("an internal error occurred; the service's log holds it under request id {id}")
        }
        (status, None) if status.is_server_error() => "an internal error occurred".to_owned(),
        (status, None) => status
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_owned(),
    };
    let problem = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
        instance: request_id.map(|id| format!("urn:uuid:{id}")),
    };
    let (request, original) = response.into_parts();
    let mut replacement = HttpResponse::build(status).json(problem);
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replacement
                .headers_mut()
                .append(name.clone(), value.clone());
        }
    }
    replacement
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, replacement).map_into_right_body(),
    ))
}

/// Maps actix's JSON body errors: too large, wrong content type, malformed, or not a valid shape.
pub fn json_error(error: actix_web::error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match error {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => {
            ApiError::PayloadTooLarge { limit }
        }
        E::ContentType => {
            ApiError::UnsupportedMediaType("the body must be JSON (application/json)".into())
        }
        E::Deserialize(error) if error.is_data() => ApiError::UnprocessableBody(format!(
            "the body does not have the expected shape: {error}"
        )),
        E::Deserialize(error) => {
            ApiError::BadRequest(format!("the body is not valid JSON: {error}"))
        }
        other => ApiError::BadRequest(format!("the body could not be read: {other}")),
    }
    .into()
}

pub fn query_error(
    error: actix_web::error::QueryPayloadError,
    _: &HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest(format!("the query string is not valid: {error}")).into()
}

pub fn path_error(error: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound(format!("there is nothing at this path: {error}")).into()
}

pub async fn not_found() -> HttpResponse {
    ApiError::NotFound("there is nothing at this path".into()).error_response()
}

/// The fallback route of a resource that supports only the `allow` methods.
pub fn method_not_allowed(allow: &'static str) -> actix_web::Route {
    actix_web::web::to(move |request: HttpRequest| async move {
        ApiError::MethodNotAllowed {
            method: request.method().to_string(),
            allow,
        }
        .error_response()
    })
}
