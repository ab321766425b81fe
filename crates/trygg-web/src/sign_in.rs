//! Signing in and out: at the identity provider, or, on a developer's machine with none
//! configured, by picking a user on a page that says plainly what it is.

use actix_web::{HttpResponse, web};
use trygg_app::App;

use crate::error::WebError;
use crate::oidc::{PendingSignIn, Provider};
use crate::session::{SessionPolicy, SessionUser, Visitor, local_path};
use crate::templates::{DevelopmentSignInPage, DevelopmentUser, Layout, TextPage};
use crate::{Form, Site, html, see_other};

const PENDING: &str = "oidc";

/// Who the development sign-in offers: `subject:role[:office]`, and a message id naming them.
const DEVELOPMENT_USERS: [(&str, &str); 5] = [
    ("anna:reporter", "dev-user-reporter"),
    ("dave:handler:utbildning", "dev-user-handler"),
    (
        "hanna:handler:kommunledning",
        "dev-user-handler-kommunledning",
    ),
    ("ivy:security_manager", "dev-user-security-manager"),
    ("olga:analyst", "dev-user-analyst"),
];

#[derive(Debug, serde::Deserialize)]
pub struct SignInQuery {
    tillbaka: Option<String>,
}

/// `GET /logga-in`: to the identity provider, or the development sign-in page.
pub async fn sign_in(
    query: web::Query<SignInQuery>,
    visitor: Visitor,
    site: web::Data<Site>,
) -> Result<HttpResponse, WebError> {
    let return_to = local_path(query.tillbaka.as_deref());
    if let Some(provider) = &site.provider {
        let (url, pending) = provider.start(return_to);
        visitor
            .session()
            .insert(PENDING, pending)
            .map_err(WebError::internal)?;
        return Ok(see_other(&url));
    }
    if !visitor.development {
        return Err(WebError::NotFound);
    }
    let users = DEVELOPMENT_USERS
        .iter()
        .map(|(value, label)| DevelopmentUser {
            value: (*value).to_owned(),
            label: visitor.lang.text(label),
        })
        .collect();
    html(&DevelopmentSignInPage {
        layout: Layout::new(&visitor, "dev-sign-in-title"),
        users,
        return_to,
    })
}

/// `POST /logga-in/utveckling`: signs in as the user picked; exists only for development.
pub async fn sign_in_for_development(
    form: Form,
    visitor: Visitor,
    site: web::Data<Site>,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    if !visitor.development {
        return Err(WebError::NotFound);
    }
    visitor.check_csrf(&form)?;
    let field = |name: &str| {
        form.iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    };
    let (picked, name_id) = DEVELOPMENT_USERS
        .iter()
        .find(|(value, _)| Some(*value) == field("user"))
        .ok_or(WebError::Forbidden)?;
    let mut parts = picked.split(':');
    let subject = parts.next().unwrap_or_default().to_owned();
    let role = parts.next().unwrap_or_default().to_owned();
    let user = SessionUser {
        name: visitor.lang.text(name_id),
        email: None,
        subject,
        roles: vec![role],
        office: parts.next().map(str::to_owned),
        id_token: None,
        session: String::new(),
    };
    visitor.sign_in(&app, site.sessions, user).await?;
    Ok(see_other(&local_path(field("tillbaka"))))
}

#[derive(Debug, serde::Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/callback`: the provider sends the visitor back with a code for this sign-in.
pub async fn callback(
    query: web::Query<CallbackQuery>,
    visitor: Visitor,
    site: web::Data<Site>,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    let provider = site.provider.as_ref().ok_or(WebError::NotFound)?;
    match finish_sign_in(&query, &visitor, provider, site.sessions, &app).await {
        Ok(return_to) => {
            tracing::info!("signed in on the web");
            Ok(see_other(&return_to))
        }
        Err(failure) => {
            // A failed sign-in spends the client's allowance of failures, as a bad token does.
            if let Some(origin) = visitor.origin {
                app.failed_sign_in(origin.client)?;
            }
            Err(failure)
        }
    }
}

/// Checks the provider's answer against the sign-in this session started and signs the
/// visitor in; returns where to go next.
async fn finish_sign_in(
    query: &CallbackQuery,
    visitor: &Visitor,
    provider: &Provider,
    policy: SessionPolicy,
    app: &App,
) -> Result<String, WebError> {
    let pending: PendingSignIn = visitor
        .session()
        .remove_as(PENDING)
        .and_then(Result::ok)
        .ok_or_else(|| WebError::SignInFailed("no sign-in was started in this session".into()))?;
    if let Some(error) = &query.error {
        return Err(WebError::SignInFailed(format!(
            "the provider answered {error}"
        )));
    }
    if query.state.as_deref() != Some(pending.state.as_str()) {
        return Err(WebError::SignInFailed("the state does not match".into()));
    }
    let code = query
        .code
        .clone()
        .ok_or_else(|| WebError::SignInFailed("no code".into()))?;
    let return_to = pending.return_to.clone();
    let identity = provider
        .finish(code, pending)
        .await
        .map_err(|e| WebError::SignInFailed(e.to_string()))?;
    let user = SessionUser {
        subject: identity.subject,
        name: identity.name,
        email: identity.email,
        roles: identity.roles,
        office: identity.office,
        id_token: Some(identity.id_token),
        session: String::new(),
    };
    visitor.sign_in(app, policy, user).await?;
    Ok(return_to)
}

/// `POST /logga-ut`: ends the session here, then at the provider when it can.
pub async fn sign_out(
    form: Form,
    visitor: Visitor,
    site: web::Data<Site>,
    app: web::Data<App>,
) -> Result<HttpResponse, WebError> {
    visitor.check_csrf(&form)?;
    let id_token = visitor.user.as_ref().and_then(|user| user.id_token.clone());
    visitor.sign_out(&app).await?;
    let at_provider = site
        .provider
        .as_ref()
        .and_then(|provider| provider.sign_out_url(id_token.as_deref()));
    Ok(see_other(
        &at_provider.unwrap_or_else(|| "/utloggad".to_owned()),
    ))
}

/// `GET /utloggad`.
pub async fn signed_out(visitor: Visitor) -> Result<HttpResponse, WebError> {
    html(&TextPage {
        layout: Layout::new(&visitor, "signed-out-title"),
        sections: vec![(None, vec![visitor.lang.text("signed-out-text")])],
    })
}
