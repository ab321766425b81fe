//! How a selection of a table's cells is counted: the statistics questions that answer it,
//! and its values read off their answers.

use std::collections::{HashMap, HashSet};

use super::selection::Picked;
use super::{Codelist, Measure, PxTable, Series, VariableKind};
use crate::Catalogue;
use crate::statistics::calendar::Period;
use crate::statistics::dimension::Dimension;
use crate::statistics::query::{MAX_TABLE_CELLS, for_each_combination};
use crate::statistics::table::{TOTAL, Table};
use crate::statistics::{StatisticsError, StatisticsQuery};

/// One question that answers part of a selection.
#[derive(Debug, Clone, PartialEq)]
pub enum Count {
    /// The protected table of a query over consecutive whole periods of the table's grain,
    /// grouped by the grain; with a code list, the query's dimension grouped by it.
    Cases {
        query: StatisticsQuery,
        codelist: Option<&'static Codelist>,
    },
    /// The published median days to close per category of `by`, and overall, in a period.
    Medians { period: Period, by: Dimension },
}

/// A [`Count`]'s answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Counted {
    Cases(Table),
    /// Per code of `by`, `total` for all; `None` where not published.
    Medians(HashMap<String, Option<f64>>),
}

/// The questions that answer a selection, each covering some of its periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    counts: Vec<(Count, Vec<String>)>,
}

impl Plan {
    /// Counts as little as the selection needs: a dimension asked only for its total is not
    /// grouped by, one asked for a single value is filtered by it, and the periods from the
    /// first selected to the last are counted together, in chunks no larger than a table may
    /// be (so a scattered selection costs no more questions than a whole one). Every cell
    /// keeps its key (the same cases, the same periods), so it has the value it has in any
    /// other answer.
    pub fn new(
        table: &PxTable,
        catalogue: &Catalogue,
        series: &Series,
        picked: &Picked,
    ) -> Result<Plan, StatisticsError> {
        let time = picked.variables.len() - 1;
        let selected: HashSet<&str> = picked.codes(time).collect();
        let periods = series.periods(table.grain);
        if table.measure == Measure::MedianDaysToClose {
            let by = table.dimensions[0];
            let counts = periods
                .into_iter()
                .filter(|(code, _)| selected.contains(code.as_str()))
                .map(|(code, period)| (Count::Medians { period, by }, vec![code]))
                .collect();
            return Ok(Plan { counts });
        }
        let is_selected = |(code, _): &(String, Period)| selected.contains(code.as_str());
        let (Some(first), Some(last)) = (
            periods.iter().position(is_selected),
            periods.iter().rposition(is_selected),
        ) else {
            return Ok(Plan { counts: Vec::new() });
        };
        let span = &periods[first..=last];
        let (mut group_by, mut filters, mut codelist) = (Vec::new(), Vec::new(), None);
        // The cells a period has in the questions: each grouping's categories and total.
        let mut cells_per_period = 1;
        for (at, variable) in picked.variables.iter().enumerate() {
            let VariableKind::Dimension(dimension) = variable.kind else {
                continue;
            };
            let codes: Vec<&str> = picked.codes(at).collect();
            match codes[..] {
                [TOTAL] => continue,
                [one] if variable.applied.is_none() => {
                    filters.push((dimension.code(), one.to_owned()));
                    cells_per_period *= 2;
                }
                _ => cells_per_period *= dimension.categories(catalogue, &span[0].1).len() + 1,
            }
            codelist = codelist.or(variable.applied);
            group_by.push(dimension.code());
        }
        group_by.push(table.grain.code());
        let chunk = (MAX_TABLE_CELLS / cells_per_period)
            .saturating_sub(1)
            .max(1);
        let filters: Vec<(&str, &str)> = filters.iter().map(|(d, v)| (*d, v.as_str())).collect();
        let mut counts = Vec::new();
        for periods in span.chunks(chunk) {
            let (first, last) = (&periods[0].1, &periods[periods.len() - 1].1);
            let period = Period::new(first.from(), last.to())?;
            let query = StatisticsQuery::new(catalogue, period, &group_by, &filters)?;
            let codes = periods.iter().map(|(code, _)| code.clone()).collect();
            counts.push((Count::Cases { query, codelist }, codes));
        }
        Ok(Plan { counts })
    }

    /// The questions to ask, in order; their answers go to [`Plan::values`] in the same order.
    pub fn counts(&self) -> impl Iterator<Item = &Count> {
        self.counts.iter().map(|(count, _)| count)
    }

    /// The selection's values in JSON-stat's order (the last variable varies fastest).
    pub fn values(&self, picked: &Picked, counted: &[Counted]) -> Vec<Option<f64>> {
        let time = picked.variables.len() - 1;
        let answer_of: HashMap<&str, usize> = self
            .counts
            .iter()
            .enumerate()
            .flat_map(|(answer, (_, codes))| codes.iter().map(move |code| (code.as_str(), answer)))
            .collect();
        let variable_of = |dimension: Dimension| match dimension {
            Dimension::Period(_) => Some(time),
            dimension => picked
                .variables
                .iter()
                .position(|variable| variable.kind == VariableKind::Dimension(dimension)),
        };
        // For each answer's axes: the variable each is, and its codes' positions.
        let lookups: Vec<Vec<AxisLookup<'_>>> = counted
            .iter()
            .map(|answer| match answer {
                Counted::Medians(_) => Vec::new(),
                Counted::Cases(table) => table
                    .axes()
                    .iter()
                    .map(|axis| {
                        let index = axis
                            .categories
                            .iter()
                            .enumerate()
                            .map(|(at, category)| (category.code.as_str(), at))
                            .collect();
                        (variable_of(axis.dimension), index)
                    })
                    .collect(),
            })
            .collect();
        let by =
            (0..time).find(|&at| matches!(picked.variables[at].kind, VariableKind::Dimension(_)));
        let choices: Vec<Vec<&str>> = (0..picked.variables.len())
            .map(|at| picked.codes(at).collect())
            .collect();
        let mut values = Vec::with_capacity(picked.cells());
        for_each_combination(&choices, |codes: &[&str]| {
            let value = answer_of
                .get(codes[time])
                .and_then(|&answer| match &counted[answer] {
                    Counted::Cases(table) => {
                        let coordinates: Option<Vec<usize>> = lookups[answer]
                            .iter()
                            .map(|(variable, index)| index.get(codes[(*variable)?]).copied())
                            .collect();
                        table.count(table.index(&coordinates?)).map(|n| n as f64)
                    }
                    Counted::Medians(medians) => medians.get(codes[by?]).copied().flatten(),
                });
            values.push(value);
        });
        values
    }
}

/// An answer's axis: the variable it is (by position), and its codes' positions on it.
type AxisLookup<'a> = (Option<usize>, HashMap<&'a str, usize>);
