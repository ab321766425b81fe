//! The statistics page: an analyst picks what to break the cases down by (rows and columns),
//! the period and any filters, and gets the protected table with a chart, compared with the
//! period before, and the downloads the API serves (CSV, semicolon-CSV, JSON-stat) with the
//! same numbers.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{Days, NaiveDate};
use trygg_app::Release;
use trygg_domain::statistics::{
    CalendarPeriod, Dimension, Format, Grain, Period, SpreadsheetWords, StatisticsError,
    StatisticsQuery, Table, TableView, csv, json_stat, spreadsheet,
};

use super::{Analyst, Labels, publishable};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::templates::{FieldError, Layout, SelectOption, StatisticsPage};
use crate::{html, urlencode};

/// The page's query string: its fields in order (filters are named by their dimension).
type Params = web::Query<Vec<(String, String)>>;

/// What the visitor picked, as they typed it: the form shows it back as it was.
#[derive(Debug, Default)]
struct Selection {
    /// A calendar period's code, as readers of published figures pick one.
    period: String,
    /// Whether `fran` or `till` was given.
    dates_asked: bool,
    from: String,
    /// The last day, included (the API's `to` is the day after).
    to: String,
    rows: String,
    columns: String,
    filters: Vec<(Dimension, String)>,
}

impl Selection {
    /// The fields of the page's form; unknown fields are left out, empty ones are unset.
    fn read(params: &[(String, String)], default: &Period) -> Selection {
        let mut selection = Selection {
            from: default.from().to_string(),
            to: default.last_day().to_string(),
            rows: Dimension::FocusArea.code().to_owned(),
            ..Selection::default()
        };
        for (name, value) in params {
            let value = value.trim().to_owned();
            match name.as_str() {
                "period" => selection.period = value,
                "fran" => (selection.from, selection.dates_asked) = (value, true),
                "till" => (selection.to, selection.dates_asked) = (value, true),
                "rader" => selection.rows = value,
                "kolumner" => selection.columns = value,
                code => {
                    if let Ok(dimension) = Dimension::parse(code)
                        && Dimension::CATEGORICAL.contains(&dimension)
                        && !value.is_empty()
                    {
                        selection.filters.push((dimension, value));
                    }
                }
            }
        }
        selection
    }

    /// A published calendar period picked (see [`Snapshot::calendar_periods`]) sets the days;
    /// with neither a period nor days asked, the latest twelve months. Days asked (a link, a
    /// bookmark) stay, to be answered if they make a calendar period and refused if not.
    fn pick(&mut self, choices: &[(CalendarPeriod, Period)]) {
        let picked = choices
            .iter()
            .find(|(period, _)| period.code() == self.period)
            .or(choices
                .first()
                .filter(|_| self.period.is_empty() && !self.dates_asked));
        if let Some((period, span)) = picked {
            self.period = period.code();
            self.from = span.from().to_string();
            self.to = span.last_day().to_string();
        }
    }

    /// The query, or what is wrong with the selection, field by field.
    fn query(&self, analyst: &Analyst) -> Result<StatisticsQuery, Vec<FieldError>> {
        let lang = analyst.lang();
        let error = |field: &str, id: &str| FieldError {
            field: field.to_owned(),
            message: lang.text(id),
            href: format!("#field-{field}"),
        };
        let date = |field: &str, text: &str| {
            text.parse::<NaiveDate>()
                .map_err(|_| error(field, &format!("statistics-error-{field}")))
        };
        let (from, to) = match (date("fran", &self.from), date("till", &self.to)) {
            (Ok(from), Ok(to)) => (from, to),
            (from, to) => return Err([from.err(), to.err()].into_iter().flatten().collect()),
        };
        let period = to
            .checked_add_days(Days::new(1))
            .ok_or(StatisticsError::PeriodTooLong)
            .and_then(|after| Period::new(from, after))
            .map_err(|why| {
                vec![match why {
                    StatisticsError::EmptyPeriod => error("till", "statistics-error-empty"),
                    _ => error("till", "statistics-error-long"),
                }]
            })?;
        let group_by: Vec<&str> = [&self.rows, &self.columns]
            .into_iter()
            .map(String::as_str)
            .filter(|code| !code.is_empty())
            .collect();
        let filters: Vec<(&str, &str)> = self
            .filters
            .iter()
            .map(|(dimension, value)| (dimension.code(), value.as_str()))
            .collect();
        StatisticsQuery::new(analyst.catalogue(), period, &group_by, &filters).map_err(|why| {
            vec![match why {
                StatisticsError::Repeated(_) | StatisticsError::TwoGrains(..) => {
                    error("kolumner", "statistics-error-same")
                }
                StatisticsError::UnknownCategory { .. } => {
                    error("filter", "statistics-error-query")
                }
                StatisticsError::TooLarge(_) => error("kolumner", "statistics-error-large"),
                _ => error("rader", "statistics-error-query"),
            }]
        })
    }

    /// The selection as a query string, for the downloads.
    fn query_string(&self) -> String {
        // A period picked names itself first: its days follow from it.
        let period = (!self.period.is_empty()).then_some(("period", self.period.as_str()));
        let mut fields: Vec<(&str, &str)> = period.into_iter().collect();
        fields.extend([
            ("fran", self.from.as_str()),
            ("till", self.to.as_str()),
            ("rader", self.rows.as_str()),
            ("kolumner", self.columns.as_str()),
        ]);
        fields.extend(
            self.filters
                .iter()
                .map(|(dimension, value)| (dimension.code(), value.as_str())),
        );
        fields
            .into_iter()
            .map(|(name, value)| format!("{name}={}", urlencode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn filter(&self, dimension: Dimension) -> &str {
        self.filters
            .iter()
            .find(|(d, _)| *d == dimension)
            .map_or("", |(_, value)| value.as_str())
    }
}

/// `GET /statistik?fran=…&till=…&rader=…&kolumner=…&<dimension>=…`.
pub async fn explore(params: Params, analyst: Analyst) -> Result<HttpResponse, WebError> {
    let lang = analyst.lang();
    let release = analyst.release().await?;
    let default = match &release {
        Ok(release) => analyst.default_period(release),
        Err(_) => Period::last_twelve_months(analyst.now()),
    };
    let mut selection = Selection::read(&params, &default);
    let choices = match &release {
        Ok(Release::Published(snapshot, _)) => snapshot.calendar_periods(PERIOD_YEARS),
        _ => Vec::new(),
    };
    selection.pick(&choices);
    let mut page = StatisticsPage {
        layout: Layout::new(&analyst.visitor, "statistics-title"),
        periods: choices
            .iter()
            .map(|(period, span)| SelectOption {
                value: period.code(),
                label: period_label(lang, *period, span),
                selected: period.code() == selection.period,
            })
            .collect(),
        from: selection.from.clone(),
        to: selection.to.clone(),
        rows: options(&analyst, &selection.rows, false),
        columns: options(&analyst, &selection.columns, true),
        filters: Dimension::CATEGORICAL
            .into_iter()
            .map(|dimension| {
                (
                    dimension.code().to_owned(),
                    analyst.dimension(dimension.code()),
                    categories(&analyst, dimension, selection.filter(dimension), &default),
                )
            })
            .collect(),
        disclosure: String::new(),
        population: analyst.population_note(),
        errors: Vec::new(),
        figure: None,
        period: None,
        downloads: Vec::new(),
    };
    let (release, query) = match (release, selection.query(&analyst)) {
        (Ok(release), Ok(query)) => (release, query),
        (Err(why), _) => {
            page.errors = vec![field_error("rader", why)];
            return html(&page);
        }
        (Ok(release), Err(errors)) => {
            page.disclosure = analyst.disclosure_note(&release);
            page.errors = errors;
            return html(&page);
        }
    };
    page.disclosure = analyst.disclosure_note(&release);
    let tables = analyst
        .app
        .statistics_table(query.clone(), release, true)
        .await;
    let (table, before) = match publishable(lang, tables)? {
        Ok(tables) => tables,
        Err(why) => {
            page.errors = vec![field_error("rader", why)];
            return html(&page);
        }
    };
    let period = query.period();
    let dates = [
        ("from", period.from().to_string()),
        ("to", period.last_day().to_string()),
        ("previous", super::district::period_text(&period.previous())),
    ];
    let dates = dates.each_ref().map(|(name, text)| (*name, text.as_str()));
    page.period = Some(match before {
        Some(_) => lang.text_with("statistics-period", &dates),
        None => lang.text_with("statistics-period-alone", &dates[..2]),
    });
    let mut figure = analyst.figure(
        "table",
        "statistics-result",
        &TableView::new(&table, before.as_ref()),
    );
    figure.periods = before.as_ref().map(|_| {
        (
            super::district::period_text(period),
            super::district::period_text(&period.previous()),
        )
    });
    page.figure = Some(figure);
    let query_string = selection.query_string();
    page.downloads = Format::CODES
        .into_iter()
        .filter(|code| *code != "json")
        .map(|code| {
            (
                format!("/statistik/hamta?format={code}&{query_string}"),
                lang.text(&format!("statistics-download-{code}")),
            )
        })
        .collect();
    html(&page)
}

/// `GET /statistik/hamta?format=…&…`: the table as the API serves it in that format.
pub async fn download(params: Params, analyst: Analyst) -> Result<HttpResponse, WebError> {
    let release = analyst.release().await?.map_err(|_| WebError::BadForm)?;
    let default = analyst.default_period(&release);
    let mut selection = Selection::read(&params, &default);
    if let Release::Published(snapshot, _) = &release {
        selection.pick(&snapshot.calendar_periods(PERIOD_YEARS));
    }
    let format = params
        .iter()
        .find(|(name, _)| name == "format")
        .and_then(|(_, code)| Format::parse(code).ok())
        .ok_or(WebError::BadForm)?;
    // The page itself is the JSON view; downloads are the files, each with its own name.
    let suffix = match format {
        Format::Csv(',') => ".csv",
        Format::Csv(_) => "-excel.csv",
        Format::JsonStat => ".json",
        Format::Json => return Err(WebError::BadForm),
    };
    let query = selection.query(&analyst).map_err(|_| WebError::BadForm)?;
    let view = release.view();
    let table = analyst
        .app
        .statistics_table(query.clone(), release, false)
        .await;
    let (table, _) = publishable(analyst.lang(), table)?.map_err(|_| WebError::BadForm)?;
    let period = query.period();
    let body = match format {
        Format::Csv(',') => csv(&table, ','),
        Format::Csv(_) => for_excel(&analyst, &table),
        _ => json_stat(&query, &table, analyst.threshold(), &view).to_string(),
    };
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"anmalningsstatistik-{}-{}{suffix}\"",
                period.from(),
                period.last_day()
            ),
        ))
        .body(body))
}

/// The table as the page shows it, for Excel set to Swedish: headings and categories in the
/// page's language, a suppressed count as `..` (as Statistics Sweden marks it) with the
/// legend below the table.
fn for_excel(analyst: &Analyst, table: &Table) -> String {
    let lang = analyst.lang();
    let threshold = analyst.threshold().get().to_string();
    let legend = match table.is_perturbed() {
        true => lang.text_with("statistics-excel-perturbed", &[("threshold", &threshold)]),
        false => lang.text_with("statistics-excel-legend", &[("threshold", &threshold)]),
    };
    let legend = [legend];
    spreadsheet(
        table,
        &SpreadsheetWords {
            heading: &|dimension| analyst.dimension(dimension.code()),
            category: &|dimension, code, label| analyst.category(dimension.code(), code, label),
            count: &lang.text("statistics-count"),
            suppressed: SUPPRESSED,
            legend: &legend,
        },
    )
}

/// How many years back a reader of published figures is offered periods.
const PERIOD_YEARS: u32 = 5;

/// A calendar period in the page's words.
fn period_label(lang: Lang, period: CalendarPeriod, span: &Period) -> String {
    let (from, to) = (span.from(), span.last_day());
    match period {
        CalendarPeriod::LastTwelveMonths => lang.text_with(
            "statistics-period-twelve",
            &[
                ("from", &from.format("%Y-%m").to_string()),
                ("to", &to.format("%Y-%m").to_string()),
            ],
        ),
        CalendarPeriod::Year(year) => {
            lang.text_with("statistics-period-year", &[("year", &year.to_string())])
        }
        CalendarPeriod::Quarter(quarter) => lang.text_with(
            "statistics-period-quarter",
            &[
                ("year", &quarter.div_euclid(4).to_string()),
                ("quarter", &(quarter.rem_euclid(4) + 1).to_string()),
            ],
        ),
        CalendarPeriod::Month(_) => from.format("%Y-%m").to_string(),
    }
}

/// An error shown at a field of the form.
fn field_error(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message,
        href: format!("#field-{field}"),
    }
}

/// What a suppressed count shows in a spreadsheet: text to Excel, and Statistics Sweden's
/// symbol for a figure that may not be shown.
const SUPPRESSED: &str = "..";

/// The dimensions to break down by, a period grain among them; the columns may be none.
fn options(analyst: &Analyst, chosen: &str, optional: bool) -> Vec<SelectOption> {
    let none = optional.then(|| SelectOption {
        value: String::new(),
        label: analyst.lang().text("statistics-no-columns"),
        selected: chosen.is_empty(),
    });
    let dimensions = Dimension::CATEGORICAL
        .into_iter()
        .chain(Grain::ALL.map(Dimension::Period))
        .map(|dimension| SelectOption {
            value: dimension.code().to_owned(),
            label: analyst.dimension(dimension.code()),
            selected: chosen == dimension.code(),
        });
    none.into_iter().chain(dimensions).collect()
}

/// A filter's choices: every category, or all of them.
fn categories(
    analyst: &Analyst,
    dimension: Dimension,
    chosen: &str,
    period: &Period,
) -> Vec<SelectOption> {
    let all = SelectOption {
        value: String::new(),
        label: analyst.lang().text("statistics-all"),
        selected: chosen.is_empty(),
    };
    let code = dimension.code();
    std::iter::once(all)
        .chain(
            dimension
                .categories(analyst.catalogue(), period)
                .into_iter()
                .map(|category| SelectOption {
                    label: analyst.category(code, &category.code, &category.label),
                    selected: chosen == category.code,
                    value: category.code,
                }),
        )
        .collect()
}
