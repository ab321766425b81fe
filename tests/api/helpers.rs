use std::sync::Arc;
use std::time::Duration;

use awc::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use trygg::{Application, Settings};
use trygg_api::{AuthSettings, KeySource, TokenRequest};
use trygg_domain::{Catalogue, ManualClock};
use trygg_notifier::{DeliverySettings, Routing};

pub use crate::database::TestDatabase;

pub const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";
/// The key the test service seals its access log with; `trygg` commands are given it too.
pub const ACCESS_LOG_KEY: &str = "an-access-log-key-for-tests-long-enough";
pub const PROBLEM_JSON: &str = "application/problem+json";
/// What the test service's scraper presents for `/metrics`.
pub const METRICS_TOKEN: &str = "a-metrics-token-for-tests";

pub fn auth_settings(keys: KeySource) -> AuthSettings {
    AuthSettings {
        issuer: "trygg".into(),
        audience: "trygg".into(),
        keys,
    }
}

/// The service under test, and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    pub database: Arc<TestDatabase>,
    /// The service's clock: time passes when a test advances it.
    pub clock: ManualClock,
}

/// Where every test's clock starts: `TRYGG_TEST_NOW` (RFC 3339) when set, so that CI runs the
/// suite at awkward moments too; otherwise an ordinary weekday morning.
pub fn test_start() -> DateTime<Utc> {
    let start =
        std::env::var("TRYGG_TEST_NOW").unwrap_or_else(|_| "2026-12-02T10:00:00+01:00".to_owned());
    DateTime::parse_from_rfc3339(&start)
        .unwrap_or_else(|_| panic!("TRYGG_TEST_NOW=`{start}` is not an RFC 3339 instant"))
        .to_utc()
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts a problem document with this status, and returns its `detail`.
    pub fn assert_problem(&self, status: u16) -> &str {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some(PROBLEM_JSON),
            "body: {}",
            self.body
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string());
        assert!(self.body["type"].is_string());
        let detail = self.body["detail"]
            .as_str()
            .expect("a problem has a detail");
        assert!(!detail.is_empty());
        detail
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_configured(|_| {}).await
}

pub async fn spawn_app_with(keys: KeySource) -> TestApp {
    spawn_app_configured(|settings| settings.auth = auth_settings(keys)).await
}

/// Alert delivery for tests: quick retries, no SMTP server unless a test sets one.
pub fn delivery_settings() -> DeliverySettings {
    DeliverySettings {
        smtp_url: None,
        sender: "Trygg <trygg@kommun.example>".into(),
        public_url: "https://trygg.kommun.example".into(),
        max_attempts: 20,
        backoff_base: chrono::Duration::milliseconds(200),
        lease: chrono::Duration::seconds(30),
        poll_interval: Duration::from_millis(100),
        escalate_after: chrono::Duration::minutes(30),
    }
}

/// Starts the service with the test defaults, changed by `configure`.
pub async fn spawn_app_configured(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let clock = ManualClock::new(test_start());
    spawn_app_on(Arc::new(TestDatabase::create()), clock, configure).await
}

/// Starts the service on an existing database and clock (a second instance beside another).
pub async fn spawn_app_on(
    database: Arc<TestDatabase>,
    clock: ManualClock,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    start(database, clock, configure, None).await
}

/// Starts the service with its web pages, signing in with the development sign-in.
pub async fn spawn_app_with_pages() -> TestApp {
    spawn_app_with_pages_configured(|_| {}).await
}

/// As [`spawn_app_with_pages`], with the test defaults changed by `configure`.
pub async fn spawn_app_with_pages_configured(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let pages = trygg_web::WebSettings {
        sign_in: trygg_web::SignIn::Development,
        session_key: b"a-test-session-key-that-is-long-enough".to_vec(),
        public_url: "http://127.0.0.1".into(),
        sessions: trygg_web::SessionPolicy::default(),
    };
    let clock = ManualClock::new(test_start());
    start(
        Arc::new(TestDatabase::create()),
        clock,
        configure,
        Some(pages),
    )
    .await
}

async fn start(
    database: Arc<TestDatabase>,
    clock: ManualClock,
    configure: impl FnOnce(&mut Settings),
    pages: Option<trygg_web::WebSettings>,
) -> TestApp {
    let mut settings = Settings {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: database.url(),
        database_pool_size: 8,
        auth: auth_settings(KeySource::SharedSecret(SECRET.into())),
        catalogue: Catalogue::builtin(),
        routing: Routing::builtin(&Catalogue::builtin())
            .expect("the shipped routing rules are valid"),
        delivery: delivery_settings(),
        disclosure: trygg_storage::DisclosureControl::default(),
        open_statistics: false,
        // Generous: tests file and read as one user many times a minute (see rate_limits.rs).
        rate_limits: trygg_api::RateLimits {
            filings: std::num::NonZeroU32::MAX,
            statistics: std::num::NonZeroU32::MAX,
            open_statistics: std::num::NonZeroU32::MAX,
            failed_authentications: std::num::NonZeroU32::MAX,
        },
        metrics_token: Some(METRICS_TOKEN.into()),
        trusted_proxies: trygg_api::TrustedProxies::default(),
        access_log_heads: None,
        access_log_keys: trygg_storage::AccessLogKeys {
            current: trygg_storage::AccessLogKey::new(ACCESS_LOG_KEY.as_bytes()).unwrap(),
            previous: Vec::new(),
        },
        clock: clock.clock(),
        web: pages,
    };
    configure(&mut settings);
    let application = Application::build(settings)
        .await
        .expect("the service starts");
    let address = format!("http://{}", application.address());
    actix_web::rt::spawn(application.run());
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    TestApp {
        address,
        client,
        database,
        clock,
    }
}

pub fn token(subject: &str, roles: &[&str], office: Option<&str>) -> String {
    let request = TokenRequest {
        subject: subject.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        office: office.map(Into::into),
        ttl: Duration::from_secs(600),
    };
    trygg_api::mint_token(
        SECRET,
        &auth_settings(KeySource::SharedSecret(SECRET.into())),
        &request,
    )
    .unwrap()
}

pub fn reporter(subject: &str) -> String {
    token(subject, &["reporter"], None)
}

/// A valid report: a threat against a pupil at school, so classified as `school`.
pub fn report() -> Value {
    json!({
        "kind": "threat",
        "occurred_at": "2026-11-20T09:30:00+01:00",
        "district": "central",
        "place_kind": "school",
        "affected_category": "pupil_child",
        "affected_gender": "woman",
        "affected_age_group": "age_13_17",
        "children_affected": "affected",
        "perpetrator_relation": "pupil",
        "perpetrator_influence": "no",
        "severity": "high",
        "description": "Threatened with a knife in the schoolyard."
    })
}

/// `report()` with some fields replaced.
pub fn report_with(changes: Value) -> Value {
    let mut report = report();
    for (key, value) in changes.as_object().expect("changes are an object") {
        report[key] = value.clone();
    }
    report
}

async fn read(mut response: awc::ClientResponse) -> Reply {
    let bytes = response
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .expect("a readable body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(
        &self,
        method: awc::http::Method,
        path: &str,
        token: Option<&str>,
    ) -> awc::ClientRequest {
        let request = self.client.request(method, self.url(path));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn send(&self, request: awc::ClientRequest) -> Reply {
        read(request.send().await.expect("the service answers")).await
    }

    pub async fn send_body(
        &self,
        request: awc::ClientRequest,
        body: impl Into<actix_web::web::Bytes>,
    ) -> Reply {
        read(
            request
                .send_body(body.into())
                .await
                .expect("the service answers"),
        )
        .await
    }

    /// POSTs JSON, with `If-Match` when given.
    pub async fn post(
        &self,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> Reply {
        let mut request = self.request(awc::http::Method::POST, path, Some(token));
        if let Some(etag) = if_match {
            request = request.insert_header(("If-Match", etag));
        }
        read(request.send_json(body).await.expect("the service answers")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(self.request(awc::http::Method::GET, path, Some(token)))
            .await
    }

    /// Makes the token's holder known to the service, as any request of theirs does: whom a
    /// case or an action may go to.
    pub async fn seen(&self, token: &str) {
        let reply = self.get("/api/v1/catalogue", token).await;
        assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
    }

    pub async fn file(&self, token: &str, report: &Value) -> Reply {
        let request = self.request(awc::http::Method::POST, "/api/v1/incidents", Some(token));
        read(
            request
                .send_json(report)
                .await
                .expect("the service answers"),
        )
        .await
    }

    /// Files a report that must be accepted, and returns the case.
    pub async fn file_ok(&self, token: &str, report: &Value) -> Value {
        let reply = self.file(token, report).await;
        assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
        reply.body
    }

    /// Files a report that must be accepted, and returns the case's id.
    pub async fn file_id(&self, token: &str, report: &Value) -> String {
        self.file_ok(token, report).await["id"]
            .as_str()
            .expect("a case has an id")
            .to_owned()
    }

    /// Runs the `trygg` command line against this test's database.
    pub fn trygg(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        self.trygg_command(args)
            .envs(env.iter().copied())
            .output()
            .expect("trygg runs")
    }

    /// The `trygg` command on this service's database and keys, to run where it suits.
    pub fn trygg_command(&self, args: &[&str]) -> std::process::Command {
        let url = match self.database.url() {
            trygg_storage::DatabaseUrl::Sqlite(path) => path.to_string_lossy().into_owned(),
            trygg_storage::DatabaseUrl::Postgres(url) => url,
        };
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trygg"));
        command
            .args(args)
            .env("DATABASE_URL", url)
            .env("TRYGG_ACCESS_LOG_KEY", ACCESS_LOG_KEY)
            .env_remove("TRYGG_CONFIG");
        command
    }

    /// Publishes the statistics as a revision at the service's time, as an operator would
    /// with `trygg statistics publish --revision`: what a test seeded reaches analysts.
    pub fn publish_statistics(&self) {
        let now = self.clock.now().to_rfc3339();
        let output = self.trygg(
            &["statistics", "publish", "--revision", "--as-of", &now],
            &[],
        );
        assert!(output.status.success(), "{output:?}");
    }

    /// The ids of the cases a caller's list shows (all pages).
    pub async fn listed_ids(&self, token: &str, query: &str) -> Vec<String> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/incidents?limit=100{query}");
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let reply = self.get(&path, token).await;
            assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
            for item in reply.body["items"].as_array().unwrap() {
                ids.push(item["id"].as_str().unwrap().to_owned());
            }
            match reply.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return ids,
            }
        }
    }
}
