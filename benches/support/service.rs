//! The service as the benchmarks start it: in-process on a random port, with a token.

use std::time::Duration;

use trygg::{Application, Settings};
use trygg_api::{AuthSettings, KeySource, TokenRequest};
use trygg_domain::Catalogue;
use trygg_notifier::{DeliverySettings, Routing};
use trygg_storage::DatabaseUrl;

const SECRET: &str = "a-benchmark-secret-that-is-long-enough";
const ACCESS_LOG_KEY: &str = "a-benchmark-access-log-key-long-enough";

/// A token with `role`, for the service [`start`] starts.
#[allow(
    dead_code,
    reason = "only the statistics benchmark reads as a second role"
)]
pub fn token(role: &str) -> String {
    let request = TokenRequest {
        subject: format!("bench-{role}"),
        roles: vec![role.into()],
        office: None,
        ttl: Duration::from_secs(3600),
    };
    trygg_api::mint_token(SECRET, &auth(), &request).unwrap()
}

fn auth() -> AuthSettings {
    AuthSettings {
        issuer: "trygg".into(),
        audience: "trygg".into(),
        keys: KeySource::SharedSecret(SECRET.into()),
    }
}

/// Starts the service on `database` (alert e-mails to `smtp_url`, when given) and returns its
/// base URL and a token with `role`.
pub async fn start(
    database: DatabaseUrl,
    smtp_url: Option<String>,
    role: &str,
) -> (String, String) {
    let auth = auth();
    let token = token(role);
    let settings = Settings {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: database,
        database_pool_size: 16,
        auth,
        catalogue: Catalogue::builtin(),
        routing: Routing::builtin(&Catalogue::builtin()).unwrap(),
        delivery: DeliverySettings {
            smtp_url,
            sender: "trygg@kommun.example".into(),
            public_url: "https://trygg.kommun.example".into(),
            max_attempts: 8,
            backoff_base: chrono::Duration::seconds(1),
            lease: chrono::Duration::seconds(60),
            poll_interval: Duration::from_secs(5),
            escalate_after: chrono::Duration::minutes(30),
        },
        disclosure: trygg_storage::DisclosureControl::default(),
        open_statistics: false,
        // No limit: the benchmarks load the service on purpose.
        rate_limits: trygg_api::RateLimits {
            filings: std::num::NonZeroU32::MAX,
            statistics: std::num::NonZeroU32::MAX,
            open_statistics: std::num::NonZeroU32::MAX,
            failed_authentications: std::num::NonZeroU32::MAX,
        },
        metrics_token: None,
        trusted_proxies: trygg_api::TrustedProxies::default(),
        access_log_heads: None,
        access_log_keys: trygg_storage::AccessLogKeys {
            current: trygg_storage::AccessLogKey::new(ACCESS_LOG_KEY.as_bytes()).unwrap(),
            previous: Vec::new(),
        },
        clock: trygg_domain::Clock::system(),
        web: None,
    };
    let application = Application::build(settings).await.unwrap();
    let base = format!("http://{}", application.address());
    actix_web::rt::spawn(application.run());
    (base, token)
}
