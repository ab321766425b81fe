//! Start-up: the service's one application, wired once from its settings, with the alert
//! worker and the statistics' background work beside it and both front ends mounted on it.
//! `main` and the tests start the service through here alike.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{Condition, DefaultHeaders, ErrorHandlers, from_fn};
use actix_web::{HttpServer, web};
use trygg_api::middleware::{ensure_problem, record_metrics, record_origin, security_headers};
use trygg_api::{
    Api, ApiSettings, AuthConfigError, AuthSettings, Limits, RateLimits, TrustedProxies,
};
use trygg_app::{App, Parts};
use trygg_domain::{Catalogue, Clock};
use trygg_notifier::{DeliverySettings, Routing, Wakeup, Worker, WorkerError};
use trygg_storage::{AccessLogKeys, Database, DatabaseUrl, DisclosureControl, StorageError};
use trygg_web::{OidcError, Pages, WebSettings};

/// How often pending statistics are folded into the rollups (PostgreSQL).
const STATISTICS_FOLD_INTERVAL: Duration = Duration::from_secs(1);
/// How often the service looks whether statistics are due for publication.
const STATISTICS_PUBLICATION_CHECK: Duration = Duration::from_secs(60);

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
    /// The web pages, when they are served beside the API.
    pub web: Option<WebSettings>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Auth(#[from] AuthConfigError),
    #[error(transparent)]
    Delivery(#[from] WorkerError),
    #[error(transparent)]
    SignIn(#[from] OidcError),
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
    /// Connects to and migrates the database, wires the application, starts the alert worker
    /// and the statistics' background work, and binds (port 0 picks a free port).
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        let database = Arc::new(connect(&settings).await?);
        let clock = settings.clock;
        let catalogue = Arc::new(settings.catalogue);
        let routing = Arc::new(settings.routing);
        let wakeup = Arc::new(Wakeup::new());
        // The API and the pages spend the same allowances.
        let limits = Arc::new(Limits::new(settings.rate_limits, clock.clone()));
        let worker = Worker::new(
            database.clone(),
            routing.clone(),
            catalogue.clone(),
            wakeup.clone(),
            clock.clone(),
            settings.delivery.clone(),
        )?;
        let app = web::Data::new(App::new(Parts {
            database,
            catalogue,
            routing,
            wakeup,
            clock,
            allowances: limits.clone(),
            disclosure: Arc::new(settings.disclosure),
        }));
        let public_url = settings.delivery.public_url;
        // Served over https (as people reach it): browsers are told to stay there.
        let https = public_url.starts_with("https://");
        let api = Api::new(
            app.clone(),
            limits,
            ApiSettings {
                auth: settings.auth,
                open_statistics: settings.open_statistics,
                public_url,
                trusted_proxies: settings.trusted_proxies,
                metrics_token: settings.metrics_token,
            },
        )
        .await?;
        let pages = match settings.web {
            Some(web) => Some(Pages::new(web, app.clone()).await?),
            None => None,
        };

        actix_web::rt::spawn(worker.run());
        actix_web::rt::spawn(fold_statistics(app.clone()));
        // What is due is published before the first request, so that no reader of published
        // figures finds none just because the service has only started; then on schedule.
        publish_due_statistics(&app).await;
        actix_web::rt::spawn(publish_statistics(app));

        let listener = TcpListener::bind(settings.bind)?;
        let address = listener.local_addr()?;
        let server = HttpServer::new(move || {
            actix_web::App::new()
                .wrap(ErrorHandlers::new().default_handler(ensure_problem))
                .wrap(from_fn(security_headers))
                .wrap(Condition::new(
                    https,
                    DefaultHeaders::new().add((
                        actix_web::http::header::STRICT_TRANSPORT_SECURITY,
                        "max-age=31536000",
                    )),
                ))
                .wrap(tracing_actix_web::TracingLogger::default())
                .wrap(from_fn(record_metrics))
                .wrap(from_fn(record_origin))
                // The API first: the pages answer every path it does not.
                .configure(|config| api.configure(config))
                .configure(|config| {
                    if let Some(pages) = &pages {
                        pages.mount(config);
                    }
                })
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

/// The database, migrated, its access log sealed with the configured keys.
async fn connect(settings: &Settings) -> Result<Database, StartError> {
    let url = settings.database_url.clone();
    let (pool_size, clock) = (settings.database_pool_size, settings.clock.clone());
    let (heads, keys) = (
        settings.access_log_heads.clone(),
        settings.access_log_keys.clone(),
    );
    let database = web::block(move || {
        let mut database = Database::connect(&url, pool_size, clock)?.seal_access_log_with(keys);
        if let Some(heads) = heads {
            database = database.record_heads_in(heads);
        }
        let applied = database.migrate()?;
        tracing::info!(database = %url.redacted(), applied, "database ready");
        Ok::<_, StorageError>(database)
    })
    .await??;
    Ok(database)
}

/// Folds pending statistics into the rollups every [`STATISTICS_FOLD_INTERVAL`], for as long
/// as the service runs, where filings leave them pending.
async fn fold_statistics(app: web::Data<App>) {
    if !app.keeps_statistics_pending() {
        return;
    }
    loop {
        actix_web::rt::time::sleep(STATISTICS_FOLD_INTERVAL).await;
        if let Err(error) = app.fold_pending_statistics().await {
            tracing::warn!(%error, "folding pending statistics failed; trying again");
        }
    }
}

/// Publishes statistics as the calendar makes them due, looking every
/// [`STATISTICS_PUBLICATION_CHECK`].
async fn publish_statistics(app: web::Data<App>) {
    loop {
        actix_web::rt::time::sleep(STATISTICS_PUBLICATION_CHECK).await;
        publish_due_statistics(&app).await;
    }
}

async fn publish_due_statistics(app: &App) {
    match app.publish_due_statistics().await {
        Ok(Some(publication)) => tracing::info!(?publication, "statistics published"),
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "publishing statistics failed; trying again"),
    }
}
