//! Bearer-token authentication: HS256 with a shared secret, or RS256/ES256 against an OIDC
//! issuer's JWKS. The accepted algorithms come from configuration, never from the token.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use trygg_app::{App, Person};
use trygg_domain::{Catalogue, Origin, Principal, check_subject};

use crate::limits::Limits;
use crate::problem::ApiError;

/// How long to wait for the identity provider's JWKS.
const JWKS_TIMEOUT: Duration = Duration::from_secs(5);
/// An unknown `kid` refreshes the JWKS at most this often.
const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
const JWKS_MAX_BYTES: usize = 256 * 1024;
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;
/// The shared secret of development mode. It is published here, so a token signed with it
/// proves nothing: it is accepted only while the service runs in development mode, and then
/// only from requests of this machine.
const DEVELOPMENT_SECRET: &str = "trygg-development-secret-not-for-production";

/// How tokens are verified.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// HS256 with the published development secret, from requests of this machine only.
    Development,
    /// HS256 with a shared secret (a trusted gateway, tests).
    SharedSecret(String),
    /// Keys published by an OIDC issuer (Entra ID, Keycloak), with the algorithms accepted.
    Jwks {
        url: String,
        algorithms: Vec<Algorithm>,
    },
}

impl KeySource {
    /// The secret tokens are minted with (`trygg token`), where the service has one.
    pub fn shared_secret(&self) -> Option<&str> {
        match self {
            KeySource::Development => Some(DEVELOPMENT_SECRET),
            KeySource::SharedSecret(secret) => Some(secret),
            KeySource::Jwks { .. } => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub issuer: String,
    pub audience: String,
    pub keys: KeySource,
}

/// The claims Trygg reads once a token is verified. `roles` is an array of app roles, as
/// identity providers issue them.
#[derive(Debug, Deserialize)]
struct VerifiedClaims {
    sub: String,
    #[serde(default)]
    roles: Vec<String>,
    office: Option<String>,
    /// The holder's name and e-mail, where the identity provider states them.
    name: Option<String>,
    email: Option<String>,
}

/// The claims of a minted development token.
#[derive(Debug, Serialize)]
struct Claims {
    pub sub: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    pub iat: u64,
}

/// Verifies bearer tokens; shared by all workers.
#[derive(Debug)]
pub struct Authenticator {
    validation: Validation,
    keys: Keys,
    /// Development mode: tokens are accepted from requests of this machine only.
    development: bool,
}

#[derive(Debug)]
enum Keys {
    Shared(DecodingKey),
    Jwks(Jwks),
}

#[derive(Debug)]
struct Jwks {
    url: String,
    keys: RwLock<HashMap<String, DecodingKey>>,
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    #[error("the JWT secret must be at least 32 bytes")]
    WeakSecret,
    #[error("the JWT secret is the published development secret")]
    DevelopmentSecret,
    #[error("no algorithms are configured for the JWKS")]
    NoAlgorithms,
    #[error("{0:?} is a shared-secret algorithm; a JWKS issuer signs with public keys")]
    SymmetricWithJwks(Algorithm),
}

impl Authenticator {
    pub fn new(settings: &AuthSettings) -> Result<Authenticator, AuthConfigError> {
        let (algorithms, keys) = match &settings.keys {
            KeySource::Development => (
                vec![Algorithm::HS256],
                Keys::Shared(DecodingKey::from_secret(DEVELOPMENT_SECRET.as_bytes())),
            ),
            KeySource::SharedSecret(secret) => {
                if secret.len() < 32 {
                    return Err(AuthConfigError::WeakSecret);
                }
                if secret == DEVELOPMENT_SECRET {
                    return Err(AuthConfigError::DevelopmentSecret);
                }
                (
                    vec![Algorithm::HS256],
                    Keys::Shared(DecodingKey::from_secret(secret.as_bytes())),
                )
            }
            KeySource::Jwks { url, algorithms } => {
                if let Some(symmetric) = algorithms
                    .iter()
                    .find(|a| matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
                {
                    return Err(AuthConfigError::SymmetricWithJwks(*symmetric));
                }
                let jwks = Jwks {
                    url: url.clone(),
                    keys: RwLock::default(),
                    last_fetch: tokio::sync::Mutex::default(),
                };
                (algorithms.clone(), Keys::Jwks(jwks))
            }
        };
        let first = *algorithms.first().ok_or(AuthConfigError::NoAlgorithms)?;
        let mut validation = Validation::new(first);
        validation.algorithms = algorithms;
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Ok(Authenticator {
            validation,
            keys,
            development: matches!(settings.keys, KeySource::Development),
        })
    }

    /// Checks a token from a request of `origin` and returns its claims.
    async fn verify(
        &self,
        token: &str,
        origin: Option<Origin>,
    ) -> Result<VerifiedClaims, ApiError> {
        let invalid = |detail: &str| ApiError::Unauthenticated {
            detail: format!("the bearer token is not valid: {detail}"),
            invalid_token: true,
        };
        if self.development && !origin.is_some_and(|origin| origin.local) {
            return Err(invalid(
                "the service runs in development mode, which accepts tokens from this machine only",
            ));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed"))?;
        if !self.validation.algorithms.contains(&header.alg) {
            return Err(invalid("its algorithm is not accepted"));
        }
        // RFC 7515 §4.1.11: an extension the service does not understand must not be ignored,
        // and it understands none.
        if let Some(critical) = &header.crit {
            return Err(invalid(&format!(
                "it makes critical an extension this service does not understand: {critical:?}"
            )));
        }
        let key = match &self.keys {
            Keys::Shared(key) => key.clone(),
            Keys::Jwks(jwks) => jwks
                .key(header.kid.as_deref())
                .await
                .ok_or_else(|| invalid("unknown signing key"))?,
        };
        jsonwebtoken::decode::<VerifiedClaims>(token, &key, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => invalid("expired"),
                ErrorKind::ImmatureSignature => invalid("not valid yet (`nbf`)"),
                ErrorKind::InvalidIssuer => invalid("wrong issuer"),
                ErrorKind::InvalidAudience => invalid("wrong audience"),
                ErrorKind::MissingRequiredClaim(claim) => invalid(&format!("no `{claim}` claim")),
                ErrorKind::InvalidSignature => invalid("bad signature"),
                _ => invalid("rejected"),
            })
            .and_then(|claims| match check_subject(&claims.sub) {
                Ok(()) => Ok(claims),
                Err(unusable) => Err(invalid(&unusable.to_string())),
            })
    }

    /// Loads the JWKS ahead of the first request; failure is logged and retried on demand.
    pub async fn warm_up(&self) {
        if let Keys::Jwks(jwks) = &self.keys
            && let Err(error) = jwks.refresh().await
        {
            tracing::warn!(%error, url = %jwks.url, "could not load the JWKS yet");
        }
    }
}

impl Jwks {
    async fn key(&self, kid: Option<&str>) -> Option<DecodingKey> {
        let kid = kid.unwrap_or_default();
        if let Some(key) = self.cached(kid) {
            return Some(key);
        }
        let mut last_fetch = self.last_fetch.lock().await;
        if let Some(key) = self.cached(kid) {
            return Some(key); // another request refreshed while we waited
        }
        if last_fetch.is_some_and(|at| at.elapsed() < JWKS_REFRESH_INTERVAL) {
            return None;
        }
        *last_fetch = Some(Instant::now());
        if let Err(error) = self.fetch().await {
            tracing::warn!(%error, url = %self.url, "refreshing the JWKS failed");
        }
        self.cached(kid)
    }

    fn cached(&self, kid: &str) -> Option<DecodingKey> {
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(kid)
            .cloned()
    }

    async fn refresh(&self) -> Result<(), String> {
        let mut last_fetch = self.last_fetch.lock().await;
        *last_fetch = Some(Instant::now());
        self.fetch().await
    }

    async fn fetch(&self) -> Result<(), String> {
        let client = awc::Client::builder().timeout(JWKS_TIMEOUT).finish();
        let mut response = client
            .get(&self.url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("the JWKS endpoint answered {}", response.status()));
        }
        let set: JwkSet = response
            .json()
            .limit(JWKS_MAX_BYTES)
            .await
            .map_err(|e| e.to_string())?;
        let signing = set.keys.iter().filter(|jwk| {
            jwk.common.public_key_use != Some(jsonwebtoken::jwk::PublicKeyUse::Encryption)
        });
        let mut keys = HashMap::new();
        for jwk in signing {
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                keys.insert(jwk.common.key_id.clone().unwrap_or_default(), key);
            }
        }
        tracing::info!(keys = keys.len(), url = %self.url, "loaded the JWKS");
        *self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = keys;
        Ok(())
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl Caller {
    /// Refuses anyone but a security manager; `what` completes "only security managers …".
    pub fn security_manager(&self, what: &str) -> Result<(), ApiError> {
        if self.0.has(trygg_domain::Role::SecurityManager) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "only security managers {what}"
            )))
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let authenticator = request.app_data::<web::Data<Authenticator>>().cloned();
        let limits = request.app_data::<web::Data<Limits>>().cloned();
        let app = request.app_data::<web::Data<App>>().cloned();
        let origin = crate::origin::of(request);
        let token = bearer_token(request);
        Box::pin(async move {
            let (Some(authenticator), Some(limits), Some(app)) = (authenticator, limits, app)
            else {
                return Err(ApiError::internal(
                    "authenticator, limits or application not configured",
                ));
            };
            let verified = match token {
                Ok(token) => authenticator.verify(&token, origin).await,
                Err(missing) => Err(missing),
            };
            let claims = match verified {
                Ok(claims) => claims,
                Err(refusal) => {
                    // Past the limit, the address hears 429 rather than another 401.
                    limits.count_failure(origin.map(|origin| origin.client))?;
                    return Err(refusal);
                }
            };
            let person = Person::from_claims(
                &claims.sub,
                claims.name.as_deref(),
                claims.email.as_deref(),
                &claims.roles,
                claims.office.as_deref(),
            );
            let principal = principal(claims, app.catalogue())?;
            app.saw(person).await;
            Ok(Caller(principal))
        })
    }
}

/// The bearer token a request carries (the scheme in any case, surrounding spaces trimmed).
pub(crate) fn bearer_token(request: &HttpRequest) -> Result<String, ApiError> {
    let missing = || ApiError::Unauthenticated {
        detail: "this endpoint needs an `Authorization: Bearer <token>` header".into(),
        invalid_token: false,
    };
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_owned())
        }
        _ => Err(missing()),
    }
}

fn principal(claims: VerifiedClaims, catalogue: &Catalogue) -> Result<Principal, ApiError> {
    Principal::from_claims(
        claims.sub,
        &claims.roles,
        claims.office.as_deref(),
        catalogue,
    )
    .map_err(|unusable| ApiError::Forbidden(unusable.to_string()))
}

/// What a development token says about its holder.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub subject: String,
    pub roles: Vec<String>,
    pub office: Option<String>,
    pub ttl: Duration,
}

/// Mints an HS256 token for development and tests (`trygg token`).
pub fn mint_token(
    secret: &str,
    settings: &AuthSettings,
    request: &TokenRequest,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: request.subject.clone(),
        roles: request.roles.clone(),
        office: request.office.clone(),
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
        exp: now + request.ttl.as_secs(),
        iat: now,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
}
