//! Reports in the making: the answers a reporter has given on the web form and not yet sent,
//! one draft per person, kept as the form's own JSON.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::database::Database;
use crate::error::StorageError;
use crate::schema::report_drafts;

impl Database {
    /// The reporter's unsent answers, if they changed them at or after `since`.
    pub fn draft(
        &self,
        subject: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<String>, StorageError> {
        Ok(report_drafts::table
            .filter(report_drafts::subject.eq(subject))
            .filter(report_drafts::updated_at.ge(since.naive_utc()))
            .select(report_drafts::answers)
            .first(&mut *self.connection()?)
            .optional()?)
    }

    /// Keeps the reporter's answers in place of any earlier ones, and forgets every draft left
    /// unchanged since before `expired_before`.
    pub fn save_draft(
        &self,
        subject: String,
        answers: String,
        expired_before: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let now = self.clock.now().naive_utc();
        self.write(move |conn| {
            diesel::delete(
                report_drafts::table.filter(
                    report_drafts::subject
                        .eq(&subject)
                        .or(report_drafts::updated_at.lt(expired_before.naive_utc())),
                ),
            )
            .execute(conn)?;
            diesel::insert_into(report_drafts::table)
                .values((
                    report_drafts::subject.eq(&subject),
                    report_drafts::answers.eq(&answers),
                    report_drafts::updated_at.eq(now),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// Forgets the reporter's draft (once it is filed, or when they start over).
    pub fn discard_draft(&self, subject: String) -> Result<(), StorageError> {
        self.write(move |conn| {
            diesel::delete(report_drafts::table.filter(report_drafts::subject.eq(&subject)))
                .execute(conn)?;
            Ok(())
        })
    }
}
