//! The OpenAPI document, generated from the handlers and types.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use trygg_domain::Catalogue;

use crate::routes::{
    self, alerts, audit, case_work, catalogue, comments, health, incidents, pxweb, queue, routing,
    statistics,
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
        routing::preview_case_routing,
        alerts::list_alerts,
        alerts::retry_alert,
        alerts::acknowledge_alert,
        audit::read_audit_log,
        statistics::read_statistics,
        statistics::read_publications,
        statistics::read_yearly_compilation,
        statistics::read_district_picture,
        pxweb::read_config,
        pxweb::list_tables,
        pxweb::read_table,
        pxweb::read_metadata,
        pxweb::read_data,
        pxweb::query_data,
        pxweb::read_codelist,
        catalogue::read_catalogue,
        health::livez,
        health::readyz,
    ),
    // Header schemas: utoipa collects the schemas of bodies and of query and path parameters,
    // not of headers.
    components(schemas(case_work::EntityTag, incidents::IdempotencyKeyValue)),
    modifiers(&BearerAuth, &Refusals, &Links, &CrossFieldRules),
    tags(
        (name = "incidents", description = "Filing and reading reports"),
        (name = "case work", description = "Triage and case work, under If-Match"),
        (name = "comments", description = "Comments, internal or shared with the reporter"),
        (name = "alerts", description = "Alert routing, delivery and acknowledgement"),
        (name = "audit", description = "The access log"),
        (name = "statistics", description = "Reporting statistics: protected counts, never cases"),
        (name = "pxweb", description = "The published statistics as PxWeb API 2.0 tables \
                                          (PxTools' PxAPI-2.yml); `/codeLists/{id}` answers as \
                                          `/codelists/{id}` does"),
        (name = "catalogue", description = "Codes and their Swedish labels"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

/// Rules between a body's fields that JSON Schema states and the derived schemas do not: a
/// follow-up's `police_reference` only with `police_report_filed: true`.
struct CrossFieldRules;

impl Modify for CrossFieldRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Type};

        let Some(schemas) = openapi.components.as_mut().map(|c| &mut c.schemas) else {
            return;
        };
        let Some(follow_up) = schemas.remove("FollowUpChange") else {
            return;
        };
        let filed = ObjectBuilder::new().property(
            "police_report_filed",
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .enum_values(Some([true])),
        );
        let no_reference = ObjectBuilder::new().property(
            "police_reference",
            ObjectBuilder::new().schema_type(Type::Null),
        );
        let rule = AnyOfBuilder::new()
            .description(Some(
                "A `police_reference` needs `police_report_filed: true`",
            ))
            .item(filed)
            .item(no_reference);
        schemas.insert(
            "FollowUpChange".to_owned(),
            AllOfBuilder::new().item(follow_up).item(rule).into(),
        );
    }
}

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

/// Links from the answers that give out ids and ETags to the operations that take them, so
/// that a client (or a fuzzer) can follow a case from its filing through its work.
struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::link::LinkBuilder;
        use utoipa::openapi::{HttpMethod, RefOr};

        /// An answer, the operations it links to, and how their parameters are filled.
        struct LinkSet<'a> {
            path: &'a str,
            method: HttpMethod,
            status: &'a str,
            targets: &'a [&'a str],
            parameters: &'a [(&'a str, &'a str)],
        }

        let case_id = ("id", "$request.path.id");
        let etag = ("If-Match", "$response.header.ETag");
        let links = [
            LinkSet {
                path: "/api/v1/incidents",
                method: HttpMethod::Post,
                status: "201",
                targets: &["read_incident", "list_comments", "add_comment"],
                parameters: &[("id", "$response.body#/id")],
            },
            // The case work, for those who work the case (not every filer does).
            LinkSet {
                path: "/api/v1/incidents/{id}",
                method: HttpMethod::Get,
                status: "200",
                targets: &["case_timeline", "list_actions", "preview_case_routing"],
                parameters: &[case_id],
            },
            LinkSet {
                path: "/api/v1/incidents/{id}",
                method: HttpMethod::Get,
                status: "200",
                targets: &[
                    "change_case_status",
                    "assign_case",
                    "reclassify_case",
                    "record_follow_up",
                    "add_action",
                ],
                parameters: &[case_id, etag],
            },
            LinkSet {
                path: "/api/v1/incidents/{id}/actions",
                method: HttpMethod::Post,
                status: "201",
                targets: &["change_action"],
                parameters: &[case_id, ("action_id", "$response.body#/id"), etag],
            },
            LinkSet {
                path: "/api/v1/alerts",
                method: HttpMethod::Get,
                status: "200",
                targets: &["acknowledge_alert", "retry_alert"],
                parameters: &[("id", "$response.body#/0/id")],
            },
        ];
        for LinkSet {
            path,
            method,
            status,
            targets,
            parameters,
        } in links
        {
            let response = operation(openapi, path, method)
                .responses
                .responses
                .get_mut(status);
            let Some(RefOr::T(response)) = response else {
                panic!("{path} is documented to answer {status}");
            };
            for target in targets {
                let link = parameters.iter().fold(
                    LinkBuilder::new().operation_id(*target),
                    |link, (name, value)| link.parameter(*name, *value),
                );
                response.links.insert((*target).into(), link.build().into());
            }
        }
    }
}

/// An operation the document has (a programming error if not).
fn operation<'a>(
    openapi: &'a mut utoipa::openapi::OpenApi,
    path: &str,
    method: utoipa::openapi::HttpMethod,
) -> &'a mut utoipa::openapi::path::Operation {
    use utoipa::openapi::HttpMethod;

    let item = openapi.paths.paths.get_mut(path);
    let operation = item.and_then(|item| match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Patch => item.patch.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        _ => None,
    });
    operation.unwrap_or_else(|| panic!("{path} is documented for this method"))
}

/// The document for an instance with this catalogue: its codes are the enums of the
/// `FocusAreaCode`, `OfficeCode` and `DistrictCode` schemas and of the statistics filters.
pub fn for_catalogue(catalogue: &Catalogue) -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    CatalogueCodes(catalogue).modify(&mut document);
    document
}

struct CatalogueCodes<'a>(&'a Catalogue);

impl Modify for CatalogueCodes<'_> {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{HttpMethod, RefOr};

        let catalogue = self.0;
        let codes = |description: &str, codes: Vec<&str>| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description))
                .enum_values(Some(codes))
                .into()
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        let schemas = [
            (
                "FocusAreaCode",
                codes(
                    "A focus area code from the catalogue",
                    catalogue
                        .focus_areas()
                        .iter()
                        .map(|area| area.code.as_str())
                        .collect(),
                ),
            ),
            (
                "OfficeCode",
                codes(
                    "An office code from the catalogue",
                    catalogue
                        .offices()
                        .iter()
                        .map(|office| office.code.as_str())
                        .collect(),
                ),
            ),
            (
                "DistrictCode",
                codes(
                    "A district code from the catalogue",
                    catalogue
                        .districts()
                        .iter()
                        .map(|district| district.code.as_str())
                        .collect(),
                ),
            ),
        ];
        for (name, schema) in schemas {
            components.schemas.insert(name.into(), schema);
        }
        operation(openapi, "/api/v1/statistics", HttpMethod::Get)
            .parameters
            .get_or_insert_with(Vec::new)
            .extend(
                routes::statistics::query_parameters(catalogue)
                    .into_iter()
                    .map(RefOr::T),
            );
    }
}

/// The document for the built-in catalogue as pretty JSON, as committed in
/// `openapi/openapi.json`.
pub fn document() -> String {
    for_catalogue(&Catalogue::builtin())
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
        + "\n"
}
