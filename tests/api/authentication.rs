//! Token attacks, in both modes: HS256 with a shared secret, and RS256 against a JWKS.

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use awc::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use trygg_api::KeySource;

use crate::helpers::*;

const RSA_PRIVATE: &[u8] = include_bytes!("../fixtures/rsa-private.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("../fixtures/rsa-public.pem");
const JWKS: &str = include_str!("../fixtures/jwks.json");

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn claims() -> Value {
    json!({"sub": "alice", "roles": ["reporter"], "iss": "trygg", "aud": "trygg", "exp": now() + 600, "iat": now()})
}

fn claims_with(changes: Value) -> Value {
    let mut claims = claims();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(key);
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn rs256(claims: &Value, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap(),
    )
    .unwrap()
}

/// An unsigned token (`alg: none`).
fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

async fn assert_rejected(app: &TestApp, token: &str, why: &str) {
    let reply = app.get("/api/v1/incidents", token).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "{why}: {}",
        reply.body
    );
    reply.assert_problem(401);
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token""#),
        "{why}"
    );
}

#[actix_web::test]
async fn requests_without_a_token_are_challenged() {
    let app = spawn_app().await;
    for header in [
        None,
        Some("Basic YWxpY2U6c2VjcmV0"),
        Some("Bearer "),
        Some("Bearer"),
    ] {
        let mut request = app.request(Method::GET, "/api/v1/incidents", None);
        if let Some(value) = header {
            request = request.insert_header(("Authorization", value));
        }
        let reply = app.send(request).await;
        reply.assert_problem(401);
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer"),
            "{header:?}"
        );
    }
}

#[actix_web::test]
async fn api2_broken_authentication_forged_expired_and_misaddressed_tokens_are_rejected() {
    let app = spawn_app().await;
    let secret = SECRET.as_bytes();
    assert_eq!(
        app.get("/api/v1/incidents", &hs256(&claims(), secret))
            .await
            .status,
        StatusCode::OK
    );

    let attacks = [
        (
            hs256(&claims(), b"another-secret-that-is-also-long-enough!!"),
            "wrong secret",
        ),
        (
            hs256(&claims_with(json!({"exp": now() - 120})), secret),
            "expired",
        ),
        (
            hs256(&claims_with(json!({"iss": "https://evil.example"})), secret),
            "wrong issuer",
        ),
        (
            hs256(&claims_with(json!({"aud": "another-api"})), secret),
            "wrong audience",
        ),
        (hs256(&claims_with(json!({"exp": null})), secret), "no exp"),
        (hs256(&claims_with(json!({"iss": null})), secret), "no iss"),
        (hs256(&claims_with(json!({"aud": null})), secret), "no aud"),
        (hs256(&claims_with(json!({"sub": null})), secret), "no sub"),
        (unsigned(&claims()), "alg none"),
        (
            rs256(&claims(), "test-key-1"),
            "RS256 where HS256 is pinned",
        ),
        ("not.a.token".into(), "garbage"),
        (
            format!("{}x", hs256(&claims(), secret)),
            "tampered signature",
        ),
        (hs256(&claims_with(json!({"sub": ""})), secret), "sub empty"),
        (
            hs256(&claims_with(json!({"sub": "  "})), secret),
            "sub blank",
        ),
        (
            hs256(&claims_with(json!({"sub": "a".repeat(6000)})), secret),
            "sub 6 000 characters long",
        ),
        (
            hs256(&claims_with(json!({"sub": "alice\nbob"})), secret),
            "sub with a line break",
        ),
        (
            hs256(&claims_with(json!({"sub": "ali\u{0}ce"})), secret),
            "sub with a NUL",
        ),
        (
            hs256(&claims_with(json!({"nbf": now() + 86_400})), secret),
            "nbf a day ahead",
        ),
        (critical(&claims(), secret), "crit naming an extension"),
    ];
    for (token, why) in attacks {
        assert_rejected(&app, &token, why).await;
    }
    let within_leeway = hs256(&claims_with(json!({"nbf": now() + 10})), secret);
    assert_eq!(
        app.get("/api/v1/incidents", &within_leeway).await.status,
        StatusCode::OK,
        "nbf has the leeway exp has"
    );
}

/// A token that makes an extension critical (RFC 7515 §4.1.11).
fn critical(claims: &Value, secret: &[u8]) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.crit = Some(vec!["http://example.invalid/ext".into()]);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[actix_web::test]
async fn the_office_claim_matters_for_case_work_only() {
    let app = spawn_app().await;
    let employee = token("elin", &["reporter"], Some("ekonomiavdelningen"));
    app.file_ok(&employee, &report()).await;
    assert_eq!(
        app.get("/api/v1/incidents", &employee).await.status,
        StatusCode::OK,
        "an employee follows their reports whatever their office claim says"
    );
    let handler = token("dave", &["handler"], Some("ekonomiavdelningen"));
    let refused = app.get("/api/v1/queue", &handler).await;
    assert!(refused.assert_problem(403).contains("`office` claim"));
}

/// A request from this machine, as a proxy would forward one, or naming another host.
async fn status_of(app: &TestApp, token: &str, header: Option<(&str, &str)>) -> StatusCode {
    let mut request = app.request(Method::GET, "/api/v1/incidents", Some(token));
    if let Some(header) = header {
        request = request.insert_header(header);
    }
    app.send(request).await.status
}

#[actix_web::test]
async fn the_development_secret_is_accepted_from_this_machine_only() {
    let app = spawn_app_with(KeySource::Development).await;
    let development_secret = KeySource::Development.shared_secret().unwrap().as_bytes();
    let token = hs256(
        &claims_with(json!({"roles": ["security_manager"]})),
        development_secret,
    );
    assert_eq!(status_of(&app, &token, None).await, StatusCode::OK);
    for forwarded in [
        ("X-Forwarded-For", "198.51.100.7"),
        ("Forwarded", "for=198.51.100.7"),
        ("X-Forwarded-Host", "trygg.kommun.example"),
        ("X-Forwarded-Proto", "https"),
        ("Host", "trygg.kommun.example"),
    ] {
        assert_eq!(
            status_of(&app, &token, Some(forwarded)).await,
            StatusCode::UNAUTHORIZED,
            "{forwarded:?}"
        );
    }
    assert!(
        trygg_api::Authenticator::new(&auth_settings(KeySource::SharedSecret(
            String::from_utf8(development_secret.to_vec()).unwrap()
        )))
        .is_err(),
        "the published secret cannot be configured as a real one"
    );
}

#[actix_web::test]
async fn a_tampered_payload_does_not_gain_roles() {
    let app = spawn_app().await;
    let token = hs256(&claims(), SECRET.as_bytes());
    let parts: Vec<&str> = token.split('.').collect();
    let elevated = claims_with(json!({"roles": ["security_manager"]}));
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(elevated.to_string()),
        parts[2]
    );
    assert_rejected(&app, &forged, "payload swapped under a valid signature").await;
}

/// Serves the test JWKS, as an identity provider would.
async fn spawn_identity_provider() -> String {
    let server = HttpServer::new(|| {
        App::new().route(
            "/keys",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(JWKS)
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let address = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{address}/keys")
}

#[actix_web::test]
async fn api10_unsafe_consumption_of_apis_only_the_issuers_published_keys_are_trusted() {
    let jwks_url = spawn_identity_provider().await;
    let app = spawn_app_with(KeySource::Jwks {
        url: jwks_url,
        algorithms: vec![Algorithm::RS256],
    })
    .await;

    let valid = rs256(&claims(), "test-key-1");
    let filed = app.file(&valid, &report()).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_eq!(
        app.get("/api/v1/incidents", &valid).await.status,
        StatusCode::OK
    );

    let attacks = [
        (
            hs256(&claims(), RSA_PUBLIC),
            "HS256 signed with the public key (algorithm confusion)",
        ),
        (hs256(&claims(), SECRET.as_bytes()), "HS256 with any secret"),
        (unsigned(&claims()), "alg none"),
        (
            rs256(&claims(), "unknown-key"),
            "a kid the issuer never published",
        ),
        (
            rs256(&claims_with(json!({"exp": now() - 120})), "test-key-1"),
            "expired",
        ),
        (
            rs256(&claims_with(json!({"aud": "another-api"})), "test-key-1"),
            "wrong audience",
        ),
        (
            rs256(
                &claims_with(json!({"iss": "https://evil.example"})),
                "test-key-1",
            ),
            "wrong issuer",
        ),
    ];
    for (token, why) in attacks {
        assert_rejected(&app, &token, why).await;
    }
}

#[actix_web::test]
async fn api10_unsafe_consumption_of_apis_an_unreachable_jwks_rejects_tokens_instead_of_failing() {
    let app = spawn_app_with(KeySource::Jwks {
        url: "http://127.0.0.1:9/keys".into(),
        algorithms: vec![Algorithm::RS256],
    })
    .await;
    let reply = tokio_timeout(app.get("/api/v1/incidents", &rs256(&claims(), "test-key-1"))).await;
    reply.assert_problem(401);
}

async fn tokio_timeout<F: std::future::Future>(future: F) -> F::Output {
    actix_web::rt::time::timeout(Duration::from_secs(20), future)
        .await
        .expect("answers in time")
}
