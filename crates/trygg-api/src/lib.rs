//! Trygg's HTTP API: actix-web handlers, authentication, problem+json errors and the OpenAPI
//! document.

mod auth;
mod headers;
mod limits;
mod metrics;
mod openapi;
mod origin;
mod problem;
mod routes;

use std::sync::Arc;

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{Resource, Route, web};
use trygg_app::App;
use utoipa_swagger_ui::SwaggerUi;

pub use auth::{AuthConfigError, AuthSettings, Authenticator, KeySource, TokenRequest, mint_token};
pub use jsonwebtoken::Algorithm;
pub use limits::{Limits, RateLimits};
pub use openapi::document as openapi_document;
pub use origin::{ForwardedHeader, TrustedProxies, is_loopback_host};

/// The largest JSON body accepted: room for the longest text a schema allows (10 000
/// characters) even when every one is written as a 12-byte surrogate-pair escape.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// What the API is configured with beside the application.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    pub auth: AuthSettings,
    /// Whether the PxWeb tables are open data, served without a token
    /// (`TRYGG_OPEN_STATISTICS`).
    pub open_statistics: bool,
    /// Where people reach the service (`TRYGG_PUBLIC_URL`), for links.
    pub public_url: String,
    /// The proxies whose forwarding headers name the client (`TRYGG_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// The bearer token a scraper presents for `/metrics`; without one there is no `/metrics`.
    pub metrics_token: Option<String>,
}

/// The JSON API, ready to mount: `/api/v1` and `/api/pxweb/v2` with the documentation, health
/// and metrics, over the application it was built with.
#[derive(Clone)]
pub struct Api {
    app: web::Data<App>,
    authenticator: web::Data<Authenticator>,
    limits: web::Data<Limits>,
    metrics: web::Data<metrics::Metrics>,
    trusted_proxies: web::Data<TrustedProxies>,
    pxweb: web::Data<routes::pxweb::PxWebSettings>,
    document: utoipa::openapi::OpenApi,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").finish_non_exhaustive()
    }
}

impl Api {
    /// The API over `app`, spending `limits` (the allowances the application was built with);
    /// fetches the identity provider's keys where it publishes them.
    pub async fn new(
        app: web::Data<App>,
        limits: Arc<Limits>,
        settings: ApiSettings,
    ) -> Result<Api, AuthConfigError> {
        let authenticator = Authenticator::new(&settings.auth)?;
        authenticator.warm_up().await;
        Ok(Api {
            document: openapi::for_catalogue(app.catalogue()),
            authenticator: web::Data::new(authenticator),
            limits: web::Data::from(limits),
            metrics: web::Data::new(metrics::Metrics::new(settings.metrics_token)),
            trusted_proxies: web::Data::new(settings.trusted_proxies),
            pxweb: web::Data::new(routes::pxweb::PxWebSettings {
                open: settings.open_statistics,
                public_url: settings.public_url,
            }),
            app,
        })
    }

    /// The routes and the state they read: `/api` with its own answer for what is not there,
    /// and the documentation, health and metrics beside it. Mounted before the pages, which
    /// answer every other path.
    pub fn configure(&self, config: &mut web::ServiceConfig) {
        config
            .app_data(self.app.clone())
            .app_data(self.authenticator.clone())
            .app_data(self.limits.clone())
            .app_data(self.metrics.clone())
            .app_data(self.trusted_proxies.clone())
            .app_data(self.pxweb.clone());
        configure(config, self.document.clone());
    }
}

/// Middleware for every answer of the service, the pages' included: problem documents for
/// errors that are not pages, security headers, the request's client and its metrics.
pub mod middleware {
    pub use crate::headers::security_headers;
    pub use crate::metrics::record as record_metrics;
    pub use crate::origin::record as record_origin;
    pub use crate::problem::ensure_problem;
}

/// A resource with these routes; other methods get 405 naming `allow`.
fn resource<const N: usize>(path: &str, routes: [Route; N], allow: &'static str) -> Resource {
    routes
        .into_iter()
        .fold(web::resource(path), Resource::route)
        .default_service(problem::method_not_allowed(allow))
}

/// Routes and request limits; the docs serve `document`.
fn configure(config: &mut web::ServiceConfig, document: utoipa::openapi::OpenApi) {
    use routes::{
        alerts, audit, case_work, catalogue, comments, health, incidents, pxweb, queue, routing,
        statistics,
    };
    config
        .app_data(
            web::JsonConfig::default()
                .limit(MAX_BODY_BYTES)
                .content_type_required(true)
                .error_handler(problem::json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(problem::query_error))
        .app_data(web::PathConfig::default().error_handler(problem::path_error))
        .service(
            web::scope("/api")
                // Cases, alerts, the access log and statistics: none of it belongs in a cache.
                .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
                .service(resource(
                    "/v1/incidents",
                    [
                        web::post().to(incidents::file_incident),
                        web::get().to(incidents::list_incidents),
                    ],
                    "GET, POST",
                ))
                .service(resource(
                    "/v1/incidents/{id}",
                    [web::get().to(incidents::read_incident)],
                    "GET",
                ))
                .service(resource(
                    "/v1/incidents/{id}/status",
                    [web::post().to(case_work::change_case_status)],
                    "POST",
                ))
                .service(resource(
                    "/v1/incidents/{id}/assignment",
                    [web::post().to(case_work::assign_case)],
                    "POST",
                ))
                .service(resource(
                    "/v1/incidents/{id}/classification",
                    [web::post().to(case_work::reclassify_case)],
                    "POST",
                ))
                .service(resource(
                    "/v1/incidents/{id}/timeline",
                    [web::get().to(case_work::case_timeline)],
                    "GET",
                ))
                .service(resource(
                    "/v1/incidents/{id}/follow-up",
                    [web::put().to(case_work::record_follow_up)],
                    "PUT",
                ))
                .service(resource(
                    "/v1/incidents/{id}/actions",
                    [
                        web::post().to(case_work::add_action),
                        web::get().to(case_work::list_actions),
                    ],
                    "GET, POST",
                ))
                .service(resource(
                    "/v1/incidents/{id}/actions/{action_id}",
                    [web::patch().to(case_work::change_action)],
                    "PATCH",
                ))
                .service(resource(
                    "/v1/incidents/{id}/comments",
                    [
                        web::post().to(comments::add_comment),
                        web::get().to(comments::list_comments),
                    ],
                    "GET, POST",
                ))
                .service(resource(
                    "/v1/queue",
                    [web::get().to(queue::read_queue)],
                    "GET",
                ))
                .service(resource(
                    "/v1/alerts",
                    [web::get().to(alerts::list_alerts)],
                    "GET",
                ))
                .service(resource(
                    "/v1/alerts/{id}/retry",
                    [web::post().to(alerts::retry_alert)],
                    "POST",
                ))
                .service(resource(
                    "/v1/alerts/{id}/ack",
                    [web::post().to(alerts::acknowledge_alert)],
                    "POST",
                ))
                .service(resource(
                    "/v1/routing/preview",
                    [web::get().to(routing::preview_routing)],
                    "GET",
                ))
                .service(resource(
                    "/v1/incidents/{id}/routing",
                    [web::get().to(routing::preview_case_routing)],
                    "GET",
                ))
                .service(resource(
                    "/v1/audit",
                    [web::get().to(audit::read_audit_log)],
                    "GET",
                ))
                .service(resource(
                    "/v1/statistics",
                    [web::get().to(statistics::read_statistics)],
                    "GET",
                ))
                .service(resource(
                    "/v1/statistics/publications",
                    [web::get().to(statistics::read_publications)],
                    "GET",
                ))
                .service(resource(
                    "/v1/statistics/yearly/{year}",
                    [web::get().to(statistics::read_yearly_compilation)],
                    "GET",
                ))
                .service(resource(
                    "/v1/statistics/districts/{district}",
                    [web::get().to(statistics::read_district_picture)],
                    "GET",
                ))
                .service(resource(
                    "/pxweb/v2/config",
                    [web::get().to(pxweb::read_config)],
                    "GET",
                ))
                .service(resource(
                    "/pxweb/v2/tables",
                    [web::get().to(pxweb::list_tables)],
                    "GET",
                ))
                .service(resource(
                    "/pxweb/v2/tables/{id}",
                    [web::get().to(pxweb::read_table)],
                    "GET",
                ))
                .service(resource(
                    "/pxweb/v2/tables/{id}/metadata",
                    [web::get().to(pxweb::read_metadata)],
                    "GET",
                ))
                .service(resource(
                    "/pxweb/v2/tables/{id}/data",
                    [
                        web::get().to(pxweb::read_data),
                        web::post().to(pxweb::query_data),
                    ],
                    "GET, POST",
                ))
                .service(resource(
                    "/pxweb/v2/codelists/{id}",
                    [web::get().to(pxweb::read_codelist)],
                    "GET",
                ))
                .service(resource(
                    "/pxweb/v2/codeLists/{id}",
                    [web::get().to(pxweb::read_codelist)],
                    "GET",
                ))
                .service(resource(
                    "/v1/catalogue",
                    [web::get().to(catalogue::read_catalogue)],
                    "GET",
                ))
                .default_service(web::to(problem::not_found)),
        )
        .service(resource("/livez", [web::get().to(health::livez)], "GET"))
        .service(resource(
            "/metrics",
            [web::get().to(crate::metrics::read_metrics)],
            "GET",
        ))
        .service(resource("/readyz", [web::get().to(health::readyz)], "GET"))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document));
}
