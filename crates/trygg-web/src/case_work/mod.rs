//! Case work on the web: the queue and the case page, for handlers of an office and security
//! managers. Every read is in the access log, and every change goes through the same domain
//! rules and storage calls as the API, under the case's version, so that a change made
//! meanwhile by someone else is shown, never overwritten.

mod access_log;
mod alerts;
mod case;
mod changes;
mod queue;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Utc};
use std::future::{Ready, ready};
use trygg_app::{Acknowledger, App};
use trygg_domain::{Catalogue, Principal};

use crate::error::WebError;
use crate::i18n::Lang;
use crate::session::Visitor;

pub use access_log::{check as check_access_log, list as access_log};
pub use alerts::{
    acknowledge as acknowledge_alert, list as alerts, retry as retry_alert,
    retry_all as retry_alerts, show as alert,
};
pub use case::show;
pub use changes::{
    add_action, add_comment, assign, change_action, change_status, reclassify, record_follow_up,
};
pub use queue::queue;

/// The visitor as a case worker, with the cases they work and the service's state. Anyone
/// else is refused (403), as the API refuses them.
pub struct Desk {
    visitor: Visitor,
    principal: Principal,
    app: web::Data<App>,
}

impl FromRequest for Desk {
    type Error = WebError;
    type Future = Ready<Result<Desk, WebError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(
            Visitor::from_request(request, payload)
                .into_inner()
                .and_then(|visitor| desk(request, visitor)),
        )
    }
}

fn desk(request: &HttpRequest, visitor: Visitor) -> Result<Desk, WebError> {
    let app = crate::state::<App>(request)?;
    let principal = visitor.user()?.principal(app.catalogue())?;
    if principal.work_scope().is_none() {
        return Err(WebError::Forbidden);
    }
    Ok(Desk {
        visitor,
        principal,
        app,
    })
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("visitor", &self.visitor)
            .finish_non_exhaustive()
    }
}

impl Desk {
    fn lang(&self) -> Lang {
        self.visitor.lang
    }

    fn catalogue(&self) -> &Catalogue {
        self.app.catalogue()
    }

    fn now(&self) -> DateTime<Utc> {
        self.app.clock().now()
    }

    /// A focus area's label in the page's language.
    fn focus_area_label(&self, code: &str) -> String {
        crate::reports::focus_area_label(self.catalogue(), self.lang(), code)
    }

    /// An alert receiver as people know it: its label in the routing rules, else the office
    /// or the role that acknowledges its alerts, else its code.
    fn receiver_label(&self, code: &str) -> String {
        let lang = self.lang();
        let Some(receiver) = self.app.routing().receiver(code) else {
            return code.to_owned();
        };
        match (&receiver.label, &receiver.acknowledged_by) {
            (Some(label), _) => lang.pick(&label.sv, label.en.as_deref()),
            (None, Some(Acknowledger::Office(office))) => self.office_label(office),
            (None, Some(Acknowledger::SecurityManagers)) => lang.text("receiver-security-managers"),
            (None, None) => code.to_owned(),
        }
    }

    /// An office's label in the page's language.
    fn office_label(&self, code: &str) -> String {
        crate::reports::office_label(self.catalogue(), self.lang(), code)
    }
}

/// A deadline as time left (or past) in words, with the moment itself: never by colour alone.
fn time_left(lang: Lang, due: DateTime<Utc>, now: DateTime<Utc>) -> Deadline {
    let minutes = (due - now).num_minutes();
    let duration = days_and_hours(lang, minutes.abs());
    let message = if minutes > 0 {
        "deadline-left"
    } else {
        "deadline-passed"
    };
    Deadline {
        words: lang.text_with(message, &[("duration", &duration)]),
        late: minutes <= 0,
        at: due,
    }
}

/// A span of minutes in whole days and hours, rounded up to the hour and at least one:
/// "2 dagar 4 timmar", never "52 timmar" or "11684 timmar".
fn days_and_hours(lang: Lang, minutes: i64) -> String {
    let hours = ((minutes + 59) / 60).max(1);
    let (days, hours) = (hours / 24, hours % 24);
    let days = (days > 0).then(|| lang.text_count("duration-days", "days", days));
    let hours = (hours > 0).then(|| lang.text_count("duration-hours", "hours", hours));
    days.into_iter().chain(hours).collect::<Vec<_>>().join(" ")
}

/// A deadline as a page shows it.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub words: String,
    pub late: bool,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_is_in_days_and_hours_rounded_up_to_the_hour() {
        let due: DateTime<Utc> = "2026-12-07T12:00:00Z".parse().unwrap();
        let at = |minutes_before: i64| due - chrono::Duration::minutes(minutes_before);
        for (minutes_before, words) in [
            (30, "1 timme kvar"),
            (23 * 60 + 1, "1 dag kvar"),
            (52 * 60, "2 dagar 4 timmar kvar"),
            (0, "Försenad 1 timme"),
            (-(11_684 * 60), "Försenad 486 dagar 20 timmar"),
        ] {
            assert_eq!(time_left(Lang::Sv, due, at(minutes_before)).words, words);
        }
        assert_eq!(
            time_left(Lang::En, due, at(-25 * 60)).words,
            "1 day 1 hour late"
        );
    }
}
