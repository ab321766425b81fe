//! The human case number, `TRG-2026-000123`: the filing year and a number that is unique across
//! years and increasing, though not necessarily without gaps.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseNumber {
    year: i32,
    number: i64,
}

impl CaseNumber {
    pub fn new(year: i32, number: i64) -> CaseNumber {
        CaseNumber { year, number }
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TRG-{}-{:06}", self.year, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_are_zero_padded_and_grow_past_six_digits() {
        assert_eq!(CaseNumber::new(2026, 123).to_string(), "TRG-2026-000123");
        assert_eq!(
            CaseNumber::new(2027, 1_234_567).to_string(),
            "TRG-2027-1234567"
        );
    }
}
