//! Counts per 100 000 inhabitants, as Brå gives them, so that a lägesbild compares over time
//! and with other municipalities: a cell's count over the population its cases are counted
//! among (its district's, gender's or age group's where the municipality has those, else
//! everyone's), for the period asked, not scaled to a year.

use serde::Serialize;

use super::{Comparison, TableView};
use crate::Population;

/// Where the population figures behind the rates come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PopulationSource {
    pub year: i32,
    pub source: String,
}

impl From<&Population> for PopulationSource {
    fn from(population: &Population) -> Self {
        PopulationSource {
            year: population.year,
            source: population.source.clone(),
        }
    }
}

/// A count per 100 000 of `population`, to one decimal; none where the count is not published
/// or the population is not known.
pub fn per_100_000(count: Option<u64>, population: Option<u64>) -> Option<f64> {
    let (count, population) = (count?, population.filter(|n| *n > 0)?);
    Some((count as f64 * 1_000_000.0 / population as f64).round() / 10.0)
}

impl Population {
    /// The people a cell's cases are counted among, from its categories and the filters
    /// (dimension code, value): everyone, or one district, gender or age group. A cell of two
    /// of those (women in the west) has none: the municipality gives no such cross-tabulation.
    pub fn among<'a>(
        &self,
        categories: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<u64> {
        let mut among = None;
        for (dimension, value) in categories {
            let part = match dimension {
                "district" => &self.districts,
                "gender" => &self.gender,
                "age_group" => &self.age_group,
                _ => continue,
            };
            if value == super::table::TOTAL {
                continue;
            }
            if among.is_some() {
                return None;
            }
            among = Some(part.get(value).copied());
        }
        among.unwrap_or(Some(self.total))
    }
}

impl TableView {
    /// Gives each cell, and its comparison, its count per 100 000 of the population it counts
    /// among (see [`Population::among`]), under `filters` (dimension code, value).
    pub fn with_rates(mut self, population: &Population, filters: &[(&str, &str)]) -> TableView {
        for cell in &mut self.cells {
            let categories = cell
                .categories
                .iter()
                .map(|(dimension, value)| (dimension.as_str(), value.as_str()));
            let among = population.among(categories.chain(filters.iter().copied()));
            cell.rate = per_100_000(cell.count, among);
            if let Some(Comparison { count, rate, .. }) = &mut cell.previous {
                *rate = per_100_000(*count, among);
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalogue;

    fn population() -> Population {
        let text = include_str!("../../catalogue.toml").to_owned()
            + "\n[population]\nyear = 2025\nsource = \"SCB\"\ntotal = 48000\n\
               districts = { central = 21000, west = 14000, east = 13000 }\n\
               gender = { woman = 24100, man = 23900 }";
        Catalogue::from_toml(&text)
            .unwrap()
            .population()
            .unwrap()
            .clone()
    }

    #[test]
    fn a_rate_is_per_100_000_of_the_population_counted_among() {
        let population = population();
        assert_eq!(per_100_000(Some(12), Some(48_000)), Some(25.0));
        assert_eq!(per_100_000(Some(7), Some(14_000)), Some(50.0));
        assert_eq!(per_100_000(Some(1), Some(3)), Some(33_333.3));
        assert_eq!(
            per_100_000(None, Some(48_000)),
            None,
            "no rate for a hidden count"
        );
        assert_eq!(per_100_000(Some(3), None), None);
        assert_eq!(population.among([("focus_area", "school")]), Some(48_000));
        assert_eq!(
            population.among([("district", "west"), ("kind", "threat")]),
            Some(14_000)
        );
        assert_eq!(
            population.among([("district", "total"), ("gender", "man")]),
            Some(23_900)
        );
        assert_eq!(population.among([("gender", "other")]), None, "not given");
        assert_eq!(
            population.among([("district", "west"), ("gender", "man")]),
            None
        );
    }
}
