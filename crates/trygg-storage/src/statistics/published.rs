//! Statistics as they are published, by the API and by the pages alike: the protected tables
//! of queries and the published series, and the protection every published table goes
//! through (`compilation.rs` builds the yearly compilation and the district picture on it).

use std::collections::HashMap;

use trygg_domain::Catalogue;
use trygg_domain::statistics::pxweb::{Codelist, Count, Counted, Plan};
use trygg_domain::statistics::{
    Axis, Category, Salts, StatisticsError, StatisticsQuery, SuppressionThreshold, TOTAL, Table,
    median_days,
};

use super::{Counts, Outcomes, Release};
use crate::database::Database;
use crate::error::StorageError;

/// Why statistics could not be published: the request, or the database.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Statistics(#[from] StatisticsError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl Database {
    /// Counts a query's cases (from the rollups where they answer) and protects the table.
    pub fn protected_table(
        &self,
        catalogue: &Catalogue,
        query: &StatisticsQuery,
        release: &Release,
        threshold: SuppressionThreshold,
    ) -> Result<Table, PublishError> {
        release.check(query.period())?;
        let counts = self.count(query, release, Outcomes::NotNeeded)?;
        let table = protect(catalogue, query, counts, release, threshold)?;
        self.confirm(release)?;
        Ok(table)
    }

    /// A query's protected table and the previous period's (see [`Period::previous`]), both
    /// counted in one read: `(now, before)`. Published figures have a previous period only
    /// where it is one a reader may ask too (see [`Snapshot::previous`]).
    pub fn protected_table_with_previous(
        &self,
        catalogue: &Catalogue,
        query: &StatisticsQuery,
        release: &Release,
        threshold: SuppressionThreshold,
    ) -> Result<(Table, Option<Table>), PublishError> {
        release.check(query.period())?;
        let previous = match release {
            Release::Live => Some(query.period().previous()),
            Release::Published(snapshot, _) => snapshot.previous(query.period()),
        };
        let Some(previous) = previous else {
            return Ok((
                self.protected_table(catalogue, query, release, threshold)?,
                None,
            ));
        };
        let (now, before) = self.count_with_previous(query, release, Outcomes::NotNeeded)?;
        let previous = query.for_period(previous);
        let tables = (
            protect(catalogue, query, now, release, threshold)?,
            Some(protect(catalogue, &previous, before, release, threshold)?),
        );
        self.confirm(release)?;
        Ok(tables)
    }

    /// The answers to a PxWeb table's plan, from the published figures: each question's
    /// perturbed table (its periods whole published months, the series' cells each a
    /// calendar period's) or its published medians. All from one publication.
    pub fn published_series(
        &self,
        catalogue: &Catalogue,
        plan: &Plan,
        release: &Release,
        threshold: SuppressionThreshold,
    ) -> Result<Vec<Counted>, PublishError> {
        let Release::Published(snapshot, _) = release else {
            return Err(StatisticsError::NothingPublished.into());
        };
        let answers = plan
            .counts()
            .map(|count| match count {
                Count::Cases { query, codelist } => {
                    snapshot.check_series(query.period())?;
                    let counts = self.count(query, release, Outcomes::NotNeeded)?;
                    let mut axes = query.axes(catalogue);
                    let counts = match codelist {
                        None => counts,
                        Some(codelist) => regrouped(counts, &mut axes, codelist),
                    };
                    Ok(Counted::Cases(protect_on(
                        axes, query, counts, release, threshold,
                    )?))
                }
                Count::Medians { period, by } => {
                    snapshot.check_series(period)?;
                    let days = self.days_to_close(period, *by, release)?;
                    let over = median_threshold(release, threshold);
                    let mut histograms: HashMap<String, Vec<(i32, u64)>> = HashMap::new();
                    for (code, days, n) in days {
                        let n = u64::try_from(n).unwrap_or(0);
                        histograms.entry(code).or_default().push((days, n));
                        histograms
                            .entry(TOTAL.to_owned())
                            .or_default()
                            .push((days, n));
                    }
                    let mut medians: HashMap<String, Option<f64>> = by
                        .categories(catalogue, period)
                        .into_iter()
                        .map(|category| (category.code, None))
                        .collect();
                    for (code, histogram) in histograms {
                        medians.insert(code, median_days(&histogram, over));
                    }
                    Ok(Counted::Medians(medians))
                }
            })
            .collect::<Result<Vec<_>, PublishError>>()?;
        self.confirm(release)?;
        Ok(answers)
    }
}

/// The counts with only the groupings at `kept` (in that order), the others summed out.
pub(super) fn summed_out(counts: &Counts, kept: &[usize]) -> Counts {
    let mut summed = Counts::new();
    for (cell, measures) in counts {
        let cell: Vec<String> = kept.iter().map(|at| cell[*at].clone()).collect();
        summed.entry(cell).or_default().add(*measures, 1);
    }
    summed
}

/// A query's counts as its protected table: live, small counts suppressed; published, every
/// count perturbed.
pub(super) fn protect(
    catalogue: &Catalogue,
    query: &StatisticsQuery,
    counts: Counts,
    release: &Release,
    threshold: SuppressionThreshold,
) -> Result<Table, StatisticsError> {
    protect_on(query.axes(catalogue), query, counts, release, threshold)
}

/// As [`protect`], on `axes` (the query's, some perhaps regrouped).
pub(super) fn protect_on(
    axes: Vec<Axis>,
    query: &StatisticsQuery,
    counts: Counts,
    release: &Release,
    threshold: SuppressionThreshold,
) -> Result<Table, StatisticsError> {
    let cells = counts.into_iter().map(|(cell, measures)| {
        let cases = u64::try_from(measures.cases).unwrap_or(0);
        (cell, cases, measures.key_sum)
    });
    match release {
        Release::Live => Table::protected(axes, cells, threshold),
        Release::Published(snapshot, perturbation) => Ok(Table::perturbed(
            axes,
            cells,
            perturbation,
            &Salts::new(snapshot, query),
        )),
    }
}

/// Counts with one dimension's codes put in the code list's groups (cases and keys added up
/// before any noise, so a group is a cell of its own), and its axis the groups'.
pub(super) fn regrouped(counts: Counts, axes: &mut [Axis], codelist: &Codelist) -> Counts {
    let Some(at) = axes
        .iter()
        .position(|axis| axis.dimension == codelist.dimension)
    else {
        return counts;
    };
    axes[at].categories = codelist
        .groups
        .iter()
        .map(|group| Category {
            code: group.code.to_owned(),
            label: group.code.to_owned(),
        })
        .chain([Category::total()])
        .collect();
    let mut grouped = Counts::new();
    for (mut cell, measures) in counts {
        if let Some(group) = codelist.group_of(&cell[at]) {
            group.clone_into(&mut cell[at]);
            grouped.entry(cell).or_default().add(measures, 1);
        }
    }
    grouped
}

/// The fewest closed cases a published median is given over: as many as the noise could
/// hide beside the threshold (with few cases a median is one case's days). Live, the threshold.
pub(super) fn median_threshold(
    release: &Release,
    threshold: SuppressionThreshold,
) -> SuppressionThreshold {
    match release {
        Release::Live => threshold,
        Release::Published(_, perturbation) => {
            let least = threshold.get() + u64::from(perturbation.parameters().max_noise);
            SuppressionThreshold::new(least).unwrap_or(threshold)
        }
    }
}

/// Tables over the same cases, protected together (see [`Table::protect_together`]).
pub(super) fn together<const N: usize>(mut tables: Vec<Table>) -> Result<[Table; N], PublishError> {
    Table::protect_together(&mut tables)?;
    Ok(tables
        .try_into()
        .unwrap_or_else(|_| unreachable!("one table per query")))
}
