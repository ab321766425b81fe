//! How a selection of a table's cells is counted: the statistics questions that answer it,
//! and its values read off their answers.

use std::collections::HashMap;

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
    /// grouped by, one asked for a single value is filtered by it, and consecutive periods are
    /// counted together, in runs no larger than a table may be. Every cell keeps its key (the
    /// same cases, the same periods), so it has the value it has in any other answer.
    pub fn new(
        table: &PxTable,
        catalogue: &Catalogue,
        series: &Series,
        picked: &Picked,
    ) -> Result<Plan, StatisticsError> {
        let time = picked.variables.len() - 1;
        let series: HashMap<String, Period> = series.periods(table.grain).into_iter().collect();
        let periods: Vec<(String, Period)> = picked
            .codes(time)
            .filter_map(|code| Some((code.to_owned(), *series.get(code)?)))
            .collect();
        if table.measure == Measure::MedianDaysToClose {
            let by = table.dimensions[0];
            let counts = periods
                .into_iter()
                .map(|(code, period)| (Count::Medians { period, by }, vec![code]))
                .collect();
            return Ok(Plan { counts });
        }
        let (mut group_by, mut filters, mut codelist) = (Vec::new(), Vec::new(), None);
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
                }
                _ => {}
            }
            codelist = codelist.or(variable.applied);
            group_by.push(dimension.code());
            cells_per_period *= variable.values.len();
        }
        group_by.push(table.grain.code());
        let run = (MAX_TABLE_CELLS / cells_per_period)
            .saturating_sub(1)
            .max(1);
        let mut counts = Vec::new();
        for chunk in runs(&periods).iter().flat_map(|run_of| run_of.chunks(run)) {
            let (first, last) = (&chunk[0].1, &chunk[chunk.len() - 1].1);
            let span = Period::new(first.from(), last.to())?;
            let filters: Vec<(&str, &str)> =
                filters.iter().map(|(d, v)| (*d, v.as_str())).collect();
            let query = StatisticsQuery::new(catalogue, span, &group_by, &filters)?;
            let codes = chunk.iter().map(|(code, _)| code.clone()).collect();
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

/// The periods split where one does not follow the last.
fn runs(periods: &[(String, Period)]) -> Vec<&[(String, Period)]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for at in 1..=periods.len() {
        if at == periods.len() || periods[at].1.from() != periods[at - 1].1.to() {
            runs.push(&periods[start..at]);
            start = at;
        }
    }
    runs
}
