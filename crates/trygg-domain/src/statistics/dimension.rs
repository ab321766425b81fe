//! What statistics can be broken down by, and a case's values for each.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc, Weekday};

use super::StatisticsError;
use super::calendar::{Grain, Period, weekday_code};
use super::perturbation::RecordKey;
use crate::time::local_time;
use crate::{
    AffectedCategory, AgeGroup, Catalogue, ChildrenAffected, Circumstances, Gender, IncidentKind,
    PlaceKind, Severity, ViolenceForm,
};

/// A dimension of the statistics. `Office` and `ViolenceForm` are multi-valued: a case counts
/// once under each of its offices and each of its forms of violence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    FocusArea,
    Office,
    District,
    Kind,
    ViolenceForm,
    Severity,
    AffectedCategory,
    Gender,
    AgeGroup,
    ChildrenAffected,
    PlaceKind,
    Weekday,
    Hour,
    Period(Grain),
}

/// One value of a dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub label: String,
}

impl Category {
    fn new(code: impl Into<String>, label: impl Into<String>) -> Category {
        Category {
            code: code.into(),
            label: label.into(),
        }
    }
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "måndag"),
    (Weekday::Tue, "tisdag"),
    (Weekday::Wed, "onsdag"),
    (Weekday::Thu, "torsdag"),
    (Weekday::Fri, "fredag"),
    (Weekday::Sat, "lördag"),
    (Weekday::Sun, "söndag"),
];

impl Dimension {
    /// Every dimension but the period, in presentation order.
    pub const CATEGORICAL: [Dimension; 13] = [
        Dimension::FocusArea,
        Dimension::Office,
        Dimension::District,
        Dimension::Kind,
        Dimension::ViolenceForm,
        Dimension::Severity,
        Dimension::AffectedCategory,
        Dimension::Gender,
        Dimension::AgeGroup,
        Dimension::ChildrenAffected,
        Dimension::PlaceKind,
        Dimension::Weekday,
        Dimension::Hour,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Dimension::FocusArea => "focus_area",
            Dimension::Office => "office",
            Dimension::District => "district",
            Dimension::Kind => "kind",
            Dimension::ViolenceForm => "violence_form",
            Dimension::Severity => "severity",
            Dimension::AffectedCategory => "affected_category",
            Dimension::Gender => "gender",
            Dimension::AgeGroup => "age_group",
            Dimension::ChildrenAffected => "children_affected",
            Dimension::PlaceKind => "place_kind",
            Dimension::Weekday => "weekday",
            Dimension::Hour => "hour",
            Dimension::Period(grain) => grain.code(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Dimension::FocusArea => "Fokusområde",
            Dimension::Office => "Ansvarigt kontor",
            Dimension::District => "Stadsdel",
            Dimension::Kind => "Typ av händelse",
            Dimension::ViolenceForm => "Form av våld",
            Dimension::Severity => "Allvarlighetsgrad",
            Dimension::AffectedCategory => "Drabbad",
            Dimension::Gender => "Kön",
            Dimension::AgeGroup => "Åldersgrupp",
            Dimension::ChildrenAffected => "Barn berörda",
            Dimension::PlaceKind => "Typ av plats",
            Dimension::Weekday => "Veckodag",
            Dimension::Hour => "Timme på dygnet",
            Dimension::Period(grain) => grain.label(),
        }
    }

    /// Parses a dimension's code, a period grain included.
    pub fn parse(code: &str) -> Result<Dimension, StatisticsError> {
        Dimension::CATEGORICAL
            .into_iter()
            .chain(Grain::ALL.map(Dimension::Period))
            .find(|dimension| dimension.code() == code)
            .ok_or_else(|| StatisticsError::UnknownDimension(code.to_owned()))
    }

    pub fn is_multi_valued(self) -> bool {
        matches!(self, Dimension::Office | Dimension::ViolenceForm)
    }

    /// The values the dimension takes, in presentation order; periods within `period`.
    pub fn categories(self, catalogue: &Catalogue, period: &Period) -> Vec<Category> {
        fn vocabulary<T: Copy>(
            all: &[T],
            code: fn(T) -> &'static str,
            label: fn(T) -> &'static str,
        ) -> Vec<Category> {
            all.iter()
                .map(|&value| Category::new(code(value), label(value)))
                .collect()
        }
        match self {
            Dimension::FocusArea => catalogue
                .focus_areas()
                .iter()
                .map(|area| Category::new(area.code.as_str(), &area.label))
                .collect(),
            Dimension::Office => catalogue
                .offices()
                .iter()
                .map(|office| Category::new(office.code.as_str(), &office.label))
                .collect(),
            Dimension::District => catalogue
                .districts()
                .iter()
                .map(|district| Category::new(district.code.as_str(), &district.label))
                .collect(),
            Dimension::Kind => {
                vocabulary(IncidentKind::ALL, IncidentKind::code, IncidentKind::label)
            }
            Dimension::ViolenceForm => {
                vocabulary(ViolenceForm::ALL, ViolenceForm::code, ViolenceForm::label)
            }
            Dimension::Severity => vocabulary(Severity::ALL, Severity::code, Severity::label),
            Dimension::AffectedCategory => vocabulary(
                AffectedCategory::ALL,
                AffectedCategory::code,
                AffectedCategory::label,
            ),
            Dimension::Gender => vocabulary(Gender::ALL, Gender::code, Gender::label),
            Dimension::AgeGroup => vocabulary(AgeGroup::ALL, AgeGroup::code, AgeGroup::label),
            Dimension::ChildrenAffected => vocabulary(
                ChildrenAffected::ALL,
                ChildrenAffected::code,
                ChildrenAffected::label,
            ),
            Dimension::PlaceKind => vocabulary(PlaceKind::ALL, PlaceKind::code, PlaceKind::label),
            Dimension::Weekday => WEEKDAYS
                .iter()
                .map(|(day, label)| Category::new(weekday_code(*day), *label))
                .collect(),
            Dimension::Hour => (0..24)
                .map(|hour| {
                    Category::new(format!("{hour:02}"), format!("{hour:02}–{:02}", hour + 1))
                })
                .collect(),
            Dimension::Period(grain) => period
                .periods(grain)
                .into_iter()
                .map(|code| Category::new(code.clone(), code))
                .collect(),
        }
    }
}

/// The coded facts of a case that statistics count: nothing that names or describes anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// When it happened, in local time.
    pub occurred: NaiveDateTime,
    pub focus_area: String,
    pub offices: Vec<String>,
    pub district: String,
    pub circumstances: Circumstances,
    pub violence_forms: Vec<ViolenceForm>,
    pub police_reported: bool,
    /// Whole days from filing to closing, for closed cases.
    pub days_to_close: Option<i64>,
    pub record_key: RecordKey,
}

impl CaseFacts {
    /// `occurred_at` is converted to local time; `closed` is when the case was filed and, if
    /// it is closed, when it was.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        occurred_at: DateTime<Utc>,
        focus_area: String,
        offices: Vec<String>,
        district: String,
        circumstances: Circumstances,
        violence_forms: Vec<ViolenceForm>,
        police_reported: bool,
        filed_and_closed: (DateTime<Utc>, Option<DateTime<Utc>>),
        record_key: RecordKey,
    ) -> CaseFacts {
        let (filed, closed) = filed_and_closed;
        CaseFacts {
            occurred: local_time(occurred_at),
            focus_area,
            offices,
            district,
            circumstances,
            violence_forms,
            police_reported,
            days_to_close: closed.map(|closed| (closed - filed).num_days().max(0)),
            record_key,
        }
    }

    /// The case's values of a dimension: one, or for the multi-valued ones any number.
    pub fn values(&self, dimension: Dimension) -> Vec<String> {
        let facts = &self.circumstances;
        let one = |code: &str| vec![code.to_owned()];
        match dimension {
            Dimension::FocusArea => one(&self.focus_area),
            Dimension::Office => self.offices.clone(),
            Dimension::District => one(&self.district),
            Dimension::Kind => one(facts.kind.code()),
            Dimension::ViolenceForm => self
                .violence_forms
                .iter()
                .map(|form| form.code().to_owned())
                .collect(),
            Dimension::Severity => one(facts.severity.code()),
            Dimension::AffectedCategory => one(facts.affected_category.code()),
            Dimension::Gender => one(facts.affected_gender.code()),
            Dimension::AgeGroup => one(facts.affected_age_group.code()),
            Dimension::ChildrenAffected => one(facts.children_affected.code()),
            Dimension::PlaceKind => one(facts.place_kind.code()),
            Dimension::Weekday => vec![weekday_code(self.occurred.weekday())],
            Dimension::Hour => vec![format!("{:02}", self.occurred.hour())],
            Dimension::Period(grain) => vec![grain.period_of(self.occurred.date())],
        }
    }
}
