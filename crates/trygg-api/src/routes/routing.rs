//! Routing preview: which receivers a case would alert, without sending anything.

use actix_web::web;
use serde::{Deserialize, Serialize};
use trygg_domain::{Catalogue, IncidentKind, Role, Severity};
use trygg_notifier::{AlertFacts, Receiver, Routing};
use trygg_storage::Database;
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};
use crate::routes::incidents::{log_reads, not_found};

/// A stored case, or the facts of a hypothetical one.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// A case id; or else give all four facts below.
    case: Option<Uuid>,
    focus_area: Option<String>,
    district: Option<String>,
    kind: Option<IncidentKind>,
    severity: Option<Severity>,
}

/// A receiver and where its alerts go.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReceiverView {
    pub name: String,
    pub email: Vec<String>,
    pub webhooks: Vec<String>,
}

impl From<&Receiver> for ReceiverView {
    fn from(receiver: &Receiver) -> Self {
        ReceiverView {
            name: receiver.name.clone(),
            email: receiver.email.iter().map(ToString::to_string).collect(),
            webhooks: receiver
                .webhooks
                .iter()
                .map(|hook| hook.url.as_str().to_owned())
                .collect(),
        }
    }
}

/// Who would be alerted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoutingPreview {
    pub receivers: Vec<ReceiverView>,
}

/// Which receivers a case would alert under the configured rules; nothing is sent.
#[utoipa::path(
    get,
    path = "/api/v1/routing/preview",
    tag = "alerts",
    params(PreviewQuery),
    responses(
        (status = 200, description = "The receivers, in route order", body = RoutingPreview),
        (status = 400, description = "Neither a case nor all four facts, or an unknown code", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only security managers preview routing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn preview_routing(
    caller: Caller,
    query: web::Query<PreviewQuery>,
    routing: web::Data<Routing>,
    catalogue: web::Data<Catalogue>,
    database: web::Data<Database>,
) -> Result<web::Json<RoutingPreview>, ApiError> {
    if !caller.0.has(Role::SecurityManager) {
        return Err(ApiError::Forbidden(
            "only security managers preview routing".into(),
        ));
    }
    let receivers = match query.into_inner() {
        PreviewQuery {
            case: Some(id),
            focus_area: None,
            district: None,
            kind: None,
            severity: None,
        } => {
            let reader = database.clone();
            let visibility = trygg_domain::Visibility::All;
            let case = web::block(move || reader.incident(id, &visibility))
                .await??
                .ok_or_else(not_found)?;
            log_reads(&database, &caller, "routing_preview", vec![id]).await?;
            let facts = AlertFacts {
                focus_area: &case.focus_area,
                offices: &case.offices,
                district: &case.district,
                kind: case.circumstances.kind,
                severity: case.circumstances.severity,
            };
            routing
                .receivers_for(&facts)
                .into_iter()
                .map(ReceiverView::from)
                .collect()
        }
        PreviewQuery {
            case: None,
            focus_area: Some(focus_area),
            district: Some(district),
            kind: Some(kind),
            severity: Some(severity),
        } => {
            let bad = |e: trygg_domain::CatalogueError| ApiError::BadRequest(e.to_string());
            let area = catalogue.focus_area(&focus_area).map_err(bad)?;
            catalogue.district(&district).map_err(bad)?;
            let offices: Vec<String> = area.offices.iter().map(ToString::to_string).collect();
            let facts = AlertFacts {
                focus_area: &focus_area,
                offices: &offices,
                district: &district,
                kind,
                severity,
            };
            routing
                .receivers_for(&facts)
                .into_iter()
                .map(ReceiverView::from)
                .collect()
        }
        _ => {
            return Err(ApiError::BadRequest(
                "give either `case`, or all of `focus_area`, `district`, `kind` and `severity`"
                    .into(),
            ));
        }
    };
    Ok(web::Json(RoutingPreview { receivers }))
}
