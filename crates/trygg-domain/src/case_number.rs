//! The human case number, `TRG-2026-000123`: the filing year and a number that is unique across
//! years and increasing, though not necessarily without gaps.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseNumber {
    year: i32,
    number: i64,
}

impl CaseNumber {
    pub fn new(year: i32, number: i64) -> CaseNumber {
        CaseNumber { year, number }
    }

    /// The year the case was filed.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The number within the service, unique across years.
    pub fn number(&self) -> i64 {
        self.number
    }
}

/// A text that is not a case number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a case number reads TRG-2026-000123")]
pub struct NotACaseNumber;

impl FromStr for CaseNumber {
    type Err = NotACaseNumber;

    /// `TRG-2026-000123` as people type it: any case, surrounding spaces, the zeros optional.
    fn from_str(text: &str) -> Result<CaseNumber, NotACaseNumber> {
        let text = text.trim();
        let mut parts = text.splitn(3, '-');
        let (Some(prefix), Some(year), Some(number)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(NotACaseNumber);
        };
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !prefix.eq_ignore_ascii_case("TRG")
            || year.len() != 4
            || !digits(year)
            || !digits(number)
        {
            return Err(NotACaseNumber);
        }
        match (year.parse(), number.parse()) {
            (Ok(year), Ok(number)) if number > 0 => Ok(CaseNumber { year, number }),
            _ => Err(NotACaseNumber),
        }
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

    #[test]
    fn case_numbers_parse_as_people_type_them() {
        for typed in ["TRG-2026-000221", " trg-2026-221 ", "Trg-2026-0000221"] {
            assert_eq!(typed.parse(), Ok(CaseNumber::new(2026, 221)), "{typed}");
        }
        for typed in [
            "",
            "TRG-2026",
            "TRG-26-000221",
            "ABC-2026-000221",
            "TRG-2026-000000",
            "TRG-2026-+221",
            "TRG-2026-99999999999999999999",
            "01a25079-8b2e-729a-9bfe-cbebcec5aed2",
        ] {
            assert_eq!(typed.parse::<CaseNumber>(), Err(NotACaseNumber), "{typed}");
        }
    }
}
