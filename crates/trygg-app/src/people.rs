//! The people the service has seen (whom a case or an action may go to) and the pages'
//! signed-in sessions, held on the server so that signing out ends them.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use trygg_storage::{Liveness, Person};

use crate::{App, Error};

impl App {
    /// A sign-in from `client` failed: it spends the client's allowance of failures, as a bad
    /// token does; past it, the client is refused for a while.
    pub fn failed_sign_in(&self, client: IpAddr) -> Result<(), Error> {
        self.allowances
            .failed_authentication(client)
            .map_err(|wait| Error::TooMany {
                what: "failed sign-ins",
                wait,
            })
    }

    /// Records someone whose claims verified, unless this process did so lately with the same
    /// claims. The request goes on whatever the outcome: the directory is not worth a refusal.
    pub async fn saw(&self, person: Person) {
        if !self.database.is_news(&person) {
            return;
        }
        let recorded = self
            .blocking(move |app| Ok(app.database.saw(person)?))
            .await;
        if let Err(error) = recorded {
            tracing::warn!(%error, "could not record a person seen");
        }
    }

    /// Starts a session held under `key` for `person`, ending the session this browser had
    /// before (`earlier`), and forgetting sessions started before `expired_before`.
    pub async fn start_session(
        &self,
        key: String,
        person: Person,
        earlier: Option<String>,
        expired_before: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.blocking(move |app| {
            if let Some(earlier) = earlier {
                app.database.end_session(earlier)?;
            }
            let subject = person.subject.clone();
            app.database.start_session(key, subject, expired_before)?;
            Ok(app.database.saw(person)?)
        })
        .await
    }

    /// Whether the session held under `key` is still alive, as `liveness` judges it; touches
    /// it if so.
    pub async fn continue_session(&self, key: String, liveness: Liveness) -> Result<bool, Error> {
        self.blocking(move |app| Ok(app.database.continue_session(key, liveness)?))
            .await
    }

    /// Ends the session held under `key`.
    pub async fn end_session(&self, key: String) -> Result<(), Error> {
        self.blocking(move |app| Ok(app.database.end_session(key)?))
            .await
    }
}
