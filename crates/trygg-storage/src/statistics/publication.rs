//! Statistics published on the calendar (see [`Snapshot`]). The rollups hold the published
//! figures of every published month: a change to a case in such a month (a late report, a
//! reclassification, a closing) waits in the pending counts, where live figures see it and
//! published ones do not, until a revision folds it in. A publication folds in the pending
//! counts of the months it publishes, in the transaction that records it.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::max;
use diesel::prelude::*;
use trygg_domain::statistics::pxweb::Series;
use trygg_domain::statistics::{
    Period, PerturbationParameters, PerturbationTable, PublicationCalendar, PublicationView,
    ReleaseView, Snapshot, StatisticsError, SuppressionThreshold, first_day_of_month_number,
};
use uuid::Uuid;

use super::{FOLD_LOCK_KEY, PublishError, tables};
use crate::database::{Database, DbConnection};
use crate::error::StorageError;
use crate::schema::statistics_publications;

/// How statistics are protected and published, as configured.
#[derive(Debug, Clone)]
pub struct DisclosureControl {
    /// The smallest count published live; shares and medians keep to it in published figures
    /// too.
    pub threshold: SuppressionThreshold,
    pub perturbation: PerturbationTable,
    pub calendar: PublicationCalendar,
}

impl DisclosureControl {
    pub fn new(
        threshold: SuppressionThreshold,
        max_noise: Option<u32>,
        variance: Option<f64>,
        calendar: PublicationCalendar,
    ) -> Result<DisclosureControl, StatisticsError> {
        let parameters = PerturbationParameters::for_threshold(threshold, max_noise, variance)?;
        Ok(DisclosureControl {
            threshold,
            perturbation: PerturbationTable::new(parameters)?,
            calendar,
        })
    }
}

impl Default for DisclosureControl {
    fn default() -> Self {
        DisclosureControl::new(
            SuppressionThreshold::DEFAULT,
            None,
            None,
            PublicationCalendar::DEFAULT,
        )
        .expect("the defaults are valid")
    }
}

/// Which figures a statistics read gives.
#[derive(Debug, Clone)]
pub enum Release {
    /// As they are now, for those who may read the cases: small counts suppressed.
    Live,
    /// As last published, each count perturbed by the cell-key method.
    Published(Snapshot, PerturbationTable),
}

impl Release {
    /// Checks that published figures are asked for a published calendar period (see
    /// [`Snapshot::check`]); live figures answer any period.
    pub fn check(&self, period: &Period) -> Result<(), StatisticsError> {
        match self {
            Release::Live => Ok(()),
            Release::Published(snapshot, _) => snapshot.check(period),
        }
    }

    /// The twelve months a question without a period covers: up to this month's end live, up
    /// to the latest published month otherwise.
    pub fn default_period(&self, now: DateTime<Utc>) -> Period {
        match self {
            Release::Live => Period::last_twelve_months(now),
            Release::Published(snapshot, _) => snapshot.last_twelve_months(),
        }
    }

    /// Which figures these are, as answers say.
    pub fn view(&self) -> ReleaseView {
        match self {
            Release::Live => ReleaseView::live(),
            Release::Published(snapshot, _) => ReleaseView::published(snapshot.latest.clone()),
        }
    }
}

/// The latest month published (a month number), if any: its changes are held back.
pub(super) fn frozen_through(conn: &mut DbConnection) -> Result<Option<i32>, StorageError> {
    Ok(statistics_publications::table
        .select(max(statistics_publications::through_month))
        .first(conn)?)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = statistics_publications)]
struct PublicationRow {
    id: i64,
    published_at: NaiveDateTime,
    through_month: i32,
    revision: bool,
    salt: i64,
}

impl PublicationRow {
    fn view(&self) -> PublicationView {
        PublicationView {
            id: self.id,
            published_at: self.published_at.and_utc(),
            through_month: first_day_of_month_number(self.through_month),
            revision: self.revision,
        }
    }
}

fn publications(conn: &mut DbConnection) -> Result<Vec<PublicationRow>, StorageError> {
    Ok(statistics_publications::table
        .order(statistics_publications::id)
        .select(PublicationRow::as_select())
        .load(conn)?)
}

/// Records a publication through `through` (a month number), with a salt of its own, and
/// folds the pending counts of the months it publishes into the rollups: all up to `through`
/// for a revision, else those after the latest published month. On the caller's transaction,
/// which holds the fold lock.
fn publish(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    through: i32,
    revision: bool,
) -> Result<PublicationView, StorageError> {
    let frozen = frozen_through(conn)?;
    let first = match frozen {
        Some(frozen) if !revision => frozen + 1,
        _ => 0,
    };
    for cube in tables() {
        cube.fold(conn, first..through + 1)?;
    }
    let id = statistics_publications::table
        .select(max(statistics_publications::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0)
        + 1;
    let row = PublicationRow {
        id,
        published_at: now.naive_utc(),
        through_month: through,
        revision,
        salt: i64::from(Uuid::new_v4().as_u128() as u32),
    };
    diesel::insert_into(statistics_publications::table)
        .values((
            statistics_publications::id.eq(row.id),
            statistics_publications::published_at.eq(row.published_at),
            statistics_publications::through_month.eq(row.through_month),
            statistics_publications::revision.eq(row.revision),
            statistics_publications::salt.eq(row.salt),
        ))
        .execute(conn)?;
    Ok(row.view())
}

/// After the rollups were filled from the cases anew, published months show the cases as they
/// are: that is a revision, recorded as one (with salts of its own) if anything was published.
pub(super) fn revised_by_rebuild(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    if let Some(through) = frozen_through(conn)? {
        publish(conn, now, through, true)?;
    }
    Ok(())
}

fn lock(conn: &mut DbConnection) -> Result<(), StorageError> {
    if let DbConnection::Postgresql(_) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({FOLD_LOCK_KEY})"))
            .execute(conn)?;
    }
    Ok(())
}

impl Database {
    /// The published statistics as they stand; `None` before the first publication.
    pub fn statistics_snapshot(&self) -> Result<Option<Snapshot>, StorageError> {
        let mut conn = self.connection()?;
        let rows = publications(&mut conn)?;
        Ok(Snapshot::new(
            rows.iter()
                .map(|row| (row.view(), row.salt as u32))
                .collect(),
        ))
    }

    /// The latest publication's figures, perturbed, the months a published series spans (from
    /// the first with a counted case through the latest published: PxWeb's tables) and the
    /// publication itself. One connection for both reads.
    pub fn published_series_span(
        &self,
        control: &DisclosureControl,
    ) -> Result<(Release, Series, PublicationView), PublishError> {
        let mut conn = self.connection()?;
        let rows = publications(&mut conn)?;
        let snapshot = Snapshot::new(
            rows.iter()
                .map(|row| (row.view(), row.salt as u32))
                .collect(),
        )
        .ok_or(StatisticsError::NothingPublished)?;
        let series = Series::new(super::first_counted_month(&mut conn)?, snapshot.through());
        let publication = snapshot.latest.clone();
        Ok((
            Release::Published(snapshot, control.perturbation.clone()),
            series,
            publication,
        ))
    }

    /// The figures a reader gets: live for one who may read every case, else the latest
    /// publication, perturbed.
    pub fn release_for(
        &self,
        reads_every_case: bool,
        control: &DisclosureControl,
    ) -> Result<Release, PublishError> {
        if reads_every_case {
            return Ok(Release::Live);
        }
        let snapshot = self
            .statistics_snapshot()?
            .ok_or(StatisticsError::NothingPublished)?;
        Ok(Release::Published(snapshot, control.perturbation.clone()))
    }

    /// Checks, after reading published figures, that no publication came between reading the
    /// release (its salts) and the counts: a revision's counts under the salts before it would
    /// show which cells it changed. The reader asks again (see
    /// [`StatisticsError::PublicationChanged`]).
    pub fn confirm(&self, release: &Release) -> Result<(), PublishError> {
        let Release::Published(snapshot, _) = release else {
            return Ok(());
        };
        let mut conn = self.connection()?;
        let latest: Option<i64> = statistics_publications::table
            .select(max(statistics_publications::id))
            .first(&mut *conn)
            .map_err(StorageError::from)?;
        match latest == Some(snapshot.latest.id) {
            true => Ok(()),
            false => Err(StatisticsError::PublicationChanged.into()),
        }
    }

    /// Every publication, the latest first.
    pub fn publications(&self) -> Result<Vec<PublicationView>, StorageError> {
        let mut conn = self.connection()?;
        let rows = publications(&mut conn)?;
        Ok(rows.iter().rev().map(PublicationRow::view).collect())
    }

    /// Publishes what the calendar has made due by now, if anything; with `revise`, revises
    /// every published month at once (an operator's correction), publishing what is due too.
    /// The first publication publishes every month up to the due one.
    pub fn publish_statistics(
        &self,
        calendar: PublicationCalendar,
        revise: bool,
    ) -> Result<Option<PublicationView>, StorageError> {
        let now = self.clock.now();
        let due = calendar.due_through(now);
        let nothing_due = move |frozen: Option<i32>| !revise && frozen.is_some_and(|f| f >= due);
        // Most looks find nothing due: they take no lock and fold nothing.
        let frozen = frozen_through(&mut *self.connection()?)?;
        if nothing_due(frozen) {
            return Ok(None);
        }
        // What filings on PostgreSQL left uncounted is counted first, as of now.
        self.fold_statistics()?;
        self.write(move |conn| {
            lock(conn)?;
            let frozen = frozen_through(conn)?;
            if nothing_due(frozen) {
                return Ok(None);
            }
            let through = frozen.map_or(due, |frozen| frozen.max(due));
            // A publication that catches up on several months revises if any of them is a
            // quarter's last.
            let first_new = frozen.map_or(through, |frozen| frozen + 1);
            let revision = revise
                || frozen.is_none()
                || (first_new..=through).any(|month| calendar.revises(month));
            publish(conn, now, through, revision).map(Some)
        })
    }
}
