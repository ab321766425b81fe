//! Who is looking at a page: their language, whether they are signed in, and the token that
//! proves a form was posted from one of our pages. All of it lives in the session cookie,
//! encrypted and signed with the configured key.

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use trygg_domain::{Catalogue, Clock, Principal};
use uuid::Uuid;

use crate::Site;
use crate::error::WebError;
use crate::i18n::Lang;

/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(8);

const USER: &str = "user";
const LANG: &str = "lang";
const CSRF: &str = "csrf";

/// A signed-in person, as their identity provider (or the development sign-in) described them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub subject: String,
    pub name: String,
    pub roles: Vec<String>,
    pub office: Option<String>,
    /// The ID token, for signing out at the provider (`id_token_hint`).
    pub id_token: Option<String>,
    pub expires_at: DateTime<Utc>,
}

impl SessionUser {
    /// What the user may do, by the same rules as the API's bearer tokens.
    pub fn principal(&self, catalogue: &Catalogue) -> Result<Principal, WebError> {
        Principal::from_claims(
            self.subject.clone(),
            &self.roles,
            self.office.as_deref(),
            catalogue,
        )
        .map_err(|_| WebError::Forbidden)
    }
}

/// The person looking at a page.
#[derive(Clone)]
pub struct Visitor {
    pub lang: Lang,
    pub user: Option<SessionUser>,
    pub csrf: String,
    /// The page asked for: path and query, where sign-in and the language link return to.
    pub here: String,
    /// The development sign-in is on, which every page says.
    pub development: bool,
    session: Session,
}

impl std::fmt::Debug for Visitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Visitor")
            .field("lang", &self.lang)
            .field("user", &self.user.as_ref().map(|user| &user.subject))
            .field("here", &self.here)
            .finish_non_exhaustive()
    }
}

impl Visitor {
    /// The signed-in user, or an error that sends the visitor to sign in and back here.
    pub fn user(&self) -> Result<&SessionUser, WebError> {
        self.user.as_ref().ok_or_else(|| WebError::SignIn {
            return_to: self.here.clone(),
        })
    }

    /// Refuses a form that does not carry this session's token: posted from another site, or
    /// from a page of a session that has ended.
    pub fn check_csrf(&self, form: &[(String, String)]) -> Result<(), WebError> {
        let sent = form
            .iter()
            .find(|(name, _)| name == "csrf")
            .map(|(_, value)| value.as_bytes());
        // Compared in full whatever the first difference, so timing tells nothing.
        let matches = sent.is_some_and(|sent| {
            sent.len() == self.csrf.len()
                && sent
                    .iter()
                    .zip(self.csrf.as_bytes())
                    .fold(0, |diff, (a, b)| diff | (a ^ b))
                    == 0
        });
        if matches {
            Ok(())
        } else if self.user.is_none() {
            // The session ran out while the form was open: what it carried cannot be kept for
            // a person we no longer know, so the page says so once they are back.
            let separator = if self.here.contains('?') { '&' } else { '?' };
            Err(WebError::SignIn {
                return_to: format!("{}{separator}utgangen=1", self.here),
            })
        } else {
            Err(WebError::Csrf)
        }
    }

    /// Starts a signed-in session under a new id, so an id planted before sign-in is useless.
    pub fn sign_in(&self, user: SessionUser) -> Result<(), WebError> {
        self.session.renew();
        self.session
            .insert(USER, user)
            .map_err(WebError::internal)?;
        self.session
            .insert(CSRF, new_token())
            .map_err(WebError::internal)
    }

    /// Ends the session, keeping only the language.
    pub fn sign_out(&self) -> Result<(), WebError> {
        self.session.clear();
        self.session.renew();
        self.set_lang(self.lang)
    }

    pub fn set_lang(&self, lang: Lang) -> Result<(), WebError> {
        self.session.insert(LANG, lang).map_err(WebError::internal)
    }

    /// The session itself, for the sign-in flow's own keys.
    pub fn session(&self) -> &Session {
        &self.session
    }
}

/// 256 random bits.
pub fn new_token() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

impl FromRequest for Visitor {
    type Error = WebError;
    type Future = Ready<Result<Visitor, WebError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(visitor(request))
    }
}

fn visitor(request: &HttpRequest) -> Result<Visitor, WebError> {
    let session = request.get_session();
    let clock = request
        .app_data::<web::Data<Clock>>()
        .ok_or_else(|| WebError::internal("no clock configured"))?;
    let lang = lang_of(request);
    let user = session
        .get::<SessionUser>(USER)
        .ok()
        .flatten()
        .filter(|user| user.expires_at > clock.now());
    let csrf = match session.get::<String>(CSRF) {
        Ok(Some(token)) => token,
        _ => {
            let token = new_token();
            session.insert(CSRF, &token).map_err(WebError::internal)?;
            token
        }
    };
    let here = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let development = request
        .app_data::<web::Data<Site>>()
        .is_some_and(|site| site.development);
    Ok(Visitor {
        lang,
        user,
        csrf,
        here,
        development,
        session,
    })
}

/// The visitor's language: their choice, else their browser's preference, else Swedish.
pub fn lang_of(request: &HttpRequest) -> Lang {
    match request.get_session().get::<Lang>(LANG) {
        Ok(Some(lang)) => lang,
        _ => request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map(Lang::negotiate)
            .unwrap_or_default(),
    }
}

/// A path of this site to return to: refuses anything that could lead elsewhere
/// (`//host`, `https://host`, `/\host`).
pub fn local_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/rapportera/typ")), "/rapportera/typ");
        assert_eq!(
            local_path(Some("/mina-rapporter?x=1")),
            "/mina-rapporter?x=1"
        );
        for outside in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "x",
        ] {
            assert_eq!(local_path(Some(outside)), "/", "{outside}");
        }
        assert_eq!(local_path(None), "/");
    }
}
