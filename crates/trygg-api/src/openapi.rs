//! The OpenAPI document, generated from the handlers and types.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    alerts, audit, case_work, catalogue, comments, health, incidents, queue, routing, statistics,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Trygg",
        description = "Incident reporting for a municipality's safety and crime-prevention work: \
                       threats, violence, harassment and improper influence against employees, \
                       elected officials and residents. Errors are RFC 9457 problem documents.",
    ),
    paths(
        incidents::file_incident,
        incidents::read_incident,
        incidents::list_incidents,
        case_work::change_case_status,
        case_work::assign_case,
        case_work::reclassify_case,
        case_work::record_follow_up,
        case_work::add_action,
        case_work::change_action,
        case_work::list_actions,
        case_work::case_timeline,
        comments::add_comment,
        comments::list_comments,
        queue::read_queue,
        routing::preview_routing,
        alerts::list_alerts,
        alerts::retry_alert,
        alerts::acknowledge_alert,
        audit::read_audit_log,
        statistics::read_statistics,
        statistics::read_yearly_compilation,
        statistics::read_district_picture,
        catalogue::read_catalogue,
        health::livez,
        health::readyz,
    ),
    modifiers(&BearerAuth, &AuthenticationAnswers),
    tags(
        (name = "incidents", description = "Filing and reading reports"),
        (name = "case work", description = "Triage and case work, under If-Match"),
        (name = "comments", description = "Comments, internal or shared with the reporter"),
        (name = "alerts", description = "Alert routing, delivery and acknowledgement"),
        (name = "audit", description = "The access log"),
        (name = "statistics", description = "Reporting statistics: protected counts, never cases"),
        (name = "catalogue", description = "Codes and their Swedish labels"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// What every authenticated operation can answer before it reads the request: 401 for a
/// missing or bad token, 429 for an address that has sent too many of them. Declared here once
/// rather than on every handler.
struct AuthenticationAnswers;

impl Modify for AuthenticationAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder, schema::Type};

        let problem = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build()
        };
        let header = |description: &str| {
            HeaderBuilder::new()
                .schema(Some(utoipa::openapi::schema::Object::with_type(
                    Type::String,
                )))
                .description(Some(description))
                .build()
        };
        let unauthenticated = ResponseBuilder::new()
            .description("No token, or a token that is not valid")
            .content("application/problem+json", problem())
            .header(
                "WWW-Authenticate",
                header("`Bearer`, with `error=\"invalid_token\"` for a bad one"),
            )
            .build();
        let too_many = ResponseBuilder::new()
            .description("Too many requests from this caller or address; `Retry-After` says when to try again")
            .content("application/problem+json", problem())
            .header("Retry-After", header("Seconds to wait"))
            .build();
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                if operation.security.as_ref().is_none_or(Vec::is_empty) {
                    continue;
                }
                let responses = &mut operation.responses.responses;
                responses
                    .entry("401".into())
                    .or_insert_with(|| unauthenticated.clone().into());
                responses
                    .entry("429".into())
                    .or_insert_with(|| too_many.clone().into());
            }
        }
    }
}

/// The document as pretty JSON, as committed in `openapi/openapi.json`.
pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
        + "\n"
}
