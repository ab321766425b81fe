//! Reporting statistics (anmälningsstatistik): dimensions, periods, queries and the protected
//! tables they produce. Only counts leave: a table never holds a case.

mod calendar;
mod dimension;
mod export;
mod outcomes;
mod perturbation;
mod publication;
mod published;
pub mod pxweb;
mod query;
mod rates;
mod suppression;
mod table;

pub use calendar::{
    Grain, MAX_PERIOD_YEARS, Period, date_of_day_number, day_number, first_day_of_month_number,
    month_number,
};
pub use dimension::{CaseFacts, Category, Dimension};
pub use export::{Format, SpreadsheetWords, csv, json_stat, spreadsheet};
pub use outcomes::{SuppressionThreshold, median_days, share};
pub use perturbation::{CellKey, PerturbationParameters, PerturbationTable, RecordKey};
pub use publication::{CalendarPeriod, PublicationCalendar, PublicationView, Salts, Snapshot};
pub use published::{
    CategoryView, CellView, Comparison, CountView, DimensionView, DistrictPicture, Figures,
    PeriodView, ReleaseView, Section, StatisticsView, TableView, YearlyCompilation,
};
pub use query::{MAX_GROUPINGS, MAX_TABLE_CELLS, StatisticsQuery, for_each_combination};
pub use rates::{PopulationSource, per_100_000};
pub use table::{Axis, CountedCell, TOTAL, Table};

/// Why a statistics request cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatisticsError {
    #[error("`{0}` is not a dimension")]
    UnknownDimension(String),
    #[error("`{value}` is not a {dimension} code")]
    UnknownCategory {
        dimension: &'static str,
        value: String,
    },
    #[error("{0} is given more than once")]
    Repeated(&'static str),
    #[error("group by at most {MAX_GROUPINGS} dimensions")]
    TooManyGroupings,
    #[error("group by one period grain at most, not `{0}` and `{1}`")]
    TwoGrains(&'static str, &'static str),
    #[error("a period is a filter by dates (`from`, `to`), not by `{0}`")]
    PeriodFilter(&'static str),
    #[error(
        "the table would have {0} cells, more than {MAX_TABLE_CELLS}; group by fewer or coarser dimensions"
    )]
    TooLarge(usize),
    #[error("`to` must be after `from`")]
    EmptyPeriod,
    #[error("a period may cover at most {MAX_PERIOD_YEARS} years")]
    PeriodTooLong,
    #[error("the suppression threshold must be at least 2, not {0}")]
    ThresholdTooLow(u64),
    #[error(
        "too many small counts to protect at this grouping; group by fewer dimensions or over a longer period"
    )]
    TooSparse,
    #[error("`{0}` is not a format; use json, csv, csv-semicolon or json-stat")]
    UnknownFormat(String),
    #[error(
        "perturbation parameters out of range ({0}): 1 ≤ max noise ≤ 10, 0 < variance < max noise², threshold < max noise"
    )]
    BadPerturbation(String),
    #[error("the publication day must be from 1 to 28, not {0}")]
    BadPublicationDay(u32),
    #[error(
        "published statistics go up to the month starting {0}; later figures are published on the calendar"
    )]
    NotPublished(chrono::NaiveDate),
    #[error("no statistics are published yet")]
    NothingPublished,
    #[error("statistics were published while this answer was counted; ask again")]
    PublicationChanged,
    #[error(
        "published statistics are asked by calendar month, quarter or year, or the twelve months up to the latest published month"
    )]
    NotCalendarPeriod,
    #[error("published statistics cannot be grouped this way; group by fewer or other dimensions")]
    NotPublishedAtGrouping,
    #[error("{0} is not a year from 1970 to 9998")]
    NoSuchYear(i32),
}
