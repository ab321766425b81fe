//! The web pages over HTTP, on both backends, keeping to the API's access rules. (The browser
//! tests in `tests/browser/` drive the same pages in Chromium.)

mod case_work;
mod reporting;
mod sessions;
mod statistics;

use awc::http::{Method, StatusCode, header};
use serde_json::Value;

use crate::helpers::*;

fn manager() -> String {
    token("ivy", &["security_manager"], None)
}

/// The bodies of the comments on a case that `token`'s holder sees, oldest first.
async fn comment_bodies(app: &TestApp, case: &str, token: &str) -> Vec<Value> {
    let comments = app
        .get(&format!("/api/v1/incidents/{case}/comments"), token)
        .await;
    comments
        .body
        .as_array()
        .expect("a list of comments")
        .iter()
        .map(|comment| comment["body"].clone())
        .collect()
}

/// A client that keeps the session cookie, as a browser does, and shows each redirect.
pub struct Browser<'a> {
    app: &'a TestApp,
    client: awc::Client,
    cookie: Option<String>,
}

/// A page, read whole.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub html: String,
}

impl Page {
    /// The form token on the page.
    pub fn csrf(&self) -> String {
        let start = self.html.find(r#"name="csrf" value=""#).expect("a form") + 19;
        self.html[start..start + 64].to_owned()
    }

    /// The value of the first hidden field `name` on the page.
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!(r#"<input type="hidden" name="{name}" value=""#);
        let start = self.html.find(&marker).expect("the field") + marker.len();
        let end = start + self.html[start..].find('"').unwrap();
        self.html[start..end].to_owned()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            client: awc::Client::builder().disable_redirects().finish(),
            cookie: None,
        }
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Page {
        let mut request = self.client.request(method, self.app.url(path));
        if let Some(cookie) = &self.cookie {
            request = request.insert_header((header::COOKIE, cookie.as_str()));
        }
        let mut response = match form {
            Some(form) => request.send_form(&form).await,
            None => request.send().await,
        }
        .expect("the service answers");
        if let Some(set) = response.headers().get(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            self.cookie = Some(set.split(';').next().unwrap().to_owned());
        }
        let html = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|value| value.to_str().unwrap().to_owned())
        };
        Page {
            status: response.status(),
            location: header(header::LOCATION),
            retry_after: header(header::RETRY_AFTER),
            html,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    /// The session cookie, as an attacker who copied it would replay it.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// Posts a form with the token of the page at `path`.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(path).await.csrf();
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.send(Method::POST, path, Some(&form)).await
    }

    pub async fn sign_in(&mut self, user: &str) {
        let page = self.get("/logga-in?tillbaka=/rapportera").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.html.contains("Utvecklingsläge"),
            "the page says what it is"
        );
        let form = [
            ("csrf", page.csrf()),
            ("user", user.to_owned()),
            ("tillbaka", "/rapportera".to_owned()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let signed_in = self
            .send(Method::POST, "/logga-in/utveckling", Some(&form))
            .await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
        assert_eq!(signed_in.location.as_deref(), Some("/rapportera"));
    }
}

/// A step of the form: its page, the answers given there, and where the page sends on to.
type Step<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

/// A step's answers go in, and the page sends the reporter on.
async fn answer(browser: &mut Browser<'_>, step: &str, fields: &[(&str, &str)], next: &str) {
    let page = browser.post(&format!("/rapportera/{step}"), fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{step}: {}", page.html);
    assert_eq!(page.location.as_deref(), Some(next), "after {step}");
}

/// Answers every step of the report form (a violence report, all of it), ending at the check.
pub async fn answer_every_step(browser: &mut Browser<'_>) {
    let steps: [Step; 7] = [
        ("typ", &[("kind", "violence")], "/rapportera/vald"),
        (
            "vald",
            &[
                ("violence_forms", "physical"),
                ("violence_forms", "psychological"),
            ],
            "/rapportera/nar-och-var",
        ),
        (
            "nar-och-var",
            &[
                ("date", "2026-11-30"),
                ("time", "21:15"),
                ("district", "west"),
                ("place_kind", "nightlife"),
            ],
            "/rapportera/drabbad",
        ),
        (
            "drabbad",
            &[
                ("affected_category", "resident"),
                ("affected_gender", "man"),
                ("affected_age_group", "age_18_29"),
                ("children_affected", "no"),
            ],
            "/rapportera/utovare",
        ),
        (
            "utovare",
            &[
                ("perpetrator_relation", "unknown"),
                ("perpetrator_influence", "yes"),
            ],
            "/rapportera/beskrivning",
        ),
        (
            "beskrivning",
            &[
                ("severity", "serious"),
                ("description", "Slagen utanför krogen av en okänd man."),
            ],
            "/rapportera/fokusomrade",
        ),
        (
            "fokusomrade",
            &[("focus_area", "public_space")],
            "/rapportera/kontrollera",
        ),
    ];
    for (step, fields, next) in steps {
        answer(browser, step, fields, next).await;
    }
}
