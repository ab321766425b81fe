//! Reading statistics: who may, how often, and which figures they read (live for those who
//! may read every case, else the latest publication); every figure protected on its way out.

use trygg_domain::statistics::pxweb::{Counted, Plan, Series};
use trygg_domain::statistics::{
    DistrictPicture, Period, PublicationView, StatisticsQuery, Table, YearlyCompilation,
};
use trygg_domain::{Catalogue, Principal};
use trygg_storage::{DisclosureControl, Release};

use crate::{App, Error};

impl App {
    /// How statistics are protected and published.
    pub fn disclosure(&self) -> &DisclosureControl {
        &self.disclosure
    }

    /// Whether `by` may ask a statistics question now: an analyst or a security manager,
    /// within their allowance (many near-identical questions are how suppressed counts would
    /// be worked out).
    pub fn ask_statistics(&self, by: &Principal) -> Result<(), Error> {
        if !by.may_read_statistics() {
            return Err(Error::Forbidden(
                "statistics are for analysts and security managers",
            ));
        }
        self.allowances
            .statistics(by.subject())
            .map_err(|wait| Error::TooMany {
                what: "statistics requests",
                wait,
            })
    }

    /// The figures `by` reads: live for a security manager, else the latest publication.
    pub async fn statistics_release(&self, by: &Principal) -> Result<Release, Error> {
        let live = by.reads_live_statistics();
        self.blocking(move |app| Ok(app.database.release_for(live, &app.disclosure)?))
            .await
    }

    /// The protected table answering `query` in `release`; with `compared`, also the period
    /// of the same length before it, counted in the same read.
    pub async fn statistics_table(
        &self,
        query: StatisticsQuery,
        release: Release,
        compared: bool,
    ) -> Result<(Table, Option<Table>), Error> {
        self.blocking(move |app| {
            let (catalogue, threshold) = (&app.catalogue, app.disclosure.threshold);
            Ok(if compared {
                app.database
                    .protected_table_with_previous(catalogue, &query, &release, threshold)?
            } else {
                let table = app
                    .database
                    .protected_table(catalogue, &query, &release, threshold)?;
                (table, None)
            })
        })
        .await
    }

    /// The publications, the latest first.
    pub async fn publications(&self) -> Result<Vec<PublicationView>, Error> {
        self.blocking(|app| Ok(app.database.publications()?)).await
    }

    /// The yearly compilations of `year` and, where `before` says so, of the year before,
    /// read together.
    pub async fn yearly_compilations(
        &self,
        year: i32,
        before: bool,
        release: Release,
    ) -> Result<(YearlyCompilation, Option<YearlyCompilation>), Error> {
        self.blocking(move |app| {
            let (database, threshold) = (&app.database, app.disclosure.threshold);
            let this = database.yearly_compilation(&app.catalogue, year, &release, threshold)?;
            let previous = before
                .then(|| database.yearly_compilation(&app.catalogue, year - 1, &release, threshold))
                .transpose()?;
            Ok((this, previous))
        })
        .await
    }

    /// The picture of one district over `period`, if the catalogue has the district.
    pub async fn district_picture(
        &self,
        district: String,
        period: Period,
        release: Release,
    ) -> Result<Option<DistrictPicture>, Error> {
        self.blocking(move |app| {
            let threshold = app.disclosure.threshold;
            Ok(app.database.district_picture(
                &app.catalogue,
                &district,
                period,
                &release,
                threshold,
            )?)
        })
        .await
    }

    /// The series every published table spans, and the latest publication.
    pub async fn published_span(&self) -> Result<(Series, PublicationView), Error> {
        self.blocking(|app| {
            let (_, series, publication) = app.database.published_series_span(&app.disclosure)?;
            Ok((series, publication))
        })
        .await
    }

    /// Whether filings leave statistics pending, to be folded into the rollups later
    /// (PostgreSQL, where many instances file at once); SQLite folds as it files.
    pub fn keeps_statistics_pending(&self) -> bool {
        self.database.backend() == trygg_storage::Backend::Postgres
    }

    /// Folds the statistics filings left pending (on PostgreSQL) into the rollups; how many.
    /// Statistics are exact either way; folding keeps what they read beside the rollups small.
    pub async fn fold_pending_statistics(&self) -> Result<u64, Error> {
        self.blocking(|app| Ok(app.database.fold_statistics()?))
            .await
    }

    /// Publishes the statistics the calendar has made due, if any; several instances publish
    /// once, one after another finding nothing due.
    pub async fn publish_due_statistics(&self) -> Result<Option<PublicationView>, Error> {
        self.blocking(|app| {
            let calendar = app.disclosure.calendar;
            Ok(app.database.publish_statistics(calendar, false)?)
        })
        .await
    }

    /// Answers from the published series: `answer` is given them, read on the blocking pool,
    /// and counts what its plan asks there, in the same trip.
    pub async fn answer_from_published<T, E>(
        &self,
        answer: impl FnOnce(Published<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<Error> + Send + 'static,
    {
        let app = self.clone();
        tokio::task::spawn_blocking(move || {
            let (release, series, publication) = app
                .database
                .published_series_span(&app.disclosure)
                .map_err(Error::from)?;
            answer(Published {
                series,
                publication,
                release,
                app: &app,
            })
        })
        .await
        .map_err(|failed| Error::Internal(failed.to_string()))?
    }
}

/// The published series, as [`App::answer_from_published`] gives them.
#[derive(Debug)]
pub struct Published<'a> {
    pub series: Series,
    pub publication: PublicationView,
    release: Release,
    app: &'a App,
}

impl Published<'_> {
    /// The catalogue the tables' categories come from.
    pub fn catalogue(&self) -> &Catalogue {
        &self.app.catalogue
    }

    /// The protected counts `plan` asks of the published figures.
    pub fn count(&self, plan: &Plan) -> Result<Vec<Counted>, Error> {
        let app = self.app;
        Ok(app.database.published_series(
            &app.catalogue,
            plan,
            &self.release,
            app.disclosure.threshold,
        )?)
    }
}
