//! Routing preview: which receivers a case, stored or hypothetical, would alert, without
//! sending anything.

use actix_web::web;
use serde::{Deserialize, Serialize};
use trygg_app::{AlertFacts, App, Purpose, Receiver, Routing};
use trygg_domain::{DistrictCode, FocusAreaCode, IncidentKind, Severity};

use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};

/// The facts of a hypothetical case.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Facts {
    #[param(value_type = FocusAreaCode)]
    focus_area: String,
    #[param(value_type = DistrictCode)]
    district: String,
    kind: IncidentKind,
    severity: Severity,
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

fn preview(routing: &Routing, facts: &AlertFacts) -> RoutingPreview {
    RoutingPreview {
        receivers: routing
            .receivers_for(facts)
            .into_iter()
            .map(ReceiverView::from)
            .collect(),
    }
}

/// Which receivers a case with these facts would alert under the configured rules; nothing is
/// sent.
#[utoipa::path(
    get,
    path = "/api/v1/routing/preview",
    tag = "alerts",
    params(Facts),
    responses(
        (status = 200, description = "The receivers, in route order", body = RoutingPreview),
        (status = 403, description = "Only security managers preview routing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn preview_routing(
    caller: Caller,
    query: web::Query<Facts>,
    app: web::Data<App>,
) -> Result<web::Json<RoutingPreview>, ApiError> {
    let catalogue = app.catalogue();
    caller.security_manager("preview routing")?;
    let Facts {
        focus_area,
        district,
        kind,
        severity,
    } = query.into_inner();
    let bad = |e: trygg_domain::CatalogueError| ApiError::BadRequest(e.to_string());
    let area = catalogue.focus_area(&focus_area).map_err(bad)?;
    catalogue.district(&district).map_err(bad)?;
    let facts = AlertFacts {
        focus_area: &focus_area,
        offices: &area.offices,
        district: &district,
        kind,
        severity,
    };
    Ok(web::Json(preview(app.routing(), &facts)))
}

/// Which receivers this stored case would alert under the configured rules; nothing is sent.
/// The read is logged.
#[utoipa::path(
    get,
    path = "/api/v1/incidents/{id}/routing",
    tag = "alerts",
    params(("id" = Uuid, Path, description = "The case id")),
    responses(
        (status = 200, description = "The receivers, in route order", body = RoutingPreview),
        (status = 403, description = "Only security managers preview routing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn preview_case_routing(
    caller: Caller,
    id: web::Path<Uuid>,
    app: web::Data<App>,
) -> Result<web::Json<RoutingPreview>, ApiError> {
    caller.security_manager("preview routing")?;
    let case = app
        .read_case(&caller.0, id.into_inner(), Purpose::RoutingPreview)
        .await?;
    let facts = AlertFacts {
        focus_area: case.focus_area.as_str(),
        offices: &case.offices,
        district: case.district.as_str(),
        kind: case.circumstances.kind,
        severity: case.circumstances.severity,
    };
    Ok(web::Json(preview(app.routing(), &facts)))
}
