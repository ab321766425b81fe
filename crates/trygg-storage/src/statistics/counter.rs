//! Counting cases into rollup rows in memory, before they are written. Every key is held as
//! numbered codes in a fixed array rather than as a string: no allocation per row, a third of
//! the memory (a rebuild of ten million cases counts tens of millions of rows), and a heap
//! the inserts afterwards do not have to search through.

use foldhash::HashMap;
use trygg_domain::statistics::CaseFacts;

use super::{CUBES, Cases, Cell, Measures, RowKey, SEPARATOR, for_each_case, for_each_cell};
use crate::database::DbConnection;
use crate::error::StorageError;

/// The most key values a rollup has (the monthly one has 11).
const MAX_KEYS: usize = 12;

/// A rollup row's key with its values numbered by `Codes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct PackedCell {
    cube: u8,
    len: u8,
    time: i32,
    days: i32,
    keys: [u16; MAX_KEYS],
}

/// The codes met in keys, numbered in the order they were met.
#[derive(Debug, Default)]
struct Codes {
    numbers: HashMap<Box<str>, u16>,
    codes: Vec<Box<str>>,
}

impl Codes {
    fn pack(&mut self, cell: &RowKey) -> Result<PackedCell, StorageError> {
        let mut keys = [0; MAX_KEYS];
        for (number, value) in keys.iter_mut().zip(cell.keys) {
            *number = self.number(value)?;
        }
        Ok(PackedCell {
            cube: u8::try_from(cell.cube).expect("fewer than 256 rollups"),
            len: u8::try_from(cell.keys.len()).expect("at most MAX_KEYS keys"),
            time: cell.time,
            days: cell.days,
            keys,
        })
    }

    fn number(&mut self, code: &str) -> Result<u16, StorageError> {
        if let Some(number) = self.numbers.get(code) {
            return Ok(*number);
        }
        // Codes come from the catalogue; this many can only be damaged data.
        let number = u16::try_from(self.codes.len()).map_err(|_| {
            StorageError::Corrupt("the cases hold more than 65 535 distinct codes".into())
        })?;
        self.codes.push(code.into());
        self.numbers.insert(code.into(), number);
        Ok(number)
    }

    fn unpack(&self, cell: &PackedCell) -> Cell {
        let values: Vec<&str> = cell.keys[..usize::from(cell.len)]
            .iter()
            .map(|number| &*self.codes[usize::from(*number)])
            .collect();
        Cell {
            cube: usize::from(cell.cube),
            time: cell.time,
            days: cell.days,
            keys: values.join(SEPARATOR).into(),
        }
    }

    /// Renumbers the codes in sorted order, so numbers compare as their codes do; returns
    /// each old number's new one.
    fn sort(&mut self) -> Vec<u16> {
        let mut numbers: Vec<u16> = (0..=u16::MAX).take(self.codes.len()).collect();
        numbers.sort_by_key(|number| &self.codes[usize::from(*number)]);
        let mut renumbered = vec![0; numbers.len()];
        for (new, old) in (0..=u16::MAX).zip(&numbers) {
            renumbered[usize::from(*old)] = new;
        }
        self.codes = numbers
            .iter()
            .map(|old| self.codes[usize::from(*old)].clone())
            .collect();
        for number in self.numbers.values_mut() {
            *number = renumbered[usize::from(*number)];
        }
        renumbered
    }
}

impl PackedCell {
    fn renumber(&mut self, renumbered: &[u16]) {
        for number in &mut self.keys[..usize::from(self.len)] {
            *number = renumbered[usize::from(*number)];
        }
    }

    /// Its place in the rollup tables' key order: table, leading keys, time, days, the rest.
    fn order(&self) -> (&'static str, &[u16], i32, i32, &[u16]) {
        let cube = CUBES[usize::from(self.cube)];
        let (lead, rest) = self.keys[..usize::from(self.len)].split_at(cube.leading_keys());
        (cube.table, lead, self.time, self.days, rest)
    }
}

/// Rollup rows and what the cases added to them count there.
#[derive(Default)]
pub(super) struct Counter {
    codes: Codes,
    counts: HashMap<PackedCell, Measures>,
}

impl Counter {
    /// Counts `cases`; returns the counter and how many cases it counted.
    pub(super) fn count(
        conn: &mut DbConnection,
        cases: Cases,
    ) -> Result<(Counter, u64), StorageError> {
        let mut counter = Counter::default();
        let (mut counted, mut counting) = (0, Ok(()));
        for_each_case(conn, None, cases, |case| {
            counted += 1;
            if counting.is_ok() {
                counting = counter.add(&case, 1);
            }
        })?;
        counting.map(|()| (counter, counted))
    }

    /// Counts `case` in its rows (`sign` 1), or takes it away (-1).
    pub(super) fn add(&mut self, case: &CaseFacts, sign: i64) -> Result<(), StorageError> {
        let measures = Measures::of(case);
        let mut packing = Ok(());
        for_each_cell(case, |cell| match self.codes.pack(&cell) {
            Ok(packed) => self.counts.entry(packed).or_default().add(measures, sign),
            Err(error) => packing = Err(error),
        });
        packing
    }

    /// The rows whose counts changed, table by table in key order (so each index grows at
    /// its end rather than everywhere), each unpacked as it is taken.
    pub(super) fn into_rows(mut self) -> impl Iterator<Item = (Cell, Measures)> {
        let mut cells: Vec<(PackedCell, Measures)> = self
            .counts
            .into_iter()
            .filter(|(_, measures)| *measures != Measures::default())
            .collect();
        let renumbered = self.codes.sort();
        for (cell, _) in &mut cells {
            cell.renumber(&renumbered);
        }
        cells.sort_unstable_by(|(a, _), (b, _)| a.order().cmp(&b.order()));
        let codes = self.codes;
        cells
            .into_iter()
            .map(move |(cell, measures)| (codes.unpack(&cell), measures))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rollup_key_fits_a_packed_cell() {
        assert!(CUBES.len() <= usize::from(u8::MAX));
        for cube in CUBES.iter() {
            let keys = cube.dimensions().count() + usize::from(cube.pair.is_some());
            assert!(keys <= MAX_KEYS, "{}", cube.table);
        }
    }

    #[test]
    fn packed_keys_unpack_to_the_same_cell_and_sort_as_their_codes() {
        let mut codes = Codes::default();
        let cell = |keys: &str| Cell {
            cube: 3,
            time: 600,
            days: 0,
            keys: keys.replace('|', SEPARATOR).into(),
        };
        let cells = [cell("west|school|*"), cell("b|a|c"), cell("a|b|c")];
        let mut packed: Vec<PackedCell> = cells
            .iter()
            .map(|cell| {
                let keys: Vec<&str> = cell.keys.split(SEPARATOR).collect();
                let key = RowKey {
                    cube: cell.cube,
                    time: cell.time,
                    days: cell.days,
                    keys: &keys,
                };
                codes.pack(&key).unwrap()
            })
            .collect();
        let renumbered = codes.sort();
        for (packed, cell) in packed.iter_mut().zip(&cells) {
            packed.renumber(&renumbered);
            assert_eq!(codes.unpack(packed), *cell);
        }
        packed.sort_by(|a, b| a.order().cmp(&b.order()));
        let sorted: Vec<Cell> = packed.iter().map(|cell| codes.unpack(cell)).collect();
        assert_eq!(
            sorted,
            [cells[2].clone(), cells[1].clone(), cells[0].clone()]
        );
    }
}
