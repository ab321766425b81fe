//! A protected table: counts over the query's axes with every margin, small counts hidden.

use std::collections::{HashMap, HashSet};

use super::StatisticsError;
use super::dimension::{Category, Dimension};
use super::outcomes::SuppressionThreshold;
use super::perturbation::{CellKey, PerturbationTable};
use super::publication::Salts;
use super::suppression::suppress;

/// The code and label of each axis's last category, the margin over the others.
pub const TOTAL: &str = "total";

impl Category {
    pub fn total() -> Category {
        Category {
            code: TOTAL.to_owned(),
            label: "Totalt".to_owned(),
        }
    }
}

/// One dimension of a table; its last category is the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    pub dimension: Dimension,
    pub categories: Vec<Category>,
}

/// Counts in row-major order over the axes (the last axis varies fastest), as JSON-stat lays
/// them out. A table without axes is one cell, the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    axes: Vec<Axis>,
    counts: Vec<u64>,
    protection: Protection,
}

/// How a table's counts are kept from identifying anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Protection {
    /// Small counts, and what would give them away, hidden (live figures).
    Suppressed {
        hidden: Vec<bool>,
        threshold: SuppressionThreshold,
    },
    /// Every count published with its noise (the cell-key method): these.
    Perturbed(Vec<u64>),
}

/// A cell of a query's counts: its codes per axis, how many cases, and the sum of their
/// record keys.
pub type CountedCell = (Vec<String>, u64, i64);

impl Table {
    /// Adds up `cells` with every margin, and hides what could identify someone: counts
    /// below `threshold` and whatever would give them away.
    pub fn protected(
        axes: Vec<Axis>,
        cells: impl IntoIterator<Item = CountedCell>,
        threshold: SuppressionThreshold,
    ) -> Result<Table, StatisticsError> {
        let (counts, _) = summed(&axes, cells);
        let sizes: Vec<usize> = axes.iter().map(|axis| axis.categories.len()).collect();
        let hidden = suppress(&sizes, &counts, threshold.get(), vec![false; counts.len()])?;
        Ok(Table {
            axes,
            counts,
            protection: Protection::Suppressed { hidden, threshold },
        })
    }

    /// Adds up `cells` with every margin and perturbs every count, margins as cells of their
    /// own, by the cell-key method: the parts need not add up to their total.
    pub fn perturbed(
        axes: Vec<Axis>,
        cells: impl IntoIterator<Item = CountedCell>,
        perturbation: &PerturbationTable,
        salts: &Salts,
    ) -> Table {
        let (counts, keys) = summed(&axes, cells);
        let mut table = Table {
            axes,
            protection: Protection::Perturbed(Vec::new()),
            counts,
        };
        let perturbed = (0..table.len())
            .map(|index| {
                let salt = perturbation.salt(salts.of(&table.axes, &table.coordinates(index)));
                perturbation.perturb(table.counts[index], CellKey::new(keys[index], salt))
            })
            .collect();
        table.protection = Protection::Perturbed(perturbed);
        table
    }

    /// Whether its counts are perturbed rather than suppressed.
    pub fn is_perturbed(&self) -> bool {
        matches!(self.protection, Protection::Perturbed(_))
    }

    /// Whether a cell is hidden (only ever under suppression).
    fn is_hidden(&self, index: usize) -> bool {
        match &self.protection {
            Protection::Suppressed { hidden, .. } => hidden[index],
            Protection::Perturbed(_) => false,
        }
    }

    pub fn axes(&self) -> &[Axis] {
        &self.axes
    }

    /// How many cells, margins included.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The category index on each axis of the cell at `index`.
    pub fn coordinates(&self, mut index: usize) -> Vec<usize> {
        let mut coordinates = vec![0; self.axes.len()];
        for (axis, slot) in self.axes.iter().zip(coordinates.iter_mut()).rev() {
            let size = axis.categories.len();
            *slot = index % size;
            index /= size;
        }
        coordinates
    }

    /// The index of the cell at `coordinates`.
    pub fn index(&self, coordinates: &[usize]) -> usize {
        self.axes
            .iter()
            .zip(coordinates)
            .fold(0, |index, (axis, &at)| index * axis.categories.len() + at)
    }

    /// The published count of a cell: `None` when it is suppressed.
    pub fn count(&self, index: usize) -> Option<u64> {
        match &self.protection {
            Protection::Perturbed(published) => Some(published[index]),
            Protection::Suppressed { hidden, .. } => (!hidden[index]).then_some(self.counts[index]),
        }
    }

    /// The grand total, if published.
    pub fn total(&self) -> Option<u64> {
        self.count(self.len() - 1)
    }

    /// What a cell counts, whatever the table's shape: its categories other than totals.
    fn identity(&self, index: usize) -> Vec<(Dimension, String)> {
        let mut identity: Vec<(Dimension, String)> = self
            .axes
            .iter()
            .zip(self.coordinates(index))
            .filter(|(axis, at)| at + 1 < axis.categories.len())
            .map(|(axis, at)| (axis.dimension, axis.categories[at].code.clone()))
            .collect();
        identity.sort();
        identity
    }

    /// Protects tables published together (over the same period and filters): a count hidden
    /// in one is hidden in every table that shows it, and each table is protected again, until
    /// none changes.
    pub fn protect_together(tables: &mut [Table]) -> Result<(), StatisticsError> {
        loop {
            let hidden: HashSet<Vec<(Dimension, String)>> = tables
                .iter()
                .flat_map(|table| {
                    (0..table.len())
                        .filter(|&i| table.is_hidden(i))
                        .map(|i| table.identity(i))
                })
                .collect();
            let mut changed = false;
            for table in tables.iter_mut() {
                let forced: Vec<bool> = (0..table.len())
                    .map(|i| table.is_hidden(i) || hidden.contains(&table.identity(i)))
                    .collect();
                let sizes: Vec<usize> = table.axes.iter().map(|a| a.categories.len()).collect();
                // Perturbed tables hide nothing, and need not: each cell is drawn on its own.
                if let Protection::Suppressed { hidden, threshold } = &mut table.protection
                    && forced != *hidden
                {
                    *hidden = suppress(&sizes, &table.counts, threshold.get(), forced)?;
                    changed = true;
                }
            }
            if !changed {
                return Ok(());
            }
        }
    }
}

/// Each cell's count and key sum, margins included (a margin sums its cells).
fn summed(axes: &[Axis], cells: impl IntoIterator<Item = CountedCell>) -> (Vec<u64>, Vec<i64>) {
    let sizes: Vec<usize> = axes.iter().map(|axis| axis.categories.len()).collect();
    let positions: Vec<HashMap<&str, usize>> = axes
        .iter()
        .map(|axis| {
            let inner = &axis.categories[..axis.categories.len() - 1];
            inner
                .iter()
                .enumerate()
                .map(|(i, c)| (c.code.as_str(), i))
                .collect()
        })
        .collect();
    let cells_in_all: usize = sizes.iter().product();
    let (mut counts, mut keys) = (vec![0u64; cells_in_all], vec![0i64; cells_in_all]);
    for (codes, n, key_sum) in cells {
        // Codes no longer in the catalogue have no row; they stay out of the totals too, so
        // that every line still adds up.
        let Some(coordinates) = codes
            .iter()
            .zip(&positions)
            .map(|(code, axis)| axis.get(code.as_str()).copied())
            .collect::<Option<Vec<usize>>>()
        else {
            continue;
        };
        // The cell and each of its margins: every mix of its coordinate or the total.
        for mask in 0..1usize << sizes.len() {
            let index = coordinates.iter().zip(&sizes).enumerate().fold(
                0,
                |index, (axis, (&at, &size))| {
                    let at = if mask & (1 << axis) == 0 {
                        at
                    } else {
                        size - 1
                    };
                    index * size + at
                },
            );
            counts[index] += n;
            keys[index] = keys[index].wrapping_add(key_sum);
        }
    }
    (counts, keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(dimension: Dimension, codes: &[&str]) -> Axis {
        let mut categories: Vec<Category> = codes
            .iter()
            .map(|code| Category {
                code: (*code).into(),
                label: (*code).into(),
            })
            .collect();
        categories.push(Category::total());
        Axis {
            dimension,
            categories,
        }
    }

    fn cell(codes: &[&str], n: u64) -> CountedCell {
        (codes.iter().map(|c| (*c).to_owned()).collect(), n, 0)
    }

    #[test]
    fn margins_add_up_and_coordinates_round_trip() {
        let axes = vec![
            axis(Dimension::Gender, &["woman", "man"]),
            axis(Dimension::Severity, &["low", "high"]),
        ];
        let table = Table::protected(
            axes,
            [
                cell(&["woman", "low"], 10),
                cell(&["man", "low"], 5),
                cell(&["man", "high"], 7),
                cell(&["gone", "low"], 4),
            ],
            SuppressionThreshold::DEFAULT,
        )
        .unwrap();
        assert_eq!(table.len(), 9);
        assert_eq!(table.total(), Some(22), "the unknown code stays out");
        assert_eq!(table.count(table.index(&[2, 0])), Some(15));
        assert_eq!(table.count(table.index(&[1, 2])), Some(12));
        assert_eq!(
            table.count(table.index(&[0, 1])),
            Some(0),
            "zeros are published"
        );
        for index in 0..table.len() {
            assert_eq!(table.index(&table.coordinates(index)), index);
        }
    }

    #[test]
    fn tables_published_together_hide_a_count_wherever_it_shows() {
        let by = |second: Dimension, codes: &[&str], cells: &[(&str, &str, u64)]| {
            let axes = vec![
                axis(Dimension::FocusArea, &["school", "work", "park"]),
                axis(second, codes),
            ];
            let cells = cells.iter().map(|(a, b, n)| cell(&[a, b], *n));
            Table::protected(axes, cells, SuppressionThreshold::DEFAULT).unwrap()
        };
        // Nothing small by gender; by severity, work's single high case hides park's high
        // cases as its complement, and with them park's total.
        let gender = by(
            Dimension::Gender,
            &["woman", "man"],
            &[
                ("school", "woman", 5),
                ("school", "man", 5),
                ("work", "woman", 4),
                ("work", "man", 4),
                ("park", "man", 4),
            ],
        );
        let severity = by(
            Dimension::Severity,
            &["low", "high"],
            &[
                ("school", "low", 10),
                ("work", "low", 7),
                ("work", "high", 1),
                ("park", "high", 4),
            ],
        );
        // The focus areas' totals and the grand total are in both tables.
        let shared = |table: &Table| -> Vec<bool> {
            (0..4)
                .map(|row| table.count(table.index(&[row, 2])).is_none())
                .collect()
        };
        let mut tables = [gender, severity];
        assert_ne!(
            shared(&tables[0]),
            shared(&tables[1]),
            "protected apart, they differ"
        );
        Table::protect_together(&mut tables).unwrap();
        assert_eq!(shared(&tables[0]), shared(&tables[1]));
    }

    #[test]
    fn a_table_without_axes_is_its_total() {
        assert_eq!(
            Table::protected(vec![], [cell(&[], 2)], SuppressionThreshold::DEFAULT)
                .unwrap()
                .total(),
            None
        );
        assert_eq!(
            Table::protected(vec![], [cell(&[], 3)], SuppressionThreshold::DEFAULT)
                .unwrap()
                .total(),
            Some(3)
        );
    }
}
