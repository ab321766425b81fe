//! The rules for text people type, in one place: what the service accepts and, as JSON Schema
//! patterns, what the OpenAPI document promises it accepts. The two must agree exactly, so an
//! integrator's client (or a fuzzer) never finds text the document allows and the service
//! refuses.
//!
//! Text is trimmed of surrounding white space, must keep something visible (white space and
//! invisible characters such as U+200B alone are not), and must not hold control characters
//! inside (prose may hold line breaks and tabs) nor bidirectional embeddings, overrides or
//! isolates, which make a name read backwards on a case worker's screen ("Trojan Source").
//! Length is counted in characters before trimming, as JSON Schema's `maxLength` counts them.

use std::fmt;

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    Blank,
    TooLong { max: usize },
    ControlCharacter,
    BidiControl,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Blank => {
                f.write_str("must hold visible text, not only white space or invisible characters")
            }
            TextError::TooLong { max } => write!(f, "must be at most {max} characters"),
            TextError::ControlCharacter => f.write_str("must not contain control characters"),
            TextError::BidiControl => f.write_str(
                "must not contain bidirectional embedding, override or isolate characters \
                 (U+202A to U+202E, U+2066 to U+2069)",
            ),
        }
    }
}

/// Free text over any number of lines: descriptions, comments, reasons.
pub fn prose(text: &str, max: usize) -> Result<String, TextError> {
    parse(text, max, |c| matches!(c, '\n' | '\r' | '\t'))
}

/// Text on one line: user ids, references. No line break inside, Unicode's line and paragraph
/// separators (U+2028, U+2029) included.
pub fn line(text: &str, max: usize) -> Result<String, TextError> {
    let line = parse(text, max, |_| false)?;
    if line.contains(['\u{2028}', '\u{2029}']) {
        return Err(TextError::ControlCharacter);
    }
    Ok(line)
}

fn parse(text: &str, max: usize, allowed_control: fn(char) -> bool) -> Result<String, TextError> {
    if text.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    let text = text.trim();
    if !text.chars().any(|c| !c.is_whitespace() && !is_invisible(c)) {
        return Err(TextError::Blank);
    }
    if text.chars().any(|c| c.is_control() && !allowed_control(c)) {
        return Err(TextError::ControlCharacter);
    }
    if text.chars().any(is_bidi_control) {
        return Err(TextError::BidiControl);
    }
    Ok(text.to_owned())
}

/// Embeddings, overrides and isolates: they reorder what a reader sees.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// [`is_bidi_control`] as a pattern's character ranges.
macro_rules! bidi_controls {
    () => {
        r"\u202A-\u202E\u2066-\u2069"
    };
}

/// Characters that show nothing: format characters, joiners, fillers and selectors. A text of
/// only these and white space looks empty.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    )
}

/// [`is_invisible`] as a pattern's character ranges.
macro_rules! invisible {
    () => {
        r"\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u2060-\u2064\u206A-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0"
    };
}

/// A character prose may hold inside: no control character but line breaks and tabs, no
/// bidirectional control.
macro_rules! prose_character {
    () => {
        concat!(
            r"[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F",
            bidi_controls!(),
            "]"
        )
    };
}

/// A character a line may hold inside: no control character, no line or paragraph
/// separator, no bidirectional control.
macro_rules! line_character {
    () => {
        concat!(
            r"[^\u0000-\u001F\u007F-\u009F\u2028\u2029",
            bidi_controls!(),
            "]"
        )
    };
}

/// Unicode's `White_Space`, which [`str::trim`] removes.
macro_rules! white_space {
    () => {
        r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// Neither white space, a control character (`Cc`), an invisible character nor a
/// bidirectional control.
macro_rules! visible {
    () => {
        concat!(
            r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000",
            invisible!(),
            bidi_controls!(),
            "]"
        )
    };
}

/// What [`prose`] accepts, as an ECMA-262 pattern (and Python's, which fuzzers use): white
/// space around text of allowed characters that holds something visible.
pub const PROSE_PATTERN: &str = concat!(
    "^[",
    white_space!(),
    "]*",
    prose_character!(),
    "*",
    visible!(),
    prose_character!(),
    "*[",
    white_space!(),
    "]*$"
);

/// What [`line`] accepts, as an ECMA-262 pattern.
pub const LINE_PATTERN: &str = concat!(
    "^[",
    white_space!(),
    "]*",
    line_character!(),
    "*",
    visible!(),
    line_character!(),
    "*[",
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
    fn invisible_text_is_blank_and_bidi_controls_are_refused() {
        assert_eq!(prose("\u{200B}", 100), Err(TextError::Blank));
        assert_eq!(
            prose(" \u{200B}\u{FEFF}\u{2060} ", 100),
            Err(TextError::Blank)
        );
        assert_eq!(
            prose("a\u{200D}b", 100),
            Ok("a\u{200D}b".into()),
            "a joiner inside text"
        );
        assert_eq!(
            line("Anna \u{202E}grebnetS", 100),
            Err(TextError::BidiControl)
        );
        assert_eq!(prose("\u{2067}x\u{2069}", 100), Err(TextError::BidiControl));
        assert_eq!(
            line("\u{5D0}\u{200F}a", 100),
            Ok("\u{5D0}\u{200F}a".into()),
            "marks are not overrides"
        );
    }

    #[test]
    fn a_line_has_no_line_breaks_inside() {
        assert_eq!(line(" anna.berg\n", 20), Ok("anna.berg".into()));
        assert_eq!(line("anna\nberg", 10), Err(TextError::ControlCharacter));
        assert_eq!(line("", 10), Err(TextError::Blank));
        assert_eq!(
            line("anna\u{2028}berg", 10),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(
            line("anna\u{2029}", 10),
            Ok("anna".into()),
            "trimmed at the end"
        );
    }

    #[test]
    fn length_counts_characters_before_trimming() {
        assert_eq!(line("åäö", 3), Ok("åäö".into()));
        assert_eq!(line("åäö ", 3), Err(TextError::TooLong { max: 3 }));
    }

    /// Every character below U+3200 and of the specials block alone, and between, before and
    /// after visible ones: the patterns accept exactly what the parsers accept.
    #[test]
    fn patterns_agree_with_the_parsers() {
        let prose_pattern = regex::Regex::new(PROSE_PATTERN).unwrap();
        let line_pattern = regex::Regex::new(LINE_PATTERN).unwrap();
        let characters = (0..0x3200).chain(0xFE00..0xFE10).chain(0xFEF0..0x10000);
        for c in characters.filter_map(char::from_u32) {
            for text in [
                format!("{c}"),
                format!("a{c}b"),
                format!("{c}a"),
                format!("a{c}"),
                format!("{c}{c}"),
                format!(" {c} a"),
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
