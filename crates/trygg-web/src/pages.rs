//! The pages around the form: the start page, what the service keeps and who sees it, the
//! accessibility statement, the language switch and the stylesheet.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use trygg_app::App;

use crate::error::WebError;
use crate::i18n::Lang;
use crate::session::{Visitor, local_path};
use crate::templates::{Layout, OfflinePage, StartPage, TextPage};
use crate::{html, see_other};

const STYLESHEET: &str = include_str!("../static/trygg.css");
const ICON: &str = include_str!("../static/icon.svg");
const SERVICE_WORKER: &str = include_str!("../static/sw.js");
const APP_SCRIPT: &str = include_str!("../static/app.js");

/// `GET /`.
pub async fn start(visitor: Visitor, app: web::Data<App>) -> Result<HttpResponse, WebError> {
    let has_draft = crate::filing::has_draft(&app, &visitor).await?;
    html(&StartPage {
        layout: Layout::new(&visitor, "start-title"),
        has_draft,
    })
}

/// A page of sections, each a heading message and paragraph messages; `contact` adds a
/// paragraph (the municipality's own address, from its catalogue) to the section it names.
fn text_page(
    visitor: &Visitor,
    title_id: &str,
    sections: &[(Option<&str>, &[&str])],
    contact: Option<(&str, String)>,
) -> Result<HttpResponse, WebError> {
    let lang = visitor.lang;
    html(&TextPage {
        layout: Layout::new(visitor, title_id),
        sections: sections
            .iter()
            .map(|(heading, paragraphs)| {
                let mut texts: Vec<String> = paragraphs.iter().map(|id| lang.text(id)).collect();
                if let Some((section, paragraph)) = &contact
                    && *heading == Some(*section)
                {
                    texts.push(paragraph.clone());
                }
                (heading.map(|id| lang.text(id)), texts)
            })
            .collect(),
    })
}

/// A message naming a contact from the catalogue, for a section of a text page.
fn contact<'a>(
    lang: Lang,
    section: &'a str,
    message: &str,
    contact: Option<&String>,
) -> Option<(&'a str, String)> {
    contact.map(|contact| (section, lang.text_with(message, &[("contact", contact)])))
}

/// `GET /om`: what is stored, who sees it, for how long, and whom to ask.
pub async fn about(visitor: Visitor, app: web::Data<App>) -> Result<HttpResponse, WebError> {
    let officer = contact(
        visitor.lang,
        "about-rights-heading",
        "about-rights-officer",
        app.catalogue()
            .municipality()
            .data_protection_officer
            .as_ref(),
    );
    text_page(
        &visitor,
        "about-title",
        &[
            (None, &["about-intro"]),
            (
                Some("about-stored-heading"),
                &["about-stored-1", "about-stored-2"],
            ),
            (
                Some("about-who-heading"),
                &["about-who-1", "about-who-2", "about-who-3"],
            ),
            (
                Some("about-how-long-heading"),
                &["about-how-long-1", "about-how-long-2"],
            ),
            (Some("about-rights-heading"), &["about-rights-1"]),
        ],
        officer,
    )
}

/// `GET /tillganglighet`: the accessibility statement the law (DOS-lagen) asks for.
pub async fn accessibility(
    visitor: Visitor,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    let reach = contact(
        visitor.lang,
        "a11y-report-heading",
        "a11y-report-contact",
        app.catalogue()
            .municipality()
            .accessibility_contact
            .as_ref(),
    );
    text_page(
        &visitor,
        "a11y-title",
        &[
            (None, &["a11y-intro"]),
            (
                Some("a11y-status-heading"),
                &["a11y-status-1", "a11y-status-2"],
            ),
            (
                Some("a11y-known-heading"),
                &["a11y-known-1", "a11y-known-2", "a11y-known-3"],
            ),
            (Some("a11y-report-heading"), &["a11y-report-1"]),
            (Some("a11y-enforcement-heading"), &["a11y-enforcement-1"]),
            (Some("a11y-tested-heading"), &["a11y-tested-1"]),
        ],
        reach,
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct LanguageQuery {
    lang: String,
    tillbaka: Option<String>,
}

/// `GET /sprak?lang=en&tillbaka=/…`: the language link on every page.
pub async fn language(
    query: web::Query<LanguageQuery>,
    visitor: Visitor,
) -> Result<HttpResponse, WebError> {
    let lang = Lang::from_code(&query.lang).ok_or(WebError::NotFound)?;
    visitor.set_lang(lang)?;
    Ok(see_other(&local_path(query.tillbaka.as_deref())))
}

/// `GET /static/trygg.css`.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}

/// `GET /manifest-{lang}.webmanifest`: the reporting pages as an app a phone installs, opening
/// at the report, in the visitor's language.
pub async fn manifest(lang: web::Path<String>) -> Result<HttpResponse, WebError> {
    let lang = Lang::from_code(&lang).ok_or(WebError::NotFound)?;
    let manifest = serde_json::json!({
        "name": lang.text("app-name"),
        "short_name": lang.text("service-name"),
        "description": lang.text("service-tagline"),
        "lang": lang.code(),
        "start_url": "/rapportera",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b0c0c",
        "icons": [
            { "src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any" }
        ],
    });
    Ok(HttpResponse::Ok()
        .content_type("application/manifest+json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(manifest.to_string()))
}

/// `GET /sw.js`: the service worker, from the root so that it serves every page's offline
/// answer. It fetches the pages it keeps, which its own policy allows.
pub async fn service_worker() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; connect-src 'self'",
        ))
        .body(SERVICE_WORKER)
}

/// `GET /static/app.js`: registers the service worker.
pub async fn app_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(APP_SCRIPT)
}

/// `GET /offline`: the page the service worker keeps for when there is no network.
pub async fn offline(app: web::Data<App>) -> Result<HttpResponse, WebError> {
    let phone = app.catalogue().municipality().phone.clone();
    let phone_digits = phone
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    html(&OfflinePage {
        phone,
        phone_digits,
    })
}

/// `GET /static/icon.svg`: the service's icon (favicon).
pub async fn icon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(ICON)
}

/// Anything else under the pages: a 404 page.
pub async fn not_found() -> Result<HttpResponse, WebError> {
    Err(WebError::NotFound)
}
