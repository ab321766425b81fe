//! Liveness and readiness, for orchestrators and load balancers.

use actix_web::web;
use serde::Serialize;
use trygg_app::App;

use crate::problem::{ApiError, Problem};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/livez", tag = "health", responses((status = 200, body = Health)))]
pub async fn livez() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The database answers and is migrated.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "Not ready", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn readyz(app: web::Data<App>) -> Result<web::Json<Health>, ApiError> {
    match app.is_ready().await {
        Ok(true) => Ok(web::Json(Health { status: "ok" })),
        Ok(false) => Err(ApiError::Unavailable),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            Err(ApiError::Unavailable)
        }
    }
}
