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
    modifiers(&BearerAuth, &Refusals),
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

/// The refusals an operation can answer before its handler runs, declared here once rather
/// than on every handler: 401 (with `WWW-Authenticate`) for a missing or bad token and 429 (with
/// `Retry-After`) for an address that sent too many, on every authenticated operation; 400, 413,
/// 415 and 422 for a body that is not JSON, too large, of another type or not the schema; 400
/// for a query string that does not parse; 404 for a path parameter that does not.
struct Refusals;

impl Modify for Refusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{
            ContentBuilder, Ref, RefOr, Response, ResponseBuilder, schema::Type,
        };

        let problem = |description: &str, header: Option<(&str, &str)>| -> RefOr<Response> {
            let mut response = ResponseBuilder::new().description(description).content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            );
            if let Some((name, description)) = header {
                response = response.header(
                    name,
                    HeaderBuilder::new()
                        .schema(Some(utoipa::openapi::schema::Object::with_type(
                            Type::String,
                        )))
                        .description(Some(description))
                        .build(),
                );
            }
            response.build().into()
        };
        let unauthenticated = problem(
            "No token, or a token that is not valid",
            Some((
                "WWW-Authenticate",
                "`Bearer`, with `error=\"invalid_token\"` for a bad token",
            )),
        );
        let too_many = problem(
            "Too many requests from this caller or address",
            Some(("Retry-After", "Seconds to wait")),
        );
        let body_refusals = [
            ("400", problem("The body is not valid JSON", None)),
            ("413", problem("The body is too large", None)),
            ("415", problem("The body is not `application/json`", None)),
            ("422", problem("The body does not match the schema", None)),
        ];
        let bad_query = problem("The query string does not parse", None);
        let bad_path = problem(
            "Nothing at this path (a parameter that does not parse)",
            None,
        );

        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = operation.request_body.is_some();
                let parameters_in = |place: ParameterIn| {
                    operation
                        .parameters
                        .iter()
                        .flatten()
                        .any(|parameter| {
                            matches!(parameter, RefOr::T(parameter) if parameter.parameter_in == place)
                        })
                };
                let (in_query, in_path) = (
                    parameters_in(ParameterIn::Query),
                    parameters_in(ParameterIn::Path),
                );
                let responses = &mut operation.responses.responses;
                let mut declare = |status: &str, response: &RefOr<Response>| {
                    responses
                        .entry(status.into())
                        .or_insert_with(|| response.clone());
                };
                if secured {
                    declare("401", &unauthenticated);
                    declare("429", &too_many);
                }
                if has_body {
                    for (status, response) in &body_refusals {
                        declare(status, response);
                    }
                }
                if in_query {
                    declare("400", &bad_query);
                }
                if in_path {
                    declare("404", &bad_path);
                }
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
