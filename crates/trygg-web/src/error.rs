//! What goes wrong on a page, and what the visitor sees: a way to sign in, or a page in their
//! language that says what happened and what to do. Never an internal cause.

use std::fmt;

use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::i18n::Lang;
use crate::templates::ErrorPage;

/// When to try again after the database was too busy (seconds), as the API says it.
const UNAVAILABLE_RETRY_AFTER: u64 = 1;

#[derive(Debug)]
pub enum WebError {
    /// Not signed in (or the sign-in ran out): sign in, then come back here.
    SignIn {
        return_to: String,
    },
    /// A form without this session's token.
    Csrf,
    /// A form that could not be read (too large, not a form).
    BadForm,
    Forbidden,
    NotFound,
    /// Too many requests of a kind (statistics) lately: try again after this long.
    TooManyRequests(std::time::Duration),
    /// The database is too busy to answer now; nothing was lost, try again shortly.
    Unavailable,
    /// The identity provider's answer could not be used.
    SignInFailed(String),
    Internal(String),
}

impl WebError {
    pub fn internal(cause: impl fmt::Display) -> WebError {
        WebError::Internal(cause.to_string())
    }
}

impl fmt::Display for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebError::SignIn { .. } => f.write_str("not signed in"),
            WebError::Csrf => f.write_str("the form's token does not match the session"),
            WebError::BadForm => f.write_str("the form could not be read"),
            WebError::Forbidden => f.write_str("not allowed"),
            WebError::NotFound => f.write_str("not found"),
            WebError::TooManyRequests(_) => f.write_str("too many requests"),
            WebError::Unavailable => f.write_str("the database is too busy"),
            WebError::SignInFailed(cause) => write!(f, "sign-in failed: {cause}"),
            WebError::Internal(cause) => write!(f, "internal error: {cause}"),
        }
    }
}

/// A use case's refusal that the page did not show as its own (a rule broken, a conflict):
/// what is left to say is the page's general one.
impl From<trygg_app::Error> for WebError {
    fn from(error: trygg_app::Error) -> Self {
        use trygg_app::Error;
        match error {
            Error::NotFound | Error::NoSuchAction => WebError::NotFound,
            Error::NotYoursToWork | Error::Forbidden(_) => WebError::Forbidden,
            Error::TooMany { wait, .. } => WebError::TooManyRequests(wait),
            Error::Stale { .. }
            | Error::Rule(_)
            | Error::InvalidReport(_)
            | Error::Statistics(_)
            | Error::KeyReused
            | Error::NothingToRetry => WebError::BadForm,
            Error::Unavailable => WebError::Unavailable,
            Error::Internal(_) => WebError::internal(error),
        }
    }
}

impl From<actix_web::error::BlockingError> for WebError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        WebError::internal(error)
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::SignIn { .. } => StatusCode::SEE_OTHER,
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadForm => StatusCode::BAD_REQUEST,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::SignInFailed(_) => StatusCode::BAD_REQUEST,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::SignIn { return_to } = self {
            let target = format!("/logga-in?tillbaka={}", crate::urlencode(return_to));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, target))
                .finish();
        }
        match self {
            WebError::Internal(_) | WebError::SignInFailed(_) => {
                tracing::error!(error = %self, "a page failed")
            }
            _ => tracing::info!(error = %self, "a page was refused"),
        }
        let mut page = error_page(self.status_code(), self.message_ids(), Lang::default());
        let retry_after = match self {
            WebError::TooManyRequests(wait) => Some(trygg_domain::whole_seconds(*wait)),
            WebError::Unavailable => Some(UNAVAILABLE_RETRY_AFTER),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            page.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        page
    }
}

impl WebError {
    /// The title and explanation shown, as message ids.
    fn message_ids(&self) -> (&'static str, &'static str) {
        match self {
            WebError::SignIn { .. } | WebError::Csrf => ("error-csrf-title", "error-csrf-body"),
            WebError::BadForm => ("error-bad-form-title", "error-bad-form-body"),
            WebError::Forbidden => ("error-forbidden-title", "error-forbidden-body"),
            WebError::NotFound => ("error-not-found-title", "error-not-found-body"),
            WebError::TooManyRequests(_) => ("error-too-many-title", "error-too-many-body"),
            WebError::Unavailable => ("error-unavailable-title", "error-unavailable-body"),
            WebError::SignInFailed(_) => ("error-sign-in-title", "error-sign-in-body"),
            WebError::Internal(_) => ("error-internal-title", "error-internal-body"),
        }
    }
}

/// Renders a page's error in the visitor's language (`error_response` has no request to ask).
pub fn localize<B>(response: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let Some(ids) = response
        .response()
        .error()
        .and_then(|error| error.as_error::<WebError>())
        .filter(|error| !matches!(error, WebError::SignIn { .. }))
        .map(WebError::message_ids)
    else {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    };
    let lang = crate::session::lang_of(response.request());
    let status = response.status();
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let (request, _) = response.into_parts();
    let mut page = error_page(status, ids, lang);
    if let Some(retry_after) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, retry_after);
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, page).map_into_right_body(),
    ))
}

fn error_page(status: StatusCode, (title, body): (&str, &str), lang: Lang) -> HttpResponse {
    let page = ErrorPage {
        lang,
        title: lang.text(title),
        body: lang.text(body),
    };
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type(header::ContentType::html())
            .body(html),
        Err(_) => HttpResponse::build(status).finish(),
    }
}
