//! The district picture (lägesbild) on the web: a district's last twelve months by month and
//! focus area, by kind of place, by hour and by weekday, each compared with the twelve months
//! before, for a local crime-prevention council.

use actix_web::{HttpResponse, web};
use trygg_domain::statistics::Period;

use super::{Analyst, Labels, publishable};
use crate::error::WebError;
use crate::html;
use crate::templates::{Choice, DistrictPage, Layout};

#[derive(Debug, serde::Deserialize)]
pub struct DistrictQuery {
    stadsdel: Option<String>,
}

/// `GET /lagesbild?stadsdel=…`: the choice of district, and its picture once chosen.
pub async fn district_picture(
    query: web::Query<DistrictQuery>,
    analyst: Analyst,
) -> Result<HttpResponse, WebError> {
    let lang = analyst.lang();
    // The first district until one is picked: the page opens on a picture, not a form.
    let chosen = query
        .into_inner()
        .stadsdel
        .filter(|code| !code.is_empty())
        .or_else(|| {
            let first = analyst.catalogue().districts().first();
            first.map(|district| district.code.as_str().to_owned())
        });
    let districts: Vec<Choice> = analyst
        .catalogue()
        .districts()
        .iter()
        .map(|district| Choice {
            value: district.code.as_str().to_owned(),
            label: lang.pick(&district.label, district.label_en.as_deref()),
            hint: None,
            checked: chosen.as_deref() == Some(district.code.as_str()),
        })
        .collect();
    let mut page = DistrictPage {
        layout: Layout::new(&analyst.visitor, "district-title"),
        heading: None,
        period: None,
        disclosure: String::new(),
        population: analyst.population_note(),
        figures: Vec::new(),
        error: None,
        districts,
    };
    let release = match analyst.release().await? {
        Ok(release) => release,
        Err(why) => {
            page.error = Some(why);
            return html(&page);
        }
    };
    page.disclosure = analyst.disclosure_note(&release);
    let Some(code) = chosen else {
        return html(&page);
    };
    let period = analyst.default_period(&release);
    let picture = analyst.app.district_picture(code, period, release).await;
    let picture = match publishable(lang, picture)? {
        Ok(Some(picture)) => picture,
        Ok(None) => return Err(WebError::NotFound),
        Err(why) => {
            page.error = Some(why);
            return html(&page);
        }
    };
    page.heading =
        Some(analyst.category("district", &picture.district.code, &picture.district.label));
    page.period = Some(period_text(&period));
    page.figures = vec![
        analyst.figure(
            "month",
            "district-by-month",
            &picture.by_month_and_focus_area,
        ),
        analyst.figure("place", "district-by-place", &picture.by_place_kind),
        analyst.figure("hour", "district-by-hour", &picture.by_hour),
        analyst.figure("weekday", "district-by-weekday", &picture.by_weekday),
    ];
    html(&page)
}

/// A period's first and last day.
pub fn period_text(period: &Period) -> String {
    format!("{} – {}", period.from(), period.last_day())
}
