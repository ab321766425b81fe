//! Trygg's web pages: server-rendered HTML for the people who report and follow their
//! reports and for those who work the cases; Swedish first, accessible, working without
//! JavaScript. The pages call the domain and storage directly, as the API does, and are
//! mounted in the same server.

mod case_work;
mod error;
mod filing;
mod i18n;
mod oidc;
mod pages;
mod reports;
mod session;
mod sign_in;
mod statistics;
mod templates;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, ErrorHandlers, from_fn};
use actix_web::{HttpResponse, web};
use askama::Template;
use trygg_app::App;

pub use error::WebError;
pub use i18n::Lang;
pub use oidc::{OidcError, OidcSettings};
pub use session::SessionPolicy;

/// The largest form accepted: a full description, percent-encoded, with room to spare.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// How people sign in.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// At the municipality's identity provider.
    Provider(OidcSettings),
    /// By picking a user on a page: only on a loopback address with no provider configured.
    Development,
}

/// What the pages are configured with.
#[derive(Clone)]
pub struct WebSettings {
    pub sign_in: SignIn,
    /// Encrypts and signs the session cookie: at least 32 bytes.
    pub session_key: Vec<u8>,
    /// Where people reach the service; over https the cookie is `Secure`.
    pub public_url: String,
    /// How long signed-in sessions live.
    pub sessions: SessionPolicy,
}

impl std::fmt::Debug for WebSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSettings")
            .field("sign_in", &self.sign_in)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

/// The pages' own state, shared by every worker.
#[derive(Debug)]
pub struct Site {
    provider: Option<oidc::Provider>,
    pub(crate) development: bool,
    pub(crate) sessions: SessionPolicy,
}

/// The pages, ready to mount.
#[derive(Clone)]
pub struct Pages {
    app: web::Data<App>,
    site: web::Data<Site>,
    key: Key,
    secure: bool,
    content_security_policy: String,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

impl Pages {
    /// The pages over `app`; discovers the identity provider, if one is configured.
    pub async fn new(settings: WebSettings, app: web::Data<App>) -> Result<Pages, OidcError> {
        let provider = match &settings.sign_in {
            SignIn::Provider(oidc) => Some(oidc::Provider::discover(oidc).await?),
            SignIn::Development => None,
        };
        // Forms lead to the provider too: signing out ends there, and a form sent after the
        // session ran out goes on to sign in again.
        let form_action = provider
            .as_ref()
            .map_or_else(String::new, |provider| format!(" {}", provider.origin()));
        let content_security_policy = format!(
            "default-src 'none'; script-src 'self'; worker-src 'self'; manifest-src 'self'; \
             style-src 'self'; img-src 'self'; form-action 'self'{form_action}; \
             frame-ancestors 'none'; base-uri 'none'"
        );
        Ok(Pages {
            app,
            site: web::Data::new(Site {
                development: provider.is_none(),
                provider,
                sessions: settings.sessions,
            }),
            key: Key::derive_from(&settings.session_key),
            secure: settings.public_url.starts_with("https://"),
            content_security_policy,
        })
    }

    /// Mounts the pages on every path not mounted before them (the API's).
    pub fn mount(&self, config: &mut web::ServiceConfig) {
        let session = SessionMiddleware::builder(CookieSessionStore::default(), self.key.clone())
            .cookie_name("trygg_session".into())
            .cookie_secure(self.secure)
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_content_security(CookieContentSecurity::Private)
            .session_lifecycle(BrowserSession::default())
            .build();
        let headers = DefaultHeaders::new()
            .add((
                header::CONTENT_SECURITY_POLICY,
                self.content_security_policy.as_str(),
            ))
            .add((header::X_FRAME_OPTIONS, "DENY"))
            .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .add((header::REFERRER_POLICY, "same-origin"))
            .add(("Cross-Origin-Opener-Policy", "same-origin"))
            // Pages show cases and answers: never kept by a browser or a proxy.
            .add((header::CACHE_CONTROL, "no-store"));
        config.service(
            web::scope("")
                .app_data(self.app.clone())
                .app_data(self.site.clone())
                .app_data(
                    web::FormConfig::default()
                        .limit(MAX_FORM_BYTES)
                        .error_handler(|_, _| WebError::BadForm.into()),
                )
                .wrap(from_fn(session::keep_alive))
                .wrap(ErrorHandlers::new().default_handler(error::localize))
                .wrap(session)
                .wrap(headers)
                .route("/", web::get().to(pages::start))
                .route("/om", web::get().to(pages::about))
                .route("/tillganglighet", web::get().to(pages::accessibility))
                .route("/sprak", web::get().to(pages::language))
                .route("/static/trygg.css", web::get().to(pages::stylesheet))
                .route("/static/icon.svg", web::get().to(pages::icon))
                .route("/static/app.js", web::get().to(pages::app_script))
                .route("/sw.js", web::get().to(pages::service_worker))
                .route("/offline", web::get().to(pages::offline))
                .route(
                    "/manifest-{lang}.webmanifest",
                    web::get().to(pages::manifest),
                )
                .route("/logga-in", web::get().to(sign_in::sign_in))
                .route(
                    "/logga-in/utveckling",
                    web::post().to(sign_in::sign_in_for_development),
                )
                .route("/auth/callback", web::get().to(sign_in::callback))
                .route("/logga-ut", web::post().to(sign_in::sign_out))
                .route("/utloggad", web::get().to(sign_in::signed_out))
                .route("/rapportera", web::get().to(filing::begin))
                .route("/rapportera/kontrollera", web::get().to(filing::check))
                .route("/rapportera/skicka", web::post().to(filing::send))
                .route("/rapportera/borja-om", web::post().to(filing::start_over))
                .route("/rapportera/kvitto/{id}", web::get().to(filing::receipt))
                .route("/rapportera/{step}", web::get().to(filing::show_step))
                .route("/rapportera/{step}", web::post().to(filing::answer_step))
                .route("/mina-rapporter", web::get().to(reports::list))
                .route("/mina-rapporter/{id}", web::get().to(reports::show))
                .route(
                    "/mina-rapporter/{id}/komplettera",
                    web::post().to(reports::add_information),
                )
                .route("/arenden", web::get().to(case_work::queue))
                .route("/arenden/{id}", web::get().to(case_work::show))
                .route(
                    "/arenden/{id}/status",
                    web::post().to(case_work::change_status),
                )
                .route(
                    "/arenden/{id}/tilldelning",
                    web::post().to(case_work::assign),
                )
                .route(
                    "/arenden/{id}/klassning",
                    web::post().to(case_work::reclassify),
                )
                .route(
                    "/arenden/{id}/uppfoljning",
                    web::post().to(case_work::record_follow_up),
                )
                .route(
                    "/arenden/{id}/atgarder",
                    web::post().to(case_work::add_action),
                )
                .route(
                    "/arenden/{id}/atgarder/status",
                    web::post().to(case_work::change_action),
                )
                .route(
                    "/arenden/{id}/anteckningar",
                    web::post().to(case_work::add_comment),
                )
                .route("/larm", web::get().to(case_work::alerts))
                .route("/larm/forsok-igen", web::post().to(case_work::retry_alerts))
                .route("/larm/{id}", web::get().to(case_work::alert))
                .route(
                    "/larm/{id}/forsok-igen",
                    web::post().to(case_work::retry_alert),
                )
                .route(
                    "/larm/{id}/kvittera",
                    web::post().to(case_work::acknowledge_alert),
                )
                .route("/statistik", web::get().to(statistics::explore))
                .route("/statistik/hamta", web::get().to(statistics::download))
                .route("/lagesbild", web::get().to(statistics::district_picture))
                .route(
                    "/arssammanstallning",
                    web::get().to(statistics::yearly_compilation),
                )
                .route("/atkomstlogg", web::get().to(case_work::access_log))
                .route(
                    "/atkomstlogg/kontroll",
                    web::get().to(case_work::check_access_log),
                )
                .default_service(web::to(pages::not_found)),
        );
    }
}

/// A posted form, as its fields in order (checkboxes repeat a name).
type Form = web::Form<Vec<(String, String)>>;

/// Some of the service's shared state, as the server was configured with it.
fn state<T: ?Sized + 'static>(request: &actix_web::HttpRequest) -> Result<web::Data<T>, WebError> {
    request
        .app_data::<web::Data<T>>()
        .cloned()
        .ok_or_else(|| WebError::internal("the service's state is not configured"))
}

/// A rendered page.
fn html(page: &impl Template) -> Result<HttpResponse, WebError> {
    let body = page.render().map_err(WebError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(header::ContentType::html())
        .body(body))
}

/// Post, then redirect, then get: a reload never sends a form twice.
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Percent-encodes a query parameter's value.
fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            urlencode("/rapportera/typ?andra=1"),
            "/rapportera/typ%3Fandra%3D1"
        );
        assert_eq!(urlencode("/å"), "/%C3%A5");
    }
}
