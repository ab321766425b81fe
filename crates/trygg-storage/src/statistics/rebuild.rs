//! Filling the rollups from the stored cases. Every rollup row is counted in memory first
//! (ten million cases make tens of millions of rows), with its key held as numbered codes in
//! a fixed array rather than as a string: no allocation per row, a third of the memory, and
//! a heap the inserts afterwards do not have to search through.

use std::collections::HashMap;

use diesel::RunQueryDsl;

use super::{
    CUBES, Cases, Cell, INSERT_ROWS, Measures, SEPARATOR, contributions, for_each_case, same_table,
    tables, write_rows,
};
use crate::database::DbConnection;
use crate::error::StorageError;
use crate::schema::uncounted_cases;

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
    fn pack(&mut self, cell: &Cell) -> Result<PackedCell, StorageError> {
        let mut keys = [0; MAX_KEYS];
        let mut len = 0;
        for value in cell.keys.split(SEPARATOR) {
            keys[len] = self.number(value)?;
            len += 1;
        }
        Ok(PackedCell {
            cube: u8::try_from(cell.cube).expect("fewer than 256 rollups"),
            len: u8::try_from(len).expect("at most MAX_KEYS keys"),
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

/// Empties the rollups (and their pending counts and uncounted cases) and fills them from the
/// cases, on the caller's transaction.
pub(crate) fn rebuild(conn: &mut DbConnection) -> Result<u64, StorageError> {
    for cube in tables() {
        diesel::sql_query(format!("DELETE FROM {}", cube.table)).execute(conn)?;
        if let DbConnection::Postgresql(_) = conn {
            diesel::sql_query(format!("DELETE FROM {}", cube.pending())).execute(conn)?;
        }
    }
    // Every case is counted below, those filings left uncounted too.
    diesel::delete(uncounted_cases::table).execute(conn)?;
    let mut codes = Codes::default();
    let mut counts: HashMap<PackedCell, Measures> = HashMap::new();
    let mut cases = 0;
    let mut packing = Ok(());
    for_each_case(conn, None, Cases::Every, |case| {
        cases += 1;
        for (cell, measures) in contributions(&case) {
            match codes.pack(&cell) {
                Ok(packed) => counts.entry(packed).or_default().add(measures, 1),
                Err(error) => packing = Err(error),
            }
        }
    })?;
    packing?;
    let mut cells: Vec<(PackedCell, Measures)> = counts.into_iter().collect();
    // Table by table in key order, so each index grows at its end rather than everywhere.
    let renumbered = codes.sort();
    for (cell, _) in &mut cells {
        cell.renumber(&renumbered);
    }
    cells.sort_unstable_by(|(a, _), (b, _)| a.order().cmp(&b.order()));
    for chunk in cells.chunks(INSERT_ROWS) {
        let rows: Vec<(Cell, Measures)> = chunk
            .iter()
            .map(|(cell, measures)| (codes.unpack(cell), *measures))
            .collect();
        for rows in rows.chunk_by(|(a, _), (b, _)| same_table(a, b)) {
            write_rows(conn, CUBES[rows[0].0.cube], rows)?;
        }
    }
    Ok(cases)
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
        let mut packed: Vec<PackedCell> = cells.iter().map(|c| codes.pack(c).unwrap()).collect();
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
