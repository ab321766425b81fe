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
use trygg_domain::{Catalogue, Clock, Principal, Role, Visibility};
use trygg_storage::Database;

use crate::error::WebError;
use crate::i18n::Lang;
use crate::session::Visitor;

pub use access_log::{check as check_access_log, list as access_log};
pub use alerts::{
    acknowledge as acknowledge_alert, list as alerts, retry as retry_alert, show as alert,
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
    scope: Visibility,
    database: web::Data<Database>,
    catalogue: web::Data<Catalogue>,
    clock: web::Data<Clock>,
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
    use crate::state;
    let catalogue = state::<Catalogue>(request)?;
    let principal = visitor.user()?.principal(&catalogue)?;
    let scope = principal.work_scope().ok_or(WebError::Forbidden)?;
    Ok(Desk {
        visitor,
        principal,
        scope,
        database: state(request)?,
        catalogue,
        clock: state(request)?,
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

    /// Alerts and the access log are a security manager's; anyone else is refused (403), as
    /// by the API.
    fn security_manager(&self) -> Result<(), WebError> {
        if self.principal.has(Role::SecurityManager) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// Why a case is not among those the visitor works: their own report outside their
    /// office is forbidden (they filed it), any other case not found, as by the API.
    async fn not_worked(&self, id: uuid::Uuid) -> WebError {
        let (reader, subject) = (self.database.clone(), self.principal.subject().to_owned());
        match web::block(move || reader.is_reporter_of(id, &subject)).await {
            Ok(Ok(true)) => WebError::Forbidden,
            Ok(Ok(false)) => WebError::NotFound,
            Ok(Err(error)) => error.into(),
            Err(error) => error.into(),
        }
    }

    /// A focus area's label in the page's language.
    fn focus_area_label(&self, code: &str) -> String {
        crate::reports::focus_area_label(&self.catalogue, self.lang(), code)
    }

    /// An office's label in the page's language.
    fn office_label(&self, code: &str) -> String {
        crate::reports::office_label(&self.catalogue, self.lang(), code)
    }
}

/// A deadline as time left (or past) in words, with the moment itself: never by colour alone.
fn time_left(lang: Lang, due: DateTime<Utc>, now: DateTime<Utc>) -> Deadline {
    let minutes = (due - now).num_minutes();
    let hours = |minutes: i64| (minutes + 59) / 60;
    let words = if minutes > 0 {
        lang.text_count("deadline-left", "hours", hours(minutes))
    } else {
        lang.text_count("deadline-passed", "hours", hours(-minutes).max(1))
    };
    Deadline {
        words,
        late: minutes <= 0,
        at: due,
    }
}

/// A deadline as a page shows it.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub words: String,
    pub late: bool,
    pub at: DateTime<Utc>,
}
