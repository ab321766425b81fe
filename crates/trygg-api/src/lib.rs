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

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{Condition, DefaultHeaders, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, Resource, Route, web};
use trygg_domain::statistics::PublicationCalendar;
use trygg_domain::{Allowances, Catalogue, Clock};
use trygg_notifier::{DeliverySettings, Routing, Wakeup, Worker, WorkerError};
use trygg_storage::{AccessLogKeys, Database, DatabaseUrl, DisclosureControl, StorageError};
use utoipa_swagger_ui::SwaggerUi;

pub use auth::{AuthConfigError, AuthSettings, Authenticator, KeySource, TokenRequest, mint_token};
pub use jsonwebtoken::Algorithm;
pub use limits::RateLimits;
pub use openapi::document as openapi_document;
pub use origin::{ForwardedHeader, TrustedProxies, is_loopback_host};

/// The largest JSON body accepted: room for the longest text a schema allows (10 000
/// characters) even when every one is written as a 12-byte surrogate-pair escape.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// How often pending statistics are folded into the rollups (PostgreSQL).
const STATISTICS_FOLD_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);
/// How often the service looks whether statistics are due for publication.
const STATISTICS_PUBLICATION_CHECK: std::time::Duration = std::time::Duration::from_secs(60);

/// Everything the service needs to run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database_url: DatabaseUrl,
    pub database_pool_size: u32,
    pub auth: AuthSettings,
    pub catalogue: Catalogue,
    pub routing: Routing,
    pub delivery: DeliverySettings,
    /// How statistics are protected and published.
    pub disclosure: DisclosureControl,
    /// Whether the PxWeb tables are open data, served without a token
    /// (`TRYGG_OPEN_STATISTICS`).
    pub open_statistics: bool,
    /// Where the service reads the time: the system clock, or a test's.
    pub clock: Clock,
    pub rate_limits: RateLimits,
    /// The proxies whose forwarding headers name the client (`TRYGG_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// The bearer token a scraper presents for `/metrics`; without one there is no `/metrics`.
    pub metrics_token: Option<String>,
    /// A file outside the database where the access log's heads are appended too.
    pub access_log_heads: Option<PathBuf>,
    /// The keys that seal the access log's entries, held outside the database.
    pub access_log_keys: AccessLogKeys,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Auth(#[from] AuthConfigError),
    #[error(transparent)]
    Delivery(#[from] WorkerError),
    #[error("cannot listen on the configured address: {0}")]
    Bind(#[from] std::io::Error),
    #[error("the start-up task failed: {0}")]
    Blocking(#[from] actix_web::error::BlockingError),
}

/// A running service: its address and the server future to await.
pub struct Application {
    address: SocketAddr,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Connects to and migrates the database, then binds (port 0 picks a free port).
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        Application::build_with(settings, |_| {}).await
    }

    /// As [`Application::build`], with more services beside the API (the web pages), which
    /// share its state: database, catalogue, routing, clock.
    pub async fn build_with(
        settings: Settings,
        more: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    ) -> Result<Application, StartError> {
        let authenticator = web::Data::new(Authenticator::new(&settings.auth)?);
        authenticator.warm_up().await;
        let url = settings.database_url.clone();
        let pool_size = settings.database_pool_size;
        let clock = settings.clock;
        let database_clock = clock.clone();
        let heads = settings.access_log_heads;
        let keys = settings.access_log_keys;
        let database = web::block(move || {
            let mut database =
                Database::connect(&url, pool_size, database_clock)?.seal_access_log_with(keys);
            if let Some(heads) = heads {
                database = database.record_heads_in(heads);
            }
            let applied = database.migrate()?;
            tracing::info!(database = %url.redacted(), applied, "database ready");
            Ok::<_, StorageError>(database)
        })
        .await??;
        let database = web::Data::new(database);
        let catalogue = web::Data::new(settings.catalogue);
        let routing = web::Data::new(settings.routing);
        let disclosure = web::Data::new(settings.disclosure);
        let open_statistics = web::Data::new(routes::pxweb::PxWebSettings {
            open: settings.open_statistics,
            public_url: settings.delivery.public_url.clone(),
        });
        let wakeup = web::Data::new(Wakeup::new());
        // Served over https (as people reach it): browsers are told to stay there.
        let https = settings.delivery.public_url.starts_with("https://");
        let worker = Worker::new(
            database.clone().into_inner(),
            routing.clone().into_inner(),
            catalogue.clone().into_inner(),
            wakeup.clone().into_inner(),
            clock.clone(),
            settings.delivery,
        )?;
        let limits = Arc::new(limits::Limits::new(settings.rate_limits, clock.clone()));
        // The pages spend the same allowances as the API.
        let allowances: web::Data<dyn Allowances> =
            web::Data::from(limits.clone() as Arc<dyn Allowances>);
        let trusted_proxies = web::Data::new(settings.trusted_proxies);
        let limits = web::Data::from(limits);
        let metrics = web::Data::new(metrics::Metrics::new(settings.metrics_token));
        let app = web::Data::new(trygg_app::App::new(trygg_app::Parts {
            database: database.clone().into_inner(),
            catalogue: catalogue.clone().into_inner(),
            routing: routing.clone().into_inner(),
            wakeup: wakeup.clone().into_inner(),
            clock: clock.clone(),
            allowances: allowances.clone().into_inner(),
            disclosure: disclosure.clone().into_inner(),
        }));
        let clock = web::Data::new(clock);
        let document = openapi::for_catalogue(&catalogue);
        actix_web::rt::spawn(worker.run());
        actix_web::rt::spawn(fold_statistics(database.clone()));
        // What is due is published before the first request, so that no reader of published
        // figures finds none just because the service has only started; then on schedule.
        publish_due_statistics(&database, disclosure.calendar).await;
        actix_web::rt::spawn(publish_statistics(database.clone(), disclosure.calendar));
        let listener = TcpListener::bind(settings.bind)?;
        let address = listener.local_addr()?;
        let server = HttpServer::new(move || {
            App::new()
                .wrap(ErrorHandlers::new().default_handler(problem::ensure_problem))
                .wrap(from_fn(headers::security_headers))
                .wrap(Condition::new(
                    https,
                    DefaultHeaders::new().add((
                        actix_web::http::header::STRICT_TRANSPORT_SECURITY,
                        "max-age=31536000",
                    )),
                ))
                .wrap(tracing_actix_web::TracingLogger::default())
                .wrap(from_fn(metrics::record))
                .wrap(from_fn(origin::record))
                .app_data(app.clone())
                .app_data(database.clone())
                .app_data(catalogue.clone())
                .app_data(routing.clone())
                .app_data(disclosure.clone())
                .app_data(open_statistics.clone())
                .app_data(wakeup.clone())
                .app_data(clock.clone())
                .app_data(limits.clone())
                .app_data(allowances.clone())
                .app_data(trusted_proxies.clone())
                .app_data(metrics.clone())
                .app_data(authenticator.clone())
                .configure(more.clone())
                .configure(|config| configure(config, document.clone()))
        })
        .listen(listener)?
        .run();
        Ok(Application { address, server })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves until the process is told to stop.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Folds the statistics filings left pending (on PostgreSQL) into the rollups until it has
/// caught up, then again [`STATISTICS_FOLD_INTERVAL`] later, for as long as the service runs.
/// Statistics are exact either way; folding keeps what they read beside the rollups small.
async fn fold_statistics(database: web::Data<Database>) {
    if database.backend() != trygg_storage::Backend::Postgres {
        return;
    }
    loop {
        actix_web::rt::time::sleep(STATISTICS_FOLD_INTERVAL).await;
        let database = database.clone();
        let folded = web::block(move || database.fold_statistics()).await;
        if !matches!(folded, Ok(Ok(_))) {
            tracing::warn!(?folded, "folding pending statistics failed; trying again");
        }
    }
}

/// Publishes statistics as the calendar makes them due (see [`Database::publish_statistics`]),
/// looking every [`STATISTICS_PUBLICATION_CHECK`]; several instances publish once, one after
/// another finding nothing due.
async fn publish_statistics(database: web::Data<Database>, calendar: PublicationCalendar) {
    loop {
        actix_web::rt::time::sleep(STATISTICS_PUBLICATION_CHECK).await;
        publish_due_statistics(&database, calendar).await;
    }
}

async fn publish_due_statistics(database: &web::Data<Database>, calendar: PublicationCalendar) {
    let publisher = database.clone();
    match web::block(move || publisher.publish_statistics(calendar, false)).await {
        Ok(Ok(Some(publication))) => tracing::info!(?publication, "statistics published"),
        Ok(Ok(None)) => {}
        failed => tracing::warn!(?failed, "publishing statistics failed; trying again"),
    }
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
        .service(resource(
            "/api/v1/incidents",
            [
                web::post().to(incidents::file_incident),
                web::get().to(incidents::list_incidents),
            ],
            "GET, POST",
        ))
        .service(resource(
            "/api/v1/incidents/{id}",
            [web::get().to(incidents::read_incident)],
            "GET",
        ))
        .service(resource(
            "/api/v1/incidents/{id}/status",
            [web::post().to(case_work::change_case_status)],
            "POST",
        ))
        .service(resource(
            "/api/v1/incidents/{id}/assignment",
            [web::post().to(case_work::assign_case)],
            "POST",
        ))
        .service(resource(
            "/api/v1/incidents/{id}/classification",
            [web::post().to(case_work::reclassify_case)],
            "POST",
        ))
        .service(resource(
            "/api/v1/incidents/{id}/timeline",
            [web::get().to(case_work::case_timeline)],
            "GET",
        ))
        .service(resource(
            "/api/v1/incidents/{id}/follow-up",
            [web::put().to(case_work::record_follow_up)],
            "PUT",
        ))
        .service(resource(
            "/api/v1/incidents/{id}/actions",
            [
                web::post().to(case_work::add_action),
                web::get().to(case_work::list_actions),
            ],
            "GET, POST",
        ))
        .service(resource(
            "/api/v1/incidents/{id}/actions/{action_id}",
            [web::patch().to(case_work::change_action)],
            "PATCH",
        ))
        .service(resource(
            "/api/v1/incidents/{id}/comments",
            [
                web::post().to(comments::add_comment),
                web::get().to(comments::list_comments),
            ],
            "GET, POST",
        ))
        .service(resource(
            "/api/v1/queue",
            [web::get().to(queue::read_queue)],
            "GET",
        ))
        .service(resource(
            "/api/v1/alerts",
            [web::get().to(alerts::list_alerts)],
            "GET",
        ))
        .service(resource(
            "/api/v1/alerts/{id}/retry",
            [web::post().to(alerts::retry_alert)],
            "POST",
        ))
        .service(resource(
            "/api/v1/alerts/{id}/ack",
            [web::post().to(alerts::acknowledge_alert)],
            "POST",
        ))
        .service(resource(
            "/api/v1/routing/preview",
            [web::get().to(routing::preview_routing)],
            "GET",
        ))
        .service(resource(
            "/api/v1/incidents/{id}/routing",
            [web::get().to(routing::preview_case_routing)],
            "GET",
        ))
        .service(resource(
            "/api/v1/audit",
            [web::get().to(audit::read_audit_log)],
            "GET",
        ))
        .service(resource(
            "/api/v1/statistics",
            [web::get().to(statistics::read_statistics)],
            "GET",
        ))
        .service(resource(
            "/api/v1/statistics/publications",
            [web::get().to(statistics::read_publications)],
            "GET",
        ))
        .service(resource(
            "/api/v1/statistics/yearly/{year}",
            [web::get().to(statistics::read_yearly_compilation)],
            "GET",
        ))
        .service(resource(
            "/api/v1/statistics/districts/{district}",
            [web::get().to(statistics::read_district_picture)],
            "GET",
        ))
        .service(resource(
            "/api/pxweb/v2/config",
            [web::get().to(pxweb::read_config)],
            "GET",
        ))
        .service(resource(
            "/api/pxweb/v2/tables",
            [web::get().to(pxweb::list_tables)],
            "GET",
        ))
        .service(resource(
            "/api/pxweb/v2/tables/{id}",
            [web::get().to(pxweb::read_table)],
            "GET",
        ))
        .service(resource(
            "/api/pxweb/v2/tables/{id}/metadata",
            [web::get().to(pxweb::read_metadata)],
            "GET",
        ))
        .service(resource(
            "/api/pxweb/v2/tables/{id}/data",
            [
                web::get().to(pxweb::read_data),
                web::post().to(pxweb::query_data),
            ],
            "GET, POST",
        ))
        .service(resource(
            "/api/pxweb/v2/codelists/{id}",
            [web::get().to(pxweb::read_codelist)],
            "GET",
        ))
        .service(resource(
            "/api/pxweb/v2/codeLists/{id}",
            [web::get().to(pxweb::read_codelist)],
            "GET",
        ))
        .service(resource(
            "/api/v1/catalogue",
            [web::get().to(catalogue::read_catalogue)],
            "GET",
        ))
        .service(resource("/livez", [web::get().to(health::livez)], "GET"))
        .service(resource(
            "/metrics",
            [web::get().to(crate::metrics::read_metrics)],
            "GET",
        ))
        .service(resource("/readyz", [web::get().to(health::readyz)], "GET"))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document))
        .default_service(web::to(problem::not_found));
}
