//! Filing a report: who may, how often, the report's rules, its routing to offices and alert
//! receivers, and idempotency, so that a report sent twice (a retry, a second click) is filed
//! once.

use trygg_domain::{NewReport, Principal, ReportDraft};
use trygg_storage::{Filing, IdempotencyKey, Incident, NewIncident, Purpose, Reader};
use uuid::Uuid;

use crate::{App, Error};

/// What makes a filing safe to send again: the caller's key, and a fingerprint of what was
/// sent under it. The same key with another fingerprint is refused ([`Error::KeyReused`]).
#[derive(Debug, Clone)]
pub struct FilingKey {
    pub key: String,
    pub fingerprint: String,
}

/// What a filing sent again answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// The case's id only: the pages go on to the receipt, which reads the case itself.
    Id,
    /// The answer the first filing was given, or the case as it is now: a read of the case,
    /// logged as the replay it is.
    Answer,
}

/// A report filed.
#[derive(Debug)]
pub enum Filed {
    /// A new case.
    New(Box<Incident>),
    /// The key filed this case before, for the same report.
    Again {
        id: Uuid,
        /// With [`Replay::Answer`].
        answer: Option<Replayed>,
    },
}

/// What a filing sent again answers with, read for its caller.
#[derive(Debug)]
pub enum Replayed {
    /// The answer the first filing was given (see [`App::keep_filing_answer`]).
    Kept(String),
    /// None was kept: the case as it is now.
    Case(Box<Incident>),
}

/// A filing let through: its caller may file, and it is counted against their allowance.
/// Only [`App::admit_filing`] makes one, so that no front end files without both, and both
/// come before what was sent is read.
#[derive(Debug)]
pub struct Admitted {
    by: Principal,
}

impl App {
    /// Lets `by` file one report, if their roles allow filing and their allowance has room.
    pub fn admit_filing(&self, by: &Principal) -> Result<Admitted, Error> {
        if !by.may_file() {
            return Err(Error::Forbidden("your roles do not allow filing reports"));
        }
        self.allowances
            .filing(by.subject())
            .map_err(|wait| Error::TooMany {
                what: "reports filed",
                wait,
            })?;
        Ok(Admitted { by: by.clone() })
    }

    /// Files `draft` for the caller `admitted`, once per `key`.
    pub async fn file(
        &self,
        admitted: Admitted,
        draft: ReportDraft,
        key: Option<FilingKey>,
        replay: Replay,
    ) -> Result<Filed, Error> {
        let by = &admitted.by;
        let received_at = self.clock.now();
        let report = NewReport::parse(draft, &self.catalogue, received_at)?;
        let (subject, visibility) = (by.subject().to_owned(), by.visibility());
        let filed = self
            .blocking(move |app| {
                let new = NewIncident {
                    id: Uuid::now_v7(),
                    reporter: subject.clone(),
                    alerts: app.routing.alerts_on_filing(&report),
                    report,
                    received_at,
                };
                let idempotency = key.clone().map(|key| IdempotencyKey {
                    subject: subject.clone(),
                    key: key.key,
                    request_hash: key.fingerprint,
                });
                match app.database.file_incident(new, idempotency)? {
                    Filing::Created(incident) => Ok(Filed::New(incident)),
                    Filing::Replayed {
                        request_hash,
                        incident_id,
                        answer,
                    } if key.is_some_and(|key| key.fingerprint == request_hash) => {
                        let answer = match replay {
                            Replay::Id => None,
                            Replay::Answer => {
                                let reader = Reader::new(&subject, Purpose::FilingReplay);
                                Some(match answer {
                                    Some(kept) => {
                                        Replayed::Kept(kept.read_by(&app.database, &reader)?)
                                    }
                                    None => {
                                        let visibility = visibility.ok_or(Error::NotFound)?;
                                        let case = app
                                            .database
                                            .read_incident(incident_id, &visibility, &reader)?
                                            .ok_or(Error::NotFound)?;
                                        Replayed::Case(Box::new(case))
                                    }
                                })
                            }
                        };
                        Ok(Filed::Again {
                            id: incident_id,
                            answer,
                        })
                    }
                    Filing::Replayed { .. } => Err(Error::KeyReused),
                }
            })
            .await?;
        if let Filed::New(case) = &filed {
            self.wake_alert_worker();
            tracing::info!(case = %case.case_number, focus_area = %case.focus_area, "case filed");
        }
        Ok(filed)
    }

    /// Keeps the answer a keyed filing was given, for a retry to be given the same. The case is
    /// filed whatever happens here: a retry without the answer kept is answered with the case
    /// as it is then.
    pub async fn keep_filing_answer(&self, by: &Principal, key: FilingKey, answer: String) {
        let key = IdempotencyKey {
            subject: by.subject().to_owned(),
            key: key.key,
            request_hash: key.fingerprint,
        };
        let kept = self
            .blocking(move |app| Ok(app.database.keep_filing_answer(&key, answer)?))
            .await;
        if let Err(error) = kept {
            tracing::warn!(%error, "the answer to a keyed filing was not kept");
        }
    }
}
