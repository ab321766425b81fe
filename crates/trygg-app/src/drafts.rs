//! Reports in the making: a reporter's answers kept after every page of the form, so that a
//! lost session or a closed tab loses nothing, and forgotten once unchanged for a day.

use chrono::Duration;

use crate::{App, Error};

/// Unsent answers are kept this long after their last change.
const DRAFT_LIFETIME: Duration = Duration::hours(24);

impl App {
    /// The answers `subject` has kept, if any are still alive.
    pub async fn draft(&self, subject: &str) -> Result<Option<String>, Error> {
        let (subject, since) = (subject.to_owned(), self.clock.now() - DRAFT_LIFETIME);
        self.blocking(move |app| Ok(app.database.draft(&subject, since)?))
            .await
    }

    /// Keeps `answers` for `subject` in place of any earlier ones.
    pub async fn save_draft(&self, subject: &str, answers: String) -> Result<(), Error> {
        let (subject, expired) = (subject.to_owned(), self.clock.now() - DRAFT_LIFETIME);
        self.blocking(move |app| Ok(app.database.save_draft(subject, answers, expired)?))
            .await
    }

    /// Forgets `subject`'s answers.
    pub async fn discard_draft(&self, subject: &str) -> Result<(), Error> {
        let subject = subject.to_owned();
        self.blocking(move |app| Ok(app.database.discard_draft(subject)?))
            .await
    }
}
