//! Sign-in with the municipality's identity provider (Entra ID, Keycloak, any OpenID Connect
//! provider): the authorization code flow with PKCE, state and nonce, by the `openidconnect`
//! crate, whose HTTP calls go through the actix client the service already runs.

use std::future::Future;
use std::pin::Pin;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl,
    LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
    TokenResponse,
};
use serde::{Deserialize, Serialize};

/// How long to wait for the identity provider.
const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// A provider's keys are read again at most this often.
const REDISCOVERY_INTERVAL: Duration = Duration::from_secs(60);

/// Where the provider is and who Trygg is to it.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer; discovery is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Trygg's public address: the provider sends people back to `{public_url}/auth/callback`
    /// and, after signing out, to `{public_url}/utloggad`.
    pub public_url: String,
}

/// The claims Trygg reads besides the standard ones: the same as the API's bearer tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleClaims {
    #[serde(default)]
    pub roles: Vec<String>,
    pub office: Option<String>,
}

impl AdditionalClaims for RoleClaims {}

type TokenFields = IdTokenFields<
    RoleClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type OidcClient = Client<
    RoleClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<TokenFields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider, as discovered at start and again when it signs with a key not seen before.
#[derive(Debug)]
pub struct Provider {
    settings: OidcSettings,
    current: RwLock<Discovered>,
    last_discovery: tokio::sync::Mutex<Instant>,
    signed_out_url: PostLogoutRedirectUrl,
    issuer_origin: String,
}

/// What discovery tells: the endpoints and the signing keys.
#[derive(Debug, Clone)]
struct Discovered {
    client: OidcClient,
    end_session: Option<openidconnect::EndSessionUrl>,
}

/// What the sign-in keeps between sending the visitor to the provider and their return.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
}

/// Who signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub office: Option<String>,
    pub id_token: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OidcError(String);

fn error(context: &str, cause: impl std::fmt::Display) -> OidcError {
    OidcError(format!("{context}: {cause}"))
}

impl Provider {
    /// Reads the provider's discovery document and keys.
    pub async fn discover(settings: &OidcSettings) -> Result<Provider, OidcError> {
        let public_url = settings.public_url.trim_end_matches('/');
        let signed_out_url = PostLogoutRedirectUrl::new(format!("{public_url}/utloggad"))
            .map_err(|e| error("the public URL", e))?;
        let issuer_origin = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| error("the issuer", e))?
            .url()
            .origin()
            .ascii_serialization();
        Ok(Provider {
            current: RwLock::new(discovery(settings).await?),
            last_discovery: tokio::sync::Mutex::new(Instant::now()),
            settings: settings.clone(),
            signed_out_url,
            issuer_origin,
        })
    }

    /// What discovery told last.
    fn current(&self) -> Discovered {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the discovery document and keys again, at most once a minute, for a provider
    /// that has rolled its signing keys over. Whether anything was read.
    async fn rediscover(&self) -> bool {
        let mut last = self.last_discovery.lock().await;
        if last.elapsed() < REDISCOVERY_INTERVAL {
            return false;
        }
        *last = Instant::now();
        match discovery(&self.settings).await {
            Ok(discovered) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = discovered;
                tracing::info!("read the identity provider's keys again");
                true
            }
            Err(error) => {
                tracing::warn!(%error, "could not read the identity provider's keys again");
                false
            }
        }
    }

    /// The provider's origin, which forms may lead to (signing out ends there).
    pub fn origin(&self) -> &str {
        &self.issuer_origin
    }

    /// Where to send the visitor to sign in, and what to keep until they return.
    pub fn start(&self, return_to: String) -> (String, PendingSignIn) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = self
            .current()
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            // The e-mail lets a case worker reach the reporter (shown on the case page).
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = PendingSignIn {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            return_to,
        };
        (url.to_string(), pending)
    }

    /// Exchanges the code the provider sent back, and checks the ID token: signature, issuer,
    /// audience, expiry and the nonce of this sign-in.
    pub async fn finish(
        &self,
        code: String,
        pending: PendingSignIn,
    ) -> Result<Identity, OidcError> {
        let client = self.current().client;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| error("the provider has no token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
            .request_async(&http_client)
            .await
            .map_err(|e| error("the token exchange", e))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError("the provider sent no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce);
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims,
            // Signed with a key published since the last look: look again, then check again.
            Err(_) if self.rediscover().await => id_token
                .claims(&self.current().client.id_token_verifier(), &nonce)
                .map_err(|e| error("the ID token", e))?,
            Err(e) => return Err(error("the ID token", e)),
        };
        let subject = claims.subject().as_str().to_owned();
        trygg_domain::check_subject(&subject).map_err(|e| error("the ID token", e))?;
        let name = claims
            .name()
            .and_then(|name| name.get(None))
            .map_or_else(|| subject.clone(), |name| name.as_str().to_owned());
        let extra = claims.additional_claims();
        Ok(Identity {
            name,
            email: claims.email().map(|email| email.as_str().to_owned()),
            roles: extra.roles.clone(),
            office: extra.office.clone(),
            id_token: id_token.to_string(),
            subject,
        })
    }

    /// Where to send the visitor to sign out at the provider too, when it supports that.
    pub fn sign_out_url(&self, id_token: Option<&str>) -> Option<String> {
        let end_session = self.current().end_session?;
        let mut request = LogoutRequest::from(end_session)
            .set_post_logout_redirect_uri(self.signed_out_url.clone());
        if let Some(hint) = id_token.and_then(|token| token.parse().ok()) {
            let hint: openidconnect::IdToken<
                RoleClaims,
                CoreGenderClaim,
                CoreJweContentEncryptionAlgorithm,
                CoreJwsSigningAlgorithm,
            > = hint;
            request = request.set_id_token_hint(&hint);
        }
        Some(request.http_get_url().to_string())
    }
}

/// Reads the discovery document and keys, and makes the client Trygg signs in with.
async fn discovery(settings: &OidcSettings) -> Result<Discovered, OidcError> {
    let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|e| error("the issuer", e))?;
    let metadata = ProviderMetadataWithLogout::discover_async(issuer, &http_client)
        .await
        .map_err(|e| error("discovery", e))?;
    let public_url = settings.public_url.trim_end_matches('/');
    let redirect = RedirectUrl::new(format!("{public_url}/auth/callback"))
        .map_err(|e| error("the public URL", e))?;
    let end_session = metadata.additional_metadata().end_session_endpoint.clone();
    let client = OidcClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        settings.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect);
    Ok(Discovered {
        client,
        end_session,
    })
}

/// The provider's HTTP calls, made with `awc` on the actix runtime.
fn http_client(
    request: openidconnect::HttpRequest,
) -> Pin<Box<dyn Future<Output = Result<openidconnect::HttpResponse, OidcError>>>> {
    Box::pin(async move {
        let client = awc::Client::builder()
            .timeout(TIMEOUT)
            .disable_redirects()
            .finish();
        let method = awc::http::Method::from_bytes(request.method().as_str().as_bytes())
            .map_err(|e| error("the method", e))?;
        let mut outgoing = client.request(method, request.uri().to_string());
        for (name, value) in request.headers() {
            outgoing = outgoing.insert_header((name.as_str(), value.as_bytes()));
        }
        let mut response = outgoing
            .send_body(request.into_body())
            .await
            .map_err(|e| error("the provider did not answer", e))?;
        let body = response
            .body()
            .limit(MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| error("the provider's answer", e))?;
        let mut answer = http::Response::builder().status(response.status().as_u16());
        for (name, value) in response.headers() {
            answer = answer.header(name.as_str(), value.as_bytes());
        }
        answer
            .body(body.to_vec())
            .map_err(|e| error("the provider's answer", e))
    })
}
