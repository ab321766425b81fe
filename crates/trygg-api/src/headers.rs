//! Security headers on every answer: nothing is sniffed into another type and the
//! documentation page runs only its own scripts. (The API's scope and the pages' say
//! themselves that nothing they answer is kept by a browser or a proxy.)

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// The documentation page: Swagger UI's own scripts and styles from this server (its styles
/// are partly set inline by its scripts), and nothing else.
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'none'";

/// Adds the headers a response has not set itself (the web pages set their own).
pub async fn security_headers(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = request.path().to_owned();
    let mut response = next.call(request).await?;
    let headers = response.headers_mut();
    let mut add = |name: header::HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    add(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if path.starts_with("/docs") {
        add(header::CONTENT_SECURITY_POLICY, DOCS_POLICY);
        add(header::X_FRAME_OPTIONS, "DENY");
    }
    Ok(response)
}
