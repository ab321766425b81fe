//! Reading cases. Every read of case content names its purpose, the answer it is read for;
//! the purpose decides whose cases it may carry, and storage writes the access log's entry for
//! each case before it hands the content back.

use std::collections::HashMap;

use trygg_domain::{Audience, CaseEvent, OfficeCode, Principal, Visibility};
use trygg_storage::{
    Action, AlertFilter, AlertRecord, CaseFile, Comment, Database, Incident, IncidentFilter,
    IncidentPage, Person, Purpose, Queue, QueueList, QueueOrder, QueueQuery, Reader, Seen,
    StorageError,
};
use uuid::Uuid;

use crate::{App, Error};

/// What a case worker sees of a case on its page, read together.
#[derive(Debug)]
pub struct CaseDesk {
    pub file: CaseFile,
    /// The case's latest alerts, newest first.
    pub alerts: Vec<AlertRecord>,
    /// Who may be given the case or its actions.
    pub case_workers: Vec<Seen>,
    /// Who reported it, as the service last saw them.
    pub reporter: Option<Seen>,
}

/// One page of a case worker's queue, with how many cases each list holds.
#[derive(Debug)]
pub struct QueueListing {
    pub counts: [i64; 4],
    pub cases: Vec<Incident>,
    pub has_next: bool,
    /// The people the cases are assigned to.
    pub assignees: HashMap<String, Person>,
}

/// A reporter's own report, and how many replies on it they have not seen.
#[derive(Debug)]
pub struct OwnReport {
    pub file: CaseFile,
    pub unread: i64,
}

/// A page of a reporter's own reports, with their unseen replies by case id.
#[derive(Debug)]
pub struct OwnReports {
    pub page: IncidentPage,
    pub unread: HashMap<String, i64>,
}

/// Which of a caller's cases a use case may touch: those they may see, those they work, or
/// the reports they filed. A read's purpose decides it ([`Cases::read_for`]); a comment's
/// front end names it (the case page writes on worked cases, "Mina rapporter" on one's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cases {
    Visible,
    Worked,
    Own,
}

impl Cases {
    fn read_for(purpose: Purpose) -> Cases {
        match purpose {
            Purpose::ReadIncident
            | Purpose::ListIncidents
            | Purpose::ReadComments
            | Purpose::FilingReplay
            | Purpose::RoutingPreview => Cases::Visible,
            Purpose::ReadActions
            | Purpose::ReadTimeline
            | Purpose::ReadQueue
            | Purpose::CaseWorkAnswer
            | Purpose::WebCase
            | Purpose::WebQueue => Cases::Worked,
            Purpose::WebMyReports | Purpose::WebReport | Purpose::WebReceipt => Cases::Own,
        }
    }

    /// These cases of `by`'s; `None` when their roles give them none.
    pub(crate) fn of(self, by: &Principal) -> Option<Visibility> {
        match self {
            Cases::Visible => by.visibility(),
            Cases::Worked => by.work_scope(),
            Cases::Own => Some(by.own_reports()),
        }
    }
}

/// A logged read of what one of the cases a caller works holds: `None` when not among them.
type WorkedRead<T> = fn(&Database, Uuid, &Visibility, &Reader) -> Result<Option<T>, StorageError>;

/// The cases `by` may list, or why they may list none.
fn listed(by: &Principal) -> Result<Visibility, Error> {
    Cases::read_for(Purpose::ListIncidents)
        .of(by)
        .ok_or(Error::Forbidden("your roles do not give access to cases"))
}

/// The cases `by` works, or why they work none.
pub(crate) fn worked(by: &Principal) -> Result<Visibility, Error> {
    Cases::Worked.of(by).ok_or(Error::Forbidden(
        "only handlers and security managers work cases",
    ))
}

impl App {
    /// Whether `by` may read cases at all: a case they may not read is not found. For a front
    /// end to say so before it reads what was sent.
    pub fn may_read_cases(&self, by: &Principal) -> Result<(), Error> {
        Cases::Visible.of(by).map(drop).ok_or(Error::NotFound)
    }

    /// Whether `by` may list cases at all.
    pub fn may_list_cases(&self, by: &Principal) -> Result<(), Error> {
        listed(by).map(drop)
    }

    /// One case, as `by` may read it for `purpose`: a case they may not read is not found,
    /// exactly like one that does not exist.
    pub async fn read_case(
        &self,
        by: &Principal,
        id: Uuid,
        purpose: Purpose,
    ) -> Result<Incident, Error> {
        let scope = Cases::read_for(purpose).of(by).ok_or(Error::NotFound)?;
        let reader = Reader::new(by.subject(), purpose);
        self.blocking(move |app| {
            app.database
                .read_incident(id, &scope, &reader)?
                .ok_or(Error::NotFound)
        })
        .await
    }

    /// A page of the cases `by` may see, newest first.
    pub async fn list_cases(
        &self,
        by: &Principal,
        filter: IncidentFilter,
    ) -> Result<IncidentPage, Error> {
        let scope = listed(by)?;
        let reader = Reader::new(by.subject(), Purpose::ListIncidents);
        self.blocking(move |app| Ok(app.database.list_incidents(&filter, &scope, &reader)?))
            .await
    }

    /// A case's comments: all of them for those who work it, those shared with the reporter
    /// for the reporter.
    pub async fn read_comments(&self, by: &Principal, id: Uuid) -> Result<Vec<Comment>, Error> {
        let scope = Cases::read_for(Purpose::ReadComments)
            .of(by)
            .ok_or(Error::NotFound)?;
        let reader = Reader::new(by.subject(), Purpose::ReadComments);
        let principal = by.clone();
        let audiences = move |case: &Incident| -> &'static [Audience] {
            if principal.works_case(case.offices.iter().map(OfficeCode::as_str)) {
                Audience::ALL
            } else {
                &[Audience::Reporter]
            }
        };
        self.blocking(move |app| {
            app.database
                .read_comments(id, &scope, audiences, &reader)?
                .ok_or(Error::NotFound)
        })
        .await
    }

    /// A case's actions, in the order they were added; for those who work it.
    pub async fn read_actions(&self, by: &Principal, id: Uuid) -> Result<Vec<Action>, Error> {
        self.read_worked(by, id, Purpose::ReadActions, Database::read_actions)
            .await
    }

    /// Every change to a case, oldest first; for those who work it.
    pub async fn read_timeline(&self, by: &Principal, id: Uuid) -> Result<Vec<CaseEvent>, Error> {
        self.read_worked(by, id, Purpose::ReadTimeline, Database::read_timeline)
            .await
    }

    /// What `read` finds of case `id` among the cases `by` works, logged for `purpose`.
    async fn read_worked<T: Send + 'static>(
        &self,
        by: &Principal,
        id: Uuid,
        purpose: Purpose,
        read: WorkedRead<T>,
    ) -> Result<T, Error> {
        let scope = worked(by)?;
        let (reader, subject) = (Reader::new(by.subject(), purpose), by.subject().to_owned());
        self.blocking(move |app| match read(&app.database, id, &scope, &reader)? {
            Some(found) => Ok(found),
            None => Err(app.not_worked(id, &subject)),
        })
        .await
    }

    /// The queue's lists, each its first page, oldest first.
    pub async fn read_queue(&self, by: &Principal, query: QueueQuery) -> Result<Queue, Error> {
        let scope = worked(by)?;
        let reader = Reader::new(by.subject(), Purpose::ReadQueue);
        self.blocking(move |app| Ok(app.database.read_queue(&scope, &query, &reader)?))
            .await
    }

    /// One page of one of the queue's lists, for the queue page.
    pub async fn read_queue_page(
        &self,
        by: &Principal,
        query: QueueQuery,
        list: QueueList,
        order: QueueOrder,
        offset: i64,
    ) -> Result<QueueListing, Error> {
        let scope = worked(by)?;
        let reader = Reader::new(by.subject(), Purpose::WebQueue);
        self.blocking(move |app| {
            let database = &app.database;
            let counts = database.queue_counts(&scope, &query)?;
            let (cases, has_next) =
                database.read_queue_list(&scope, &query, list, order, offset, &reader)?;
            let assignees: Vec<&str> = cases.iter().filter_map(|c| c.assignee.as_deref()).collect();
            let assignees = database.people(&assignees)?;
            Ok(QueueListing {
                counts,
                cases,
                has_next,
                assignees,
            })
        })
        .await
    }

    /// A case as its page shows it to a case worker, with its `alerts` latest alerts.
    pub async fn read_case_desk(
        &self,
        by: &Principal,
        id: Uuid,
        alerts: i64,
    ) -> Result<CaseDesk, Error> {
        let scope = worked(by)?;
        let (reader, subject) = (
            Reader::new(by.subject(), Purpose::WebCase),
            by.subject().to_owned(),
        );
        self.blocking(move |app| {
            let database = &app.database;
            let Some(file) = database.read_case_file(id, &scope, Audience::ALL, true, &reader)?
            else {
                return Err(app.not_worked(id, &subject));
            };
            let alerts = database.alerts(&AlertFilter {
                case: Some(id),
                limit: alerts,
                ..AlertFilter::default()
            })?;
            let case_workers = database.case_workers(&file.incident.offices)?;
            let reporter = database.person(&file.incident.reporter)?;
            Ok(CaseDesk {
                file,
                alerts,
                case_workers,
                reporter,
            })
        })
        .await
    }

    /// One of `by`'s own reports with the comments meant for them.
    pub async fn read_own_report(&self, by: &Principal, id: Uuid) -> Result<OwnReport, Error> {
        let scope = Cases::Own.of(by).ok_or(Error::NotFound)?;
        let reader = Reader::new(by.subject(), Purpose::WebReport);
        self.blocking(move |app| {
            let database = &app.database;
            let file = database
                .read_case_file(id, &scope, &[Audience::Reporter], false, &reader)?
                .ok_or(Error::NotFound)?;
            let unread = database.unread_replies(&[id.to_string()])?;
            Ok(OwnReport {
                file,
                unread: unread.into_values().sum(),
            })
        })
        .await
    }

    /// A page of `by`'s own reports, newest first.
    pub async fn list_own_reports(
        &self,
        by: &Principal,
        filter: IncidentFilter,
    ) -> Result<OwnReports, Error> {
        let scope = Cases::Own.of(by).ok_or(Error::NotFound)?;
        let reader = Reader::new(by.subject(), Purpose::WebMyReports);
        self.blocking(move |app| {
            let page = app.database.list_incidents(&filter, &scope, &reader)?;
            let ids: Vec<String> = page.cases.iter().map(|case| case.id.to_string()).collect();
            let unread = app.database.unread_replies(&ids)?;
            Ok(OwnReports { page, unread })
        })
        .await
    }

    /// The replies on `by`'s own report `id` are seen.
    pub async fn mark_replies_seen(&self, by: &Principal, id: Uuid) -> Result<(), Error> {
        let owner = by.subject().to_owned();
        self.blocking(move |app| {
            if !app.database.is_reporter_of(id, &owner)? {
                return Err(Error::NotFound);
            }
            Ok(app.database.mark_replies_seen(id)?)
        })
        .await
    }

    /// Why case `id` is not among those `subject` works: their own report outside their
    /// offices, or no case they may know of.
    pub(crate) fn not_worked(&self, id: Uuid, subject: &str) -> Error {
        match self.database.is_reporter_of(id, subject) {
            Ok(true) => Error::NotYoursToWork,
            Ok(false) => Error::NotFound,
            Err(error) => error.into(),
        }
    }
}
