//! The municipality's catalogue: offices, focus areas, districts and the classification rules.
//!
//! These belong to one municipality, so they are data loaded at start (the default is shipped in
//! `catalogue.toml`), validated once, and then only handed out as codes known to be valid.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Deserialize;

use crate::codes::{
    AffectedCategory, AgeGroup, Gender, IncidentKind, PerpetratorRelation, PlaceKind,
};
use crate::report::Circumstances;

const BUILTIN: &str = include_str!("../catalogue.toml");
const MAX_CODE_LEN: usize = 64;

/// A catalogue code: lower-case ASCII letters, digits and `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Code(String);

impl Code {
    fn parse(code: &str) -> Result<Self, CatalogueError> {
        let well_formed = code.len() <= MAX_CODE_LEN
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if well_formed {
            Ok(Code(code.to_owned()))
        } else {
            Err(CatalogueError::MalformedCode(code.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! catalogue_code {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
        #[serde(transparent)]
        pub struct $name(Code);

        impl $name {
            /// The code as a stored case keeps it: it was in the catalogue when the case was
            /// written, and may have left it since, so only its form is checked.
            pub fn stored(code: &str) -> Result<Self, CatalogueError> {
                Code::parse(code).map($name)
            }

            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    };
}

catalogue_code!(
    /// The code of a focus area in the catalogue.
    FocusAreaCode
);
catalogue_code!(
    /// The code of an office (kontor) in the catalogue.
    OfficeCode
);
catalogue_code!(
    /// The code of a district (kommundel) in the catalogue.
    DistrictCode
);

/// A code with its Swedish label, and an English one where the catalogue gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<C> {
    pub code: C,
    pub label: String,
    pub label_en: Option<String>,
}

/// A focus area, the offices responsible for it, and what it covers in a reporter's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusArea {
    pub code: FocusAreaCode,
    pub label: String,
    pub label_en: Option<String>,
    pub help: Option<String>,
    pub help_en: Option<String>,
    pub offices: Vec<OfficeCode>,
}

/// One classification rule: every condition given must hold. An absent condition holds always.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassificationRule {
    pub focus_area: FocusAreaCode,
    pub kind: Option<Vec<IncidentKind>>,
    pub place_kind: Option<Vec<PlaceKind>>,
    pub affected_category: Option<Vec<AffectedCategory>>,
    pub perpetrator_relation: Option<Vec<PerpetratorRelation>>,
}

impl ClassificationRule {
    fn matches(&self, facts: &Circumstances) -> bool {
        fn holds<T: PartialEq>(condition: &Option<Vec<T>>, value: &T) -> bool {
            condition
                .as_ref()
                .is_none_or(|accepted| accepted.contains(value))
        }
        holds(&self.kind, &facts.kind)
            && holds(&self.place_kind, &facts.place_kind)
            && holds(&self.affected_category, &facts.affected_category)
            && holds(&self.perpetrator_relation, &facts.perpetrator_relation)
    }

    fn is_catch_all(&self) -> bool {
        self.kind.is_none()
            && self.place_kind.is_none()
            && self.affected_category.is_none()
            && self.perpetrator_relation.is_none()
    }
}

/// A validated catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    municipality: Municipality,
    population: Option<Population>,
    offices: Vec<Entry<OfficeCode>>,
    focus_areas: Vec<FocusArea>,
    districts: Vec<Entry<DistrictCode>>,
    rules: Vec<ClassificationRule>,
    default_focus_area: FocusAreaCode,
}

/// The municipality itself: its name, and where people reach it. Every field may be left out;
/// the pages then say less.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    pub name: Option<String>,
    pub name_en: Option<String>,
    /// Its switchboard, for the page a phone shows when it cannot reach the service.
    pub phone: Option<String>,
    /// Where people report shortcomings in accessibility (lagen om tillgänglighet till
    /// digital offentlig service).
    pub accessibility_contact: Option<String>,
    /// How to reach the data protection officer (GDPR articles 37–39).
    pub data_protection_officer: Option<String>,
}

/// The municipality's population, for counts per 100 000 inhabitants (Brå's measure, which
/// the law on municipal crime prevention's lägesbild compares over time and with others): in
/// all, and where the municipality has them by district, gender and age group (codes of the
/// catalogue and the report vocabularies). The shipped catalogue has none: figures a
/// municipality has not given are never invented.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// The year counted (as of 31 December).
    pub year: i32,
    /// Whose figures they are, for example Statistics Sweden's population register.
    pub source: String,
    pub total: u64,
    #[serde(default)]
    pub districts: BTreeMap<String, u64>,
    #[serde(default)]
    pub gender: BTreeMap<String, u64>,
    #[serde(default)]
    pub age_group: BTreeMap<String, u64>,
}

impl Population {
    fn check(self, districts: &[Entry<DistrictCode>]) -> Result<Population, CatalogueError> {
        let unknown = |what: &'static str, code: &String| CatalogueError::Unknown {
            what,
            code: code.clone(),
        };
        if let Some(code) = self
            .districts
            .keys()
            .find(|code| !districts.iter().any(|d| d.code.as_str() == code.as_str()))
        {
            return Err(unknown("district", code));
        }
        if let Some(code) = self
            .gender
            .keys()
            .find(|code| code.parse::<Gender>().is_err())
        {
            return Err(unknown("gender", code));
        }
        if let Some(code) = self
            .age_group
            .keys()
            .find(|code| code.parse::<AgeGroup>().is_err())
        {
            return Err(unknown("age group", code));
        }
        let parts = [&self.districts, &self.gender, &self.age_group];
        if self.total == 0 || parts.iter().any(|part| part.values().any(|n| *n == 0)) {
            return Err(CatalogueError::EmptyPopulation);
        }
        Ok(self)
    }
}

/// Why a catalogue could not be loaded, or why a code is not in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("the catalogue is not valid TOML: {0}")]
    Syntax(String),
    #[error("`{0}` is not a valid code: use lower-case letters, digits and `_`, at most 64")]
    MalformedCode(String),
    #[error("the {what} code `{code}` appears more than once")]
    Duplicate { what: &'static str, code: String },
    #[error("`{code}` is not a known {what}")]
    Unknown { what: &'static str, code: String },
    #[error("the focus area `{0}` names no responsible office")]
    NoOffice(String),
    #[error("classification rule {index} matches every report, so the rules after it never apply")]
    UnreachableRules { index: usize },
    #[error("the catalogue has no {0}")]
    Empty(&'static str),
    #[error("a population of no one gives no rate: every population must be above zero")]
    EmptyPopulation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    #[serde(default)]
    municipality: Municipality,
    population: Option<Population>,
    offices: Vec<RawEntry>,
    focus_areas: Vec<RawFocusArea>,
    districts: Vec<RawEntry>,
    classification: RawClassification,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    code: String,
    label: String,
    label_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFocusArea {
    code: String,
    label: String,
    label_en: Option<String>,
    help: Option<String>,
    help_en: Option<String>,
    offices: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClassification {
    default: String,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    focus_area: String,
    kind: Option<Vec<IncidentKind>>,
    place_kind: Option<Vec<PlaceKind>>,
    affected_category: Option<Vec<AffectedCategory>>,
    perpetrator_relation: Option<Vec<PerpetratorRelation>>,
}

fn unique_codes<'a>(
    what: &'static str,
    codes: impl Iterator<Item = &'a str>,
) -> Result<(), CatalogueError> {
    let mut seen = HashSet::new();
    for code in codes {
        if !seen.insert(code) {
            return Err(CatalogueError::Duplicate {
                what,
                code: code.to_owned(),
            });
        }
    }
    Ok(())
}

impl Catalogue {
    /// The catalogue shipped with Trygg (Upplands Väsby's).
    pub fn builtin() -> Catalogue {
        Catalogue::from_toml(BUILTIN).expect("the shipped catalogue is valid (see its unit test)")
    }

    /// Parses and validates a catalogue.
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let raw: RawCatalogue =
            toml::from_str(text).map_err(|e| CatalogueError::Syntax(e.message().to_owned()))?;
        unique_codes("office", raw.offices.iter().map(|o| o.code.as_str()))?;
        unique_codes(
            "focus area",
            raw.focus_areas.iter().map(|f| f.code.as_str()),
        )?;
        unique_codes("district", raw.districts.iter().map(|d| d.code.as_str()))?;

        let offices = raw
            .offices
            .into_iter()
            .map(|o| {
                Ok(Entry {
                    code: OfficeCode(Code::parse(&o.code)?),
                    label: o.label,
                    label_en: o.label_en,
                })
            })
            .collect::<Result<Vec<_>, CatalogueError>>()?;
        let districts = raw
            .districts
            .into_iter()
            .map(|d| {
                Ok(Entry {
                    code: DistrictCode(Code::parse(&d.code)?),
                    label: d.label,
                    label_en: d.label_en,
                })
            })
            .collect::<Result<Vec<_>, CatalogueError>>()?;
        let population = raw
            .population
            .map(|population| population.check(&districts))
            .transpose()?;
        let mut catalogue = Catalogue {
            municipality: raw.municipality,
            population,
            offices,
            focus_areas: Vec::new(),
            districts,
            rules: Vec::new(),
            default_focus_area: FocusAreaCode(Code::parse(&raw.classification.default)?),
        };
        for area in raw.focus_areas {
            if area.offices.is_empty() {
                return Err(CatalogueError::NoOffice(area.code));
            }
            let offices = area
                .offices
                .iter()
                .map(|code| catalogue.office(code))
                .collect::<Result<Vec<_>, _>>()?;
            catalogue.focus_areas.push(FocusArea {
                code: FocusAreaCode(Code::parse(&area.code)?),
                label: area.label,
                label_en: area.label_en,
                help: area.help,
                help_en: area.help_en,
                offices,
            });
        }
        for (what, empty) in [
            ("offices", catalogue.offices.is_empty()),
            ("focus areas", catalogue.focus_areas.is_empty()),
            ("districts", catalogue.districts.is_empty()),
        ] {
            if empty {
                return Err(CatalogueError::Empty(what));
            }
        }
        catalogue.default_focus_area = catalogue
            .focus_area(catalogue.default_focus_area.as_str())?
            .code
            .clone();
        for rule in raw.classification.rules {
            let focus_area = catalogue.focus_area(&rule.focus_area)?.code.clone();
            catalogue.rules.push(ClassificationRule {
                focus_area,
                kind: rule.kind,
                place_kind: rule.place_kind,
                affected_category: rule.affected_category,
                perpetrator_relation: rule.perpetrator_relation,
            });
        }
        let last = catalogue.rules.len().saturating_sub(1);
        if let Some(index) = catalogue
            .rules
            .iter()
            .position(ClassificationRule::is_catch_all)
            && index < last
        {
            return Err(CatalogueError::UnreachableRules { index: index + 1 });
        }
        Ok(catalogue)
    }

    pub fn offices(&self) -> &[Entry<OfficeCode>] {
        &self.offices
    }

    pub fn municipality(&self) -> &Municipality {
        &self.municipality
    }

    /// The population, if the municipality has given it.
    pub fn population(&self) -> Option<&Population> {
        self.population.as_ref()
    }

    pub fn focus_areas(&self) -> &[FocusArea] {
        &self.focus_areas
    }

    pub fn districts(&self) -> &[Entry<DistrictCode>] {
        &self.districts
    }

    pub fn rules(&self) -> &[ClassificationRule] {
        &self.rules
    }

    pub fn default_focus_area(&self) -> &FocusAreaCode {
        &self.default_focus_area
    }

    pub fn focus_area(&self, code: &str) -> Result<&FocusArea, CatalogueError> {
        self.focus_areas
            .iter()
            .find(|area| area.code.as_str() == code)
            .ok_or_else(|| CatalogueError::Unknown {
                what: "focus area",
                code: code.to_owned(),
            })
    }

    pub fn office(&self, code: &str) -> Result<OfficeCode, CatalogueError> {
        self.offices
            .iter()
            .find(|office| office.code.as_str() == code)
            .map(|office| office.code.clone())
            .ok_or_else(|| CatalogueError::Unknown {
                what: "office",
                code: code.to_owned(),
            })
    }

    pub fn district(&self, code: &str) -> Result<DistrictCode, CatalogueError> {
        self.districts
            .iter()
            .find(|district| district.code.as_str() == code)
            .map(|district| district.code.clone())
            .ok_or_else(|| CatalogueError::Unknown {
                what: "district",
                code: code.to_owned(),
            })
    }

    /// The focus area of a report that does not name one: the first matching rule's, else the
    /// default.
    pub fn classify(&self, facts: &Circumstances) -> &FocusArea {
        let code = self
            .rules
            .iter()
            .find(|rule| rule.matches(facts))
            .map_or(&self.default_focus_area, |rule| &rule.focus_area);
        self.focus_areas
            .iter()
            .find(|area| &area.code == code)
            .expect("rules and the default were checked against the focus areas at load")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(
        kind: IncidentKind,
        place_kind: PlaceKind,
        affected_category: AffectedCategory,
        perpetrator_relation: PerpetratorRelation,
    ) -> Circumstances {
        Circumstances {
            kind,
            place_kind,
            affected_category,
            affected_gender: crate::Gender::Unknown,
            affected_age_group: crate::AgeGroup::Unknown,
            children_affected: crate::ChildrenAffected::Unknown,
            perpetrator_relation,
            perpetrator_influence: crate::Influence::Unknown,
            severity: crate::Severity::Medium,
        }
    }

    #[test]
    fn a_population_names_known_codes_and_counts_someone() {
        let with = |population: &str| {
            let text = BUILTIN.to_owned() + "\n[population]\n" + population;
            Catalogue::from_toml(&text)
        };
        let catalogue = with(
            "year = 2025\nsource = \"SCB\"\ntotal = 48000\n\
             districts = { central = 21000, west = 14000, east = 13000 }\n\
             gender = { woman = 24100, man = 23900 }",
        )
        .unwrap();
        let population = catalogue.population().unwrap();
        assert_eq!(
            (population.total, population.districts["west"]),
            (48000, 14000)
        );
        assert!(
            Catalogue::builtin().population().is_none(),
            "none is invented"
        );
        for (broken, why) in [
            (
                "year = 2025\nsource = \"SCB\"\ntotal = 9\ndistricts = { mars = 1 }",
                "district",
            ),
            (
                "year = 2025\nsource = \"SCB\"\ntotal = 9\ngender = { robot = 1 }",
                "gender",
            ),
            ("year = 2025\nsource = \"SCB\"\ntotal = 0", "above zero"),
            ("year = 2025\ntotal = 9", "source"),
        ] {
            let error = with(broken).unwrap_err().to_string();
            assert!(error.contains(why), "{broken}: {error}");
        }
    }

    #[test]
    fn builtin_catalogue_has_the_strategys_nine_focus_areas() {
        let catalogue = Catalogue::builtin();
        assert_eq!(catalogue.focus_areas().len(), 9);
        assert_eq!(catalogue.offices().len(), 5);
        assert_eq!(catalogue.districts().len(), 3);
        let public_space = catalogue.focus_area("public_space").unwrap();
        let offices: Vec<_> = public_space
            .offices
            .iter()
            .map(OfficeCode::as_str)
            .collect();
        assert_eq!(offices, ["kommunledning", "samhallsbyggnad"]);
    }

    #[test]
    fn classification_follows_the_strategy() {
        use AffectedCategory as A;
        use IncidentKind as K;
        use PerpetratorRelation as R;
        use PlaceKind as P;
        let catalogue = Catalogue::builtin();
        let cases = [
            (
                facts(K::Violence, P::Home, A::Resident, R::Partner),
                "domestic_violence",
            ),
            (
                facts(K::Threat, P::School, A::PupilChild, R::Pupil),
                "school",
            ),
            (
                facts(K::Threat, P::School, A::Employee, R::Pupil),
                "staff_and_officials",
            ),
            (
                facts(
                    K::ImproperInfluence,
                    P::Workplace,
                    A::ElectedOfficial,
                    R::Unknown,
                ),
                "staff_and_officials",
            ),
            (
                facts(K::ImproperInfluence, P::Digital, A::Resident, R::Unknown),
                "organised_crime",
            ),
            (
                facts(K::Harassment, P::LeisureVenue, A::PupilChild, R::Unknown),
                "youth_leisure",
            ),
            (
                facts(K::Violence, P::Nightlife, A::Resident, R::Unknown),
                "public_space",
            ),
            (
                facts(K::Vandalism, P::Workplace, A::Resident, R::Unknown),
                "urban_planning",
            ),
            (
                facts(K::Other, P::Digital, A::ServiceUser, R::Unknown),
                "public_space",
            ),
        ];
        for (facts, expected) in cases {
            assert_eq!(
                catalogue.classify(&facts).code.as_str(),
                expected,
                "{facts:?}"
            );
        }
    }

    #[test]
    fn invalid_catalogues_are_refused_with_the_reason() {
        let base = BUILTIN.to_owned();
        let cases = [
            (base.replace("offices = [\"utbildning\"]", "offices = [\"skola\"]"), "`skola` is not a known office"),
            (base.replace("default = \"public_space\"", "default = \"parks\""), "`parks` is not a known focus area"),
            (base.replace("code = \"west\"", "code = \"central\""), "the district code `central` appears more than once"),
            (base.replace("code = \"east\"", "code = \"East\""), "`East` is not a valid code"),
            (base.replace("offices = [\"kultur_fritid\"]", "offices = []"), "the focus area `youth_leisure` names no responsible office"),
            (
                base.replace("focus_area = \"school\"\naffected_category = [\"pupil_child\"]\nplace_kind = [\"school\"]", "focus_area = \"school\""),
                "classification rule 2 matches every report",
            ),
            (base.replace("place_kind = [\"home\"]", "place_kind = [\"castle\"]"), "the catalogue is not valid TOML"),
        ];
        for (text, expected) in cases {
            let error = Catalogue::from_toml(&text).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }
}
