//! Reporting statistics (anmälningsstatistik) for analysts, integrations and security
//! managers. Only protected counts leave: never a case, an id or a word of free text.

mod format;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate};
use trygg_app::App;
use trygg_domain::statistics::{
    Dimension, DistrictPicture, Format, Grain, MAX_GROUPINGS, Period, PublicationView,
    StatisticsQuery, StatisticsView, YearlyCompilation, csv, json_stat,
};
use trygg_domain::{Catalogue, DistrictCode};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{RefOr, Required};

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};

/// The query string: `from`, `to`, `group_by`, `format`, and one filter per dimension.
fn parse_query(
    catalogue: &Catalogue,
    params: &[(String, String)],
    default: Period,
) -> Result<(StatisticsQuery, Option<Format>), ApiError> {
    fn once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), ApiError> {
        match slot.replace(value) {
            Some(_) => Err(ApiError::BadRequest(format!(
                "`{name}` is given more than once"
            ))),
            None => Ok(()),
        }
    }
    let date = |name: &str, value: &str| {
        value.parse::<NaiveDate>().map_err(|_| {
            ApiError::BadRequest(format!(
                "`{name}` must be a date (YYYY-MM-DD), not `{value}`"
            ))
        })
    };
    let (mut from, mut to, mut group_by, mut format) = (None, None, None, None);
    let mut filters: Vec<(&str, &str)> = Vec::new();
    for (name, value) in params {
        match name.as_str() {
            "from" => once(&mut from, name, date(name, value)?)?,
            "to" => once(&mut to, name, date(name, value)?)?,
            "group_by" => once(&mut group_by, name, value.as_str())?,
            "format" => once(&mut format, name, Format::parse(value)?)?,
            dimension => filters.push((dimension, value.as_str())),
        }
    }
    let period = Period::new(from.unwrap_or(default.from()), to.unwrap_or(default.to()))?;
    let group_by: Vec<&str> = group_by
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .collect();
    let query = StatisticsQuery::new(catalogue, period, &group_by, &filters)?;
    Ok((query, format))
}

/// The query parameters of [`read_statistics`], with the catalogue's codes: they depend on
/// the configured catalogue, so the OpenAPI document gets them here rather than from a derive.
pub fn query_parameters(catalogue: &Catalogue) -> Vec<Parameter> {
    let codes = |codes: Vec<String>| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(codes))
    };
    let parameter = |name: &str, description: String, schema: RefOr<Schema>| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(schema))
    };
    let date = |name: &str, description: &str| {
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)));
        parameter(name, description.into(), schema.into()).build()
    };
    let dimensions = Dimension::CATEGORICAL
        .into_iter()
        .chain(Grain::ALL.map(Dimension::Period))
        .map(|dimension| dimension.code().to_owned())
        .collect();
    let group_by = ArrayBuilder::new()
        .items(codes(dimensions))
        .max_items(Some(MAX_GROUPINGS))
        .unique_items(true);
    let formats = Format::CODES.map(str::to_owned).to_vec();
    let any_period = Period::last_twelve_months(DateTime::UNIX_EPOCH);
    let mut parameters = vec![
        date("from", "The first day"),
        date("to", "The day after the last"),
        parameter(
            "group_by",
            format!(
                "Up to {MAX_GROUPINGS} dimensions, at most one of them a period (day, week, \
                 month, quarter, year)"
            ),
            group_by.into(),
        )
        .style(Some(ParameterStyle::Form))
        .explode(Some(false))
        .build(),
        parameter(
            "format",
            "By `Accept` when absent: application/json, text/csv or \
             application/json-stat+json; `csv-semicolon` is CSV for Swedish Excel"
                .into(),
            codes(formats).into(),
        )
        .build(),
    ];
    parameters.extend(Dimension::CATEGORICAL.into_iter().map(|dimension| {
        let categories = dimension.categories(catalogue, &any_period);
        parameter(
            dimension.code(),
            format!(
                "A filter: only cases with this {} ({})",
                dimension.code(),
                dimension.label()
            ),
            codes(
                categories
                    .into_iter()
                    .map(|category| category.code)
                    .collect(),
            )
            .into(),
        )
        .build()
    }));
    parameters
}

/// Counts of cases, grouped and filtered by any dimension.
///
/// A case counts by when it happened, in Swedish local time. Each dimension ends with a
/// `total` category; for `office` and `violence_form` a case counts once per office or form.
/// `release` says which figures answer:
///
/// - Analysts and integrations read the latest publication (`published`): a calendar month,
///   quarter or year that is published, or the twelve months up to the latest published month
///   (the default). Every count, totals too, carries noise by the cell-key method, the same
///   each time it is asked, so parts need not add up to totals; no count from 1 to the
///   suppression threshold less one is published. Publications are listed at
///   `/api/v1/statistics/publications`.
/// - Security managers read live figures (`live`): any days from `from` up to, not including,
///   `to` (default: the twelve months up to the end of this month); counts below the
///   suppression threshold, and counts that would let one work them out from the margins,
///   are `null` with `suppressed: true` (in CSV an empty count and `true`; in JSON-stat `null`
///   with status `c`).
///
/// The JSON form compares every cell with the period before (for published figures, where
/// that is a calendar period too).
#[utoipa::path(
    get,
    path = "/api/v1/statistics",
    tag = "statistics",
    responses(
        (status = 200, description = "The protected table", content(
            (StatisticsView = "application/json"),
            (String = "text/csv"),
            (Object = "application/json-stat+json"),
        )),
        (status = 400, description = "An unknown dimension or code, a bad period (for published figures, one that is not a published calendar period), or a table too large", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only analysts and security managers read statistics", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Statistics were published while the answer was counted; ask again", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No statistics are published yet, or none for this period yet", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many statistics requests from this caller; `Retry-After` says when to try again", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 406, description = "No format the client accepts", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too many small counts to protect at this grouping, or a grouping not published", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read_statistics(
    caller: Caller,
    app: web::Data<App>,
    request: HttpRequest,
    params: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    app.ask_statistics(&caller.0)?;
    let release = app.statistics_release(&caller.0).await?;
    let catalogue = app.catalogue();
    let (query, format) = parse_query(
        catalogue,
        &params,
        release.default_period(app.clock().now()),
    )?;
    let format = format::negotiate(format, &request)?;
    let threshold = app.disclosure().threshold;
    let view = release.view();
    // Plain JSON compares with the period before, counted in the same read.
    let compared = format == Format::Json;
    let (table, before) = app
        .statistics_table(query.clone(), release, compared)
        .await?;
    if compared {
        let answer = StatisticsView::new(
            &query,
            (&table, before.as_ref()),
            threshold,
            view,
            catalogue.population(),
        );
        return Ok(HttpResponse::Ok().json(answer));
    }
    let mut response = HttpResponse::Ok();
    response.content_type(format.media_type());
    Ok(match format {
        Format::Csv(separator) => response.body(csv(&table, separator)),
        // JSON-stat (plain JSON was answered above).
        _ => response.json(json_stat(&query, &table, threshold, &view)),
    })
}

/// The statistics publications, the latest first.
///
/// Analysts and integrations read the latest: each month is published on a fixed day of the
/// month after it and then frozen; late reports and reclassifications reach published months
/// at revisions (each quarter's last publication, and whenever an operator revises).
#[utoipa::path(
    get,
    path = "/api/v1/statistics/publications",
    tag = "statistics",
    responses(
        (status = 200, description = "The publications, the latest first", body = [PublicationView]),
        (status = 403, description = "Only analysts and security managers read statistics", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many statistics requests from this caller; `Retry-After` says when to try again", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn read_publications(
    caller: Caller,
    app: web::Data<App>,
) -> Result<web::Json<Vec<PublicationView>>, ApiError> {
    app.ask_statistics(&caller.0)?;
    Ok(web::Json(app.publications().await?))
}

/// The yearly compilation for the executive board (published figures: a published year).
///
/// Per focus area (and in total) and per responsible office: cases by kind, severity, gender
/// and age group, the share police-reported, the share closed and the median days from filing
/// to closing, all for cases that happened in the year. The tables are protected together, so
/// that a count hidden in one is hidden wherever it appears.
#[utoipa::path(
    get,
    path = "/api/v1/statistics/yearly/{year}",
    tag = "statistics",
    params(("year" = i32, Path, minimum = 1970, maximum = 9998, description = "The calendar year")),
    responses(
        (status = 200, description = "The compilation", body = YearlyCompilation),
        (status = 400, description = "A year outside 1970–9998", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The year's published figures are not out yet (analysts and integrations read published figures)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only analysts and security managers read statistics", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Statistics were published while the answer was counted; ask again", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many statistics requests from this caller; `Retry-After` says when to try again", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
pub async fn read_yearly_compilation(
    caller: Caller,
    app: web::Data<App>,
    year: web::Path<i32>,
) -> Result<web::Json<YearlyCompilation>, ApiError> {
    app.ask_statistics(&caller.0)?;
    let release = app.statistics_release(&caller.0).await?;
    let (compilation, _) = app
        .yearly_compilations(year.into_inner(), false, release)
        .await?;
    Ok(web::Json(compilation))
}

/// The district picture (lägesbild) for a local crime-prevention council.
///
/// Twelve months in the district: by month and focus area, by kind of place, by hour of day
/// and by weekday (local time). Live (security managers): the twelve months up to this
/// month's end, protected together, each cell compared with the twelve months before.
/// Published (analysts): the twelve months up to the latest published month, perturbed, with
/// no comparison (see `/api/v1/statistics`).
#[utoipa::path(
    get,
    path = "/api/v1/statistics/districts/{district}",
    tag = "statistics",
    params(("district" = DistrictCode, Path, description = "A district code from the catalogue")),
    responses(
        (status = 200, description = "The district picture", body = DistrictPicture),
        (status = 403, description = "Only analysts and security managers read statistics", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Statistics were published while the answer was counted; ask again", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many statistics requests from this caller; `Retry-After` says when to try again", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 404, description = "No such district", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read_district_picture(
    caller: Caller,
    app: web::Data<App>,
    district: web::Path<String>,
) -> Result<web::Json<DistrictPicture>, ApiError> {
    app.ask_statistics(&caller.0)?;
    let release = app.statistics_release(&caller.0).await?;
    let period = release.default_period(app.clock().now());
    let district = district.into_inner();
    let picture = app
        .district_picture(district.clone(), period, release)
        .await?;
    picture
        .map(web::Json)
        .ok_or_else(|| ApiError::NotFound(format!("there is no district `{district}`")))
}
