//! Statistics as they are published, by the API as JSON and by the pages: protected tables
//! with their categories, compared with the previous period, and the compilations built of
//! them. Nothing here can hold a case.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{
    Dimension, Period, PopulationSource, PublicationView, StatisticsQuery, SuppressionThreshold,
    Table,
};
use crate::Population;

/// Days from `from` up to, not including, `to`.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodView {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl From<&Period> for PeriodView {
    fn from(period: &Period) -> Self {
        PeriodView {
            from: period.from(),
            to: period.to(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryView {
    pub code: String,
    pub label: String,
}

impl CategoryView {
    pub fn new(code: &str, label: &str) -> CategoryView {
        CategoryView {
            code: code.to_owned(),
            label: label.to_owned(),
        }
    }
}

/// A dimension of a table and its categories, the last of them `total`.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionView {
    pub id: String,
    pub label: String,
    pub categories: Vec<CategoryView>,
}

/// One cell: its category in each dimension and its count, `null` when suppressed.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellView {
    pub categories: BTreeMap<String, String>,
    pub count: Option<u64>,
    pub suppressed: bool,
    /// The count per 100 000 inhabitants it counts among, where the catalogue has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// The same cell in the previous period of the same length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Comparison>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub count: Option<u64>,
    pub suppressed: bool,
    /// This period's count less the previous one's, when both are published.
    pub change: Option<i64>,
    /// The change in percent of the previous count (one decimal), when that is above zero.
    pub change_percent: Option<f64>,
    /// The previous count per 100 000 inhabitants, where the catalogue has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
}

/// A protected table: every combination of categories, margins included.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableView {
    pub dimensions: Vec<DimensionView>,
    pub cells: Vec<CellView>,
}

impl TableView {
    /// The table's cells, each compared with `previous` where given.
    pub fn new(table: &Table, previous: Option<&Table>) -> TableView {
        let dimensions = table
            .axes()
            .iter()
            .map(|axis| DimensionView {
                id: axis.dimension.code().to_owned(),
                label: axis.dimension.label().to_owned(),
                categories: axis
                    .categories
                    .iter()
                    .map(|c| CategoryView::new(&c.code, &c.label))
                    .collect(),
            })
            .collect();
        let cells = (0..table.len())
            .map(|index| {
                let categories = table
                    .axes()
                    .iter()
                    .zip(table.coordinates(index))
                    .map(|(axis, at)| {
                        (
                            axis.dimension.code().to_owned(),
                            axis.categories[at].code.clone(),
                        )
                    })
                    .collect();
                let count = table.count(index);
                CellView {
                    categories,
                    count,
                    suppressed: count.is_none(),
                    rate: None,
                    previous: previous.map(|previous| compare(count, table, previous, index)),
                }
            })
            .collect();
        TableView { dimensions, cells }
    }
}

/// Compares a cell with the same cell of the previous period's table, where the k-th period
/// stands for the k-th period before.
fn compare(count: Option<u64>, table: &Table, previous: &Table, index: usize) -> Comparison {
    let coordinates: Option<Vec<usize>> = table
        .coordinates(index)
        .into_iter()
        .zip(table.axes().iter().zip(previous.axes()))
        .map(|(at, (axis, before))| {
            let (last, last_before) = (axis.categories.len() - 1, before.categories.len() - 1);
            match axis.dimension {
                _ if at == last => Some(last_before),
                Dimension::Period(_) => (at < last_before).then_some(at),
                _ => Some(at),
            }
        })
        .collect();
    let before = coordinates.and_then(|at| previous.count(previous.index(&at)));
    Comparison::between(count, before)
}

impl Comparison {
    /// A count now against the count `before`, either of them perhaps suppressed.
    pub fn between(now: Option<u64>, before: Option<u64>) -> Comparison {
        let change = now
            .zip(before)
            .map(|(now, before)| now as i64 - before as i64);
        Comparison {
            count: before,
            suppressed: before.is_none(),
            change,
            change_percent: change
                .zip(before.filter(|&before| before > 0))
                .map(|(change, before)| (change as f64 * 1000.0 / before as f64).round() / 10.0),
            rate: None,
        }
    }
}

/// Which figures these are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Figures {
    /// The cases as they are now (for those who may read them): small counts, and counts that
    /// would give them away, are suppressed (`null`); parts add up to their totals.
    Live,
    /// The latest publication: every count, totals too, perturbed by the cell-key method, the
    /// same each time it is asked; parts need not add up to their totals.
    Published,
}

/// Where a statistics answer comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReleaseView {
    pub figures: Figures,
    /// The publication published figures come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publication: Option<PublicationView>,
}

impl ReleaseView {
    pub fn live() -> ReleaseView {
        ReleaseView {
            figures: Figures::Live,
            publication: None,
        }
    }

    pub fn published(publication: PublicationView) -> ReleaseView {
        ReleaseView {
            figures: Figures::Published,
            publication: Some(publication),
        }
    }

    pub fn is_published(&self) -> bool {
        self.figures == Figures::Published
    }
}

/// The answer to a statistics request in JSON.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatisticsView {
    pub release: ReleaseView,
    pub period: PeriodView,
    /// The period every cell is compared with; published figures have one only for a calendar
    /// month, quarter or year whose period before is published too.
    pub previous_period: Option<PeriodView>,
    /// Live counts below this are suppressed; published ones are 0 or at least this.
    pub suppression_threshold: u64,
    pub filters: BTreeMap<String, String>,
    /// The population figures behind the cells' rates per 100 000 inhabitants; absent (and so
    /// every rate) while the catalogue has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<PopulationSource>,
    #[serde(flatten)]
    pub table: TableView,
}

impl StatisticsView {
    pub fn new(
        query: &StatisticsQuery,
        (table, previous): (&Table, Option<&Table>),
        threshold: SuppressionThreshold,
        release: ReleaseView,
        population: Option<&Population>,
    ) -> StatisticsView {
        let filters: Vec<(&str, &str)> = query
            .filters()
            .iter()
            .map(|(dimension, value)| (dimension.code(), value.as_str()))
            .collect();
        let mut table = TableView::new(table, previous);
        if let Some(population) = population {
            table = table.with_rates(population, &filters);
        }
        StatisticsView {
            release,
            period: query.period().into(),
            previous_period: previous.map(|_| (&query.period().previous()).into()),
            suppression_threshold: threshold.get(),
            filters: filters
                .into_iter()
                .map(|(dimension, value)| (dimension.to_owned(), value.to_owned()))
                .collect(),
            population: population.map(PopulationSource::from),
            table,
        }
    }
}

/// A count in a breakdown.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountView {
    pub code: String,
    pub label: String,
    pub count: Option<u64>,
    pub suppressed: bool,
}

/// A focus area's or an office's year.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    pub code: String,
    pub label: String,
    pub cases: Option<u64>,
    pub by_kind: Vec<CountView>,
    pub by_severity: Vec<CountView>,
    pub by_gender: Vec<CountView>,
    pub by_age_group: Vec<CountView>,
    /// Published only when `cases` is, and neither the police-reported cases nor the others
    /// are a small count.
    pub police_reported_share: Option<f64>,
    /// Published only when `cases` is, and neither the closed cases nor the open ones are a
    /// small count.
    pub closed_share: Option<f64>,
    /// Whole days from filing to closing, over at least as many closed cases as the threshold;
    /// published only when `cases` is.
    pub median_days_to_close: Option<f64>,
    /// `cases` per 100 000 inhabitants, where the catalogue has the population.
    pub cases_per_100_000: Option<f64>,
}

/// The yearly compilation for the executive board.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearlyCompilation {
    pub release: ReleaseView,
    pub year: i32,
    pub suppression_threshold: u64,
    /// The population figures behind the rates; absent while the catalogue has none.
    pub population: Option<PopulationSource>,
    /// Every focus area together.
    pub total: Option<Section>,
    pub focus_areas: Vec<Section>,
    /// Per responsible office; a case with two offices counts in both.
    pub offices: Vec<Section>,
}

/// The district picture for a local crime-prevention council.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistrictPicture {
    pub release: ReleaseView,
    pub district: CategoryView,
    pub period: PeriodView,
    pub suppression_threshold: u64,
    /// The population figures behind the rates (of the district's inhabitants); absent while
    /// the catalogue has none.
    pub population: Option<PopulationSource>,
    pub by_month_and_focus_area: TableView,
    pub by_place_kind: TableView,
    pub by_hour: TableView,
    pub by_weekday: TableView,
}
