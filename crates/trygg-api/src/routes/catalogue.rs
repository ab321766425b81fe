//! The catalogue: every code a report uses, with its Swedish label.

use actix_web::web;
use serde::Serialize;
use trygg_domain::{
    AffectedCategory, AgeGroup, Catalogue, ChildrenAffected, Gender, IncidentKind, Influence,
    PerpetratorRelation, PlaceKind, Severity, Status, ViolenceForm,
};

use crate::auth::Caller;
use crate::problem::Problem;

/// A code and its Swedish label.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Labelled {
    pub code: String,
    pub label: String,
}

/// A focus area and its responsible offices.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FocusAreaView {
    pub code: String,
    pub label: String,
    pub offices: Vec<String>,
}

/// Everything a form needs to offer the right choices.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CatalogueView {
    pub focus_areas: Vec<FocusAreaView>,
    pub offices: Vec<Labelled>,
    pub districts: Vec<Labelled>,
    pub kinds: Vec<Labelled>,
    pub violence_forms: Vec<Labelled>,
    pub place_kinds: Vec<Labelled>,
    pub affected_categories: Vec<Labelled>,
    pub genders: Vec<Labelled>,
    pub age_groups: Vec<Labelled>,
    pub children_affected: Vec<Labelled>,
    pub perpetrator_relations: Vec<Labelled>,
    pub perpetrator_influences: Vec<Labelled>,
    pub severities: Vec<Labelled>,
    pub statuses: Vec<Labelled>,
}

/// Lists a fixed vocabulary.
macro_rules! labelled {
    ($vocabulary:ty) => {
        <$vocabulary>::ALL
            .iter()
            .map(|value| Labelled {
                code: value.code().to_owned(),
                label: value.label().to_owned(),
            })
            .collect()
    };
}

impl From<&Catalogue> for CatalogueView {
    fn from(catalogue: &Catalogue) -> Self {
        CatalogueView {
            focus_areas: catalogue
                .focus_areas()
                .iter()
                .map(|area| FocusAreaView {
                    code: area.code.to_string(),
                    label: area.label.clone(),
                    offices: area.offices.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            offices: catalogue
                .offices()
                .iter()
                .map(|o| Labelled {
                    code: o.code.to_string(),
                    label: o.label.clone(),
                })
                .collect(),
            districts: catalogue
                .districts()
                .iter()
                .map(|d| Labelled {
                    code: d.code.to_string(),
                    label: d.label.clone(),
                })
                .collect(),
            kinds: labelled!(IncidentKind),
            violence_forms: labelled!(ViolenceForm),
            place_kinds: labelled!(PlaceKind),
            affected_categories: labelled!(AffectedCategory),
            genders: labelled!(Gender),
            age_groups: labelled!(AgeGroup),
            children_affected: labelled!(ChildrenAffected),
            perpetrator_relations: labelled!(PerpetratorRelation),
            perpetrator_influences: labelled!(Influence),
            severities: labelled!(Severity),
            statuses: labelled!(Status),
        }
    }
}

/// The catalogue of focus areas, offices, districts and report vocabularies.
#[utoipa::path(
    get,
    path = "/api/v1/catalogue",
    tag = "catalogue",
    responses(
        (status = 200, description = "The catalogue", body = CatalogueView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read_catalogue(
    _caller: Caller,
    app: web::Data<trygg_app::App>,
) -> web::Json<CatalogueView> {
    web::Json(CatalogueView::from(app.catalogue()))
}
