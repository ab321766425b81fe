//! The yearly compilation on the web, for the executive board (kommunstyrelsen): per focus
//! area and per responsible office the year's cases against the year before, the shares
//! police-reported and closed and the median days to close, then the year's cases by kind,
//! severity, gender and age group. It prints to A4 as it is.

use actix_web::{HttpResponse, web};
use chrono::Datelike;
use trygg_domain::statistics::{Comparison, CountView, Section, YearlyCompilation};
use trygg_domain::time::local_time;

use super::figures::{Cell, Point};
use super::{Analyst, Figure, Labels, publishable};
use crate::error::WebError;
use crate::html;
use crate::i18n::Lang;
use crate::templates::{Layout, YearlyPage};

/// The years a compilation can be asked for, as the API allows.
const YEARS: std::ops::RangeInclusive<i32> = 1970..=9998;

#[derive(Debug, serde::Deserialize)]
pub struct YearlyQuery {
    ar: Option<String>,
}

/// `GET /arssammanstallning?ar=…`: the year asked for, by default the last whole year.
pub async fn yearly_compilation(
    query: web::Query<YearlyQuery>,
    analyst: Analyst,
) -> Result<HttpResponse, WebError> {
    let lang = analyst.lang();
    let asked = query.into_inner().ar.unwrap_or_default();
    let last_year = local_time(analyst.now()).year() - 1;
    let municipality = analyst.catalogue().municipality();
    let mut page = YearlyPage {
        municipality: municipality
            .name
            .as_deref()
            .map(|name| lang.pick(name, municipality.name_en.as_deref())),
        produced: lang.text_with(
            "yearly-produced",
            &[("date", &local_time(analyst.now()).date().to_string())],
        ),
        layout: Layout::new(&analyst.visitor, "yearly-title"),
        year: asked.trim().to_owned(),
        disclosure: String::new(),
        population: analyst.population_note(),
        heading: None,
        figures: Vec::new(),
        error: None,
    };
    let year = match asked.trim() {
        "" => last_year,
        text => match text.parse::<i32>() {
            Ok(year) if YEARS.contains(&year) => year,
            _ => {
                page.error = Some(lang.text("yearly-error-year"));
                return html(&page);
            }
        },
    };
    page.year = year.to_string();
    let release = match analyst.release().await? {
        Ok(release) => release,
        Err(why) => {
            page.error = Some(why);
            return html(&page);
        }
    };
    page.disclosure = analyst.disclosure_note(&release);
    let before = YEARS.contains(&(year - 1));
    let compilations = analyst.app.yearly_compilations(year, before, release).await;
    let (this, before) = match publishable(lang, compilations)? {
        Ok(compilations) => compilations,
        Err(why) => {
            page.error = Some(why);
            return html(&page);
        }
    };
    page.heading = Some(lang.text_with("yearly-heading", &[("year", &page.year)]));
    page.figures = figures(&analyst, &this, before.as_ref());
    for figure in &mut page.figures {
        figure.periods = Some((year.to_string(), (year - 1).to_string()));
    }
    html(&page)
}

/// The compilation's figures: focus areas, offices, then the year's breakdowns.
fn figures(
    analyst: &Analyst,
    this: &YearlyCompilation,
    before: Option<&YearlyCompilation>,
) -> Vec<Figure> {
    let lang = analyst.lang();
    let mut figures = Vec::new();
    for (id, dimension, sections, earlier) in [
        (
            "focus-areas",
            "focus_area",
            &this.focus_areas,
            before.map(|b| &b.focus_areas),
        ),
        (
            "offices",
            "office",
            &this.offices,
            before.map(|b| &b.offices),
        ),
    ] {
        // Every case once, last: a case with two offices counts under both above.
        let rows: Vec<&Section> = sections.iter().chain(&this.total).collect();
        let earlier = |code: &str| {
            earlier
                .into_iter()
                .flatten()
                .chain(before.and_then(|b| b.total.as_ref()))
                .find(|section| section.code == code)
        };
        let points = rows
            .iter()
            .map(|section| Point {
                label: analyst.category(dimension, &section.code, &section.label),
                count: section.cases,
                rate: section.cases_per_100_000,
                previous: before.map(|_| {
                    let earlier = earlier(&section.code);
                    Comparison {
                        rate: earlier.and_then(|s| s.cases_per_100_000),
                        ..Comparison::between(section.cases, earlier.and_then(|s| s.cases))
                    }
                }),
            })
            .collect();
        let mut figure = Figure::of_points(
            id,
            lang.text(&format!("yearly-by-{id}")),
            analyst.dimension(dimension),
            points,
            lang,
        );
        outcome_columns(lang, &mut figure, &rows);
        figures.push(figure);
    }
    let Some(total) = &this.total else {
        return figures;
    };
    let previous_total = before.and_then(|b| b.total.as_ref());
    for (dimension, counts, earlier) in [
        ("kind", &total.by_kind, previous_total.map(|t| &t.by_kind)),
        (
            "severity",
            &total.by_severity,
            previous_total.map(|t| &t.by_severity),
        ),
        (
            "gender",
            &total.by_gender,
            previous_total.map(|t| &t.by_gender),
        ),
        (
            "age_group",
            &total.by_age_group,
            previous_total.map(|t| &t.by_age_group),
        ),
    ] {
        let point =
            |code: &str, label: &str, count: Option<u64>, before: Option<Option<u64>>| Point {
                label: analyst.category(dimension, code, label),
                count,
                rate: None,
                previous: before.map(|before| Comparison::between(count, before)),
            };
        let earlier = |code: &str| {
            earlier.map(|counts: &Vec<CountView>| {
                counts.iter().find(|c| c.code == code).and_then(|c| c.count)
            })
        };
        let mut points: Vec<Point> = counts
            .iter()
            .map(|c| point(&c.code, &c.label, c.count, earlier(&c.code)))
            .collect();
        points.push(point(
            "total",
            "",
            total.cases,
            previous_total.map(|t| t.cases),
        ));
        figures.push(Figure::of_points(
            dimension,
            lang.text(&format!("yearly-by-{dimension}")),
            analyst.dimension(dimension),
            points,
            lang,
        ));
    }
    figures
}

/// The columns only the compilation has: the shares police-reported and closed, and the
/// median days to close; a dash where they are not published.
fn outcome_columns(lang: Lang, figure: &mut Figure, sections: &[&Section]) {
    let percent = |share: Option<f64>| share.map(|share| lang.share(share));
    let grid = &mut figure.grid;
    for id in [
        "yearly-police-reported",
        "yearly-closed",
        "yearly-median-days",
    ] {
        grid.columns.push(lang.text(id));
    }
    for (row, section) in grid.rows.iter_mut().zip(sections) {
        // A share beside a count the page hides would say what the count is not allowed to.
        let hidden = row.cells.first().is_some_and(|count| count.suppressed);
        for value in [
            percent(section.police_reported_share),
            percent(section.closed_share),
            section
                .median_days_to_close
                .map(|days| lang.decimal(days, 1)),
        ] {
            row.cells.push(Cell {
                text: value.filter(|_| !hidden).unwrap_or_else(|| "–".to_owned()),
                suppressed: false,
            });
        }
    }
}
