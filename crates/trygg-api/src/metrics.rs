//! `GET /metrics` in the Prometheus (OpenMetrics) text format: requests by route and status
//! with their latency, cases filed, alert deliveries by state and the age of the oldest one
//! waiting, access-log appends, and the database pool. Shown only to a scraper that presents
//! `TRYGG_METRICS_TOKEN`; without one configured the path does not exist.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use trygg_app::{App, ServiceState};
use trygg_domain::DeliveryState;

use crate::auth::bearer_token;
use crate::limits::Limits;
use crate::problem::ApiError;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The route's pattern (`/api/v1/incidents/{id}`), never the path with its ids.
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// What the middleware records for every request.
#[derive(Debug)]
pub struct Metrics {
    token: Option<String>,
    requests: Family<RequestLabels, prometheus_client::metrics::counter::Counter>,
    latency: Family<RouteLabels, Histogram>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Metrics {
    pub fn new(token: Option<String>) -> Metrics {
        Metrics {
            token,
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
        }
    }
}

/// Counts every request and times it, under its route's pattern.
pub async fn record(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = request.app_data::<web::Data<Metrics>>().cloned();
    let response = next.call(request).await?;
    if let Some(metrics) = metrics {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        metrics
            .latency
            .get_or_create(&RouteLabels {
                route: route.clone(),
            })
            .observe(started.elapsed().as_secs_f64());
        metrics
            .requests
            .get_or_create(&RequestLabels {
                route,
                method: response.request().method().to_string(),
                status: response.status().as_u16(),
            })
            .inc();
    }
    Ok(response)
}

/// `GET /metrics`: for the scraper that presents the metrics token.
pub async fn read_metrics(
    request: HttpRequest,
    metrics: web::Data<Metrics>,
    app: web::Data<App>,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let Some(token) = &metrics.token else {
        return Err(ApiError::NotFound("there is nothing at this path".into()));
    };
    let address = crate::origin::of(&request).map(|origin| origin.client);
    let presented = bearer_token(&request).ok();
    if presented.as_deref() != Some(token.as_str()) {
        // Guessing the token counts as failed authentication, as a bad API token does.
        limits.count_failure(address)?;
        return Err(ApiError::Unauthenticated {
            detail: "the metrics need the metrics token as a bearer token".into(),
            invalid_token: presented.is_some(),
        });
    }
    let ServiceState {
        outbox,
        pool,
        filings,
        access_log_appends,
    } = app.service_state().await?;

    let mut registry = Registry::with_prefix("trygg");
    registry.register(
        "http_requests",
        "Requests answered, by route, method and status",
        metrics.requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer, by route",
        metrics.latency.clone(),
    );
    registry.register(
        "filings",
        "Cases filed through this instance since it started",
        ConstCounter::new(filings),
    );
    registry.register(
        "access_log_appends",
        "Access-log entries this instance appended since it started",
        ConstCounter::new(access_log_appends),
    );
    let deliveries = Family::<StateLabels, Gauge>::default();
    for state in DeliveryState::ALL {
        let count = outbox
            .by_state
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, count)| *count);
        deliveries
            .get_or_create(&StateLabels {
                state: state.code().to_owned(),
            })
            .set(count);
    }
    registry.register(
        "alert_deliveries",
        "Alert deliveries in the outbox, by state",
        deliveries,
    );
    let oldest = outbox.oldest_pending.map_or(0.0, |at| {
        (app.clock().now() - at).num_milliseconds().max(0) as f64 / 1000.0
    });
    registry.register(
        "oldest_undelivered_alert_age_seconds",
        "How long the oldest delivery still to be sent has waited (0 when none waits)",
        ConstGauge::new(oldest),
    );
    registry.register(
        "database_pool_connections",
        "Connections the pool holds",
        ConstGauge::new(i64::from(pool.connections)),
    );
    registry.register(
        "database_pool_idle_connections",
        "Connections idle in the pool",
        ConstGauge::new(i64::from(pool.idle)),
    );
    registry.register(
        "database_pool_size",
        "The most connections the pool opens",
        ConstGauge::new(i64::from(pool.size)),
    );
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text))
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}
