//! A statistics request, checked against the catalogue before anything is counted.

use super::StatisticsError;
use super::calendar::{Grain, Period};
use super::dimension::{CaseFacts, Category, Dimension};
use super::table::Axis;
use crate::Catalogue;

/// The most dimensions one table is grouped by.
pub const MAX_GROUPINGS: usize = 4;
/// The most cells, margins included, one table may have.
pub const MAX_TABLE_CELLS: usize = 20_000;

/// What to count: cases that happened in a period and match every filter (one value per
/// dimension), grouped by some dimensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsQuery {
    period: Period,
    group_by: Vec<Dimension>,
    filters: Vec<(Dimension, String)>,
    /// The codes of each multi-valued grouping (offices, forms), from the catalogue.
    multi_valued_codes: Vec<(Dimension, Vec<String>)>,
}

impl StatisticsQuery {
    /// Checks dimension codes and filter values against the catalogue and the size limits.
    pub fn new(
        catalogue: &Catalogue,
        period: Period,
        group_by: &[&str],
        filters: &[(&str, &str)],
    ) -> Result<StatisticsQuery, StatisticsError> {
        let group_by = group_by
            .iter()
            .map(|code| Dimension::parse(code))
            .collect::<Result<Vec<_>, _>>()?;
        if group_by.len() > MAX_GROUPINGS {
            return Err(StatisticsError::TooManyGroupings);
        }
        for (i, dimension) in group_by.iter().enumerate() {
            if group_by[..i].contains(dimension) {
                return Err(StatisticsError::Repeated(dimension.code()));
            }
        }
        let mut grains = group_by
            .iter()
            .filter(|d| matches!(d, Dimension::Period(_)));
        if let (Some(first), Some(second)) = (grains.next(), grains.next()) {
            return Err(StatisticsError::TwoGrains(first.code(), second.code()));
        }
        let mut checked: Vec<(Dimension, String)> = Vec::new();
        for &(code, value) in filters {
            let dimension = Dimension::parse(code)?;
            if let Dimension::Period(_) = dimension {
                return Err(StatisticsError::PeriodFilter(dimension.code()));
            }
            if checked.iter().any(|(seen, _)| *seen == dimension) {
                return Err(StatisticsError::Repeated(dimension.code()));
            }
            if !dimension
                .categories(catalogue, &period)
                .iter()
                .any(|category| category.code == value)
            {
                return Err(StatisticsError::UnknownCategory {
                    dimension: dimension.code(),
                    value: value.to_owned(),
                });
            }
            checked.push((dimension, value.to_owned()));
        }
        checked.sort();
        let multi_valued_codes = group_by
            .iter()
            .filter(|dimension| dimension.is_multi_valued())
            .map(|&dimension| {
                let codes = dimension.categories(catalogue, &period).into_iter();
                (dimension, codes.map(|category| category.code).collect())
            })
            .collect();
        let query = StatisticsQuery {
            period,
            group_by,
            filters: checked,
            multi_valued_codes,
        };
        let cells: usize = query
            .axes(catalogue)
            .iter()
            .map(|axis| axis.categories.len())
            .product();
        if cells > MAX_TABLE_CELLS {
            return Err(StatisticsError::TooLarge(cells));
        }
        Ok(query)
    }

    pub fn period(&self) -> &Period {
        &self.period
    }

    pub fn group_by(&self) -> &[Dimension] {
        &self.group_by
    }

    pub fn filters(&self) -> &[(Dimension, String)] {
        &self.filters
    }

    /// The same question about another period.
    pub fn for_period(&self, period: Period) -> StatisticsQuery {
        StatisticsQuery {
            period,
            ..self.clone()
        }
    }

    /// The codes a multi-valued grouping (`office`, `violence_form`) takes.
    pub fn codes_of(&self, dimension: Dimension) -> &[String] {
        self.multi_valued_codes
            .iter()
            .find(|(grouped, _)| *grouped == dimension)
            .map_or(&[], |(_, codes)| codes.as_slice())
    }

    /// The period grain grouped by, if any.
    pub fn grain(&self) -> Option<Grain> {
        self.group_by.iter().find_map(|dimension| match dimension {
            Dimension::Period(grain) => Some(*grain),
            _ => None,
        })
    }

    /// Every dimension the query groups or filters by.
    pub fn dimensions(&self) -> impl Iterator<Item = Dimension> + '_ {
        self.group_by
            .iter()
            .copied()
            .chain(self.filters.iter().map(|(dimension, _)| *dimension))
    }

    fn filter(&self, dimension: Dimension) -> Option<&str> {
        self.filters
            .iter()
            .find(|(filtered, _)| *filtered == dimension)
            .map(|(_, value)| value.as_str())
    }

    /// The table's axes: each grouping's categories (just the filter's value where it also
    /// filters), then the total.
    pub fn axes(&self, catalogue: &Catalogue) -> Vec<Axis> {
        self.group_by
            .iter()
            .map(|&dimension| {
                let mut categories = dimension.categories(catalogue, &self.period);
                if let Some(value) = self.filter(dimension) {
                    categories.retain(|category| category.code == value);
                }
                categories.push(Category::total());
                Axis {
                    dimension,
                    categories,
                }
            })
            .collect()
    }

    /// The cells a case counts in (one per combination of its multi-valued groupings), none
    /// when it falls outside the period or a filter.
    pub fn cells_of(&self, case: &CaseFacts) -> Vec<Vec<String>> {
        let day = case.occurred.date();
        if day < self.period.from() || day >= self.period.to() {
            return Vec::new();
        }
        if self
            .filters
            .iter()
            .any(|(dimension, value)| !case.values(*dimension).contains(value))
        {
            return Vec::new();
        }
        let choices: Vec<Vec<String>> = self
            .group_by
            .iter()
            .map(|&dimension| {
                let mut values = case.values(dimension);
                values.retain(|value| self.filter(dimension).is_none_or(|only| only == value));
                values
            })
            .collect();
        combinations(&choices)
    }
}

/// Every way to pick one value from each list, in order (one cell per combination of a
/// case's values).
fn combinations<T: Clone>(choices: &[Vec<T>]) -> Vec<Vec<T>> {
    let mut all = Vec::new();
    for_each_combination(choices, |combination| all.push(combination.to_vec()));
    all
}

/// Calls `each` with every way to pick one value from each list, in order, reusing one buffer
/// (a case counts in some sixty rollup cells: no allocation per cell). The last list turns
/// fastest, as an odometer's wheels.
pub fn for_each_combination<T: Clone, L: AsRef<[T]>>(choices: &[L], mut each: impl FnMut(&[T])) {
    let Some(mut combination) = choices
        .iter()
        .map(|values| values.as_ref().first().cloned())
        .collect::<Option<Vec<T>>>()
    else {
        return;
    };
    let mut picks = vec![0; choices.len()];
    loop {
        each(&combination);
        // Turn the last wheel; one that comes round turns the one before it.
        let mut wheel = choices.len();
        loop {
            let Some(previous) = wheel.checked_sub(1) else {
                return;
            };
            wheel = previous;
            let values = choices[wheel].as_ref();
            picks[wheel] = (picks[wheel] + 1) % values.len();
            combination[wheel] = values[picks[wheel]].clone();
            if picks[wheel] != 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::{
        AffectedCategory, AgeGroup, ChildrenAffected, Circumstances, Gender, IncidentKind,
        Influence, PerpetratorRelation, PlaceKind, Severity, ViolenceForm,
    };

    #[test]
    fn combinations_pick_one_value_of_each_list_in_order() {
        let choices = [vec!["*", "a"], vec!["x"], vec!["1", "2"]];
        assert_eq!(
            combinations(&choices),
            [
                ["*", "x", "1"],
                ["*", "x", "2"],
                ["a", "x", "1"],
                ["a", "x", "2"]
            ]
        );
        assert!(combinations(&[vec!["a"], Vec::new()]).is_empty());
        assert_eq!(combinations::<&str>(&[]), [Vec::<&str>::new()]);
    }

    fn year() -> Period {
        Period::year(2026).unwrap()
    }

    fn case(offices: &[&str], forms: Vec<ViolenceForm>) -> CaseFacts {
        CaseFacts::new(
            Utc.with_ymd_and_hms(2026, 3, 2, 7, 15, 0).unwrap(),
            "school".into(),
            offices.iter().map(|o| (*o).to_owned()).collect(),
            "west".into(),
            Circumstances {
                kind: IncidentKind::Violence,
                place_kind: PlaceKind::School,
                affected_category: AffectedCategory::PupilChild,
                affected_gender: Gender::Woman,
                affected_age_group: AgeGroup::Age13To17,
                children_affected: ChildrenAffected::Affected,
                perpetrator_relation: PerpetratorRelation::Pupil,
                perpetrator_influence: Influence::No,
                severity: Severity::High,
            },
            forms,
            false,
            (Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(), None),
            crate::statistics::RecordKey::from_random(7),
        )
    }

    #[test]
    fn a_case_counts_in_one_cell_per_combination_of_its_values() {
        let catalogue = Catalogue::builtin();
        let query = StatisticsQuery::new(
            &catalogue,
            year(),
            &["office", "violence_form", "hour"],
            &[],
        )
        .unwrap();
        let forms = vec![ViolenceForm::Physical, ViolenceForm::Psychological];
        let cells = query.cells_of(&case(&["utbildning", "social_omsorg"], forms));
        assert_eq!(cells.len(), 4);
        // 07:15 UTC in March is 08:15 in Stockholm.
        assert!(cells.contains(&vec![
            "social_omsorg".into(),
            "physical".into(),
            "08".into()
        ]));
        let filtered = StatisticsQuery::new(
            &catalogue,
            year(),
            &["office"],
            &[("violence_form", "sexual")],
        )
        .unwrap();
        assert!(
            filtered
                .cells_of(&case(&["utbildning"], vec![ViolenceForm::Physical]))
                .is_empty()
        );
        let earlier = Period::new(
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        )
        .unwrap();
        assert!(
            query
                .for_period(earlier)
                .cells_of(&case(&["utbildning"], vec![]))
                .is_empty()
        );
    }

    #[test]
    fn queries_are_checked_against_the_catalogue_and_the_limits() {
        let catalogue = Catalogue::builtin();
        let new = |group_by: &[&str], filters: &[(&str, &str)]| {
            StatisticsQuery::new(&catalogue, year(), group_by, filters)
        };
        assert_eq!(
            new(&["colour"], &[]),
            Err(StatisticsError::UnknownDimension("colour".into()))
        );
        assert_eq!(
            new(&["week", "month"], &[]),
            Err(StatisticsError::TwoGrains("week", "month"))
        );
        assert_eq!(
            new(&[], &[("week", "2026-W01")]),
            Err(StatisticsError::PeriodFilter("week"))
        );
        assert_eq!(
            new(&[], &[("district", "mars")]),
            Err(StatisticsError::UnknownCategory {
                dimension: "district",
                value: "mars".into()
            })
        );
        assert!(matches!(
            new(&["day", "hour", "office"], &[]),
            Err(StatisticsError::TooLarge(_))
        ));
        let axes = new(&["gender"], &[("gender", "man")])
            .unwrap()
            .axes(&catalogue);
        let codes: Vec<&str> = axes[0].categories.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(
            codes,
            ["man", "total"],
            "a filtered grouping shows its one value"
        );
    }
}
