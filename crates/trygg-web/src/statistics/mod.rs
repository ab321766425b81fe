//! Statistics on the web, for analysts and security managers: the district picture
//! (lägesbild), the yearly compilation and a statistics page with its downloads. Each shows the
//! API's numbers, from the same storage calls with the same suppression, as charts drawn on
//! the server, summaries in words and the numbers in tables.

mod district;
mod explore;
mod figures;
mod yearly;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Utc};
use std::future::{Ready, ready};
use trygg_app::Release;
use trygg_app::{App, Error};
use trygg_domain::statistics::{Period, StatisticsError, SuppressionThreshold, TableView};
use trygg_domain::time::local_time;
use trygg_domain::{Catalogue, Principal};

use crate::error::WebError;
use crate::i18n::Lang;
use crate::reports::{district_label, focus_area_label, office_label};
use crate::session::Visitor;

pub use district::district_picture;
pub use explore::{download, explore};
pub use figures::{Figure, Labels};
pub use yearly::yearly_compilation;

/// The visitor as a reader of statistics, with what the pages read them from. Anyone but
/// an analyst or a security manager is refused (403), and each page spends one of the
/// visitor's statistics requests, as the API does (429 when none is left).
pub struct Analyst {
    visitor: Visitor,
    principal: Principal,
    app: web::Data<App>,
}

impl FromRequest for Analyst {
    type Error = WebError;
    type Future = Ready<Result<Analyst, WebError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(
            Visitor::from_request(request, payload)
                .into_inner()
                .and_then(|visitor| analyst(request, visitor)),
        )
    }
}

fn analyst(request: &HttpRequest, visitor: Visitor) -> Result<Analyst, WebError> {
    let app = crate::state::<App>(request)?;
    let principal = visitor.user()?.principal(app.catalogue())?;
    app.ask_statistics(&principal)?;
    Ok(Analyst {
        visitor,
        principal,
        app,
    })
}

impl std::fmt::Debug for Analyst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyst")
            .field("visitor", &self.visitor)
            .finish_non_exhaustive()
    }
}

impl Analyst {
    fn lang(&self) -> Lang {
        self.visitor.lang
    }

    fn catalogue(&self) -> &Catalogue {
        self.app.catalogue()
    }

    fn now(&self) -> DateTime<Utc> {
        self.app.clock().now()
    }

    /// The figures this visitor reads (live for a security manager, else the latest
    /// publication), or why there are none in the page's words.
    async fn release(&self) -> Result<Result<Release, String>, WebError> {
        let release = self.app.statistics_release(&self.principal).await;
        publishable(self.lang(), release)
    }

    /// The twelve months a page without a period chosen shows (see
    /// [`Release::default_period`]).
    fn default_period(&self, release: &Release) -> Period {
        release.default_period(self.now())
    }

    fn threshold(&self) -> SuppressionThreshold {
        self.app.disclosure().threshold
    }

    /// What a page says of its figures: live and suppressed, or published on a day and
    /// perturbed.
    fn disclosure_note(&self, release: &Release) -> String {
        let lang = self.lang();
        let threshold = self.threshold().get();
        match release {
            Release::Live => lang.text_with(
                "statistics-live-note",
                &[("threshold", &threshold.to_string())],
            ),
            Release::Published(snapshot, _) => lang.text_with(
                "statistics-published-note",
                &[
                    (
                        "published",
                        &local_time(snapshot.latest.published_at).date().to_string(),
                    ),
                    (
                        "through",
                        &snapshot.latest.through_month.format("%Y-%m").to_string(),
                    ),
                    ("below", &(threshold - 1).to_string()),
                ],
            ),
        }
    }

    /// Whose population the rates are of, or how a municipality adds its own.
    fn population_note(&self) -> String {
        let lang = self.lang();
        match self.catalogue().population() {
            Some(population) => lang.text_with(
                "statistics-population",
                &[
                    ("year", &population.year.to_string()),
                    ("source", &population.source),
                ],
            ),
            None => lang.text("statistics-no-population"),
        }
    }

    /// A figure of a published table, its categories named in the page's language.
    fn figure(&self, id: &str, title_id: &str, table: &TableView) -> Figure {
        Figure::of_table(id, self.lang().text(title_id), table, self.lang(), self)
    }
}

impl Labels for Analyst {
    fn dimension(&self, code: &str) -> String {
        self.lang().text(&format!("statistics-dimension-{code}"))
    }

    /// The catalogue's label, or the vocabulary's; the domain's Swedish one where there is
    /// no other.
    fn category(&self, dimension: &str, code: &str, label: &str) -> String {
        let lang = self.lang();
        if code == "total" {
            return lang.text("statistics-total");
        }
        let catalogue = self.catalogue();
        match dimension {
            "focus_area" => focus_area_label(catalogue, lang, code),
            "office" => office_label(catalogue, lang, code),
            "district" => district_label(catalogue, lang, code),
            vocabulary => {
                let english = vocabulary_prefix(vocabulary)
                    .and_then(|prefix| Lang::En.optional_text(&format!("{prefix}-{code}")));
                lang.pick(label, english.as_deref())
            }
        }
    }
}

/// The prefix of the reporting form's messages for a coded dimension's values.
fn vocabulary_prefix(dimension: &str) -> Option<&'static str> {
    Some(match dimension {
        "kind" => "kind",
        "violence_form" => "violence-form",
        "severity" => "severity",
        "affected_category" => "category",
        "gender" => "gender",
        "age_group" => "age",
        "children_affected" => "children",
        "place_kind" => "place",
        "weekday" => "weekday",
        _ => return None,
    })
}

/// What statistics could be published: the figures, or why not in the page's words. Only the
/// database failing is an error page.
fn publishable<T>(lang: Lang, result: Result<T, Error>) -> Result<Result<T, String>, WebError> {
    let why = match result {
        Ok(published) => return Ok(Ok(published)),
        Err(Error::Statistics(why)) => why,
        Err(other) => return Err(other.into()),
    };
    let id = match why {
        StatisticsError::TooSparse => "statistics-error-sparse",
        StatisticsError::TooLarge(_) => "statistics-error-large",
        StatisticsError::EmptyPeriod => "statistics-error-empty",
        StatisticsError::PeriodTooLong => "statistics-error-long",
        StatisticsError::NothingPublished => "statistics-error-nothing-published",
        StatisticsError::NotCalendarPeriod | StatisticsError::NotPublished(_) => {
            "statistics-error-calendar"
        }
        StatisticsError::NotPublishedAtGrouping => "statistics-error-grouping",
        StatisticsError::PublicationChanged => "statistics-error-publishing",
        _ => "statistics-error-query",
    };
    Ok(Err(lang.text(id)))
}
