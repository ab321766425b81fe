//! Configuration: environment variables over an optional TOML file (`TRYGG_CONFIG`) over
//! defaults that run on a fresh machine.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use trygg::Settings;
use trygg_api::{Algorithm, AuthSettings, ForwardedHeader, KeySource, RateLimits, TrustedProxies};
use trygg_domain::Catalogue;
use trygg_domain::statistics::{PublicationCalendar, SuppressionThreshold};
use trygg_notifier::{DeliverySettings, Routing};
use trygg_storage::DisclosureControl;
use trygg_storage::{AccessLogKey, AccessLogKeys, DatabaseUrl};

const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_DATABASE: &str = "./data/trygg.db";
const DEFAULT_ISSUER: &str = "trygg";
/// How long a closed case keeps its content: five years, unless configured.
const DEFAULT_RETENTION_DAYS: i64 = 5 * 365;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    database_url: Option<String>,
    database_pool_size: Option<u32>,
    catalogue: Option<PathBuf>,
    routing: Option<PathBuf>,
    statistics_threshold: Option<u64>,
    statistics_max_noise: Option<u32>,
    statistics_variance: Option<f64>,
    statistics_publication_day: Option<u32>,
    open_statistics: Option<bool>,
    access_log_heads: Option<PathBuf>,
    #[serde(default)]
    jwt: JwtFileConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct JwtFileConfig {
    secret: Option<String>,
    issuer: Option<String>,
    audience: Option<String>,
    jwks_url: Option<String>,
    algorithms: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path} is not a valid configuration: {error}")]
    Parse {
        path: PathBuf,
        error: toml::de::Error,
    },
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error(
        "{reachable}, so the development sign-in and secret are off; set {}",
        missing.join(", ")
    )]
    NotDevelopment {
        /// Why people elsewhere could reach the service.
        reachable: String,
        /// What a deployment must configure and has not.
        missing: Vec<&'static str>,
    },
    #[error("the catalogue {path} is not valid: {error}")]
    Catalogue {
        path: PathBuf,
        error: trygg_domain::CatalogueError,
    },
    #[error("the routing rules {path} are not valid: {error}")]
    Routing {
        path: PathBuf,
        error: trygg_notifier::RoutingError,
    },
}

fn invalid(name: &'static str, reason: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.to_string(),
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
        path: path.into(),
        error,
    })
}

/// How statistics are protected and published: the threshold, the noise of the cell-key
/// method (`TRYGG_STATISTICS_MAX_NOISE`, `TRYGG_STATISTICS_VARIANCE`) and the day of the month
/// a month's figures are published (`TRYGG_STATISTICS_PUBLICATION_DAY`).
fn disclosure(
    env: &impl Fn(&str) -> Option<String>,
    (file_noise, file_variance, file_day): (Option<u32>, Option<f64>, Option<u32>),
    threshold: SuppressionThreshold,
) -> Result<DisclosureControl, ConfigError> {
    fn setting<T: std::str::FromStr<Err: ToString>>(
        env: &impl Fn(&str) -> Option<String>,
        name: &'static str,
        from_file: Option<T>,
    ) -> Result<Option<T>, ConfigError> {
        match env(name) {
            Some(text) => text.trim().parse().map(Some).map_err(|e| invalid(name, e)),
            None => Ok(from_file),
        }
    }
    let max_noise = setting(env, "TRYGG_STATISTICS_MAX_NOISE", file_noise)?;
    let variance = setting(env, "TRYGG_STATISTICS_VARIANCE", file_variance)?;
    let day = setting(env, "TRYGG_STATISTICS_PUBLICATION_DAY", file_day)?;
    let calendar = day
        .map(PublicationCalendar::new)
        .transpose()
        .map_err(|e| invalid("TRYGG_STATISTICS_PUBLICATION_DAY", e))?
        .unwrap_or_default();
    DisclosureControl::new(threshold, max_noise, variance, calendar).map_err(|e| {
        invalid(
            "TRYGG_STATISTICS_MAX_NOISE and TRYGG_STATISTICS_VARIANCE",
            e,
        )
    })
}

/// Why people elsewhere could reach a service bound to `bind` (and reached at
/// `TRYGG_PUBLIC_URL`), or `None` when nothing suggests they could: then, and only then, the
/// development sign-in and secret may stand in for an identity provider.
fn reachable_from_elsewhere(
    env: &impl Fn(&str) -> Option<String>,
    bind: SocketAddr,
) -> Option<String> {
    if !bind.ip().is_loopback() {
        return Some(format!("the service listens on {bind}, beyond loopback"));
    }
    if env("TRYGG_TRUSTED_PROXIES").is_some_and(|proxies| !proxies.trim().is_empty()) {
        return Some("TRYGG_TRUSTED_PROXIES names proxies in front of the service".to_owned());
    }
    let public_url = env("TRYGG_PUBLIC_URL")?;
    let host = public_url
        .split_once("://")
        .map_or(public_url.as_str(), |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let authority = host.rsplit_once('@').map_or(host, |(_, host)| host);
    (!trygg_api::is_loopback_host(authority))
        .then(|| format!("TRYGG_PUBLIC_URL is {public_url}, not this machine"))
}

/// Refuses to start a service that people elsewhere could reach without what stands in for
/// the development conveniences: a token key, an identity provider and a session key.
fn require_deployment(
    env: &impl Fn(&str) -> Option<String>,
    jwt: &JwtFileConfig,
    bind: SocketAddr,
) -> Result<bool, ConfigError> {
    let Some(reachable) = reachable_from_elsewhere(env, bind) else {
        return Ok(true);
    };
    let mut missing = Vec::new();
    if env("TRYGG_JWT_SECRET").or(jwt.secret.clone()).is_none()
        && env("TRYGG_JWT_JWKS_URL").or(jwt.jwks_url.clone()).is_none()
    {
        missing.push("TRYGG_JWT_SECRET or TRYGG_JWT_JWKS_URL");
    }
    if env("TRYGG_OIDC_ISSUER").is_none() {
        missing.push("TRYGG_OIDC_ISSUER");
    }
    if env("TRYGG_OIDC_ISSUER").is_some() && env("TRYGG_OIDC_CLIENT_ID").is_none() {
        missing.push("TRYGG_OIDC_CLIENT_ID");
    }
    if env("TRYGG_SESSION_KEY").is_none() {
        missing.push("TRYGG_SESSION_KEY");
    }
    if env("TRYGG_ACCESS_LOG_KEY").is_none() {
        missing.push("TRYGG_ACCESS_LOG_KEY");
    }
    if missing.is_empty() {
        Ok(false)
    } else {
        Err(ConfigError::NotDevelopment { reachable, missing })
    }
}

/// How the web pages sign people in and protect their sessions. Without an identity provider
/// (`TRYGG_OIDC_ISSUER`) the development sign-in is used, but only where nothing suggests
/// people elsewhere can reach the service: the same rule as the development JWT secret.
pub fn web(
    env: impl Fn(&str) -> Option<String>,
    bind: SocketAddr,
) -> Result<trygg_web::WebSettings, ConfigError> {
    // `load` has refused a reachable service that lacks any of these, naming them all.
    let development = reachable_from_elsewhere(&env, bind).is_none();
    let public_url = env("TRYGG_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
    let sign_in = match env("TRYGG_OIDC_ISSUER") {
        Some(issuer) => trygg_web::SignIn::Provider(trygg_web::OidcSettings {
            issuer,
            client_id: env("TRYGG_OIDC_CLIENT_ID").ok_or_else(|| {
                invalid("TRYGG_OIDC_CLIENT_ID", "must be set with TRYGG_OIDC_ISSUER")
            })?,
            client_secret: env("TRYGG_OIDC_CLIENT_SECRET").filter(|secret| !secret.is_empty()),
            public_url: public_url.clone(),
        }),
        None if development => {
            tracing::warn!(
                "TRYGG_OIDC_ISSUER is not set: the web pages use the development sign-in, for \
                 requests of this machine only"
            );
            trygg_web::SignIn::Development
        }
        None => return Err(invalid("TRYGG_OIDC_ISSUER", "must be set")),
    };
    let session_key = match env("TRYGG_SESSION_KEY") {
        Some(key) if key.len() >= 32 => key.into_bytes(),
        Some(_) => return Err(invalid("TRYGG_SESSION_KEY", "must be at least 32 bytes")),
        None if development => {
            tracing::warn!("TRYGG_SESSION_KEY is not set: sessions end when the service restarts");
            format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            )
            .into_bytes()
        }
        None => return Err(invalid("TRYGG_SESSION_KEY", "must be set")),
    };
    let minutes = |name: &'static str, default: chrono::Duration| {
        number(&env, name, default.num_minutes()).map(chrono::Duration::minutes)
    };
    let defaults = trygg_web::SessionPolicy::default();
    let sessions = trygg_web::SessionPolicy {
        case_work_idle: minutes("TRYGG_SESSION_IDLE_MINUTES", defaults.case_work_idle)?,
        reporting_idle: minutes(
            "TRYGG_REPORTER_SESSION_IDLE_MINUTES",
            defaults.reporting_idle,
        )?,
        lifetime: minutes("TRYGG_SESSION_LIFETIME_MINUTES", defaults.lifetime)?,
    };
    Ok(trygg_web::WebSettings {
        sign_in,
        session_key,
        public_url,
        sessions,
    })
}

/// How long after closing a case keeps its content (`TRYGG_RETENTION_DAYS`).
pub fn retention(env: impl Fn(&str) -> Option<String>) -> Result<chrono::Duration, ConfigError> {
    let days = match env("TRYGG_RETENTION_DAYS") {
        Some(days) => days
            .parse::<i64>()
            .ok()
            .filter(|days| (1..=36_500).contains(days))
            .ok_or_else(|| {
                invalid(
                    "TRYGG_RETENTION_DAYS",
                    "must be a number of days, 1 to 36500",
                )
            })?,
        None => DEFAULT_RETENTION_DAYS,
    };
    Ok(chrono::Duration::days(days))
}

/// Loads the settings; `env` looks up an environment variable.
pub fn load(env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
    let file = match env("TRYGG_CONFIG") {
        Some(path) => {
            let path = PathBuf::from(path);
            toml::from_str(&read(&path)?).map_err(|error| ConfigError::Parse { path, error })?
        }
        None => FileConfig::default(),
    };
    let bind: SocketAddr = env("TRYGG_BIND")
        .or(file.bind)
        .as_deref()
        .unwrap_or(DEFAULT_BIND)
        .parse()
        .map_err(|e| invalid("TRYGG_BIND", e))?;
    let database_url = env("DATABASE_URL").or(file.database_url);
    let database_url = DatabaseUrl::parse(database_url.as_deref().unwrap_or(DEFAULT_DATABASE));
    let database_pool_size = match env("TRYGG_DATABASE_POOL_SIZE") {
        Some(size) => size
            .parse()
            .map_err(|e| invalid("TRYGG_DATABASE_POOL_SIZE", e))?,
        None => file.database_pool_size.unwrap_or(match database_url {
            DatabaseUrl::Sqlite(_) => 8,
            DatabaseUrl::Postgres(_) => 16,
        }),
    };
    let catalogue = match env("TRYGG_CATALOGUE").map(PathBuf::from).or(file.catalogue) {
        Some(path) => Catalogue::from_toml(&read(&path)?)
            .map_err(|error| ConfigError::Catalogue { path, error })?,
        None => Catalogue::builtin(),
    };
    let routing = match env("TRYGG_ROUTING").map(PathBuf::from).or(file.routing) {
        Some(path) => Routing::from_toml(&read(&path)?, &catalogue, &env)
            .map_err(|error| ConfigError::Routing { path, error })?,
        None => Routing::builtin(&catalogue).map_err(|error| ConfigError::Routing {
            path: "the built-in rules".into(),
            error,
        })?,
    };
    let delivery = delivery_settings(&env, bind)?;
    let suppression_threshold = match env("TRYGG_STATISTICS_THRESHOLD") {
        Some(threshold) => Some(
            threshold
                .parse()
                .map_err(|e| invalid("TRYGG_STATISTICS_THRESHOLD", e))?,
        ),
        None => file.statistics_threshold,
    }
    .map(SuppressionThreshold::new)
    .transpose()
    .map_err(|e| invalid("TRYGG_STATISTICS_THRESHOLD", e))?
    .unwrap_or_default();
    let disclosure = disclosure(
        &env,
        (
            file.statistics_max_noise,
            file.statistics_variance,
            file.statistics_publication_day,
        ),
        suppression_threshold,
    )?;
    let open_statistics = match env("TRYGG_OPEN_STATISTICS").as_deref() {
        Some("true") => true,
        Some("false") => false,
        Some(_) => return Err(invalid("TRYGG_OPEN_STATISTICS", "must be true or false")),
        None => file.open_statistics.unwrap_or(false),
    };
    let development = require_deployment(&env, &file.jwt, bind)?;
    let auth = auth_settings(&env, file.jwt, development)?;
    let header = match env("TRYGG_FORWARDED_HEADER") {
        Some(name) => name
            .parse::<ForwardedHeader>()
            .map_err(|reason| invalid("TRYGG_FORWARDED_HEADER", reason))?,
        None => ForwardedHeader::default(),
    };
    let trusted_proxies = TrustedProxies::parse(&env("TRYGG_TRUSTED_PROXIES").unwrap_or_default())
        .map_err(|reason| invalid("TRYGG_TRUSTED_PROXIES", reason))?
        .appending_to(header);
    Ok(Settings {
        bind,
        database_pool_size,
        auth,
        catalogue,
        routing,
        delivery,
        disclosure,
        open_statistics,
        clock: trygg_domain::Clock::system(),
        rate_limits: rate_limits(&env)?,
        trusted_proxies,
        metrics_token: env("TRYGG_METRICS_TOKEN").filter(|token| !token.is_empty()),
        access_log_heads: env("TRYGG_ACCESS_LOG_HEADS")
            .map(PathBuf::from)
            .or(file.access_log_heads)
            .or_else(|| beside_sqlite(&database_url, "access-log-heads")),
        access_log_keys: access_log_keys(&env, development, &database_url)?,
        database_url,
        // The pages are configured apart (see [`web`]): only `serve` needs them.
        web: None,
    })
}

/// A file beside the SQLite database (`trygg.db.{suffix}`), where an embedded deployment keeps
/// what must not live inside the database.
fn beside_sqlite(database: &DatabaseUrl, suffix: &str) -> Option<PathBuf> {
    match database {
        DatabaseUrl::Sqlite(path) => Some(PathBuf::from(format!("{}.{suffix}", path.display()))),
        DatabaseUrl::Postgres(_) => None,
    }
}

/// The keys that seal the access log: `TRYGG_ACCESS_LOG_KEY`, and after a rotation the keys it
/// replaced in `TRYGG_ACCESS_LOG_PREVIOUS_KEYS` (comma-separated), which only verify. In
/// development mode without one, a key kept in a file beside the SQLite database (or in
/// `./data/` for PostgreSQL), made on first use.
fn access_log_keys(
    env: &impl Fn(&str) -> Option<String>,
    development: bool,
    database: &DatabaseUrl,
) -> Result<AccessLogKeys, ConfigError> {
    let key = |name: &'static str, secret: &str| {
        AccessLogKey::new(secret.as_bytes()).map_err(|weak| invalid(name, weak))
    };
    let current = match env("TRYGG_ACCESS_LOG_KEY") {
        Some(secret) => key("TRYGG_ACCESS_LOG_KEY", &secret)?,
        None if development => {
            let path = beside_sqlite(database, "access-log-key")
                .unwrap_or_else(|| PathBuf::from("./data/access-log.key"));
            key("TRYGG_ACCESS_LOG_KEY", &development_key(&path)?)?
        }
        None => return Err(invalid("TRYGG_ACCESS_LOG_KEY", "must be set")),
    };
    let previous = env("TRYGG_ACCESS_LOG_PREVIOUS_KEYS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|secret| !secret.is_empty())
        .map(|secret| key("TRYGG_ACCESS_LOG_PREVIOUS_KEYS", secret))
        .collect::<Result<_, _>>()?;
    Ok(AccessLogKeys { current, previous })
}

/// The development access-log key in `path`, made (256 random bits, readable by its owner
/// only) when there is none yet. Made beside and linked into place, so that two processes
/// starting at once agree on one key and neither reads half of one.
fn development_key(path: &Path) -> Result<String, ConfigError> {
    let io = |error: std::io::Error| ConfigError::Read {
        path: path.into(),
        error,
    };
    if let Ok(key) = std::fs::read_to_string(path) {
        return Ok(key.trim().to_owned());
    }
    if let Some(folder) = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder).map_err(io)?;
    }
    let key = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let made = PathBuf::from(format!(
        "{}.{}",
        path.display(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    std::io::Write::write_all(&mut file.open(&made).map_err(io)?, key.as_bytes()).map_err(io)?;
    let linked = std::fs::hard_link(&made, path);
    let _ = std::fs::remove_file(&made);
    match linked {
        Ok(()) => {
            tracing::warn!(
                path = %path.display(),
                "TRYGG_ACCESS_LOG_KEY is not set: the access log is sealed with a development key kept in this file"
            );
            Ok(key)
        }
        // Another process made it first: theirs is the key.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(std::fs::read_to_string(path).map_err(io)?.trim().to_owned())
        }
        Err(error) => Err(io(error)),
    }
}

/// Requests per minute per caller (`TRYGG_RATE_*`).
fn rate_limits(env: &impl Fn(&str) -> Option<String>) -> Result<RateLimits, ConfigError> {
    let defaults = RateLimits::default();
    let limit = |name: &'static str, default: NonZeroU32| {
        let value = number(env, name, i64::from(default.get()))?;
        u32::try_from(value)
            .ok()
            .and_then(NonZeroU32::new)
            .ok_or_else(|| invalid(name, "must be a number of requests per minute"))
    };
    Ok(RateLimits {
        filings: limit("TRYGG_RATE_FILINGS_PER_MINUTE", defaults.filings)?,
        statistics: limit("TRYGG_RATE_STATISTICS_PER_MINUTE", defaults.statistics)?,
        open_statistics: limit(
            "TRYGG_RATE_OPEN_STATISTICS_PER_MINUTE",
            defaults.open_statistics,
        )?,
        failed_authentications: limit(
            "TRYGG_RATE_FAILED_AUTHENTICATIONS_PER_MINUTE",
            defaults.failed_authentications,
        )?,
    })
}

fn number(
    env: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: i64,
) -> Result<i64, ConfigError> {
    match env(name) {
        Some(value) => value
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| invalid(name, "must be a positive number")),
        None => Ok(default),
    }
}

fn delivery_settings(
    env: &impl Fn(&str) -> Option<String>,
    bind: SocketAddr,
) -> Result<DeliverySettings, ConfigError> {
    Ok(DeliverySettings {
        smtp_url: env("TRYGG_SMTP_URL"),
        sender: env("TRYGG_SMTP_FROM").unwrap_or_else(|| "Trygg <trygg@localhost>".into()),
        public_url: env("TRYGG_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}")),
        max_attempts: number(env, "TRYGG_ALERT_MAX_ATTEMPTS", 8)?,
        backoff_base: chrono::Duration::seconds(number(env, "TRYGG_ALERT_BACKOFF_SECONDS", 10)?),
        lease: chrono::Duration::seconds(number(env, "TRYGG_ALERT_LEASE_SECONDS", 60)?),
        poll_interval: std::time::Duration::from_secs(
            number(env, "TRYGG_ALERT_POLL_SECONDS", 5)? as u64
        ),
        escalate_after: chrono::Duration::minutes(number(env, "TRYGG_ESCALATE_AFTER_MINUTES", 30)?),
    })
}

fn auth_settings(
    env: &impl Fn(&str) -> Option<String>,
    file: JwtFileConfig,
    development: bool,
) -> Result<AuthSettings, ConfigError> {
    let issuer = env("TRYGG_JWT_ISSUER")
        .or(file.issuer)
        .unwrap_or_else(|| DEFAULT_ISSUER.into());
    let audience = env("TRYGG_JWT_AUDIENCE")
        .or(file.audience)
        .unwrap_or_else(|| DEFAULT_ISSUER.into());
    let secret = env("TRYGG_JWT_SECRET").or(file.secret);
    let jwks_url = env("TRYGG_JWT_JWKS_URL").or(file.jwks_url);
    let keys = match (secret, jwks_url) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "TRYGG_JWT_SECRET",
                "set either a shared secret or a JWKS URL, not both",
            ));
        }
        (None, Some(url)) => {
            let algorithms = match env("TRYGG_JWT_ALGORITHMS") {
                Some(list) => list.split(',').map(|a| a.trim().to_owned()).collect(),
                None => file.algorithms.unwrap_or_else(|| vec!["RS256".into()]),
            };
            let algorithms = algorithms
                .iter()
                .map(|name| {
                    name.parse::<Algorithm>().map_err(|_| {
                        invalid(
                            "TRYGG_JWT_ALGORITHMS",
                            format!("`{name}` is not a JWT algorithm"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            KeySource::Jwks { url, algorithms }
        }
        (Some(secret), None) => KeySource::SharedSecret(secret),
        (None, None) if development => {
            tracing::warn!(
                "TRYGG_JWT_SECRET is not set: using the development secret, for requests of \
                 this machine only"
            );
            KeySource::Development
        }
        (None, None) => {
            return Err(invalid(
                "TRYGG_JWT_SECRET",
                "must be set (or TRYGG_JWT_JWKS_URL)",
            ));
        }
    };
    Ok(AuthSettings {
        issuer,
        audience,
        keys,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Settings from these variables; without a database named, with an access-log key, so
    /// that no test writes a key file into the working folder.
    fn load_with(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !vars.contains_key("DATABASE_URL") {
            vars.entry("TRYGG_ACCESS_LOG_KEY".into())
                .or_insert_with(|| "a-test-access-log-key-long-enough".into());
        }
        load(|name| vars.get(name).cloned())
    }

    fn web_with(bind: &str, vars: &[(&str, &str)]) -> Result<trygg_web::WebSettings, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        web(|name| vars.get(name).cloned(), bind.parse().unwrap())
    }

    #[test]
    fn the_development_sign_in_exists_only_on_loopback_without_a_provider() {
        let local = web_with("127.0.0.1:8080", &[]).unwrap();
        assert!(matches!(local.sign_in, trygg_web::SignIn::Development));
        assert!(web_with("0.0.0.0:8080", &[("TRYGG_SESSION_KEY", &"k".repeat(32))]).is_err());
        let provider = [
            ("TRYGG_OIDC_ISSUER", "https://login.example/tenant/v2.0"),
            ("TRYGG_OIDC_CLIENT_ID", "trygg"),
            ("TRYGG_SESSION_KEY", &"k".repeat(32)),
        ];
        let public = web_with("0.0.0.0:8080", &provider).unwrap();
        assert!(matches!(public.sign_in, trygg_web::SignIn::Provider(_)));
        let local_with_provider = web_with("127.0.0.1:8080", &provider).unwrap();
        assert!(matches!(
            local_with_provider.sign_in,
            trygg_web::SignIn::Provider(_)
        ));
        assert!(
            web_with("0.0.0.0:8080", &provider[..2]).is_err(),
            "a session key is required"
        );
        assert!(web_with("127.0.0.1:8080", &[("TRYGG_SESSION_KEY", "short")]).is_err());
    }

    #[test]
    fn rate_limits_are_positive_numbers_per_minute() {
        assert_eq!(load_with(&[]).unwrap().rate_limits, RateLimits::default());
        let set = load_with(&[("TRYGG_RATE_FILINGS_PER_MINUTE", "5")]).unwrap();
        assert_eq!(set.rate_limits.filings.get(), 5);
        for bad in ["0", "-1", "many", "99999999999"] {
            assert!(
                load_with(&[("TRYGG_RATE_STATISTICS_PER_MINUTE", bad)]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn defaults_run_on_a_fresh_machine() {
        let settings = load_with(&[]).unwrap();
        assert_eq!(settings.bind.to_string(), DEFAULT_BIND);
        assert_eq!(
            settings.database_url,
            DatabaseUrl::Sqlite("./data/trygg.db".into())
        );
        assert!(matches!(settings.auth.keys, KeySource::Development));
        assert_eq!(settings.auth.issuer, "trygg");
        assert_eq!(settings.auth.audience, "trygg");
    }

    #[test]
    fn retention_is_a_bounded_number_of_days() {
        let retention = |value: &str| retention(|_| Some(value.to_owned()));
        assert_eq!(retention("30").unwrap(), chrono::Duration::days(30));
        assert!(retention("0").is_err());
        assert!(retention("forever").is_err());
        assert_eq!(
            super::retention(|_| None).unwrap(),
            chrono::Duration::days(DEFAULT_RETENTION_DAYS)
        );
    }

    #[test]
    fn the_suppression_threshold_is_at_least_two() {
        assert_eq!(
            load_with(&[]).unwrap().disclosure.threshold,
            SuppressionThreshold::DEFAULT
        );
        let five = load_with(&[("TRYGG_STATISTICS_THRESHOLD", "5")]).unwrap();
        assert_eq!(five.disclosure.threshold.get(), 5);
        assert_eq!(five.disclosure.perturbation.parameters().max_noise, 5);
        for (name, refused) in [
            ("TRYGG_STATISTICS_MAX_NOISE", "1"),
            ("TRYGG_STATISTICS_VARIANCE", "0"),
            ("TRYGG_STATISTICS_VARIANCE", "much"),
            ("TRYGG_STATISTICS_PUBLICATION_DAY", "31"),
        ] {
            let error = load_with(&[(name, refused)]).unwrap_err();
            assert!(
                error.to_string().contains(name),
                "{name}={refused}: {error}"
            );
        }
        for refused in ["1", "0", "three"] {
            let error = load_with(&[("TRYGG_STATISTICS_THRESHOLD", refused)]).unwrap_err();
            assert!(
                error.to_string().contains("TRYGG_STATISTICS_THRESHOLD"),
                "{error}"
            );
        }
    }

    #[test]
    fn the_development_secret_never_leaves_loopback() {
        let error = load_with(&[("TRYGG_BIND", "0.0.0.0:8080")]).unwrap_err();
        assert!(error.to_string().contains("TRYGG_JWT_SECRET"), "{error}");
    }

    #[test]
    fn behind_a_proxy_on_loopback_the_service_refuses_to_start_without_real_sign_in() {
        let public = [
            ("TRYGG_BIND", "127.0.0.1:8080"),
            ("TRYGG_PUBLIC_URL", "https://trygg.kommun.example"),
            ("DATABASE_URL", "/nonexistent/trygg.db"),
        ];
        let error = load_with(&public).unwrap_err().to_string();
        for named in [
            "TRYGG_PUBLIC_URL is https://trygg.kommun.example",
            "TRYGG_JWT_SECRET or TRYGG_JWT_JWKS_URL",
            "TRYGG_OIDC_ISSUER",
            "TRYGG_SESSION_KEY",
            "TRYGG_ACCESS_LOG_KEY",
        ] {
            assert!(error.contains(named), "{named}: {error}");
        }
        let key = "k".repeat(32);
        let secret = "s".repeat(32);
        let complete = [
            public[0],
            public[1],
            public[2],
            ("TRYGG_JWT_SECRET", secret.as_str()),
            ("TRYGG_OIDC_ISSUER", "https://login.example/tenant/v2.0"),
            ("TRYGG_OIDC_CLIENT_ID", "trygg"),
            ("TRYGG_SESSION_KEY", key.as_str()),
            ("TRYGG_ACCESS_LOG_KEY", key.as_str()),
        ];
        assert!(matches!(
            load_with(&complete).unwrap().auth.keys,
            KeySource::SharedSecret(_)
        ));
        let web = web_with("127.0.0.1:8080", &complete).unwrap();
        assert!(matches!(web.sign_in, trygg_web::SignIn::Provider(_)));
        assert!(
            web_with("127.0.0.1:8080", &public[1..2]).is_err(),
            "no development sign-in for a public URL"
        );
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:8080/",
            "http://[::1]",
        ] {
            let settings = load_with(&[("TRYGG_PUBLIC_URL", local)]).unwrap();
            assert!(
                matches!(settings.auth.keys, KeySource::Development),
                "{local}"
            );
        }
    }

    #[test]
    fn the_access_log_key_is_kept_apart_from_the_database() {
        let folder = std::env::temp_dir().join(format!("trygg-key-{}", uuid::Uuid::new_v4()));
        let database = folder.join("trygg.db");
        let url = [("DATABASE_URL", database.to_str().unwrap())];
        // Two processes starting at once agree on one key.
        let (first, again) = std::thread::scope(|scope| {
            let first = scope.spawn(|| load_with(&url).unwrap());
            let again = scope.spawn(|| load_with(&url).unwrap());
            (first.join().unwrap(), again.join().unwrap())
        });
        assert_eq!(
            first.access_log_keys.current.id(),
            again.access_log_keys.current.id(),
            "made once, beside the database, and kept"
        );
        assert!(folder.join("trygg.db.access-log-key").exists());
        assert_eq!(
            first.access_log_heads,
            Some(folder.join("trygg.db.access-log-heads"))
        );
        std::fs::remove_dir_all(&folder).unwrap();

        let long = "k".repeat(32);
        let rotated = load_with(&[
            ("TRYGG_ACCESS_LOG_KEY", long.as_str()),
            (
                "TRYGG_ACCESS_LOG_PREVIOUS_KEYS",
                &format!("{}, {}", "a".repeat(32), "b".repeat(40)),
            ),
        ])
        .unwrap();
        assert_eq!(rotated.access_log_keys.previous.len(), 2);
        for weak in [
            ("TRYGG_ACCESS_LOG_KEY", "short"),
            ("TRYGG_ACCESS_LOG_PREVIOUS_KEYS", "short"),
        ] {
            let error = load_with(&[("TRYGG_ACCESS_LOG_KEY", long.as_str()), weak]).unwrap_err();
            assert!(error.to_string().contains(weak.0), "{error}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges_and_end_development_mode() {
        let key = "k".repeat(32);
        let deployed = [
            ("TRYGG_JWT_SECRET", key.as_str()),
            ("TRYGG_OIDC_ISSUER", "https://login.example/tenant/v2.0"),
            ("TRYGG_OIDC_CLIENT_ID", "trygg"),
            ("TRYGG_SESSION_KEY", key.as_str()),
            ("TRYGG_ACCESS_LOG_KEY", key.as_str()),
            ("TRYGG_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
        ];
        assert!(load_with(&deployed).is_ok());
        let proxied = load_with(&[("TRYGG_TRUSTED_PROXIES", "127.0.0.1")]).unwrap_err();
        assert!(
            proxied
                .to_string()
                .contains("TRYGG_TRUSTED_PROXIES names proxies"),
            "a proxy in front means people elsewhere: {proxied}"
        );
        for refused in [
            ("TRYGG_TRUSTED_PROXIES", "ingress.internal"),
            ("TRYGG_FORWARDED_HEADER", "X-Real-IP"),
        ] {
            let mut vars = deployed.to_vec();
            vars.push(refused);
            let error = load_with(&vars).unwrap_err();
            assert!(error.to_string().contains(refused.0), "{error}");
        }
    }

    #[test]
    fn broken_routing_rules_stop_the_start_with_the_reason() {
        let path = std::env::temp_dir().join(format!("trygg-routing-{}.toml", std::process::id()));
        std::fs::write(&path, "[routing]\ndefault_receiver = \"nobody\"\n").unwrap();
        let error = load_with(&[("TRYGG_ROUTING", path.to_str().unwrap())]).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(
            error
                .to_string()
                .ends_with("the default receiver `nobody` is not defined"),
            "{error}"
        );
    }

    #[test]
    fn oidc_mode_takes_pinned_algorithms() {
        let settings = load_with(&[
            ("TRYGG_JWT_JWKS_URL", "https://login.example/keys"),
            ("TRYGG_JWT_ALGORITHMS", "RS256, ES256"),
        ])
        .unwrap();
        match settings.auth.keys {
            KeySource::Jwks { algorithms, .. } => {
                assert_eq!(algorithms, [Algorithm::RS256, Algorithm::ES256]);
            }
            other => panic!("expected JWKS, got {other:?}"),
        }
        assert!(load_with(&[("TRYGG_JWT_JWKS_URL", "u"), ("TRYGG_JWT_SECRET", "s")]).is_err());
        assert!(
            load_with(&[
                ("TRYGG_JWT_JWKS_URL", "u"),
                ("TRYGG_JWT_ALGORITHMS", "none")
            ])
            .is_err()
        );
    }
}
