//! The access log as security managers read it: who read which case and why, and whether its
//! hash chains still hold.

use std::collections::HashMap;

use trygg_domain::{CaseNumber, Principal};
use trygg_storage::{AccessEntry, AccessFilter, ChainReport, Person};
use uuid::Uuid;

use crate::{App, Error, security_manager};

const ONLY_SECURITY_MANAGERS: &str = "only security managers read the access log";

/// A page of the access log with the case numbers and the people it names.
#[derive(Debug)]
pub struct AccessEntries {
    pub entries: Vec<AccessEntry>,
    /// By case id.
    pub case_numbers: HashMap<String, CaseNumber>,
    /// By subject.
    pub people: HashMap<String, Person>,
}

impl App {
    /// Whether `by` may read the access log: for a front end to say so before it reads what
    /// was asked.
    pub fn may_audit(&self, by: &Principal) -> Result<(), Error> {
        security_manager(by, ONLY_SECURITY_MANAGERS)
    }

    /// The entries `filter` selects.
    pub async fn access_log(
        &self,
        by: &Principal,
        filter: AccessFilter,
    ) -> Result<Vec<AccessEntry>, Error> {
        self.may_audit(by)?;
        self.blocking(move |app| Ok(app.database.access_log(&filter)?))
            .await
    }

    /// The entries `filter` selects, with the case numbers and the people they name.
    pub async fn access_log_page(
        &self,
        by: &Principal,
        filter: AccessFilter,
    ) -> Result<AccessEntries, Error> {
        self.may_audit(by)?;
        self.blocking(move |app| {
            let database = &app.database;
            let entries = database.access_log(&filter)?;
            let ids: Vec<String> = entries.iter().map(|e| e.incident_id.clone()).collect();
            let actors: Vec<&str> = entries.iter().map(|e| e.actor.as_str()).collect();
            let (case_numbers, people) = (database.case_numbers(&ids)?, database.people(&actors)?);
            Ok(AccessEntries {
                entries,
                case_numbers,
                people,
            })
        })
        .await
    }

    /// The id of the case with this number: a case number names a case without its content
    /// (nothing is read, so nothing is logged).
    pub async fn case_with_number(
        &self,
        by: &Principal,
        number: CaseNumber,
    ) -> Result<Option<Uuid>, Error> {
        self.may_audit(by)?;
        self.blocking(move |app| Ok(app.database.case_with_number(number)?))
            .await
    }

    /// At most `most` people whose name, e-mail or id matches `text`.
    pub async fn people_matching(
        &self,
        by: &Principal,
        text: String,
        most: usize,
    ) -> Result<Vec<Person>, Error> {
        self.may_audit(by)?;
        self.blocking(move |app| Ok(app.database.people_matching(&text, most)?))
            .await
    }

    /// Walks every chain of the access log.
    pub async fn verify_access_log(&self, by: &Principal) -> Result<ChainReport, Error> {
        self.may_audit(by)?;
        self.blocking(|app| Ok(app.database.verify_access_log(&[])?))
            .await
    }
}
