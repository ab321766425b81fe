//! Sessions end on the server: at sign-out, after idle time and past their lifetime; a cookie
//! saved before then gets the sign-in page, not the case (OWASP ASVS V3). The clock is moved.

use awc::http::{Method, StatusCode};
use chrono::Duration;

use super::Browser;
use crate::helpers::*;

/// What a saved cookie opens now: 200 for the page, 303 to the sign-in page.
async fn replay(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, Option<String>) {
    let response = awc::Client::builder()
        .disable_redirects()
        .finish()
        .get(app.url(path))
        .insert_header(("Cookie", cookie))
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned());
    (response.status(), location)
}

async fn signed_in(app: &TestApp, user: &str) -> String {
    let mut browser = Browser::new(app);
    browser.sign_in(user).await;
    browser.cookie().expect("a session cookie").to_owned()
}

fn sent_to_sign_in(answer: (StatusCode, Option<String>)) -> bool {
    answer.0 == StatusCode::SEE_OTHER
        && answer
            .1
            .is_some_and(|location| location.starts_with("/logga-in"))
}

#[actix_web::test]
async fn a_cookie_saved_before_signing_out_opens_nothing() {
    let app = spawn_app_with_pages().await;
    let case = app.file_ok(&reporter("anna"), &report()).await;
    let path = format!("/arenden/{}", case["id"].as_str().unwrap());
    let mut browser = Browser::new(&app);
    browser.sign_in("ivy:security_manager").await;
    let saved = browser.cookie().unwrap().to_owned();
    assert_eq!(replay(&app, &saved, &path).await.0, StatusCode::OK);

    let csrf = browser.get("/arenden").await.csrf();
    let signed_out = browser
        .send(Method::POST, "/logga-ut", Some(&[("csrf", &csrf)]))
        .await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(
        sent_to_sign_in(replay(&app, &saved, &path).await),
        "the session ended on the server"
    );
    assert!(sent_to_sign_in(
        replay(&app, &saved, "/mina-rapporter").await
    ));
}

#[actix_web::test]
async fn an_idle_session_ends_sooner_for_case_workers_than_for_reporters() {
    let app = spawn_app_with_pages().await;
    let manager = signed_in(&app, "ivy:security_manager").await;
    let reporter = signed_in(&app, "anna:reporter").await;

    app.clock.advance(Duration::minutes(14));
    assert_eq!(replay(&app, &manager, "/arenden").await.0, StatusCode::OK);
    app.clock.advance(Duration::minutes(14));
    assert_eq!(
        replay(&app, &manager, "/arenden").await.0,
        StatusCode::OK,
        "a visit keeps the session alive"
    );
    app.clock.advance(Duration::minutes(16));
    assert!(
        sent_to_sign_in(replay(&app, &manager, "/arenden").await),
        "16 idle minutes end a case worker's session"
    );
    app.clock.advance(Duration::minutes(-16));
    assert!(
        sent_to_sign_in(replay(&app, &manager, "/arenden").await),
        "and it stays ended"
    );

    app.clock.advance(Duration::minutes(16));
    assert_eq!(
        replay(&app, &reporter, "/mina-rapporter").await.0,
        StatusCode::OK,
        "a reporter writing slowly keeps theirs for an hour"
    );
    app.clock.advance(Duration::minutes(61));
    assert!(sent_to_sign_in(
        replay(&app, &reporter, "/mina-rapporter").await
    ));
}

#[actix_web::test]
async fn a_session_in_use_ends_at_its_lifetime() {
    let app = spawn_app_with_pages().await;
    let manager = signed_in(&app, "ivy:security_manager").await;
    for _ in 0..47 {
        app.clock.advance(Duration::minutes(10));
        assert_eq!(replay(&app, &manager, "/arenden").await.0, StatusCode::OK);
    }
    app.clock.advance(Duration::minutes(11));
    assert!(
        sent_to_sign_in(replay(&app, &manager, "/arenden").await),
        "eight hours after sign-in, however busy"
    );
}
