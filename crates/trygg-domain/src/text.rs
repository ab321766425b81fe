//! The rules for text people type, in one place: what the service accepts and, as JSON Schema
//! patterns, what the OpenAPI document promises it accepts. The two must agree exactly, so an
//! integrator's client (or a fuzzer) never finds text the document allows and the service
//! refuses.
//!
//! Text is trimmed of surrounding white space, must keep something visible, and must not hold
//! control characters inside (prose may hold line breaks and tabs). Length is counted in
//! characters before trimming, as JSON Schema's `maxLength` counts them.

use std::fmt;

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    Blank,
    TooLong { max: usize },
    ControlCharacter,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Blank => f.write_str("must not be empty or only white space"),
            TextError::TooLong { max } => write!(f, "must be at most {max} characters"),
            TextError::ControlCharacter => f.write_str("must not contain control characters"),
        }
    }
}

/// Free text over any number of lines: descriptions, comments, reasons.
pub fn prose(text: &str, max: usize) -> Result<String, TextError> {
    parse(text, max, |c| matches!(c, '\n' | '\r' | '\t'))
}

/// Text on one line: user ids, references.
pub fn line(text: &str, max: usize) -> Result<String, TextError> {
    parse(text, max, |_| false)
}

fn parse(text: &str, max: usize, allowed_control: fn(char) -> bool) -> Result<String, TextError> {
    if text.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(TextError::Blank);
    }
    if text.chars().any(|c| c.is_control() && !allowed_control(c)) {
        return Err(TextError::ControlCharacter);
    }
    Ok(text.to_owned())
}

/// Unicode's `White_Space`, which [`str::trim`] removes.
macro_rules! white_space {
    () => {
        r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// Neither white space nor a control character (`Cc`).
macro_rules! visible {
    () => {
        r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    };
}

/// What [`prose`] accepts, as an ECMA-262 pattern (and Python's, which fuzzers use).
pub const PROSE_PATTERN: &str = concat!(
    "^[",
    white_space!(),
    "]*",
    visible!(),
    r"([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*",
    visible!(),
    ")?[",
    white_space!(),
    "]*$"
);

/// What [`line`] accepts, as an ECMA-262 pattern.
pub const LINE_PATTERN: &str = concat!(
    "^[",
    white_space!(),
    "]*",
    visible!(),
    r"([^\u0000-\u001F\u007F-\u009F]*",
    visible!(),
    ")?[",
    white_space!(),
    "]*$"
);

/// The longest user id (a token's `sub`) accepted where a request names one.
pub const MAX_USER_ID_CHARS: usize = 255;
/// The longest comment on an acknowledged alert.
pub const MAX_ACKNOWLEDGEMENT_CHARS: usize = 1_000;

/// The text fields of requests as OpenAPI schemas, each with its length and pattern.
#[cfg(feature = "openapi")]
pub mod schema {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    use super::{LINE_PATTERN, MAX_ACKNOWLEDGEMENT_CHARS, MAX_USER_ID_CHARS, PROSE_PATTERN};
    use crate::report::MAX_DESCRIPTION_CHARS;
    use crate::workflow::{MAX_POLICE_REFERENCE_CHARS, MAX_REASON_CHARS};

    macro_rules! text_schema {
        ($(#[doc = $doc:literal])* $name:ident, $pattern:expr, $max:expr) => {
            $(#[doc = $doc])*
            #[derive(Debug)]
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some(concat!($($doc),*).trim()))
                        .min_length(Some(1))
                        .max_length(Some($max))
                        .pattern(Some($pattern))
                        .into()
                }
            }

            impl utoipa::ToSchema for $name {}
        };
    }

    text_schema!(
        /// Free text: up to 10 000 characters, line breaks allowed, no other control characters,
        /// not only white space (which is trimmed).
        Prose, PROSE_PATTERN, MAX_DESCRIPTION_CHARS
    );
    text_schema!(
        /// Why, in up to 2 000 characters; line breaks allowed, no other control characters.
        Reason, PROSE_PATTERN, MAX_REASON_CHARS
    );
    text_schema!(
        /// A comment of up to 1 000 characters; line breaks allowed, no other control characters.
        AcknowledgementComment, PROSE_PATTERN, MAX_ACKNOWLEDGEMENT_CHARS
    );
    text_schema!(
        /// A user id (a token's `sub`): one line of up to 255 characters.
        UserId, LINE_PATTERN, MAX_USER_ID_CHARS
    );
    text_schema!(
        /// The police report's reference (diarienummer): one line of up to 100 characters.
        PoliceReference, LINE_PATTERN, MAX_POLICE_REFERENCE_CHARS
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_keeps_line_breaks_and_trims() {
        assert_eq!(
            prose("  Hot i\r\n\tkorridoren \n", 100),
            Ok("Hot i\r\n\tkorridoren".into())
        );
        assert_eq!(prose(" \u{3000}\n ", 100), Err(TextError::Blank));
        assert_eq!(prose("a\u{7}b", 100), Err(TextError::ControlCharacter));
        assert_eq!(prose("a\u{85}b", 100), Err(TextError::ControlCharacter));
    }

    #[test]
    fn a_line_has_no_line_breaks_inside() {
        assert_eq!(line(" anna.berg\n", 20), Ok("anna.berg".into()));
        assert_eq!(line("anna\nberg", 10), Err(TextError::ControlCharacter));
        assert_eq!(line("", 10), Err(TextError::Blank));
    }

    #[test]
    fn length_counts_characters_before_trimming() {
        assert_eq!(line("åäö", 3), Ok("åäö".into()));
        assert_eq!(line("åäö ", 3), Err(TextError::TooLong { max: 3 }));
    }

    /// Every character below U+3100 alone, and between, before and after visible ones: the
    /// patterns accept exactly what the parsers accept.
    #[test]
    fn patterns_agree_with_the_parsers() {
        let prose_pattern = regex::Regex::new(PROSE_PATTERN).unwrap();
        let line_pattern = regex::Regex::new(LINE_PATTERN).unwrap();
        for c in (0..0x3100).filter_map(char::from_u32) {
            for text in [
                format!("{c}"),
                format!("a{c}b"),
                format!("{c}a"),
                format!("a{c}"),
            ] {
                assert_eq!(
                    prose_pattern.is_match(&text),
                    prose(&text, 10).is_ok(),
                    "prose {text:?}"
                );
                assert_eq!(
                    line_pattern.is_match(&text),
                    line(&text, 10).is_ok(),
                    "line {text:?}"
                );
            }
        }
    }
}
