//! The people the service has seen with verified claims: whom a case may be assigned to or an
//! action given, offered by the pages as a list, and who a subject is. Claims are recorded as
//! the identity provider last stated them; the service adds nobody by hand.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use trygg_domain::{Catalogue, OfficeCode, Principal, Role, text};

use crate::database::Database;
use crate::error::StorageError;
use crate::schema::people;

/// A person is written again after this long even when their claims are unchanged, so
/// `last_seen_at` stays true to within it.
pub const SEEN_PRECISION: Duration = Duration::hours(1);

/// A person as their verified claims describe them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub subject: String,
    /// Their name, or their subject where the claims name none.
    pub name: String,
    pub email: Option<String>,
    /// The roles the claims gave, as codes.
    pub roles: Vec<String>,
    pub office: Option<String>,
}

impl Person {
    /// A person as verified claims state them, for the API's tokens and the pages' sign-ins
    /// alike: a name or e-mail that is no line of visible text is left out (the name falls back
    /// to the subject), and only Trygg's roles are kept.
    pub fn from_claims(
        subject: &str,
        name: Option<&str>,
        email: Option<&str>,
        roles: &[String],
        office: Option<&str>,
    ) -> Person {
        let stated = |value: Option<&str>| {
            value.and_then(|value| text::line(value, text::MAX_USER_ID_CHARS).ok())
        };
        Person {
            subject: subject.to_owned(),
            name: stated(name).unwrap_or_else(|| subject.to_owned()),
            email: stated(email),
            roles: roles
                .iter()
                .filter(|role| Role::from_claim(role).is_some())
                .cloned()
                .collect(),
            office: office.map(str::to_owned),
        }
    }
}

/// A person, and when the service last saw them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub person: Person,
    pub last_seen_at: DateTime<Utc>,
}

/// Who this process wrote lately, and as what: a request by someone already written with the
/// same claims within [`SEEN_PRECISION`] writes nothing.
#[derive(Debug, Default)]
pub(crate) struct SeenRecently(Mutex<HashMap<String, (Person, DateTime<Utc>)>>);

#[derive(Queryable, Selectable)]
#[diesel(table_name = people)]
struct PersonRow {
    subject: String,
    name: String,
    email: Option<String>,
    roles: String,
    office: Option<String>,
    last_seen_at: chrono::NaiveDateTime,
}

impl From<PersonRow> for Seen {
    fn from(row: PersonRow) -> Seen {
        Seen {
            person: Person {
                subject: row.subject,
                name: row.name,
                email: row.email,
                roles: row.roles.split_whitespace().map(str::to_owned).collect(),
                office: row.office,
            },
            last_seen_at: row.last_seen_at.and_utc(),
        }
    }
}

impl Database {
    /// Whether `person` needs writing: unknown to this process, changed, or written longer
    /// ago than [`SEEN_PRECISION`]. Cheap, for the async side to ask before handing
    /// [`Database::saw`] to a blocking thread.
    pub fn is_news(&self, person: &Person) -> bool {
        let now = self.clock.now();
        let seen = self.seen.0.lock().unwrap_or_else(PoisonError::into_inner);
        !seen
            .get(&person.subject)
            .is_some_and(|(known, at)| known == person && now - *at < SEEN_PRECISION)
    }

    /// Records that `person` was seen now with these claims.
    pub fn saw(&self, person: Person) -> Result<(), StorageError> {
        if !self.is_news(&person) {
            return Ok(());
        }
        let now = self.clock.now();
        let row = person.clone();
        self.write(move |conn| {
            diesel::delete(people::table.filter(people::subject.eq(&row.subject))).execute(conn)?;
            diesel::insert_into(people::table)
                .values((
                    people::subject.eq(&row.subject),
                    people::name.eq(&row.name),
                    people::email.eq(&row.email),
                    people::roles.eq(row.roles.join(" ")),
                    people::office.eq(&row.office),
                    people::last_seen_at.eq(now.naive_utc()),
                ))
                .execute(conn)?;
            Ok::<_, StorageError>(())
        })?;
        self.seen
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(person.subject.clone(), (person, now));
        Ok(())
    }

    /// The person with this subject, if the service has seen them.
    pub fn person(&self, subject: &str) -> Result<Option<Seen>, StorageError> {
        Ok(people::table
            .filter(people::subject.eq(subject))
            .select(PersonRow::as_select())
            .first(&mut *self.connection()?)
            .optional()?
            .map(Seen::from))
    }

    /// The people with these subjects whom the service has seen, by subject: names for a list
    /// of cases in one read.
    pub fn people(&self, subjects: &[&str]) -> Result<HashMap<String, Person>, StorageError> {
        let rows: Vec<PersonRow> = people::table
            .filter(people::subject.eq_any(subjects))
            .select(PersonRow::as_select())
            .load(&mut *self.connection()?)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let person = Seen::from(row).person;
                (person.subject.clone(), person)
            })
            .collect())
    }

    /// The people a search for `text` means: the one with it as subject or e-mail, else those
    /// whose name holds it (any case), at most `most`. Names are compared here, not in SQL,
    /// where SQLite folds only ASCII case: the directory is the municipality's staff.
    pub fn people_matching(&self, text: &str, most: usize) -> Result<Vec<Person>, StorageError> {
        let rows: Vec<PersonRow> = people::table
            .select(PersonRow::as_select())
            .order((people::name, people::subject))
            .load(&mut *self.connection()?)?;
        let people: Vec<Person> = rows.into_iter().map(|row| Seen::from(row).person).collect();
        let wanted = text.to_lowercase();
        let exact = people.iter().find(|person| {
            person.subject == text
                || person
                    .email
                    .as_deref()
                    .is_some_and(|email| email.to_lowercase() == wanted)
        });
        if let Some(person) = exact {
            return Ok(vec![person.clone()]);
        }
        Ok(people
            .into_iter()
            .filter(|person| person.name.to_lowercase().contains(&wanted))
            .take(most)
            .collect())
    }

    /// The person with this subject as a principal, if the service has seen them with claims
    /// the catalogue still accepts: whom a case may go to is checked against it.
    pub fn known_principal(
        &self,
        subject: &str,
        catalogue: &Catalogue,
    ) -> Result<Option<Principal>, StorageError> {
        Ok(self.person(subject)?.and_then(|seen| {
            let person = seen.person;
            Principal::from_claims(
                person.subject,
                &person.roles,
                person.office.as_deref(),
                catalogue,
            )
            .ok()
        }))
    }

    /// Those who may work a case of these offices: security managers, and handlers of one of
    /// them; by name.
    pub fn case_workers(&self, offices: &[OfficeCode]) -> Result<Vec<Seen>, StorageError> {
        let rows: Vec<PersonRow> = people::table
            .filter(
                people::office
                    .eq_any(offices.iter().map(OfficeCode::as_str))
                    .or(people::roles.like("%security_manager%")),
            )
            .select(PersonRow::as_select())
            .order((people::name, people::subject))
            .load(&mut *self.connection()?)?;
        let has = |seen: &Seen, role: Role| seen.person.roles.iter().any(|r| r == role.code());
        Ok(rows
            .into_iter()
            .map(Seen::from)
            .filter(|seen| {
                has(seen, Role::SecurityManager)
                    || has(seen, Role::Handler)
                        && seen
                            .person
                            .office
                            .as_ref()
                            .is_some_and(|o| offices.iter().any(|office| office.as_str() == o))
            })
            .collect())
    }
}
