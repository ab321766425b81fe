//! Reporting on the pages: a report filed through the pages is the case the API shows, with
//! its alerts and its reads logged; a reporter sees their own reports only.

use awc::http::{Method, StatusCode};
use serde_json::json;

use super::{Browser, answer_every_step, comment_bodies, manager};
use crate::helpers::*;

#[actix_web::test]
async fn a_report_filed_on_the_pages_is_the_case_the_api_shows_with_its_alerts_and_reads_logged() {
    let app = spawn_app_with_pages().await;
    let mut browser = Browser::new(&app);
    let first = browser.get("/rapportera").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(
        first.location.as_deref(),
        Some("/logga-in?tillbaka=/rapportera")
    );
    browser.sign_in("anna:reporter").await;

    answer_every_step(&mut browser).await;
    let check = browser.get("/rapportera/kontrollera").await;
    assert!(
        check.html.contains("Fysiskt våld, Psykiskt våld"),
        "{}",
        check.html
    );

    let csrf = browser.get("/rapportera/kontrollera").await.csrf();
    let sent = browser
        .send(Method::POST, "/rapportera/skicka", Some(&[("csrf", &csrf)]))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let receipt = sent.location.expect("to the receipt");
    let id = receipt
        .strip_prefix("/rapportera/kvitto/")
        .unwrap()
        .to_owned();
    let page = browser.get(&receipt).await;
    assert!(
        page.html.contains("Ditt ärendenummer är TRG-"),
        "{}",
        page.html
    );

    // Sent again (a second click): the draft is gone, so nothing more is filed.
    let again = browser
        .send(Method::POST, "/rapportera/skicka", Some(&[("csrf", &csrf)]))
        .await;
    assert_eq!(again.location.as_deref(), Some("/rapportera/typ"));

    let case = app
        .get(&format!("/api/v1/incidents/{id}"), &manager())
        .await
        .body;
    assert_eq!(case["kind"], "violence");
    assert_eq!(case["violence_forms"], json!(["physical", "psychological"]));
    assert_eq!(
        case["occurred_at"], "2026-11-30T20:15:00Z",
        "21:15 Swedish winter time"
    );
    assert_eq!(case["district"], "west");
    assert_eq!(case["focus_area"], "public_space");
    assert_eq!(case["severity"], "serious");
    assert_eq!(case["perpetrator_influence"], "yes");
    assert_eq!(
        case["description"],
        "Slagen utanför krogen av en okänd man."
    );
    let listed = app.listed_ids(&manager(), "").await;
    assert_eq!(listed, std::slice::from_ref(&id), "one case for two sends");

    let alerts = app
        .get(&format!("/api/v1/alerts?case={id}"), &manager())
        .await;
    let receivers: Vec<&str> = alerts
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|alert| alert["receiver"].as_str().unwrap())
        .collect();
    assert!(
        receivers.contains(&"sakerhetschef"),
        "routed as the API routes: {receivers:?}"
    );
    let log = app
        .get(&format!("/api/v1/audit?case={id}"), &manager())
        .await;
    let reads: Vec<(&str, &str)> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["user"].as_str().unwrap(),
                entry["purpose"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        reads.contains(&("anna", "web_receipt")),
        "the receipt's read is logged: {reads:?}"
    );
}

/// A reporter sees on "Mina rapporter" that a handler replied, reads it once as new, and is
/// told what each status means; their own additions and internal notes are never "new".
#[actix_web::test]
async fn a_reporter_sees_which_reports_have_replies_they_have_not_read() {
    let app = spawn_app_with_pages().await;
    let annas = app.file_id(&reporter("anna"), &report()).await;
    let dave = token("dave", &["handler"], Some("utbildning"));
    let comments = format!("/api/v1/incidents/{annas}/comments");
    for (who, audience, body) in [
        (&dave, "internal", "Internal: known pupil."),
        (&reporter("anna"), "reporter", "He came back."),
        (&dave, "reporter", "We will call you today."),
        (&dave, "reporter", "Rektor is informed."),
    ] {
        let body = json!({"audience": audience, "body": body});
        let reply = app.post(&comments, who, None, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let mut anna = Browser::new(&app);
    anna.sign_in("anna:reporter").await;
    let list = anna.get("/mina-rapporter").await;
    assert!(list.html.contains("2 nya svar"), "{}", list.html);
    assert!(list.html.contains("Vad betyder statusen?"));

    let report = anna.get(&format!("/mina-rapporter/{annas}")).await;
    assert_eq!(
        report.html.matches(">Nytt</strong>").count(),
        2,
        "{}",
        report.html
    );
    assert!(report.html.contains("Ingen handläggare har läst den ännu."));
    assert!(!report.html.contains("Internal: known pupil."));
    let again = anna.get(&format!("/mina-rapporter/{annas}")).await;
    assert_eq!(again.html.matches(">Nytt</strong>").count(), 0, "seen once");
    let list = anna.get("/mina-rapporter").await;
    assert!(list.html.contains("Inga nya"), "{}", list.html);

    let reply = json!({"audience": "reporter", "body": "Closing soon."});
    let sent = app.post(&comments, &dave, None, &reply).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let list = anna.get("/mina-rapporter").await;
    assert!(list.html.contains("1 nytt svar"), "{}", list.html);
}

#[actix_web::test]
async fn the_pages_show_a_reporter_their_own_reports_only_and_refuse_forged_forms() {
    let app = spawn_app_with_pages().await;
    let bobs = app.file_id(&reporter("bob"), &report()).await;
    let annas = app.file_id(&reporter("anna"), &report()).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("anna:reporter").await;

    let list = browser.get("/mina-rapporter").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains(&format!("/mina-rapporter/{annas}")));
    assert!(!list.html.contains(&bobs));
    let others = browser.get(&format!("/mina-rapporter/{bobs}")).await;
    assert_eq!(others.status, StatusCode::NOT_FOUND);
    assert!(
        others.html.contains("<html lang=\"sv\">"),
        "a page, not JSON"
    );

    let forged = browser
        .send(
            Method::POST,
            &format!("/mina-rapporter/{annas}/komplettera"),
            Some(&[("csrf", "forged"), ("addition", "Injected")]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let csrf = browser
        .get(&format!("/mina-rapporter/{annas}"))
        .await
        .csrf();
    let added = browser
        .send(
            Method::POST,
            &format!("/mina-rapporter/{annas}/komplettera"),
            Some(&[("csrf", &csrf), ("addition", "Han kom tillbaka.")]),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(
        comment_bodies(&app, &annas, &reporter("anna")).await,
        [json!("Han kom tillbaka.")],
        "only the real form added"
    );
    let into_bobs = browser
        .send(
            Method::POST,
            &format!("/mina-rapporter/{bobs}/komplettera"),
            Some(&[("csrf", &csrf), ("addition", "Injected")]),
        )
        .await;
    assert_eq!(into_bobs.status, StatusCode::NOT_FOUND);
    let bobs_comments = app
        .get(
            &format!("/api/v1/incidents/{bobs}/comments"),
            &reporter("bob"),
        )
        .await;
    assert_eq!(bobs_comments.body, json!([]));
}

/// A page as a proxy would forward it, with the cookie of `browser`'s session if it has one.
async fn forwarded(
    app: &TestApp,
    browser: &Browser<'_>,
    path: &str,
    header: (&str, &str),
) -> StatusCode {
    let mut request = awc::Client::builder()
        .disable_redirects()
        .finish()
        .get(app.url(path))
        .insert_header(header);
    if let Some(cookie) = browser.cookie() {
        request = request.insert_header(("Cookie", cookie));
    }
    request.send().await.unwrap().status()
}

#[actix_web::test]
async fn a_forwarded_request_never_reaches_the_development_sign_in() {
    let app = spawn_app_with_pages().await;
    let mut browser = Browser::new(&app);
    browser.sign_in("ivy:security_manager").await;
    assert_eq!(browser.get("/arenden").await.status, StatusCode::OK);
    for header in [
        ("X-Forwarded-For", "198.51.100.7"),
        ("Forwarded", "for=198.51.100.7;proto=https"),
        ("X-Forwarded-Host", "trygg.kommun.example"),
        ("Host", "trygg.kommun.example"),
    ] {
        assert_eq!(
            forwarded(&app, &browser, "/logga-in", header).await,
            StatusCode::NOT_FOUND,
            "{header:?}"
        );
        assert_eq!(
            forwarded(&app, &browser, "/arenden", header).await,
            StatusCode::SEE_OTHER,
            "a development session counts on this machine only: {header:?}"
        );
    }
}

/// The municipality's own addresses come from its catalogue: the data protection officer on
/// "Om tjänsten", the accessibility contact on the statement, the switchboard on the page a
/// phone shows without a network.
#[actix_web::test]
async fn the_pages_give_the_municipality_s_own_contacts() {
    let builtin = include_str!("../../../crates/trygg-domain/catalogue.toml");
    let catalogue = builtin.replace(
        "[municipality]\n",
        "[municipality]\nphone = \"08-123 45 67\"\n",
    );
    let app = spawn_app_with_pages_configured(|settings| {
        settings.catalogue = trygg_domain::Catalogue::from_toml(&catalogue).unwrap();
    })
    .await;
    let mut visitor = Browser::new(&app);
    let about = visitor.get("/om").await;
    assert!(
        about.html.contains("dataskyddsombud@kommun.example"),
        "{}",
        about.html
    );
    let statement = visitor.get("/tillganglighet").await;
    assert!(statement.html.contains("tillganglighet@kommun.example"));
    let offline = visitor.get("/offline").await;
    assert!(
        offline
            .html
            .contains(r#"<a href="tel:081234567">08-123 45 67</a>"#),
        "{}",
        offline.html
    );
    assert!(offline.html.contains("Ring 112"));
}

/// A report is filed once per draft. Should the draft outlive its filing (the service stopped
/// between the two) and be changed and sent again, the pages say it was already sent, file
/// nothing new, and keep the changes for the reporter to decide on: as the API refuses a key
/// used again for another body.
#[actix_web::test]
async fn a_draft_sent_again_with_changes_files_nothing_new_and_keeps_the_changes() {
    let app = spawn_app_with_pages().await;
    let mut browser = Browser::new(&app);
    browser.sign_in("anna:reporter").await;
    answer_every_step(&mut browser).await;
    let draft = app
        .database
        .texts("SELECT answers AS text FROM report_drafts WHERE subject = 'anna'")
        .pop()
        .expect("a draft");
    let csrf = browser.get("/rapportera/kontrollera").await.csrf();
    let sent = browser
        .send(Method::POST, "/rapportera/skicka", Some(&[("csrf", &csrf)]))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);

    // The draft back, as if its removal had never happened; then changed.
    let restore = format!(
        "INSERT INTO report_drafts (subject, answers, updated_at) VALUES ('anna', '{}', '{}')",
        draft.replace('\'', "''"),
        test_start().format("%Y-%m-%d %H:%M:%S"),
    );
    app.database.execute(&restore, &restore);
    let changed = "Slagen utanför krogen, och hotad igen dagen efter.";
    let step = browser.get("/rapportera/beskrivning?andra=1").await;
    let answered = browser
        .send(
            Method::POST,
            "/rapportera/beskrivning",
            Some(&[
                ("csrf", step.csrf().as_str()),
                ("severity", "serious"),
                ("description", changed),
                ("return_to_check", "1"),
            ]),
        )
        .await;
    assert_eq!(
        answered.location.as_deref(),
        Some("/rapportera/kontrollera")
    );
    let again = browser
        .send(Method::POST, "/rapportera/skicka", Some(&[("csrf", &csrf)]))
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.html
    );
    assert!(again.html.contains("redan skickad"), "{}", again.html);
    assert!(again.html.contains(changed), "the change is shown, kept");
    assert_eq!(app.listed_ids(&reporter("anna"), "").await.len(), 1);
    let check = browser.get("/rapportera/kontrollera").await;
    assert!(check.html.contains(changed), "and still kept");
}
