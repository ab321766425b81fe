//! Languages and the text of the pages: Swedish first, English by choice. The text lives in
//! Project Fluent message files (`locales/`), never in code.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Sv, Lang::En];

    /// The BCP 47 tag, for `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The other language: the one the language link offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Sv => Lang::En,
            Lang::En => Lang::Sv,
        }
    }

    /// The first language of an `Accept-Language` header that the pages are written in, by
    /// the header's order of preference; Swedish when none is.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut ranges: Vec<(f32, &str)> = accept_language
            .split(',')
            .filter_map(|range| {
                let mut parts = range.split(';');
                let tag = parts.next()?.trim();
                let quality = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                Some((quality, tag))
            })
            .filter(|(quality, _)| *quality > 0.0)
            .collect();
        // Stable: ties keep the header's order.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges
            .into_iter()
            .find_map(|(_, tag)| {
                let primary = tag.split('-').next().unwrap_or_default();
                Lang::from_code(&primary.to_ascii_lowercase())
            })
            .unwrap_or_default()
    }

    /// The text of a message in this language; its id when the message is missing, which the
    /// message files' test rules out.
    pub fn text(self, id: &str) -> String {
        MESSAGES.format(self, id, None)
    }

    /// The text of a message that not every choice has (a hint).
    pub fn optional_text(self, id: &str) -> Option<String> {
        MESSAGES.has(self, id).then(|| self.text(id))
    }

    /// The text of a message with arguments (`{ $name }` in the message).
    pub fn text_with(self, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, FluentValue::from(*value));
        }
        MESSAGES.format(self, id, Some(&fluent_args))
    }

    /// A catalogue label in this language: the English one where the catalogue gives it.
    pub fn pick(self, swedish: &str, english: Option<&str>) -> String {
        match (self, english) {
            (Lang::En, Some(english)) => english.to_owned(),
            _ => swedish.to_owned(),
        }
    }

    /// A count as people here write it: `12 345` (a no-break space between thousands) in
    /// Swedish, `12,345` in English.
    pub fn number(self, count: u64) -> String {
        let separator = match self {
            Lang::Sv => '\u{a0}',
            Lang::En => ',',
        };
        let digits = count.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A change in count with its sign: `+1 234`, `−5` (a minus sign, which screen readers
    /// read as minus), `±0`.
    pub fn signed(self, change: i64) -> String {
        let sign = match change.signum() {
            1 => "+",
            -1 => "\u{2212}",
            _ => "\u{b1}",
        };
        format!("{sign}{}", self.number(change.unsigned_abs()))
    }

    /// A number to `places` decimals: `27,5` in Swedish, `27.5` in English.
    pub fn decimal(self, value: f64, places: usize) -> String {
        let text = format!("{value:.places$}");
        match self {
            Lang::Sv => text.replace('.', ","),
            Lang::En => text,
        }
    }

    /// Per cent as each language writes it: `42 %` (a no-break space) in Swedish, `42%` in
    /// English.
    fn per_cent(self, number: String) -> String {
        match self {
            Lang::Sv => format!("{number}\u{a0}%"),
            Lang::En => format!("{number}%"),
        }
    }

    /// A change in per cent, to one decimal: `+12,5 %` in Swedish, `+12.5%` in English.
    pub fn percent(self, percent: f64) -> String {
        let sign = if percent < 0.0 { "\u{2212}" } else { "+" };
        self.per_cent(format!("{sign}{}", self.decimal(percent.abs(), 1)))
    }

    /// A share (0 to 1) in whole per cent: `42 %` in Swedish.
    pub fn share(self, share: f64) -> String {
        self.per_cent(self.decimal(share * 100.0, 0))
    }

    /// The text of a message with a number, which picks the message's plural form.
    pub fn text_count(self, id: &str, name: &str, count: i64) -> String {
        let mut fluent_args = FluentArgs::new();
        fluent_args.set(name, FluentValue::from(count));
        MESSAGES.format(self, id, Some(&fluent_args))
    }
}

const SOURCES: [(Lang, &str); 2] = [
    (Lang::Sv, include_str!("../locales/sv.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
];

static MESSAGES: LazyLock<Messages> = LazyLock::new(Messages::load);

struct Messages {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
}

impl Messages {
    fn load() -> Messages {
        let bundles = SOURCES
            .into_iter()
            .map(|(lang, source)| {
                let resource =
                    FluentResource::try_new(source.to_owned()).unwrap_or_else(|(_, errors)| {
                        panic!("locales/{}.ftl does not parse: {errors:?}", lang.code())
                    });
                let tag = lang.code().parse().expect("a valid language tag");
                let mut bundle = FluentBundle::new_concurrent(vec![tag]);
                // HTML has its own bidirectional isolation; the marks would only show in text.
                bundle.set_use_isolating(false);
                bundle
                    .add_resource(resource)
                    .expect("message ids are unique (see the test)");
                (lang, bundle)
            })
            .collect();
        Messages { bundles }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        let (_, bundle) = self
            .bundles
            .iter()
            .find(|(l, _)| *l == lang)
            .expect("every language has a bundle");
        bundle
    }

    fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundle(lang).has_message(id)
    }

    fn format(&self, lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(id, lang = lang.code(), "no such message");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "a message did not format cleanly");
        }
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        assert_eq!(Lang::Sv.number(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(Lang::En.number(1_234_567), "1,234,567");
        assert_eq!(Lang::Sv.number(999), "999");
        assert_eq!(Lang::Sv.signed(-1_500), "\u{2212}1\u{a0}500");
        assert_eq!(Lang::En.signed(13), "+13");
        assert_eq!(Lang::Sv.signed(0), "\u{b1}0");
        assert_eq!(Lang::Sv.percent(433.333), "+433,3\u{a0}%");
        assert_eq!(Lang::En.percent(-12.25), "\u{2212}12.2%");
        assert_eq!(Lang::Sv.share(0.426), "43\u{a0}%");
        assert_eq!(Lang::En.share(0.426), "43%");
        assert_eq!(Lang::Sv.decimal(3.75, 1), "3,8");
    }

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_owned()).expect("parses");
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_messages() {
        let swedish = ids(SOURCES[0].1);
        let english = ids(SOURCES[1].1);
        assert_eq!(
            swedish.difference(&english).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in English"
        );
        assert_eq!(
            english.difference(&swedish).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in Swedish"
        );
        assert_eq!(Lang::Sv.text("service-name"), "Trygg");
    }

    #[test]
    fn every_purpose_of_a_read_has_words_in_both_languages() {
        for purpose in trygg_app::Purpose::ALL {
            for lang in [Lang::Sv, Lang::En] {
                let id = format!("purpose-{}", purpose.code());
                assert!(lang.optional_text(&id).is_some(), "{id} in {lang:?}");
            }
        }
    }

    #[test]
    fn messages_take_arguments() {
        assert_eq!(
            Lang::En.text_with("receipt-number", &[("number", "TRG-2027-000001")]),
            "Your case number is TRG-2027-000001"
        );
    }

    #[test]
    fn accept_language_picks_the_first_supported_language() {
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9,sv;q=0.8"), Lang::En);
        assert_eq!(Lang::negotiate("de-DE,sv;q=0.5,en;q=0.4"), Lang::Sv);
        assert_eq!(Lang::negotiate("sv;q=0.2, en;q=0.9"), Lang::En);
        assert_eq!(Lang::negotiate("fi"), Lang::Sv);
        assert_eq!(Lang::negotiate("en;q=0, *"), Lang::Sv);
        assert_eq!(Lang::negotiate(""), Lang::Sv);
    }
}
