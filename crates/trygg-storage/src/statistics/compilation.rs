//! The yearly compilation (årlig sammanställning) and the district picture: tables of a year,
//! protected together, as the pages and the API publish them.

use std::thread;

use trygg_domain::Catalogue;
use trygg_domain::statistics::{
    CategoryView, CellKey, CountView, Dimension, DistrictPicture, Period, PeriodView,
    PerturbationTable, PopulationSource, Section, StatisticsError, StatisticsQuery,
    SuppressionThreshold, Table, TableView, YearlyCompilation, median_days, per_100_000, share,
};

use super::published::{PublishError, median_threshold, protect, summed_out, together};
use super::{Counts, Outcomes, Release};
use crate::database::Database;

impl Database {
    /// The yearly compilation for the executive board: per focus area (and in total) and per
    /// responsible office, cases by kind, severity, gender and age group, the shares police
    /// reported and closed, and the median days to close.
    pub fn yearly_compilation(
        &self,
        catalogue: &Catalogue,
        year: i32,
        release: &Release,
        threshold: SuppressionThreshold,
    ) -> Result<YearlyCompilation, PublishError> {
        let period = Period::year(year)
            .filter(|_| (1970..=9998).contains(&year))
            .ok_or(StatisticsError::NoSuchYear(year))?;
        release.check(&period)?;
        // The two halves share no count, so they are counted at once on two connections.
        let (focus_areas, offices) = thread::scope(|scope| {
            let offices = scope.spawn(|| {
                self.yearly_sections(catalogue, period, Dimension::Office, release, threshold)
            });
            let focus_areas =
                self.yearly_sections(catalogue, period, Dimension::FocusArea, release, threshold);
            let offices = offices
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (focus_areas, offices)
        });
        let (mut focus_areas, mut offices) = (focus_areas?, offices?);
        self.confirm(release)?;
        let total = focus_areas.pop();
        // A case with two offices counts under both: the offices' total counts no cases.
        offices.pop();
        Ok(YearlyCompilation {
            release: release.view(),
            year,
            suppression_threshold: threshold.get(),
            population: catalogue.population().map(PopulationSource::from),
            total,
            focus_areas,
            offices,
        })
    }

    /// A year's sections per category of `by` (focus area or office), the total last. Two
    /// reads give every table: `by` × kind × severity with the outcomes (one rollup holds
    /// them) and `by` × gender × age group, each table then summed out of one of them.
    fn yearly_sections(
        &self,
        catalogue: &Catalogue,
        period: Period,
        by: Dimension,
        release: &Release,
        threshold: SuppressionThreshold,
    ) -> Result<Vec<Section>, PublishError> {
        let query = |group_by: &[Dimension]| {
            let codes: Vec<&str> = group_by.iter().map(|d| d.code()).collect();
            StatisticsQuery::new(catalogue, period, &codes, &[])
        };
        let (kind, severity, gender, age) = (
            Dimension::Kind,
            Dimension::Severity,
            Dimension::Gender,
            Dimension::AgeGroup,
        );
        let events = self.count(&query(&[by, kind, severity])?, release, Outcomes::Needed)?;
        let people = self.count(&query(&[by, gender, age])?, release, Outcomes::NotNeeded)?;
        let mut tables = Vec::with_capacity(4);
        for (counts, kept, breakdown) in [
            (&events, 1, kind),
            (&events, 2, severity),
            (&people, 1, gender),
            (&people, 2, age),
        ] {
            let counts = summed_out(counts, &[0, kept]);
            tables.push(protect(
                catalogue,
                &query(&[by, breakdown])?,
                counts,
                release,
                threshold,
            )?);
        }
        let tables = together(tables)?;
        let outcomes = summed_out(&events, &[0]);
        let days = self.days_to_close(&period, by, release)?;
        // Published shares come from perturbed counts too: exact ones would give away the
        // exact number of cases they are a share of (7 in 23 is 0.304…, and nothing else is).
        let noise = match release {
            Release::Live => None,
            Release::Published(snapshot, perturbation) => {
                Some((perturbation, perturbation.salt(snapshot.salt(&period))))
            }
        };
        let inhabitants = catalogue.population().map(|population| population.total);
        Ok(sections(
            &tables,
            &outcomes,
            &days,
            threshold,
            median_threshold(release, threshold),
            noise,
            inhabitants,
        ))
    }

    /// The district picture (lägesbild) for a local crime-prevention council: the period in
    /// the district by month and focus area, by kind of place, by hour of day and by weekday
    /// (local time), protected together, each cell compared with the period before. `None`
    /// when there is no such district.
    pub fn district_picture(
        &self,
        catalogue: &Catalogue,
        district: &str,
        period: Period,
        release: &Release,
        threshold: SuppressionThreshold,
    ) -> Result<Option<DistrictPicture>, PublishError> {
        let Some(entry) = catalogue
            .districts()
            .iter()
            .find(|entry| entry.code.as_str() == district)
        else {
            return Ok(None);
        };
        let filter = [("district", district)];
        let queries = [
            &["month", "focus_area"][..],
            &["place_kind"],
            &["hour"],
            &["weekday"],
        ]
        .map(|group_by| StatisticsQuery::new(catalogue, period, group_by, &filter));
        // Each question and its previous period in one read; each period's tables protected
        // together.
        let (mut now, mut before) = (Vec::with_capacity(4), Vec::with_capacity(4));
        for query in queries {
            let (table, previous) =
                self.protected_table_with_previous(catalogue, &query?, release, threshold)?;
            now.push(table);
            before.extend(previous);
        }
        let now: [Table; 4] = together(now)?;
        let before: Option<[Table; 4]> = match before.len() {
            4 => Some(together(before)?),
            _ => None,
        };
        let population = catalogue.population();
        let [by_month_and_focus_area, by_place_kind, by_hour, by_weekday] =
            std::array::from_fn(|at| {
                let view = TableView::new(&now[at], before.as_ref().map(|before| &before[at]));
                match population {
                    Some(population) => view.with_rates(population, &filter),
                    None => view,
                }
            });
        Ok(Some(DistrictPicture {
            release: release.view(),
            district: CategoryView::new(entry.code.as_str(), &entry.label),
            period: PeriodView::from(&period),
            suppression_threshold: threshold.get(),
            population: population.map(PopulationSource::from),
            by_month_and_focus_area,
            by_place_kind,
            by_hour,
            by_weekday,
        }))
    }
}

/// What tells apart the keys of a section's cases, its closed and its police-reported cases.
const ALL_CASES: u32 = 0;
const CLOSED: u32 = 0x636c_6f73; // "clos"
const POLICE_REPORTED: u32 = 0x706f_6c69; // "poli"

/// A section per category of the tables' first axis, the total last. The tables are
/// `[by, kind]`, `[by, severity]`, `[by, gender]` and `[by, age_group]`, protected together;
/// `outcomes` counts by `by` alone, and `days` gives days to close per code of `by`.
fn sections(
    tables: &[Table; 4],
    outcomes: &Counts,
    days: &[(String, i32, i64)],
    threshold: SuppressionThreshold,
    median_over: SuppressionThreshold,
    noise: Option<(&PerturbationTable, u32)>,
    inhabitants: Option<u64>,
) -> Vec<Section> {
    let Some(first) = tables.first() else {
        return Vec::new();
    };
    let categories = &first.axes()[0].categories;
    categories
        .iter()
        .enumerate()
        .map(|(row, category)| {
            let is_total = row + 1 == categories.len();
            let breakdown = |table: &Table| {
                let columns = &table.axes()[1].categories;
                columns[..columns.len() - 1]
                    .iter()
                    .enumerate()
                    .map(|(column, c)| {
                        let count = table.count(table.index(&[row, column]));
                        CountView {
                            code: c.code.clone(),
                            label: c.label.clone(),
                            count,
                            suppressed: count.is_none(),
                        }
                    })
                    .collect()
            };
            let mine = |code: &str| is_total || code == category.code;
            let (cases, closed, police, keys) = outcomes
                .iter()
                .filter(|(cell, _)| mine(&cell[0]))
                .fold((0, 0, 0, 0i64), |(n, c, p, k), (_, m)| {
                    (
                        n + m.cases,
                        c + m.closed,
                        p + m.police_reported,
                        k.wrapping_add(m.key_sum),
                    )
                });
            let histogram: Vec<(i32, u64)> = days
                .iter()
                .filter(|(code, _, _)| mine(code))
                .map(|(_, days, n)| (*days, u64::try_from(*n).unwrap_or(0)))
                .collect();
            // Each part of a share its own cell: the closed and the police-reported cases are
            // keyed apart from all the cases, so each is drawn on its own.
            let count = |n: i64, part: u32| {
                let n = u64::try_from(n).unwrap_or(0);
                match noise {
                    None => n,
                    Some((perturbation, salt)) => {
                        let key = CellKey::new(keys, salt.wrapping_add(part));
                        perturbation.perturb(n, key)
                    }
                }
            };
            let published = first.count(first.index(&[row, first.axes()[1].categories.len() - 1]));
            // A figure derived from a suppressed count gives it away (3 police-reported cases
            // at a share of 0.0536 are 56 cases), so it is suppressed with the count.
            // Nor beside a published zero, which the figure would show to be noise.
            let derived = |figure: Option<f64>| figure.filter(|_| published.is_some_and(|n| n > 0));
            Section {
                code: category.code.clone(),
                label: category.label.clone(),
                cases: published,
                by_kind: breakdown(&tables[0]),
                by_severity: breakdown(&tables[1]),
                by_gender: breakdown(&tables[2]),
                by_age_group: breakdown(&tables[3]),
                police_reported_share: derived(share(
                    count(police, POLICE_REPORTED),
                    count(cases, ALL_CASES),
                    threshold,
                )),
                closed_share: derived(share(
                    count(closed, CLOSED),
                    count(cases, ALL_CASES),
                    threshold,
                )),
                median_days_to_close: derived(median_days(&histogram, median_over)),
                cases_per_100_000: per_100_000(published, inhabitants),
            }
        })
        .collect()
}
