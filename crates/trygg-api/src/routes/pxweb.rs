//! The published statistics through the PxWeb API 2.0 (PxTools' `PxAPI-2.yml`), under
//! `/api/pxweb/v2`: integrations read Trygg's tables as they read Statistics Sweden's.
//!
//! Only published figures are served here, to everyone (a security manager's live figures
//! stay on `/api/v1/statistics`). With open statistics on, no token is needed and each client
//! address has its own allowance; otherwise an analyst's or a security manager's token is.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use trygg_app::App;
use trygg_domain::statistics::pxweb::{
    Codelist, Language, MAX_DATA_CELLS, Plan, PxError, PxTable, Selection, Series, TABLES,
    json_stat2, metadata, px_csv,
};

use crate::auth::Caller;
use crate::limits::Limits;
use crate::problem::{ApiError, Problem};

/// Where the tables are served.
pub const ROOT: &str = "/api/pxweb/v2";
/// The bounds of `/tables`' parameters: a hundred years back, and pages of at most a thousand.
const MAX_PAST_DAYS: u32 = 36_500;
const MAX_PAGE_NUMBER: u32 = 1_000_000;
const MAX_PAGE_SIZE: u32 = 1_000;
/// The version of the specification followed.
const API_VERSION: &str = "2.0.0";

/// How the tables are served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PxWebSettings {
    /// Whether they are open data (`TRYGG_OPEN_STATISTICS`).
    pub open: bool,
    /// Where the service is reached (`TRYGG_PUBLIC_URL`), for links: never what a request's
    /// headers claim, which a cache in front would keep for everyone.
    pub public_url: String,
}

impl PxWebSettings {
    fn root(&self) -> String {
        format!("{}{ROOT}", self.public_url.trim_end_matches('/'))
    }
}

/// Who reads the tables: a signed-in analyst or security manager, or, with open statistics,
/// anyone, known by address.
pub enum Reader {
    Caller(Caller),
    Anyone(Option<IpAddr>),
}

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Reader, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let open = request
            .app_data::<web::Data<PxWebSettings>>()
            .is_some_and(|settings| settings.open);
        if open && request.headers().get("authorization").is_none() {
            let client = crate::origin::of(request).map(|origin| origin.client);
            return Box::pin(async move { Ok(Reader::Anyone(client)) });
        }
        let caller = Caller::from_request(request, payload);
        Box::pin(async move { Ok(Reader::Caller(caller.await?)) })
    }
}

impl Reader {
    /// Statistics are for analysts and security managers, or anyone when open; each within
    /// an allowance.
    fn admit(&self, limits: &Limits, app: &App) -> Result<(), ApiError> {
        match self {
            Reader::Anyone(client) => limits.open_statistics(*client),
            Reader::Caller(caller) => Ok(app.ask_statistics(&caller.0)?),
        }
    }
}

impl From<PxError> for ApiError {
    fn from(error: PxError) -> Self {
        match error {
            PxError::NoSuchTable(_) | PxError::NoSuchCodelist(_) => {
                ApiError::NotFound(error.to_string())
            }
            // As the specification has it: a selection too large is forbidden.
            PxError::TooManyCells(_) => ApiError::Forbidden(error.to_string()),
            _ => ApiError::BadRequest(error.to_string()),
        }
    }
}

/// `lang`, `outputFormat` and the like: the query string's pairs.
type Params = web::Query<Vec<(String, String)>>;

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn language(params: &[(String, String)]) -> Result<Language, ApiError> {
    Ok(Language::parse(param(params, "lang"))?)
}

/// The months the latest publication's series span, and when it was published: published
/// figures, whoever asks (a security manager reads them here too).
async fn published(app: &App) -> Result<(Series, DateTime<Utc>), ApiError> {
    let (series, publication) = app.published_span().await?;
    Ok((series, publication.published_at))
}

fn links(href: String, lang: Language) -> Value {
    json!([{ "rel": "self", "hreflang": lang.code(), "href": href }])
}

/// `GET /config`: the API's limits, languages and formats.
#[utoipa::path(
    get,
    path = "/api/pxweb/v2/config",
    tag = "pxweb",
    responses((status = 200, description = "PxWeb's `ConfigResponse`", body = Object)),
)]
pub async fn read_config(
    limits: web::Data<Limits>,
    settings: web::Data<PxWebSettings>,
) -> HttpResponse {
    let rates = limits.rates();
    let per_minute = match settings.open {
        true => rates.open_statistics,
        false => rates.statistics,
    };
    HttpResponse::Ok().json(json!({
        "apiVersion": API_VERSION,
        "appVersion": env!("CARGO_PKG_VERSION"),
        "languages": Language::ALL.map(|lang| json!({ "id": lang.code(), "label": lang.name() })),
        "defaultLanguage": Language::Sv.code(),
        "maxDataCells": MAX_DATA_CELLS,
        "maxCallsPerTimeWindow": per_minute.get(),
        "timeWindow": 60,
        "license": "CC0",
        "sourceReferences": [
            { "language": "sv", "text": "Källa: Trygg, kommunens incidentrapportering" },
            { "language": "en", "text": "Source: Trygg, the municipality's incident reporting" },
        ],
        "defaultDataFormat": "json-stat2",
        "dataFormats": ["json-stat2", "csv"],
        "features": [],
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    query: Option<String>,
    past_days: Option<u32>,
    page_number: Option<u32>,
    page_size: Option<u32>,
}

/// `GET /tables`: the tables, filtered by words in their titles (`query`) or by how lately
/// they were updated (`pastDays`), a page at a time.
#[utoipa::path(
    get,
    path = "/api/pxweb/v2/tables",
    tag = "pxweb",
    params(
        ("lang" = Option<String>, Query, pattern = "^(sv|en)$", description = "`sv` (the default) or `en`"),
        ("query" = Option<String>, Query, description = "Words every title listed has"),
        ("pastDays" = Option<u32>, Query, minimum = 1, maximum = 36500, description = "Only tables updated in this many days"),
        ("pageNumber" = Option<u32>, Query, minimum = 1, maximum = 1000000),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, description = "PxWeb's `TablesResponse`", body = Object),
        (status = 400, description = "An unknown language or a bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Statistics are for analysts and security managers (unless open)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No statistics are published yet", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
#[allow(
    clippy::too_many_arguments,
    reason = "each argument is an actix extractor"
)]
pub async fn list_tables(
    reader: Reader,
    limits: web::Data<Limits>,
    app: web::Data<App>,
    params: Params,
    paging: web::Query<Paging>,
    settings: web::Data<PxWebSettings>,
) -> Result<HttpResponse, ApiError> {
    reader.admit(&limits, &app)?;
    let lang = language(&params)?;
    let within = |value: Option<u32>, name: &str, most: u32| match value {
        Some(n) if !(1..=most).contains(&n) => Err(ApiError::BadRequest(format!(
            "`{name}` must be from 1 to {most}"
        ))),
        _ => Ok(value),
    };
    let past_days = within(paging.past_days, "pastDays", MAX_PAST_DAYS)?;
    let size = within(paging.page_size, "pageSize", MAX_PAGE_SIZE)?.unwrap_or(20) as usize;
    let number = within(paging.page_number, "pageNumber", MAX_PAGE_NUMBER)?.unwrap_or(1) as usize;
    // The parameters are checked before anything is read.
    let (series, updated) = published(&app).await?;
    let fresh =
        past_days.is_none_or(|days| updated >= app.clock().now() - TimeDelta::days(days.into()));
    let words: Vec<String> = paging
        .query
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let matching: Vec<&PxTable> = TABLES
        .iter()
        .filter(|_| fresh)
        .filter(|table| {
            let text = format!("{} {}", table.id, table.label(lang)).to_lowercase();
            words.iter().all(|word| text.contains(word))
        })
        .collect();
    let pages = matching.len().div_ceil(size).max(1);
    let base = settings.root();
    let tables: Vec<Value> = matching
        .iter()
        .skip((number - 1).saturating_mul(size))
        .take(size)
        .map(|table| describe(table, &series, lang, updated, &base))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "language": lang.code(),
        "tables": tables,
        "page": {
            "pageNumber": number,
            "pageSize": size,
            "totalElements": matching.len(),
            "totalPages": pages,
            "links": [],
        },
        "links": links(format!("{base}/tables?lang={}", lang.code()), lang),
    })))
}

/// `GET /tables/{id}`: one table's description.
#[utoipa::path(
    get,
    path = "/api/pxweb/v2/tables/{id}",
    tag = "pxweb",
    params(("id" = String, Path, pattern = "^TRYGG0[1-4]$", description = "A table id: `TRYGG01` to `TRYGG04`"), ("lang" = Option<String>, Query, pattern = "^(sv|en)$", description = "`sv` (the default) or `en`")),
    responses(
        (status = 200, description = "PxWeb's `TableResponse`", body = Object),
        (status = 400, description = "An unknown language or a bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Statistics are for analysts and security managers (unless open)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No statistics are published yet", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
pub async fn read_table(
    reader: Reader,
    limits: web::Data<Limits>,
    app: web::Data<App>,
    id: web::Path<String>,
    params: Params,
    settings: web::Data<PxWebSettings>,
) -> Result<HttpResponse, ApiError> {
    reader.admit(&limits, &app)?;
    let lang = language(&params)?;
    let table = PxTable::find(&id)?;
    let (series, updated) = published(&app).await?;
    let mut described = describe(table, &series, lang, updated, &settings.root());
    described["language"] = json!(lang.code());
    Ok(HttpResponse::Ok().json(described))
}

/// A table as `/tables` lists it.
fn describe(
    table: &PxTable,
    series: &Series,
    lang: Language,
    updated: DateTime<Utc>,
    base: &str,
) -> Value {
    let periods = series.periods(table.grain);
    let href = format!("{base}/tables/{}", table.id);
    json!({
        "type": "Table",
        "id": table.id,
        "label": table.label(lang),
        "description": "",
        "updated": updated.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "firstPeriod": periods.first().map(|(code, _)| code),
        "lastPeriod": periods.last().map(|(code, _)| code),
        "category": "public",
        "variableNames": table.variable_codes(),
        "discontinued": false,
        "source": "Trygg",
        "subjectCode": "TRYGG",
        "timeUnit": match table.grain {
            trygg_domain::statistics::Grain::Year => "Annual",
            trygg_domain::statistics::Grain::Quarter => "Quarterly",
            _ => "Monthly",
        },
        "paths": [[{ "id": "TRYGG", "label": "Trygg" }]],
        "links": [
            { "rel": "self", "hreflang": lang.code(), "href": format!("{href}?lang={}", lang.code()) },
            { "rel": "metadata", "hreflang": lang.code(), "href": format!("{href}/metadata?lang={}", lang.code()) },
            { "rel": "data", "hreflang": lang.code(), "href": format!("{href}/data?lang={}", lang.code()) },
        ],
    })
}

/// `GET /tables/{id}/metadata`: its variables and values, as a JSON-stat 2.0 dataset
/// without values.
#[utoipa::path(
    get,
    path = "/api/pxweb/v2/tables/{id}/metadata",
    tag = "pxweb",
    params(("id" = String, Path, pattern = "^TRYGG0[1-4]$", description = "A table id: `TRYGG01` to `TRYGG04`"), ("lang" = Option<String>, Query, pattern = "^(sv|en)$", description = "`sv` (the default) or `en`")),
    responses(
        (status = 200, description = "A JSON-stat 2.0 dataset without values", body = Object),
        (status = 400, description = "An unknown language or a bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Statistics are for analysts and security managers (unless open)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No statistics are published yet", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
pub async fn read_metadata(
    reader: Reader,
    limits: web::Data<Limits>,
    app: web::Data<App>,
    id: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    reader.admit(&limits, &app)?;
    let lang = language(&params)?;
    let table = PxTable::find(&id)?;
    let (series, updated) = published(&app).await?;
    let variables = table.variables(app.catalogue(), &series, lang);
    Ok(HttpResponse::Ok().json(metadata(table, &variables, lang, updated)))
}

/// `GET /tables/{id}/data`: the cells selected by `valuecodes[VAR]` and `codelist[VAR]`, the
/// default selection without them.
#[utoipa::path(
    get,
    path = "/api/pxweb/v2/tables/{id}/data",
    tag = "pxweb",
    params(
        ("id" = String, Path, pattern = "^TRYGG0[1-4]$", description = "A table id: `TRYGG01` to `TRYGG04`"),
        ("lang" = Option<String>, Query, pattern = "^(sv|en)$", description = "`sv` (the default) or `en`"),
        ("outputFormat" = Option<String>, Query, pattern = "^(json-stat2|csv)$", description = "`json-stat2` (the default) or `csv`"),
        ("valuecodes" = Option<Object>, Query, style = DeepObject, explode, description = "Per variable, `valuecodes[VAR]=`: comma-separated codes or expressions (`*`, `top(n)`, `range(a,b)`, …)"),
        ("codelist" = Option<Object>, Query, style = DeepObject, explode, description = "Per variable, `codelist[VAR]=`: a code list to group its values by"),
    ),
    responses(
        (status = 200, description = "The selected cells", content(
            (Object = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "An unknown language or a bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Statistics are for analysts and security managers (unless open), or more cells than `maxDataCells`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No statistics are published yet", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
#[allow(
    clippy::too_many_arguments,
    reason = "each argument is an actix extractor"
)]
pub async fn read_data(
    reader: Reader,
    limits: web::Data<Limits>,
    app: web::Data<App>,
    id: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    reader.admit(&limits, &app)?;
    let selection = Selection::from_query(&params)?;
    answer(&app, &id, &params, selection).await
}

/// `POST /tables/{id}/data`: the cells a `VariablesSelection` body selects.
#[utoipa::path(
    post,
    path = "/api/pxweb/v2/tables/{id}/data",
    tag = "pxweb",
    params(
        ("id" = String, Path, pattern = "^TRYGG0[1-4]$", description = "A table id: `TRYGG01` to `TRYGG04`"),
        ("lang" = Option<String>, Query, pattern = "^(sv|en)$", description = "`sv` (the default) or `en`"),
        ("outputFormat" = Option<String>, Query, pattern = "^(json-stat2|csv)$", description = "`json-stat2` (the default) or `csv`"),
    ),
    request_body(content = Option<Selection>, description = "PxWeb's `VariablesSelection`; none is the default selection", content_type = "application/json"),
    responses(
        (status = 200, description = "The selected cells", content(
            (Object = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "An unknown language or a bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Statistics are for analysts and security managers (unless open), or more cells than `maxDataCells`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No statistics are published yet", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
#[allow(
    clippy::too_many_arguments,
    reason = "each argument is an actix extractor"
)]
pub async fn query_data(
    reader: Reader,
    limits: web::Data<Limits>,
    app: web::Data<App>,
    id: web::Path<String>,
    params: Params,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    reader.admit(&limits, &app)?;
    // No body is the default selection; a body must be a selection.
    let selection: Option<Selection> = match body.iter().all(u8::is_ascii_whitespace) {
        true => None,
        false => Some(serde_json::from_slice(&body).map_err(|error| {
            ApiError::BadRequest(format!("the body is not a selection: {error}"))
        })?),
    };
    answer(&app, &id, &params, selection).await
}

/// The output formats served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    JsonStat2,
    Csv,
}

impl Output {
    fn parse(code: Option<&str>) -> Result<Output, PxError> {
        match code.map(str::to_ascii_lowercase).as_deref() {
            None | Some("json-stat2") => Ok(Output::JsonStat2),
            Some("csv") => Ok(Output::Csv),
            Some(other) => Err(PxError::UnknownFormat(other.to_owned())),
        }
    }
}

/// Reads the publication, picks the cells, counts them and renders them, all in one trip to
/// the blocking pool: a small table's answer costs little more than the plain statistics read.
async fn answer(
    app: &App,
    id: &str,
    params: &[(String, String)],
    selection: Option<Selection>,
) -> Result<HttpResponse, ApiError> {
    let lang = language(params)?;
    let output = Output::parse(param(params, "outputFormat"))?;
    let table = PxTable::find(id)?;
    let body = app
        .answer_from_published(move |published| {
            let (series, catalogue) = (&published.series, published.catalogue());
            let variables = table.variables(catalogue, series, lang);
            let picked = Selection::pick(selection.as_ref(), &variables, lang)?;
            let plan = Plan::new(table, catalogue, series, &picked)?;
            let values = plan.values(&picked, &published.count(&plan)?);
            Ok::<_, ApiError>(match output {
                Output::JsonStat2 => {
                    let published_at = published.publication.published_at;
                    json_stat2(table, &picked, &values, lang, published_at).to_string()
                }
                Output::Csv => px_csv(&picked, &values),
            })
        })
        .await?;
    let media_type = match output {
        Output::JsonStat2 => "application/json; charset=utf-8",
        Output::Csv => "text/csv; charset=utf-8",
    };
    Ok(HttpResponse::Ok().content_type(media_type).body(body))
}

/// `GET /codelists/{id}` (also `/codeLists/{id}`): a code list's values and what each groups.
#[utoipa::path(
    get,
    path = "/api/pxweb/v2/codelists/{id}",
    tag = "pxweb",
    params(("id" = String, Path, pattern = "^agg_age_group_broad$", description = "A code list id: `agg_age_group_broad`"), ("lang" = Option<String>, Query, pattern = "^(sv|en)$", description = "`sv` (the default) or `en`")),
    responses(
        (status = 200, description = "PxWeb's `CodelistResponse`", body = Object),
        (status = 400, description = "An unknown language", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Statistics are for analysts and security managers (unless open)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such code list", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
pub async fn read_codelist(
    reader: Reader,
    limits: web::Data<Limits>,
    app: web::Data<App>,
    id: web::Path<String>,
    params: Params,
    settings: web::Data<PxWebSettings>,
) -> Result<HttpResponse, ApiError> {
    reader.admit(&limits, &app)?;
    let lang = language(&params)?;
    let codelist: &Codelist = Codelist::find(&id)?;
    let values: Vec<Value> = codelist
        .groups
        .iter()
        .map(|group| {
            json!({
                "code": group.code,
                "label": group.label(lang),
                "valueMap": group.members,
            })
        })
        .collect();
    let href = format!("{}/codelists/{}", settings.root(), codelist.id);
    Ok(HttpResponse::Ok().json(json!({
        "id": codelist.id,
        "label": codelist.label(lang),
        "language": lang.code(),
        "languages": Language::ALL.map(Language::code),
        "elimination": true,
        "eliminationValueCode": trygg_domain::statistics::TOTAL,
        "type": "Aggregation",
        "values": values,
        "links": links(format!("{href}?lang={}", lang.code()), lang),
    })))
}
