//! Small-count suppression for a table with all its margins.
//!
//! The table is dense over every axis, each axis ending with its total, so every "line" (one
//! axis varying, the others fixed) states `sum(categories) = total`. Primary suppression hides
//! counts from 1 to `threshold - 1`. Secondary suppression then hides more cells until no
//! hidden cell can be worked out from what is published: first so that no line has exactly
//! one hidden cell (simple subtraction), then by an exact check of every linear combination of
//! lines (Gauss–Jordan elimination over the hidden cells), hiding another cell wherever one is
//! still determined.

use super::StatisticsError;

/// Hidden cells linked through shared lines that the exact check solves at once; a table
/// needing more is too sparse to publish at its grouping.
const MAX_LINKED_HIDDEN_CELLS: usize = 600;

/// The cells to hide, by index into `counts` (row-major over `sizes`, totals last per axis):
/// the small counts, the cells in `hidden` already, and whatever would give them away.
pub fn suppress(
    sizes: &[usize],
    counts: &[u64],
    threshold: u64,
    mut hidden: Vec<bool>,
) -> Result<Vec<bool>, StatisticsError> {
    let lines = lines(sizes);
    for (cell, &n) in counts.iter().enumerate() {
        hidden[cell] |= n > 0 && n < threshold;
    }
    loop {
        while hide_lone_cells(&lines, counts, &mut hidden) {}
        let determined = determined_cells(&lines, &hidden)?;
        if determined.is_empty() {
            return Ok(hidden);
        }
        let mut changed = false;
        for cell in determined {
            let complement = lines
                .iter()
                .filter(|line| line.contains(&cell))
                .filter_map(|line| complement(line, counts, &hidden))
                .min_by_key(|&candidate| (counts[candidate], candidate));
            if let Some(candidate) = complement
                && !hidden[candidate]
            {
                hidden[candidate] = true;
                changed = true;
            }
        }
        if !changed {
            // Nothing left to hide beside a determined cell: hide its whole table.
            return Ok(counts.iter().map(|&n| n > 0).collect());
        }
    }
}

/// Every line of the table: the cells along one axis, the total last.
fn lines(sizes: &[usize]) -> Vec<Vec<usize>> {
    let strides: Vec<usize> = (0..sizes.len())
        .map(|axis| sizes[axis + 1..].iter().product())
        .collect();
    let cells: usize = sizes.iter().product();
    let mut lines = Vec::new();
    for (axis, &size) in sizes.iter().enumerate() {
        for start in 0..cells {
            if (start / strides[axis]).is_multiple_of(size) {
                lines.push((0..size).map(|i| start + i * strides[axis]).collect());
            }
        }
    }
    lines
}

/// Hides a complement in every line with exactly one hidden cell; whether it hid any.
fn hide_lone_cells(lines: &[Vec<usize>], counts: &[u64], hidden: &mut [bool]) -> bool {
    let mut changed = false;
    for line in lines {
        if line.iter().filter(|&&cell| hidden[cell]).count() == 1
            && let Some(cell) = complement(line, counts, hidden)
        {
            hidden[cell] = true;
            changed = true;
        }
    }
    changed
}

/// The cell of a line best hidden next: the smallest non-zero visible category, else the total.
fn complement(line: &[usize], counts: &[u64], hidden: &[bool]) -> Option<usize> {
    let (total, categories) = line.split_last().expect("a line has a total");
    categories
        .iter()
        .copied()
        .filter(|&cell| !hidden[cell] && counts[cell] > 0)
        .min_by_key(|&cell| counts[cell])
        .or((!hidden[*total]).then_some(*total))
}

/// The hidden cells whose value follows from the published ones.
fn determined_cells(lines: &[Vec<usize>], hidden: &[bool]) -> Result<Vec<usize>, StatisticsError> {
    let unknowns: Vec<usize> = (0..hidden.len()).filter(|&cell| hidden[cell]).collect();
    let column = |cell: usize| unknowns.binary_search(&cell).ok();
    // Each line as its hidden cells with coefficients (+1 categories, -1 total).
    let equations: Vec<Vec<(usize, f64)>> = lines
        .iter()
        .map(|line| {
            line.iter()
                .enumerate()
                .filter_map(|(i, &cell)| {
                    let sign = if i + 1 == line.len() { -1.0 } else { 1.0 };
                    column(cell).map(|col| (col, sign))
                })
                .collect::<Vec<_>>()
        })
        .filter(|terms| !terms.is_empty())
        .collect();
    let mut determined = Vec::new();
    for component in components(unknowns.len(), &equations) {
        if component.len() > MAX_LINKED_HIDDEN_CELLS {
            return Err(StatisticsError::TooSparse);
        }
        determined.extend(
            solvable(&component, &equations)
                .into_iter()
                .map(|col| unknowns[col]),
        );
    }
    Ok(determined)
}

/// Groups unknowns that share an equation (union–find).
fn components(unknowns: usize, equations: &[Vec<(usize, f64)>]) -> Vec<Vec<usize>> {
    fn root(parent: &mut [usize], mut node: usize) -> usize {
        while parent[node] != node {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        node
    }
    let mut parent: Vec<usize> = (0..unknowns).collect();
    for terms in equations {
        for pair in terms.windows(2) {
            let (a, b) = (root(&mut parent, pair[0].0), root(&mut parent, pair[1].0));
            parent[a] = b;
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for node in 0..unknowns {
        let group = root(&mut parent, node);
        groups.entry(group).or_default().push(node);
    }
    groups.into_values().collect()
}

/// The unknowns of one component that the equations pin down: those whose unit vector is a
/// row of the reduced row echelon form.
fn solvable(component: &[usize], equations: &[Vec<(usize, f64)>]) -> Vec<usize> {
    const EPSILON: f64 = 1e-9;
    let width = component.len();
    let position = |col: usize| component.binary_search(&col).ok();
    let mut rows: Vec<Vec<f64>> = equations
        .iter()
        .filter(|terms| position(terms[0].0).is_some())
        .map(|terms| {
            let mut row = vec![0.0; width];
            for &(col, sign) in terms {
                row[position(col).expect("same component")] = sign;
            }
            row
        })
        .collect();
    let mut rank = 0;
    for col in 0..width {
        let Some(pivot) =
            (rank..rows.len()).max_by(|&a, &b| rows[a][col].abs().total_cmp(&rows[b][col].abs()))
        else {
            break;
        };
        if rows[pivot][col].abs() < EPSILON {
            continue;
        }
        rows.swap(rank, pivot);
        let scale = rows[rank][col];
        rows[rank].iter_mut().for_each(|value| *value /= scale);
        let pivot_row = rows[rank].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != rank && row[col].abs() > EPSILON {
                let factor = row[col];
                row.iter_mut()
                    .zip(&pivot_row)
                    .for_each(|(value, p)| *value -= factor * p);
            }
        }
        rank += 1;
    }
    rows[..rank]
        .iter()
        .filter_map(|row| {
            let mut nonzero = row
                .iter()
                .enumerate()
                .filter(|(_, value)| value.abs() > EPSILON);
            match (nonzero.next(), nonzero.next()) {
                (Some((col, _)), None) => Some(component[col]),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2-D table from its inner cells, with margins added.
    fn with_margins(rows: &[&[u64]]) -> (Vec<usize>, Vec<u64>) {
        let (r, c) = (rows.len(), rows[0].len());
        let mut counts = vec![0; (r + 1) * (c + 1)];
        for (i, row) in rows.iter().enumerate() {
            for (j, &n) in row.iter().enumerate() {
                for (a, b) in [(i, j), (i, c), (r, j), (r, c)] {
                    counts[a * (c + 1) + b] += n;
                }
            }
        }
        (vec![r + 1, c + 1], counts)
    }

    /// What an attacker gets by repeated subtraction: every hidden cell alone in a line.
    fn recoverable_by_subtraction(sizes: &[usize], hidden: &[bool]) -> Vec<usize> {
        let mut known: Vec<bool> = hidden.iter().map(|h| !h).collect();
        let mut recovered = Vec::new();
        while let Some(cell) = lines(sizes).into_iter().find_map(|line| {
            let unknown: Vec<usize> = line.iter().copied().filter(|&cell| !known[cell]).collect();
            (unknown.len() == 1).then(|| unknown[0])
        }) {
            known[cell] = true;
            recovered.push(cell);
        }
        recovered
    }

    #[test]
    fn a_small_cell_and_its_complements_are_hidden() {
        let (sizes, counts) = with_margins(&[&[10, 2, 8], &[7, 9, 12], &[20, 15, 30]]);
        let hidden = suppress(&sizes, &counts, 3, vec![false; counts.len()]).unwrap();
        assert!(hidden[1], "the 2 is hidden");
        assert!(
            hidden.iter().filter(|h| **h).count() >= 4,
            "a 2x2 pattern at least"
        );
        assert!(recoverable_by_subtraction(&sizes, &hidden).is_empty());
        assert!(
            determined_cells(&lines(&sizes), &hidden)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn nothing_is_hidden_without_small_counts() {
        let (sizes, counts) = with_margins(&[&[10, 0, 8], &[7, 9, 12]]);
        assert!(
            suppress(&sizes, &counts, 3, vec![false; counts.len()])
                .unwrap()
                .iter()
                .all(|h| !h)
        );
    }

    #[test]
    fn a_small_total_hides_what_would_give_it_away() {
        // A single row whose total is small: its cells sum to the total.
        let (sizes, counts) = with_margins(&[&[1, 1, 0], &[5, 6, 7]]);
        let hidden = suppress(&sizes, &counts, 3, vec![false; counts.len()]).unwrap();
        assert!(
            hidden[0] && hidden[1] && hidden[3],
            "both 1s and the row total of 2"
        );
        assert!(recoverable_by_subtraction(&sizes, &hidden).is_empty());
        assert!(
            determined_cells(&lines(&sizes), &hidden)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_cell_determined_only_by_combining_lines_is_protected() {
        // Two 2x2 hidden blocks joined through one shared row would leave a bridge cell
        // solvable; the exact check must catch any such pattern.
        let rows: [&[u64]; 4] = [&[1, 9, 0, 0], &[9, 1, 0, 0], &[0, 0, 1, 9], &[0, 0, 9, 1]];
        let (sizes, counts) = with_margins(&rows);
        let hidden = suppress(&sizes, &counts, 3, vec![false; counts.len()]).unwrap();
        assert!(
            determined_cells(&lines(&sizes), &hidden)
                .unwrap()
                .is_empty()
        );
        assert!(recoverable_by_subtraction(&sizes, &hidden).is_empty());
    }

    #[test]
    fn three_dimensional_tables_are_protected_along_every_axis() {
        let sizes = [4, 3, 4];
        let mut counts = vec![0u64; 48];
        let inner = [
            [[4, 1, 6], [5, 7, 2]],
            [[9, 3, 1], [8, 8, 8]],
            [[2, 2, 9], [10, 4, 6]],
        ];
        for (i, plane) in inner.iter().enumerate() {
            for (j, row) in plane.iter().enumerate() {
                for (k, &n) in row.iter().enumerate() {
                    for a in [i, 3] {
                        for b in [j, 2] {
                            for c in [k, 3] {
                                counts[a * 12 + b * 4 + c] += n;
                            }
                        }
                    }
                }
            }
        }
        let hidden = suppress(&sizes, &counts, 3, vec![false; counts.len()]).unwrap();
        for (cell, &n) in counts.iter().enumerate() {
            if n > 0 && n < 3 {
                assert!(hidden[cell]);
            }
        }
        assert!(
            determined_cells(&lines(&sizes), &hidden)
                .unwrap()
                .is_empty()
        );
    }
}
