//! The published statistics as PxWeb API 2.0 tables, so that integrations read Trygg as they
//! read Statistics Sweden (pxwebpy, R's pxweb, Excel and Power BI through PxWeb).
//!
//! A table is a fixed breakdown over a time series of whole published periods of one grain:
//! each cell is a cell a reader could ask `/api/v1/statistics` for one calendar period, with
//! the same key and so the same noise. There is no total over the periods (it would be a
//! period no reader may ask). Every other variable may be eliminated: leaving it out takes its
//! `total`.

mod dataset;
mod plan;
mod selection;

use chrono::{Months, NaiveDate};

pub use dataset::{DataCell, csv as px_csv, json_stat2, metadata};
pub use plan::{Count, Counted, Plan};
pub use selection::{MAX_CODE_LENGTH, MAX_VALUE_CODES, Picked, Selection, VariableSelection};

use super::calendar::{Grain, Period, first_day_of_month_number};
use super::dimension::{Category, Dimension};
use super::table::TOTAL;
use crate::Catalogue;

/// The most cells one data request may ask for (PxWeb's `maxDataCells`); 403 beyond.
pub const MAX_DATA_CELLS: usize = 10_000;
/// The variable of the measure, by PxWeb's name for it.
pub const CONTENTS: &str = "ContentsCode";

/// Why a PxWeb request cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PxError {
    #[error("there is no table `{0}`")]
    NoSuchTable(String),
    #[error("there is no code list `{0}`")]
    NoSuchCodelist(String),
    #[error("`{0}` is not a language of these tables; use sv or en")]
    UnknownLanguage(String),
    #[error("`{0}` is not an output format here; use json-stat2 or csv")]
    UnknownFormat(String),
    #[error("the table has no variable `{0}`")]
    UnknownVariable(String),
    #[error("`{value}` is not a value of variable `{variable}`")]
    UnknownValue { variable: String, value: String },
    #[error("code list `{codelist}` does not apply to variable `{variable}`")]
    CodelistNotForVariable { variable: String, codelist: String },
    #[error("variable `{0}` is selected more than once")]
    Repeated(String),
    #[error("variable `{0}` cannot be eliminated; select at least one of its values")]
    Mandatory(String),
    #[error("the selection has no value for variable `{0}`")]
    EmptySelection(String),
    #[error(
        "the selection of variable `{0}` is too long: at most {MAX_VALUE_CODES} value codes of at most {MAX_CODE_LENGTH} characters"
    )]
    SelectionTooLong(String),
    #[error("the selection would give {0} cells, more than the {MAX_DATA_CELLS} allowed")]
    TooManyCells(usize),
    #[error("nothing is published in this table yet")]
    NoPeriods,
}

/// A language the tables are labelled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Sv,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Sv, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::Sv => "sv",
            Language::En => "en",
        }
    }

    /// The name of the language, in itself.
    pub fn name(self) -> &'static str {
        match self {
            Language::Sv => "Svenska",
            Language::En => "English",
        }
    }

    /// `None` (no `lang`) is Swedish.
    pub fn parse(code: Option<&str>) -> Result<Language, PxError> {
        match code {
            None => Ok(Language::Sv),
            Some(code) => Language::ALL
                .into_iter()
                .find(|lang| lang.code() == code)
                .ok_or_else(|| PxError::UnknownLanguage(code.to_owned())),
        }
    }

    fn pick(self, [sv, en]: [&'static str; 2]) -> &'static str {
        match self {
            Language::Sv => sv,
            Language::En => en,
        }
    }
}

/// What a table's cells measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Cases that happened in the period, perturbed.
    Cases,
    /// The median whole days from filing to closing of the cases closed that happened in the
    /// period; published only over enough closed cases.
    MedianDaysToClose,
}

impl Measure {
    fn code(self) -> &'static str {
        match self {
            Measure::Cases => "cases",
            Measure::MedianDaysToClose => "median_days_to_close",
        }
    }

    fn label(self, lang: Language) -> &'static str {
        lang.pick(match self {
            Measure::Cases => ["Antal anmälda händelser", "Reported incidents"],
            Measure::MedianDaysToClose => [
                "Mediantid från anmälan till avslut, dagar",
                "Median time from report to closing, days",
            ],
        })
    }

    /// Its unit's name and how many decimals its values have.
    pub fn unit(self, lang: Language) -> (&'static str, u32) {
        match self {
            Measure::Cases => (lang.pick(["antal", "number"]), 0),
            Measure::MedianDaysToClose => (lang.pick(["dagar", "days"]), 1),
        }
    }
}

/// A PxWeb table: a breakdown of the published statistics by period.
#[derive(Debug, PartialEq, Eq)]
pub struct PxTable {
    pub id: &'static str,
    label: [&'static str; 2],
    pub grain: Grain,
    pub dimensions: &'static [Dimension],
    pub measure: Measure,
}

/// The tables, in the order they are listed.
pub const TABLES: [PxTable; 4] = [
    PxTable {
        id: "TRYGG01",
        label: [
            "Anmälda händelser efter fokusområde, stadsdel och månad",
            "Reported incidents by focus area, district and month",
        ],
        grain: Grain::Month,
        dimensions: &[Dimension::FocusArea, Dimension::District],
        measure: Measure::Cases,
    },
    PxTable {
        id: "TRYGG02",
        label: [
            "Anmälda händelser efter typ, den utsattas kön och åldersgrupp och kvartal",
            "Reported incidents by kind, gender and age group of the person affected, and quarter",
        ],
        grain: Grain::Quarter,
        dimensions: &[Dimension::Kind, Dimension::Gender, Dimension::AgeGroup],
        measure: Measure::Cases,
    },
    PxTable {
        id: "TRYGG03",
        label: [
            "Anmälda händelser efter ansvarigt kontor, allvarlighetsgrad och kvartal",
            "Reported incidents by responsible office, severity and quarter",
        ],
        grain: Grain::Quarter,
        dimensions: &[Dimension::Office, Dimension::Severity],
        measure: Measure::Cases,
    },
    PxTable {
        id: "TRYGG04",
        label: [
            "Mediantid från anmälan till avslut efter fokusområde och år",
            "Median time from report to closing by focus area and year",
        ],
        grain: Grain::Year,
        dimensions: &[Dimension::FocusArea],
        measure: Measure::MedianDaysToClose,
    },
];

impl PxTable {
    /// The table with this id (case-insensitive, as PxWeb's are).
    pub fn find(id: &str) -> Result<&'static PxTable, PxError> {
        TABLES
            .iter()
            .find(|table| table.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| PxError::NoSuchTable(id.to_owned()))
    }

    pub fn label(&self, lang: Language) -> &'static str {
        lang.pick(self.label)
    }

    /// The variables' codes, in the order of the table's cells.
    pub fn variable_codes(&self) -> Vec<&'static str> {
        self.dimensions
            .iter()
            .map(|dimension| dimension.code())
            .chain([CONTENTS, self.grain.code()])
            .collect()
    }

    /// The table's variables over `series`: its dimensions (each with its total, which
    /// eliminating it takes), the measure and the periods.
    pub fn variables(
        &self,
        catalogue: &Catalogue,
        series: &Series,
        lang: Language,
    ) -> Vec<Variable> {
        let mut variables: Vec<Variable> = self
            .dimensions
            .iter()
            .map(|&dimension| {
                let mut values = labelled(catalogue, dimension, lang);
                // A case counts under each of its offices: their margin is no count of cases.
                if !dimension.is_multi_valued() {
                    values.push(total(lang));
                }
                Variable {
                    code: dimension.code().to_owned(),
                    label: dimension_label(dimension, lang).to_owned(),
                    values,
                    kind: VariableKind::Dimension(dimension),
                    codelists: CODELISTS
                        .iter()
                        .filter(|codelist| codelist.dimension == dimension)
                        .collect(),
                    applied: None,
                }
            })
            .collect();
        variables.push(Variable {
            code: CONTENTS.to_owned(),
            label: lang.pick(["tabellinnehåll", "contents"]).to_owned(),
            values: vec![Category {
                code: self.measure.code().to_owned(),
                label: self.measure.label(lang).to_owned(),
            }],
            kind: VariableKind::Contents(self.measure),
            codelists: Vec::new(),
            applied: None,
        });
        variables.push(Variable {
            code: self.grain.code().to_owned(),
            label: grain_label(self.grain, lang).to_owned(),
            values: series
                .periods(self.grain)
                .into_iter()
                .map(|(code, _)| Category {
                    label: code.clone(),
                    code,
                })
                .collect(),
            kind: VariableKind::Time(self.grain),
            codelists: Vec::new(),
            applied: None,
        });
        variables
    }
}

/// The months a table's series spans: from the first month with a published case (or the
/// latest published month, when there is none) through the latest published month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series {
    first: i32,
    through: i32,
}

impl Series {
    /// Month numbers; `first` after `through` is taken as `through`.
    pub fn new(first: Option<i32>, through: i32) -> Series {
        Series {
            first: first.map_or(through, |first| first.min(through)),
            through,
        }
    }

    /// The whole periods of `grain` published, oldest first, each with its code. Tables are
    /// by month or coarser: a finer grain is taken as months.
    pub fn periods(&self, grain: Grain) -> Vec<(String, Period)> {
        let months = match grain {
            Grain::Quarter => 3,
            Grain::Year => 12,
            Grain::Month | Grain::Week | Grain::Day => 1,
        };
        let first = self.first.div_euclid(months);
        let last = (self.through + 1).div_euclid(months) - 1;
        (first..=last)
            .map(|n| {
                let from: NaiveDate = first_day_of_month_number(n * months);
                let to = from + Months::new(months as u32);
                let period = Period::new(from, to).expect("a whole period");
                (grain.period_of(from), period)
            })
            .collect()
    }
}

/// One variable of a table as PxWeb describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub code: String,
    pub label: String,
    /// Its values, in order; a dimension's last is its total.
    pub values: Vec<Category>,
    pub kind: VariableKind,
    pub codelists: Vec<&'static Codelist>,
    /// The code list its values come from, if one was applied.
    pub applied: Option<&'static Codelist>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    Dimension(Dimension),
    Contents(Measure),
    Time(Grain),
}

impl Variable {
    /// The value a selection that leaves it out takes: a dimension's total (not a
    /// multi-valued one's, which has none), and the measure's one value. The period may not
    /// be left out.
    pub fn elimination(&self) -> Option<&str> {
        match self.kind {
            VariableKind::Dimension(dimension) if dimension.is_multi_valued() => None,
            VariableKind::Dimension(_) => Some(TOTAL),
            VariableKind::Contents(measure) => Some(measure.code()),
            VariableKind::Time(_) => None,
        }
    }

    /// The variable with a code list applied: its values are the code list's groups.
    fn with_codelist(&self, codelist: &'static Codelist, lang: Language) -> Variable {
        let mut values: Vec<Category> = codelist
            .groups
            .iter()
            .map(|group| Category {
                code: group.code.to_owned(),
                label: lang.pick(group.label).to_owned(),
            })
            .collect();
        values.push(total(lang));
        Variable {
            values,
            applied: Some(codelist),
            ..self.clone()
        }
    }
}

/// A code list: another grouping of a variable's values (PxWeb's aggregation).
#[derive(Debug, PartialEq, Eq)]
pub struct Codelist {
    pub id: &'static str,
    label: [&'static str; 2],
    pub dimension: Dimension,
    pub groups: &'static [Group],
}

/// A value of a code list and the values it groups.
#[derive(Debug, PartialEq, Eq)]
pub struct Group {
    pub code: &'static str,
    label: [&'static str; 2],
    pub members: &'static [&'static str],
}

/// The code lists. Children and young people are a focus of the strategy: one groups the
/// ages into children, adults of working age and the elderly.
pub const CODELISTS: [Codelist; 1] = [Codelist {
    id: "agg_age_group_broad",
    label: ["Barn, vuxna och äldre", "Children, adults and the elderly"],
    dimension: Dimension::AgeGroup,
    groups: &[
        Group {
            code: "age_0_17",
            label: ["0–17 år", "0–17"],
            members: &["under_13", "age_13_17"],
        },
        Group {
            code: "age_18_64",
            label: ["18–64 år", "18–64"],
            members: &["age_18_29", "age_30_49", "age_50_64"],
        },
        Group {
            code: "age_65_plus",
            label: ["65 år eller äldre", "65 or older"],
            members: &["age_65_plus"],
        },
        Group {
            code: "unknown",
            label: ["Okänd", "Unknown"],
            members: &["unknown"],
        },
    ],
}];

impl Codelist {
    /// The code list with this id (case-insensitive).
    pub fn find(id: &str) -> Result<&'static Codelist, PxError> {
        CODELISTS
            .iter()
            .find(|codelist| codelist.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| PxError::NoSuchCodelist(id.to_owned()))
    }

    pub fn label(&self, lang: Language) -> &'static str {
        lang.pick(self.label)
    }

    /// The group a value of the variable falls in.
    pub fn group_of(&self, code: &str) -> Option<&'static str> {
        self.groups
            .iter()
            .find(|group| group.members.contains(&code))
            .map(|group| group.code)
    }
}

impl Group {
    pub fn label(&self, lang: Language) -> &'static str {
        lang.pick(self.label)
    }
}

fn total(lang: Language) -> Category {
    Category {
        code: TOTAL.to_owned(),
        label: lang.pick(["Totalt", "Total"]).to_owned(),
    }
}

fn grain_label(grain: Grain, lang: Language) -> &'static str {
    match lang {
        Language::Sv => grain.label(),
        Language::En => match grain {
            Grain::Day => "Day",
            Grain::Week => "Week",
            Grain::Month => "Month",
            Grain::Quarter => "Quarter",
            Grain::Year => "Year",
        },
    }
}

/// A dimension's name. English only for the dimensions of the tables; the others keep their
/// Swedish name.
fn dimension_label(dimension: Dimension, lang: Language) -> &'static str {
    let english = match dimension {
        Dimension::FocusArea => "Focus area",
        Dimension::Office => "Responsible office",
        Dimension::District => "District",
        Dimension::Kind => "Kind of incident",
        Dimension::Severity => "Severity",
        Dimension::Gender => "Gender of the person affected",
        Dimension::AgeGroup => "Age group of the person affected",
        _ => dimension.label(),
    };
    lang.pick([dimension.label(), english])
}

/// A dimension's values in `lang`: the catalogue's English labels where it gives them, the
/// fixed vocabularies' English words, else the Swedish label.
fn labelled(catalogue: &Catalogue, dimension: Dimension, lang: Language) -> Vec<Category> {
    let any_period = Period::year(2000).expect("a year");
    let mut categories = dimension.categories(catalogue, &any_period);
    if lang == Language::En {
        for category in &mut categories {
            let code = category.code.as_str();
            let english = match dimension {
                Dimension::FocusArea => english_entry(
                    catalogue
                        .focus_areas()
                        .iter()
                        .map(|area| (area.code.as_str(), &area.label_en)),
                    code,
                ),
                Dimension::Office => english_entry(
                    catalogue
                        .offices()
                        .iter()
                        .map(|office| (office.code.as_str(), &office.label_en)),
                    code,
                ),
                Dimension::District => english_entry(
                    catalogue
                        .districts()
                        .iter()
                        .map(|district| (district.code.as_str(), &district.label_en)),
                    code,
                ),
                _ => english_word(code).map(str::to_owned),
            };
            if let Some(label) = english {
                category.label = label;
            }
        }
    }
    categories
}

/// A catalogue entry's English label, where the catalogue gives one.
fn english_entry<'a>(
    mut entries: impl Iterator<Item = (&'a str, &'a Option<String>)>,
    code: &str,
) -> Option<String> {
    entries
        .find(|(entry, _)| *entry == code)
        .and_then(|(_, label)| label.clone())
}

/// The English words of the fixed vocabularies the tables break down by.
fn english_word(code: &str) -> Option<&'static str> {
    Some(match code {
        "threat" => "Threat",
        "violence" => "Violence",
        "harassment" => "Harassment or degrading treatment",
        "improper_influence" => "Improper influence",
        "vandalism" => "Vandalism",
        "public_disorder" => "Public disorder",
        "other" => "Other",
        "woman" => "Woman",
        "man" => "Man",
        "unknown" => "Unknown",
        "under_13" => "Under 13",
        "age_13_17" => "13–17",
        "age_18_29" => "18–29",
        "age_30_49" => "30–49",
        "age_50_64" => "50–64",
        "age_65_plus" => "65 or older",
        "low" => "Minor",
        "medium" => "Moderate",
        "high" => "Serious",
        "serious" => "Very serious",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::month_number;

    fn month(text: &str) -> i32 {
        month_number(format!("{text}-01").parse().unwrap())
    }

    #[test]
    fn a_series_has_the_whole_published_periods_of_its_grain() {
        let series = Series::new(Some(month("2025-11")), month("2026-10"));
        let codes = |grain| -> Vec<String> {
            series
                .periods(grain)
                .into_iter()
                .map(|(code, _)| code)
                .collect()
        };
        assert_eq!(codes(Grain::Month).len(), 12);
        assert_eq!(codes(Grain::Month)[0], "2025-11");
        assert_eq!(codes(Grain::Month)[11], "2026-10");
        assert_eq!(
            codes(Grain::Quarter),
            ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"],
            "the fourth quarter of 2026 is not all published"
        );
        assert_eq!(codes(Grain::Year), ["2025"], "2026 is not all published");
        assert!(
            Series::new(None, month("2026-10"))
                .periods(Grain::Year)
                .is_empty()
        );
    }

    #[test]
    fn every_vocabulary_value_of_the_tables_has_its_english_word() {
        let catalogue = Catalogue::builtin();
        for table in &TABLES {
            for &dimension in table.dimensions {
                if matches!(
                    dimension,
                    Dimension::FocusArea | Dimension::Office | Dimension::District
                ) {
                    continue;
                }
                for category in labelled(&catalogue, dimension, Language::Sv) {
                    assert!(english_word(&category.code).is_some(), "{}", category.code);
                }
            }
        }
    }

    #[test]
    fn every_value_of_a_codelist_s_variable_is_in_exactly_one_group() {
        let catalogue = Catalogue::builtin();
        for codelist in &CODELISTS {
            for category in labelled(&catalogue, codelist.dimension, Language::Sv) {
                let groups = codelist
                    .groups
                    .iter()
                    .filter(|group| group.members.contains(&category.code.as_str()))
                    .count();
                assert_eq!(groups, 1, "{} in {}", category.code, codelist.id);
            }
        }
    }
}
