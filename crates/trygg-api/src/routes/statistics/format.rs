//! Which format a statistics request is answered in.

use actix_web::HttpRequest;
use actix_web::http::header::{Accept, Header};
use trygg_domain::statistics::Format;

use crate::problem::ApiError;

/// The `format` parameter if given, else the first acceptable of the `Accept` header.
pub fn negotiate(explicit: Option<Format>, request: &HttpRequest) -> Result<Format, ApiError> {
    if let Some(format) = explicit {
        return Ok(format);
    }
    let Ok(accept) = Accept::parse(request) else {
        return Ok(Format::Json);
    };
    if accept.is_empty() {
        return Ok(Format::Json);
    }
    accept
        .ranked()
        .into_iter()
        .find_map(|mime| match mime.essence_str() {
            "*/*" | "application/*" | "application/json" => Some(Format::Json),
            "text/*" | "text/csv" => Some(Format::Csv(',')),
            "application/json-stat+json" => Some(Format::JsonStat),
            _ => None,
        })
        .ok_or_else(|| {
            ApiError::NotAcceptable(
                "statistics are served as application/json, text/csv or \
                 application/json-stat+json"
                    .into(),
            )
        })
}
