//! The rollup rows a case counts in, and what each row counts.

use super::*;
use chrono::{DateTime, Utc};
use trygg_domain::NewReport;

/// A rollup row's key: its rollup, time, days to close (when keyed by them) and key values
/// joined in the order of `Cube::key_columns`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Cell {
    pub(super) cube: usize,
    pub(super) time: i32,
    pub(super) days: i32,
    pub(super) keys: Box<str>,
}

/// How many cases a cell counts, of those how many are closed and police-reported, and the
/// sum of their record keys (the cell key before its modulo, see
/// [`trygg_domain::statistics::CellKey`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measures {
    pub cases: i64,
    pub closed: i64,
    pub police_reported: i64,
    pub key_sum: i64,
}

impl Measures {
    /// What a case counts: itself, whether it is closed and police-reported, and its key.
    pub(super) fn of(case: &CaseFacts) -> Measures {
        Measures {
            cases: 1,
            closed: i64::from(case.days_to_close.is_some()),
            police_reported: i64::from(case.police_reported),
            key_sum: i64::from(case.record_key.get()),
        }
    }

    pub(super) fn add(&mut self, other: Measures, sign: i64) {
        self.cases += sign * other.cases;
        self.closed += sign * other.closed;
        self.police_reported += sign * other.police_reported;
        self.key_sum += sign * other.key_sum;
    }

    /// The values of a rollup's measure columns, in their order.
    pub(super) fn values(self, cube: &Cube) -> impl Iterator<Item = i64> {
        cube.measures().iter().map(move |measure| match *measure {
            "n" => self.cases,
            "closed" => self.closed,
            "police_reported" => self.police_reported,
            "key_sum" => self.key_sum,
            other => unreachable!("`{other}` is not a measure"),
        })
    }
}

/// The coded facts of a stored case.
pub(crate) fn facts_of(incident: &Incident) -> CaseFacts {
    CaseFacts::new(
        incident.occurred_at,
        incident.focus_area.as_str().to_owned(),
        incident
            .offices
            .iter()
            .map(|office| office.as_str().to_owned())
            .collect(),
        incident.district.as_str().to_owned(),
        incident.circumstances,
        incident.violence_forms.clone(),
        incident.follow_up.police_report_filed,
        (incident.received_at, incident.closed_at),
        incident.record_key,
    )
}

/// The facts a case counts by as it is filed: not reported to the police, not closed.
/// The facts of a case being filed: `report`, received at `received_at`.
pub(crate) fn facts_of_new(
    report: &NewReport,
    received_at: DateTime<Utc>,
    record_key: RecordKey,
) -> CaseFacts {
    CaseFacts::new(
        report.occurred_at,
        report.focus_area.as_str().to_owned(),
        report
            .offices
            .iter()
            .map(|office| office.as_str().to_owned())
            .collect(),
        report.district.as_str().to_owned(),
        report.circumstances,
        report.violence_forms.as_slice().to_vec(),
        false,
        (received_at, None),
        record_key,
    )
}

/// A rollup row a case counts in, borrowed: its rollup (an index into [`CUBES`]), time, days
/// to close (when keyed by them) and key values in the order of `Cube::key_columns`.
pub(super) struct RowKey<'a> {
    pub(super) cube: usize,
    pub(super) time: i32,
    pub(super) days: i32,
    pub(super) keys: &'a [&'a str],
}

impl RowKey<'_> {
    pub(super) fn to_cell(&self) -> Cell {
        Cell {
            cube: self.cube,
            time: self.time,
            days: self.days,
            keys: self.keys.join(SEPARATOR).into(),
        }
    }
}

/// Each rollup's `pair` key (`None` but for the pairs), made once rather than per case.
pub(super) static PAIR_CODES: LazyLock<Vec<Option<String>>> =
    LazyLock::new(|| CUBES.iter().map(|cube| cube.pair_code()).collect());

/// Calls `each` with every rollup row a case counts in.
pub(super) fn for_each_cell(case: &CaseFacts, mut each: impl FnMut(RowKey<'_>)) {
    // A case's values per dimension, read once for all the rollups that key by it: as they
    // are, and after `*` for the rollups that count the case once whatever its values.
    let values_of: foldhash::HashMap<Dimension, Vec<String>> = Dimension::CATEGORICAL
        .into_iter()
        .map(|dimension| (dimension, case.values(dimension)))
        .collect();
    let choices_of: foldhash::HashMap<Dimension, (Vec<&str>, Vec<&str>)> = values_of
        .iter()
        .map(|(dimension, values)| {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            let starred = std::iter::once(ALL).chain(values.iter().copied()).collect();
            (*dimension, (values, starred))
        })
        .collect();
    for (index, cube) in CUBES.iter().enumerate() {
        let days = match (cube.days_to_close, case.days_to_close) {
            (false, _) => 0,
            (true, Some(days)) => i32::try_from(days).unwrap_or(i32::MAX),
            (true, None) => continue,
        };
        // Every combination of the key values: `*` and each office or form, one of the rest.
        let starred = cube.starred();
        let pair = PAIR_CODES[index].as_deref().map(|code| [code]);
        let choices: Vec<&[&str]> = pair
            .as_ref()
            .map(|pair| &pair[..])
            .into_iter()
            .chain(cube.dimensions().map(|dimension| {
                let (values, with_all) = &choices_of[&dimension];
                match starred.contains(&dimension) {
                    true => &with_all[..],
                    false => &values[..],
                }
            }))
            .collect();
        let time = cube.time.of(case.occurred.date());
        for_each_combination(&choices, |keys| {
            each(RowKey {
                cube: index,
                time,
                days,
                keys,
            })
        });
    }
}
