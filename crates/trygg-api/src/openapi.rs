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
    modifiers(&BearerAuth),
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

/// The document as pretty JSON, as committed in `openapi/openapi.json`.
pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
        + "\n"
}
