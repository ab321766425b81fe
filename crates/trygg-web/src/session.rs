//! Who is looking at a page: their language, whether they are signed in, and the token that
//! proves a form was posted from one of our pages. All of it lives in the session cookie,
//! encrypted and signed with the configured key; a signed-in session is also held on the
//! server ([`keep_alive`]), which ends it at sign-out, when idle too long and past its
//! lifetime, whatever a saved cookie says.

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use trygg_app::App;
use trygg_app::{Liveness, Person};
use trygg_domain::{Catalogue, Origin, Principal, Role};
use uuid::Uuid;

use crate::Site;
use crate::error::WebError;
use crate::i18n::Lang;

/// How long a signed-in session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Idle time that ends the session of anyone who works cases or reads statistics.
    pub case_work_idle: Duration,
    /// Idle time that ends a reporter's session: longer, for a report written slowly.
    pub reporting_idle: Duration,
    /// Time from sign-in that ends any session.
    pub lifetime: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            case_work_idle: Duration::minutes(15),
            reporting_idle: Duration::minutes(60),
            lifetime: Duration::hours(8),
        }
    }
}

impl SessionPolicy {
    /// What keeps `user`'s session alive at `now`.
    fn liveness(&self, user: &SessionUser, now: DateTime<Utc>) -> Liveness {
        let works_cases = user
            .roles
            .iter()
            .filter_map(|role| Role::from_claim(role))
            .any(|role| role != Role::Reporter);
        let idle = if works_cases {
            self.case_work_idle
        } else {
            self.reporting_idle
        };
        Liveness {
            started_after: now - self.lifetime,
            seen_after: now - idle,
        }
    }
}

const USER: &str = "user";
const LANG: &str = "lang";
const CSRF: &str = "csrf";

/// A signed-in person, as their identity provider (or the development sign-in) described them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub subject: String,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub office: Option<String>,
    /// The ID token, for signing out at the provider (`id_token_hint`).
    pub id_token: Option<String>,
    /// The session's id: the server holds its hash, and ends it there.
    #[serde(default)]
    pub session: String,
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
    /// The development sign-in is on for this request, which every page says: the service
    /// runs without an identity provider and the request comes from this machine.
    pub development: bool,
    /// Where the request came from (recorded by the API's middleware, which wraps the pages).
    pub origin: Option<Origin>,
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

    /// Starts a signed-in session under a new id, held on the server as well, so an id planted
    /// before sign-in is useless and signing out ends it; records the person as seen.
    pub async fn sign_in(
        &self,
        app: &App,
        policy: SessionPolicy,
        mut user: SessionUser,
    ) -> Result<(), WebError> {
        // A session this browser had before ends: a copy of its cookie signs no one in.
        let earlier = self
            .session
            .get::<SessionUser>(USER)
            .ok()
            .flatten()
            .map(|earlier| stored_key(&earlier.session));
        user.session = new_token();
        let key = stored_key(&user.session);
        let person = Person::from_claims(
            &user.subject,
            Some(&user.name),
            user.email.as_deref(),
            &user.roles,
            user.office.as_deref(),
        );
        let expired_before = app.clock().now() - policy.lifetime;
        app.start_session(key, person, earlier, expired_before)
            .await?;
        self.session.renew();
        self.session
            .insert(USER, user)
            .map_err(WebError::internal)?;
        self.session
            .insert(CSRF, new_token())
            .map_err(WebError::internal)
    }

    /// Ends the session here and on the server, keeping only the language. The cookie is
    /// cleared first, so that a failure on the server still signs the visitor out here.
    pub async fn sign_out(&self, app: &App) -> Result<(), WebError> {
        let ending = self.session.get::<SessionUser>(USER).ok().flatten();
        self.session.clear();
        self.session.renew();
        self.set_lang(self.lang)?;
        end_on_server(app, ending).await
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

/// Ends on the server the session `user` was signed in with, if any.
async fn end_on_server(app: &App, user: Option<SessionUser>) -> Result<(), WebError> {
    let Some(user) = user else {
        return Ok(());
    };
    Ok(app.end_session(stored_key(&user.session)).await?)
}

/// What the server keeps of a session id.
fn stored_key(session: &str) -> String {
    Sha256::digest(session.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Middleware inside the session cookie's: a signed-in session the server no longer holds
/// alive (signed out, idle too long, past its lifetime, or unknown) is signed out before any
/// page sees it, so a replayed cookie gets the sign-in page.
pub async fn keep_alive(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let session = request.get_session();
    if let Ok(Some(user)) = session.get::<SessionUser>(USER) {
        let (Some(app), Some(site)) = (
            request.app_data::<web::Data<App>>().cloned(),
            request.app_data::<web::Data<Site>>().cloned(),
        ) else {
            return Err(WebError::internal("the service's state is not configured").into());
        };
        let liveness = site.sessions.liveness(&user, app.clock().now());
        let alive = app
            .continue_session(stored_key(&user.session), liveness)
            .await
            .map_err(WebError::from)?;
        if !alive {
            session.remove(USER);
        }
    }
    next.call(request).await
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
    let lang = lang_of(request);
    let origin = request.extensions().get::<Origin>().copied();
    let development_mode = request
        .app_data::<web::Data<Site>>()
        .is_some_and(|site| site.development);
    // In development mode a session proves nothing, so it counts on this machine only.
    let development = development_mode && origin.is_some_and(|origin| origin.local);
    let user = session
        .get::<SessionUser>(USER)
        .ok()
        .flatten()
        .filter(|_| development || !development_mode);
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
    Ok(Visitor {
        lang,
        user,
        csrf,
        here,
        development,
        origin,
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
