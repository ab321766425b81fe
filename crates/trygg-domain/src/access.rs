//! Who is asking, and which cases they may see.

use std::collections::BTreeSet;

use crate::catalogue::{Catalogue, CatalogueError, OfficeCode};

/// An application role, as identity providers issue them in the `roles` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Reporter,
    Handler,
    SecurityManager,
    Analyst,
    Admin,
}

impl Role {
    /// The roles that may file reports.
    pub const FILERS: [Role; 3] = [Role::Reporter, Role::Handler, Role::SecurityManager];

    pub const ALL: [Role; 5] = [
        Role::Reporter,
        Role::Handler,
        Role::SecurityManager,
        Role::Analyst,
        Role::Admin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Reporter => "reporter",
            Role::Handler => "handler",
            Role::SecurityManager => "security_manager",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// The role a claim names; roles of other applications are `None`.
    pub fn from_claim(claim: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == claim)
    }
}

/// The longest subject accepted: identity providers' ids are far shorter (Entra ID's are 43
/// characters), and every access-log entry stores it.
pub const MAX_SUBJECT_CHARS: usize = 255;

/// Why an identity provider's claims describe no caller Trygg can serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    /// The subject names the reader in every access-log entry: a short line of visible text.
    #[error(
        "`sub` must be 1 to {MAX_SUBJECT_CHARS} characters of visible text, without control characters"
    )]
    Subject,
    /// A handler's office decides which cases they work.
    #[error("case work needs the `office` claim to name an office: {0}")]
    Office(CatalogueError),
}

/// Checks a subject claim by [`ClaimsError::Subject`]'s rule: the rule for a line of text
/// ([`crate::text::line`]: something visible, no control or bidirectional character), as it
/// stands, with nothing to trim.
pub fn check_subject(subject: &str) -> Result<(), ClaimsError> {
    match crate::text::line(subject, MAX_SUBJECT_CHARS) {
        Ok(line) if line == subject => Ok(()),
        _ => Err(ClaimsError::Subject),
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    subject: String,
    roles: BTreeSet<Role>,
    office: Option<OfficeCode>,
}

/// Which cases a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Every case (security managers).
    All,
    /// The cases of these offices (handlers), and the caller's own reports when `reporter`
    /// names them.
    Scoped {
        reporter: Option<String>,
        offices: Vec<OfficeCode>,
    },
}

impl Principal {
    pub fn new(subject: String, roles: BTreeSet<Role>, office: Option<OfficeCode>) -> Principal {
        Principal {
            subject,
            roles,
            office,
        }
    }

    /// The caller an identity provider's claims describe: the subject must pass
    /// [`check_subject`]; unknown roles are ignored (a provider issues roles for other
    /// applications too). The office is read for handlers only, whose cases it decides: a
    /// handler's must be in the catalogue (else every request of theirs is refused, naming the
    /// claim); anyone else's is not read, so a provider that maps every employee's department
    /// keeps no one from reporting.
    pub fn from_claims(
        subject: String,
        roles: &[String],
        office: Option<&str>,
        catalogue: &Catalogue,
    ) -> Result<Principal, ClaimsError> {
        check_subject(&subject)?;
        let roles: BTreeSet<Role> = roles.iter().filter_map(|r| Role::from_claim(r)).collect();
        let office = match office.map(|code| catalogue.office(code)) {
            Some(Ok(office)) => Some(office),
            Some(Err(unknown)) if roles.contains(&Role::Handler) => {
                return Err(ClaimsError::Office(unknown));
            }
            _ => None,
        };
        Ok(Principal::new(subject, roles, office))
    }

    /// The caller's own reports, and nothing else: what a reporter follows.
    pub fn own_reports(&self) -> Visibility {
        Visibility::Scoped {
            reporter: Some(self.subject.clone()),
            offices: Vec::new(),
        }
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The office of a handler's token.
    pub fn office(&self) -> Option<&OfficeCode> {
        self.office.as_ref().filter(|_| self.has(Role::Handler))
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Employees and officials file reports; analysts and admins act through other roles.
    pub fn may_file(&self) -> bool {
        Role::FILERS.into_iter().any(|r| self.has(r))
    }

    /// Analysts (integrations among them) and security managers read statistics.
    pub fn may_read_statistics(&self) -> bool {
        self.has(Role::Analyst) || self.has(Role::SecurityManager)
    }

    /// Whether statistics are live for this caller: only for one who may read every case
    /// (a security manager); everyone else reads published, perturbed figures.
    pub fn reads_live_statistics(&self) -> bool {
        self.has(Role::SecurityManager)
    }

    /// The cases this caller may read, or `None` when the roles allow no case rows at all.
    pub fn visibility(&self) -> Option<Visibility> {
        if self.has(Role::SecurityManager) {
            return Some(Visibility::All);
        }
        let offices: Vec<OfficeCode> = self
            .office
            .iter()
            .filter(|_| self.has(Role::Handler))
            .cloned()
            .collect();
        (self.may_file() || !offices.is_empty()).then(|| Visibility::Scoped {
            reporter: Some(self.subject.clone()),
            offices,
        })
    }

    /// Whether this caller works a case handled by these offices.
    pub fn works_case<'a>(&self, mut offices: impl Iterator<Item = &'a str>) -> bool {
        self.has(Role::SecurityManager)
            || self.has(Role::Handler)
                && self
                    .office
                    .as_ref()
                    .is_some_and(|mine| offices.any(|o| o == mine.as_str()))
    }

    /// The cases this caller may work (triage, assign, reclassify, move along): a handler
    /// their office's, not their own reports elsewhere; a security manager all.
    pub fn work_scope(&self) -> Option<Visibility> {
        if self.has(Role::SecurityManager) {
            return Some(Visibility::All);
        }
        let office = self.office.clone().filter(|_| self.has(Role::Handler))?;
        Some(Visibility::Scoped {
            reporter: None,
            offices: vec![office],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalogue;

    fn principal(roles: &[Role], office: Option<&str>) -> Principal {
        let office = office.map(|code| Catalogue::builtin().office(code).unwrap());
        Principal::new("alice".into(), roles.iter().copied().collect(), office)
    }

    #[test]
    fn each_role_sees_what_it_should() {
        let utbildning = Catalogue::builtin().office("utbildning").unwrap();
        let scoped = |offices: Vec<OfficeCode>| {
            Some(Visibility::Scoped {
                reporter: Some("alice".into()),
                offices,
            })
        };
        assert_eq!(
            principal(&[Role::Reporter], None).visibility(),
            scoped(vec![])
        );
        assert_eq!(
            principal(&[Role::Handler], Some("utbildning")).visibility(),
            scoped(vec![utbildning.clone()])
        );
        assert_eq!(
            principal(&[Role::SecurityManager], None).visibility(),
            Some(Visibility::All)
        );
        assert_eq!(
            principal(&[Role::SecurityManager, Role::Handler], Some("utbildning")).visibility(),
            Some(Visibility::All)
        );
        assert_eq!(principal(&[Role::Analyst], None).visibility(), None);
        assert_eq!(
            principal(&[Role::Admin], Some("utbildning")).visibility(),
            None
        );
        // An office claim without the handler role grants nothing beyond one's own reports.
        assert_eq!(
            principal(&[Role::Reporter], Some("utbildning")).visibility(),
            scoped(vec![])
        );
    }

    #[test]
    fn handlers_work_their_offices_cases_only() {
        let utbildning = Catalogue::builtin().office("utbildning").unwrap();
        assert_eq!(
            principal(&[Role::Handler, Role::Reporter], Some("utbildning")).work_scope(),
            Some(Visibility::Scoped {
                reporter: None,
                offices: vec![utbildning]
            })
        );
        assert_eq!(
            principal(&[Role::SecurityManager], None).work_scope(),
            Some(Visibility::All)
        );
        assert_eq!(principal(&[Role::Handler], None).work_scope(), None);
        assert_eq!(
            principal(&[Role::Reporter], Some("utbildning")).work_scope(),
            None
        );
        assert_eq!(
            principal(&[Role::Analyst, Role::Admin], None).work_scope(),
            None
        );
    }

    #[test]
    fn an_unknown_office_stops_case_work_only() {
        let catalogue = Catalogue::builtin();
        let claims = |roles: &[&str]| {
            let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
            Principal::from_claims(
                "alice".into(),
                &roles,
                Some("ekonomiavdelningen"),
                &catalogue,
            )
        };
        let employee = claims(&["reporter"]).expect("an employee files whatever the claim says");
        assert!(employee.may_file());
        assert_eq!(employee.office(), None);
        assert!(claims(&["security_manager"]).is_ok());
        assert!(
            claims(&["handler"]).is_err(),
            "a handler's office decides their cases"
        );
    }

    #[test]
    fn a_subject_is_a_short_line_of_visible_text() {
        for usable in [
            "alice",
            "00000000-0000-0000-0000-000000000000",
            &"a".repeat(255),
        ] {
            assert_eq!(check_subject(usable), Ok(()), "{usable}");
        }
        for refused in [
            "",
            "  ",
            "ali\u{0}ce",
            "alice\nbob",
            "tab\there",
            &"a".repeat(256),
        ] {
            assert_eq!(
                check_subject(refused),
                Err(ClaimsError::Subject),
                "{refused:?}"
            );
        }
        let claims = Principal::from_claims("a\u{0}".into(), &[], None, &Catalogue::builtin());
        assert_eq!(claims, Err(ClaimsError::Subject));
    }

    #[test]
    fn unknown_roles_are_ignored() {
        assert_eq!(
            Role::from_claim("security_manager"),
            Some(Role::SecurityManager)
        );
        assert_eq!(Role::from_claim("Global Administrator"), None);
    }
}
