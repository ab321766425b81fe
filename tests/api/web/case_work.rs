//! Case work on the pages: a handler takes a case from the queue to closed; two handlers who
//! edit one case see each other's change, never overwrite it; every page answers every role as
//! the API does.

use awc::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Browser, Page, comment_bodies, manager};
use crate::alerts::until_deliveries;
use crate::helpers::*;
use crate::smtp::SmtpServer;

/// Sends one of the case page's forms as it is on `page`, with `fields`.
async fn send(
    browser: &mut Browser<'_>,
    page: &Page,
    action: &str,
    form: &str,
    fields: &[(&str, &str)],
) -> Page {
    let (csrf, version, seen) = (page.csrf(), page.hidden("version"), page.hidden("seen"));
    let mut sent = vec![
        ("csrf", csrf.as_str()),
        ("form", form),
        ("version", version.as_str()),
        ("seen", seen.as_str()),
    ];
    sent.extend_from_slice(fields);
    browser.send(Method::POST, action, Some(&sent)).await
}

/// Sends a form from the case page as it is now; the change is saved. Returns where the
/// page sends the visitor.
async fn change(
    browser: &mut Browser<'_>,
    id: &str,
    path: &str,
    form: &str,
    fields: &[(&str, &str)],
) -> String {
    let case = format!("/arenden/{id}");
    let page = browser.get(&case).await;
    let sent = send(browser, &page, &format!("{case}/{path}"), form, fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{form}: {}", sent.html);
    let location = sent.location.expect("back to the case");
    // What was saved, at the section of the form that saved it.
    assert!(
        location.starts_with(&format!("{case}?sparat=")),
        "{location}"
    );
    assert!(location.ends_with(&format!("#{form}")), "{location}");
    location
}

/// The Arbetsmiljöverket deadline carries its own action: "notified now" records the
/// notification at this moment and keeps the other follow-up facts as they were.
#[actix_web::test]
async fn the_deadline_is_met_from_beside_it_with_now_as_the_time() {
    let app = spawn_app_with_pages().await;
    let serious =
        json!({"affected_category": "employee", "place_kind": "workplace", "severity": "serious"});
    let id = app.file_id(&reporter("anna"), &report_with(serious)).await;
    let mut ivy = Browser::new(&app);
    ivy.sign_in("ivy:security_manager").await;
    let case = format!("/arenden/{id}");
    let page = ivy.get(&case).await;
    let deadline = page
        .html
        .find("Anmäld till Arbetsmiljöverket nu")
        .expect("the action");
    let follow_up_section = page.html.find(r#"id="follow_up""#).unwrap();
    assert!(
        deadline < follow_up_section,
        "beside the deadline, not 3 640 px below"
    );
    app.clock.advance(chrono::Duration::minutes(10));
    let sent = send(
        &mut ivy,
        &page,
        &format!("{case}/uppfoljning"),
        "follow_up",
        &[("notified_now", "1"), ("support_offered", "1")],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let read = app
        .get(&format!("/api/v1/incidents/{id}"), &manager())
        .await;
    let follow_up = &read.body["work"];
    let notified: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(follow_up["authority_notified_at"].clone())
            .unwrap_or_else(|_| panic!("{} {:?}", read.body, sent.location));
    assert_eq!(notified, app.clock.now(), "{follow_up}");
    assert_eq!(follow_up["support_offered"], true);
    let after = ivy.get(&case).await;
    assert!(
        !after.html.contains("Anmäld till Arbetsmiljöverket nu"),
        "met"
    );
}

#[actix_web::test]
async fn a_handler_takes_a_case_from_the_queue_to_closed_as_the_api_sees_it() {
    let app = spawn_app_with_pages().await;
    let id = app.file_id(&reporter("anna"), &report()).await;
    let mut dave = Browser::new(&app);
    dave.sign_in("dave:handler:utbildning").await;

    let queue = dave.get("/arenden").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.html.contains("Inte tilldelade (1)"), "{}", queue.html);
    assert!(queue.html.contains("Mina (0)"));
    assert!(queue.html.contains(&format!("/arenden/{id}")));

    let case = dave.get(&format!("/arenden/{id}")).await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(
        case.html
            .contains("Threatened with a knife in the schoolyard.")
    );
    // Only the moves the workflow allows from here are offered.
    assert!(case.html.contains(r#"value="triaged""#));
    assert!(!case.html.contains(r#"name="status" value="closed""#));

    change(
        &mut dave,
        &id,
        "tilldelning",
        "assignment",
        &[("assignee", "dave"), ("office", "utbildning")],
    )
    .await;
    let mine = dave.get("/arenden?lista=mina").await;
    assert!(mine.html.contains("Mina (1)"), "{}", mine.html);
    change(&mut dave, &id, "status", "status", &[("status", "triaged")]).await;
    change(
        &mut dave,
        &id,
        "status",
        "status",
        &[("status", "in_progress")],
    )
    .await;
    // A week from the service's today, whatever day the suite runs on.
    let due_day = trygg_domain::time::local_time(test_start() + chrono::Duration::days(7)).date();
    let due = due_day.format("%Y-%m-%d").to_string();
    change(
        &mut dave,
        &id,
        "atgarder",
        "action",
        &[
            ("description", "Samtal med eleven och vårdnadshavare."),
            ("owner", "dave"),
            ("due", &due),
        ],
    )
    .await;
    let actions = app
        .get(&format!("/api/v1/incidents/{id}/actions"), &manager())
        .await;
    let action = actions.body[0]["id"].as_str().unwrap().to_owned();
    let end_of_day = due_day.and_hms_opt(23, 59, 0).unwrap();
    assert_eq!(
        actions.body[0]["due_at"],
        json!(trygg_domain::time::from_local_time(end_of_day)),
        "the end of the local day"
    );
    change(
        &mut dave,
        &id,
        "atgarder/status",
        "action_status",
        &[("action", &action), ("status", "done")],
    )
    .await;
    let sent = change(
        &mut dave,
        &id,
        "anteckningar",
        "comment",
        &[
            ("audience", "reporter"),
            ("body", "Vi har pratat med skolan."),
        ],
    )
    .await;
    // A message to the reporter is confirmed as one, in the section it was written in.
    let page = dave.get(&sent).await.html;
    let section = &page[page.find(r#"id="comment""#).unwrap()..];
    assert!(
        section.contains("Meddelandet är skickat till den som rapporterade."),
        "{page}"
    );
    change(
        &mut dave,
        &id,
        "anteckningar",
        "comment",
        &[("audience", "internal"), ("body", "Rektor informerad.")],
    )
    .await;

    // Closing takes an outcome; without one the form comes back with what was chosen.
    let case = dave.get(&format!("/arenden/{id}")).await;
    let refused = send(
        &mut dave,
        &case,
        &format!("/arenden/{id}/status"),
        "status",
        &[("status", "closed")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("Välj utfall när ärendet avslutas"));
    assert!(
        refused.html.contains(r#"value="closed" checked"#),
        "the choice is kept"
    );
    change(
        &mut dave,
        &id,
        "status",
        "status",
        &[("status", "closed"), ("outcome", "resolved")],
    )
    .await;

    let seen = app
        .get(&format!("/api/v1/incidents/{id}"), &manager())
        .await;
    assert_eq!(seen.body["status"], json!("closed"));
    assert_eq!(seen.body["outcome"], json!("resolved"));
    assert_eq!(seen.body["work"]["assignee"], json!("dave"));
    let actions = app
        .get(&format!("/api/v1/incidents/{id}/actions"), &manager())
        .await;
    assert_eq!(actions.body[0]["status"], json!("done"));
    // The reporter sees the message to them, not the internal note.
    assert_eq!(
        comment_bodies(&app, &id, &reporter("anna")).await,
        [json!("Vi har pratat med skolan.")]
    );
    // Every change is in the timeline, by the handler who signed in.
    let timeline = app
        .get(&format!("/api/v1/incidents/{id}/timeline"), &manager())
        .await;
    let fields: Vec<&str> = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields.iter().filter(|f| **f == "status").count(),
        4,
        "received on filing, then three moves: {fields:?}"
    );
    assert!(
        timeline
            .body
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .all(|e| e["actor"] == json!("dave"))
    );
    // And the page reads were logged.
    let log = app
        .get(&format!("/api/v1/audit?case={id}"), &manager())
        .await;
    let purposes: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["purpose"].as_str().unwrap())
        .collect();
    assert!(
        purposes.contains(&"web_queue") && purposes.contains(&"web_case"),
        "{purposes:?}"
    );
    let closed = dave.get("/arenden").await;
    assert!(closed.html.contains("Inte tilldelade (0)") && closed.html.contains("Mina (0)"));
}

#[actix_web::test]
async fn the_second_of_two_handlers_sees_the_other_change_and_keeps_their_input() {
    let app = spawn_app_with_pages().await;
    let id = app.file_id(&reporter("anna"), &report()).await;
    let case = format!("/arenden/{id}");
    let mut first = Browser::new(&app);
    first.sign_in("dave:handler:utbildning").await;
    let mut second = Browser::new(&app);
    second.sign_in("ivy:security_manager").await;
    let first_page = first.get(&case).await;
    let second_page = second.get(&case).await;

    let moved = send(
        &mut first,
        &first_page,
        &format!("{case}/status"),
        "status",
        &[("status", "triaged")],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);

    let reason = "Gäller personal, inte elev.";
    let classification = [
        ("focus_area", "school"),
        ("severity", "serious"),
        ("kind", "threat"),
        ("reason", reason),
    ];
    let stale = send(
        &mut second,
        &second_page,
        &format!("{case}/klassning"),
        "classification",
        &classification,
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.html);
    assert!(
        stale.html.contains("Någon annan ändrade ärendet"),
        "{}",
        stale.html
    );
    assert!(
        stale.html.contains("Mottagen → Bedömd"),
        "what changed, in words"
    );
    assert!(stale.html.contains(reason), "the reason typed is kept");
    assert!(
        stale.html.contains(r#"<option value="serious" selected>"#),
        "the severity chosen is kept"
    );
    let unchanged = app
        .get(&format!("/api/v1/incidents/{id}"), &manager())
        .await;
    assert_eq!(
        unchanged.body["severity"],
        json!("high"),
        "nothing overwritten"
    );

    // Sent again from the page that showed the conflict, the change is made.
    let again = send(
        &mut second,
        &stale,
        &format!("{case}/klassning"),
        "classification",
        &classification,
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.html);
    let both = app
        .get(&format!("/api/v1/incidents/{id}"), &manager())
        .await;
    assert_eq!(both.body["status"], json!("triaged"));
    assert_eq!(both.body["severity"], json!("serious"));
}

#[actix_web::test]
async fn no_case_work_form_changes_a_case_for_those_who_may_not() {
    let app = spawn_app_with_pages().await;
    let id = app.file_id(&reporter("anna"), &report()).await;
    let version = app
        .get(&format!("/api/v1/incidents/{id}"), &manager())
        .await
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let posts = [
        ("status", "status", vec![("status", "triaged")]),
        (
            "tilldelning",
            "assignment",
            vec![("assignee", "x"), ("office", "utbildning")],
        ),
        (
            "klassning",
            "classification",
            vec![
                ("focus_area", "school"),
                ("severity", "low"),
                ("kind", "threat"),
                ("reason", "r"),
            ],
        ),
        ("uppfoljning", "follow_up", vec![("support_offered", "1")]),
        (
            "atgarder",
            "action",
            vec![("description", "d"), ("owner", "o"), ("due", "2026-12-09")],
        ),
        (
            "anteckningar",
            "comment",
            vec![("audience", "internal"), ("body", "b")],
        ),
    ];
    // (user, what the case's forms answer); the pages themselves are walked below.
    let roles = [
        ("anna:reporter", StatusCode::FORBIDDEN),
        ("olga:analyst", StatusCode::FORBIDDEN),
        ("hanna:handler:kommunledning", StatusCode::NOT_FOUND),
    ];
    for (user, case) in roles {
        let mut browser = Browser::new(&app);
        browser.sign_in(user).await;
        let csrf = browser.get("/").await.csrf();
        for (path, form, fields) in &posts {
            let mut sent = vec![
                ("csrf", csrf.as_str()),
                ("form", *form),
                ("version", version.as_str()),
                ("seen", "0"),
            ];
            sent.extend_from_slice(fields);
            let answer = browser
                .send(Method::POST, &format!("/arenden/{id}/{path}"), Some(&sent))
                .await;
            assert_eq!(answer.status, case, "{user}: {path}");
        }
    }
    let untouched = app
        .get(&format!("/api/v1/incidents/{id}/timeline"), &manager())
        .await;
    assert_eq!(
        untouched.body.as_array().map(Vec::len),
        Some(1),
        "no one without the right changed anything; only the filing: {}",
        untouched.body
    );
    let comments = app
        .get(&format!("/api/v1/incidents/{id}/comments"), &manager())
        .await;
    assert_eq!(comments.body, json!([]));
}

/// The alert sent to a receiver for a case, from the API.
async fn alert_for(app: &TestApp, case: &str, receiver: &str) -> Value {
    let alerts = app
        .get(&format!("/api/v1/alerts?case={case}"), &manager())
        .await;
    alerts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|alert| alert["receiver"] == json!(receiver))
        .unwrap_or_else(|| panic!("no alert for {receiver}: {}", alerts.body))
        .clone()
}

/// An e-mail outage, as a security manager lives it: the failed alerts a page at a time with
/// their total, receivers by name, the failure in words; once the server is back, one action
/// sends them all.
#[actix_web::test]
async fn after_an_e_mail_outage_every_failed_alert_is_paged_explained_and_retried_at_once() {
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = spawn_app_with_pages_configured(|settings| {
        settings.delivery.smtp_url = Some(format!("smtp://{address}"));
        settings.delivery.max_attempts = 1;
    })
    .await;
    let mut cases = Vec::new();
    for _ in 0..10 {
        cases.push(app.file_id(&reporter("anna"), &report()).await);
    }
    let cases: Vec<&str> = cases.iter().map(String::as_str).collect();
    until_deliveries(&app, &cases, |delivery| delivery["state"] == "failed").await;
    let total = app.get("/api/v1/alerts?state=failed", &manager()).await;
    let total = total.body.as_array().unwrap().len();
    assert!(total > 25, "more than a page: {total}");
    let unreachable = &total_alerts(&app).await[0]["deliveries"][0];
    assert_eq!(unreachable["last_failure"], "unreachable", "{unreachable}");

    let mut ivy = Browser::new(&app);
    ivy.sign_in("ivy:security_manager").await;
    let first = ivy.get("/larm").await;
    assert!(
        first.html.contains(&format!("Visar 1–25 av {total}.")),
        "{}",
        first.html
    );
    assert!(
        first
            .html
            .contains(&format!("Misslyckade utskick ({total})"))
    );
    assert!(first.html.contains("Servern svarade inte"));
    assert!(first.html.contains("Teknisk information"));
    assert!(
        first.html.contains(">Säkerhetschefen<"),
        "receivers by name"
    );
    assert!(!first.html.contains(">sakerhetschef<"));
    assert!(first.html.contains(r#"href="/larm?sida=2""#));
    let second = ivy.get("/larm?sida=2").await;
    assert!(
        second
            .html
            .contains(&format!("Visar 26–{total} av {total}."))
    );
    assert!(!second.html.contains("sida=3"));

    let forged = ivy
        .send(
            Method::POST,
            "/larm/forsok-igen",
            Some(&[("csrf", "forged")]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mut dave = Browser::new(&app);
    dave.sign_in("dave:handler:utbildning").await;
    let page = dave.get("/arenden").await;
    let refused = dave
        .send(
            Method::POST,
            "/larm/forsok-igen",
            Some(&[("csrf", &page.csrf())]),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "only security managers"
    );

    let smtp = SmtpServer::start_on(address);
    let retried = ivy
        .send(
            Method::POST,
            "/larm/forsok-igen",
            Some(&[("csrf", &first.csrf())]),
        )
        .await;
    assert_eq!(
        retried.location.as_deref(),
        Some(format!("/larm?forsok={total}").as_str())
    );
    let notice = ivy.get(retried.location.as_deref().unwrap()).await;
    assert!(notice.html.contains(&format!("{total} larm skickas igen.")));
    until_deliveries(&app, &cases, |delivery| delivery["state"] == "delivered").await;
    assert_eq!(smtp.mails().len(), total, "each alert once");
    let after = ivy.get("/larm").await;
    assert!(
        after.html.contains("Misslyckade utskick (0)"),
        "{}",
        after.html
    );
}

/// Every alert, newest first, from the API.
async fn total_alerts(app: &TestApp) -> Vec<Value> {
    let alerts = app.get("/api/v1/alerts", &manager()).await;
    alerts.body.as_array().unwrap().clone()
}

/// The access log finds a person by name, e-mail or id; a name that fits several asks which.
#[actix_web::test]
async fn the_access_log_finds_a_reader_by_name() {
    let app = spawn_app_with_pages().await;
    let id = app.file_id(&reporter("anna"), &report()).await;
    let mut ivy = Browser::new(&app);
    ivy.sign_in("ivy:security_manager").await;
    for handler in ["dave:handler:utbildning", "hanna:handler:kommunledning"] {
        Browser::new(&app).sign_in(handler).await;
    }
    ivy.get(&format!("/arenden/{id}")).await;

    let found = ivy.get("/atkomstlogg?anvandare=S%C3%84KERHETSCHEF").await;
    assert!(found.html.contains("Webb: ärendesidan"), "{}", found.html);
    assert!(found.html.contains("(ivy)</td>"));
    let several = ivy.get("/atkomstlogg?anvandare=handl%C3%A4ggare").await;
    assert!(
        several.html.contains("Flera personer matchar"),
        "{}",
        several.html
    );
    for subject in ["dave", "hanna"] {
        assert!(
            several.html.contains(&format!("anvandare={subject}\"")),
            "{subject}"
        );
    }
    let nobody = ivy.get("/atkomstlogg?anvandare=dave").await;
    assert!(
        nobody.html.contains("Inga läsningar matchar"),
        "dave read nothing"
    );
}

#[actix_web::test]
async fn a_security_manager_retries_a_failed_alert_and_reads_who_read_the_case() {
    // Nothing listens on the mail port, and one attempt is all: every alert fails at once.
    let app = spawn_app_with_pages_configured(|settings| {
        settings.delivery.smtp_url = Some("smtp://127.0.0.1:1".into());
        settings.delivery.max_attempts = 1;
    })
    .await;
    let id = app.file_id(&reporter("anna"), &report()).await;
    let mut ivy = Browser::new(&app);
    ivy.sign_in("ivy:security_manager").await;
    until_deliveries(&app, &[&id], |delivery| delivery["state"] == "failed").await;
    let failed = ivy.get("/larm").await;
    assert!(failed.html.contains("Misslyckat"), "{}", failed.html);
    let alert = alert_for(&app, &id, "utbildning").await;
    let retry = format!("/larm/{}/forsok-igen", alert["id"].as_str().unwrap());
    let forged = ivy
        .send(Method::POST, &retry, Some(&[("csrf", "forged")]))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let retried = ivy
        .send(Method::POST, &retry, Some(&[("csrf", &failed.csrf())]))
        .await;
    assert_eq!(retried.location.as_deref(), Some("/larm?forsok=ja"));

    ivy.get(&format!("/arenden/{id}")).await;
    let number = alert["case_number"].as_str().unwrap();
    // By the case number as people read it, or by the id the case page links with.
    for search in [number.to_lowercase(), id.clone()] {
        let log = ivy.get(&format!("/atkomstlogg?arende={search}")).await;
        assert_eq!(log.status, StatusCode::OK);
        assert!(log.html.contains("Webb: ärendesidan"), "{}", log.html);
        assert!(log.html.contains(&format!(">{number}</a>")), "{}", log.html);
        assert!(log.html.contains("(ivy)</td>"), "{}", log.html);
    }
    let unknown = ivy.get("/atkomstlogg?arende=TRG-2026-999999").await;
    assert!(unknown.html.contains("<title>Fel: "), "{}", unknown.html);
    assert!(unknown.html.contains("error-summary"));
    assert!(!unknown.html.contains("Inga läsningar matchar"));
    let check = ivy.get("/atkomstlogg/kontroll").await;
    assert!(check.html.contains("Loggen är hel"), "{}", check.html);

    // Everyone else is refused, as by the API.
    let mut dave = Browser::new(&app);
    dave.sign_in("dave:handler:utbildning").await;
    for page in ["/larm", "/atkomstlogg", "/atkomstlogg/kontroll"] {
        assert_eq!(dave.get(page).await.status, StatusCode::FORBIDDEN, "{page}");
    }
    let csrf = dave.get("/").await.csrf();
    let refused = dave
        .send(Method::POST, &retry, Some(&[("csrf", &csrf)]))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn an_alert_is_acknowledged_on_its_page_by_its_receiver_only() {
    let app = spawn_app_with_pages().await;
    let id = app.file_id(&reporter("anna"), &report()).await;
    let alert = alert_for(&app, &id, "utbildning").await;
    let page = format!("/larm/{}", alert["id"].as_str().unwrap());
    let acknowledge = format!("{page}/kvittera");

    let mut hanna = Browser::new(&app);
    hanna.sign_in("hanna:handler:kommunledning").await;
    assert_eq!(hanna.get(&page).await.status, StatusCode::FORBIDDEN);
    let csrf = hanna.get("/").await.csrf();
    let refused = hanna
        .send(Method::POST, &acknowledge, Some(&[("csrf", &csrf)]))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut dave = Browser::new(&app);
    dave.sign_in("dave:handler:utbildning").await;
    let shown = dave.get(&page).await;
    assert!(shown.html.contains("Kvittera larmet"), "{}", shown.html);
    let too_long = "x".repeat(1001);
    let refused = dave
        .send(
            Method::POST,
            &acknowledge,
            Some(&[("csrf", &shown.csrf()), ("comment", &too_long)]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.html.contains(&too_long),
        "the comment typed is kept"
    );
    let done = dave
        .send(
            Method::POST,
            &acknowledge,
            Some(&[("csrf", &shown.csrf()), ("comment", "Jag tar det.")]),
        )
        .await;
    assert_eq!(done.location, Some(format!("{page}?kvitterat=1")));
    let acknowledged = alert_for(&app, &id, "utbildning").await;
    assert_eq!(acknowledged["acknowledged_by"], json!("dave"));
    let again = dave.get(&page).await;
    assert!(again.html.contains("Kvitterat av dave"));
    assert!(
        !again.html.contains("Kvittera larmet<"),
        "acknowledged once"
    );

    let missing = dave.get(&format!("/larm/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn every_case_work_page_as_every_role() {
    let app = spawn_app_with_pages().await;
    let id = app.file_id(&reporter("anna"), &report()).await;
    let alert = alert_for(&app, &id, "utbildning").await;
    let alert = alert["id"].as_str().unwrap();
    let pages = [
        "/arenden".to_owned(),
        "/arenden?lista=mina&ordning=allvarligast&sida=2".to_owned(),
        format!("/arenden/{id}"),
        "/larm".to_owned(),
        "/larm?visa=alla".to_owned(),
        format!("/larm/{alert}"),
        format!("/atkomstlogg?arende={id}"),
        "/atkomstlogg/kontroll".to_owned(),
    ];
    use StatusCode as S;
    // Each role's answer for each page above, in order: what the API answers the same caller.
    let roles = [
        ("anna:reporter", [S::FORBIDDEN; 8]),
        ("olga:analyst", [S::FORBIDDEN; 8]),
        (
            "dave:handler:utbildning",
            [
                S::OK,
                S::OK,
                S::OK,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        (
            "hanna:handler:kommunledning",
            [
                S::OK,
                S::OK,
                S::NOT_FOUND,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        ("ivy:security_manager", [S::OK; 8]),
    ];
    for (user, answers) in roles {
        let mut browser = Browser::new(&app);
        browser.sign_in(user).await;
        for (page, answer) in pages.iter().zip(answers) {
            let got = browser.get(page).await;
            assert_eq!(got.status, answer, "{user} {page}");
            assert!(
                got.html.contains("<html lang=\"sv\">"),
                "{user} {page}: a page"
            );
        }
    }
    // Signed out: to the sign-in, and back to the page.
    for page in &pages {
        let answer = Browser::new(&app).get(page).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "signed out: {page}");
        let back = format!(
            "/logga-in?tillbaka={}",
            page.replace('?', "%3F")
                .replace('=', "%3D")
                .replace('&', "%26")
        );
        assert_eq!(answer.location.as_deref(), Some(back.as_str()), "{page}");
    }
    let unknown = [
        format!("/arenden/{}", uuid::Uuid::now_v7()),
        "/arenden/not-a-case".to_owned(),
        "/arenden?lista=alla".to_owned(),
        "/larm?visa=gamla".to_owned(),
    ];
    let mut ivy = Browser::new(&app);
    ivy.sign_in("ivy:security_manager").await;
    for page in unknown {
        assert_eq!(ivy.get(&page).await.status, StatusCode::NOT_FOUND, "{page}");
    }
}

/// A handler's own report outside their office is theirs to follow on "Mina rapporter", not
/// to work: its case page is refused (403, as the API refuses its case work), while another
/// case of that office stays a 404.
#[actix_web::test]
async fn a_handlers_own_report_outside_their_office_is_not_theirs_to_work() {
    let app = spawn_app_with_pages().await;
    let own = app
        .file_id(
            &token("hanna", &["handler"], Some("kommunledning")),
            &report(),
        )
        .await;
    let other = app.file_id(&reporter("anna"), &report()).await;
    let mut hanna = Browser::new(&app);
    hanna.sign_in("hanna:handler:kommunledning").await;
    assert_eq!(
        hanna.get(&format!("/arenden/{own}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        hanna.get(&format!("/arenden/{other}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        hanna.get(&format!("/mina-rapporter/{own}")).await.status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn the_case_page_offers_its_case_workers_and_refuses_anyone_else() {
    let app = spawn_app_with_pages().await;
    // Dave and Hanna have signed in before; the reporter has too, by filing.
    for user in ["dave:handler:utbildning", "hanna:handler:kommunledning"] {
        Browser::new(&app).sign_in(user).await;
    }
    let id = app.file_id(&reporter("anna"), &report()).await;
    let mut manager = Browser::new(&app);
    manager.sign_in("ivy:security_manager").await;
    let page = manager.get(&format!("/arenden/{id}")).await;
    let assignees = {
        let start = page
            .html
            .find(r#"name="assignee""#)
            .expect("a list of handlers");
        let end = start + page.html[start..].find("</select>").unwrap();
        page.html[start..end].to_owned()
    };
    assert!(assignees.contains(r#"value="dave""#), "{assignees}");
    assert!(assignees.contains(r#"value="ivy""#), "{assignees}");
    assert!(
        !assignees.contains(r#"value="hanna""#),
        "another office: {assignees}"
    );
    assert!(
        !assignees.contains(r#"value="anna""#),
        "the reporter: {assignees}"
    );

    for forged in ["anna", "hanna", "someone"] {
        let fields = [
            ("csrf", page.csrf()),
            ("version", page.hidden("version")),
            ("seen", page.hidden("seen")),
            ("assignee", forged.to_owned()),
            ("office", "utbildning".to_owned()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = manager
            .send(
                Method::POST,
                &format!("/arenden/{id}/tilldelning"),
                Some(&fields),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{forged}");
        assert!(
            refused
                .html
                .contains("Välj en handläggare på ett av ärendets kontor"),
            "{forged}"
        );
    }
}

/// The API and the pages reclassify through one use case, so they refuse alike a
/// reclassification that changes nothing: it would put a reason in the timeline for no change.
#[actix_web::test]
async fn a_reclassification_that_changes_nothing_is_refused_by_the_api_and_the_pages_alike() {
    let app = spawn_app_with_pages().await;
    let id = app.file_id(&reporter("anna"), &report()).await;
    let case = app
        .get(&format!("/api/v1/incidents/{id}"), &manager())
        .await
        .body;
    let (focus_area, severity, kind) = (
        case["focus_area"].as_str().unwrap(),
        case["severity"].as_str().unwrap(),
        case["kind"].as_str().unwrap(),
    );
    let reason = "Samma som förut.";

    let request = app
        .request(
            Method::POST,
            &format!("/api/v1/incidents/{id}/classification"),
            Some(&manager()),
        )
        .insert_header(("If-Match", "\"1\""))
        .content_type("application/json");
    let body =
        json!({"focus_area": focus_area, "severity": severity, "kind": kind, "reason": reason});
    let refused = app.send_body(request, body.to_string()).await;
    let detail = refused.assert_problem(422);
    assert!(
        detail.contains("already has this classification"),
        "{detail}"
    );

    let mut browser = Browser::new(&app);
    browser.sign_in("ivy:security_manager").await;
    let page = browser.get(&format!("/arenden/{id}")).await;
    let fields = [
        ("focus_area", focus_area),
        ("severity", severity),
        ("kind", kind),
        ("reason", reason),
    ];
    let action = format!("/arenden/{id}/klassning");
    let shown = send(&mut browser, &page, &action, "classification", &fields).await;
    assert_eq!(
        shown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        shown.html
    );
    assert!(
        shown
            .html
            .contains("Ändra fokusområde, allvarlighetsgrad eller typ av händelse"),
        "{}",
        shown.html
    );
    assert!(shown.html.contains(reason), "the reason typed is kept");

    let after = app
        .get(&format!("/api/v1/incidents/{id}"), &manager())
        .await;
    assert_eq!(after.header("etag"), Some("\"1\""), "the case is unchanged");
}

/// Sending an alert again goes through one use case: an alert with nothing failed is refused
/// by the API (409) and said so on the pages, and wakes no one; one that does not exist is
/// not found by either.
#[actix_web::test]
async fn an_alert_with_nothing_to_retry_is_refused_by_the_api_and_the_pages_alike() {
    let app = spawn_app_with_pages().await;
    let case = app.file_id(&reporter("anna"), &report()).await;
    let alert = alert_for(&app, &case, "sakerhetschef").await;
    let alert = alert["id"].as_str().unwrap();
    let retry = |id: &str| {
        app.request(
            Method::POST,
            &format!("/api/v1/alerts/{id}/retry"),
            Some(&manager()),
        )
    };
    app.send(retry(alert)).await.assert_problem(409);
    let unknown = uuid::Uuid::now_v7().to_string();
    app.send(retry(&unknown)).await.assert_problem(404);

    let mut browser = Browser::new(&app);
    browser.sign_in("ivy:security_manager").await;
    let csrf = browser.get("/larm").await.csrf();
    let form = [("csrf", csrf.as_str())];
    let said = browser
        .send(
            Method::POST,
            &format!("/larm/{alert}/forsok-igen"),
            Some(&form),
        )
        .await;
    assert_eq!(said.location.as_deref(), Some("/larm?forsok=nej"));
    let missing = browser
        .send(
            Method::POST,
            &format!("/larm/{unknown}/forsok-igen"),
            Some(&form),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Each page writes comments on the cases it is for: the case page on the cases its visitor
/// works, "Mina rapporter" on the visitor's own reports. A handler's own report outside their
/// office takes no note from the case page, and another's case no message from "Mina
/// rapporter", whatever the form says.
#[actix_web::test]
async fn each_page_comments_only_on_the_cases_it_is_for() {
    let app = spawn_app_with_pages().await;
    let own = app
        .file_id(
            &token("hanna", &["handler"], Some("kommunledning")),
            &report(),
        )
        .await;
    let worked = app
        .file_id(
            &reporter("anna"),
            &report_with(json!({"focus_area": "public_space"})),
        )
        .await;
    let mut hanna = Browser::new(&app);
    hanna.sign_in("hanna:handler:kommunledning").await;
    let csrf = hanna.get(&format!("/mina-rapporter/{own}")).await.csrf();
    let note = [
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("seen", "0"),
        ("audience", "reporter"),
        ("body", "Från ärendesidan."),
    ];
    let refused = hanna
        .send(
            Method::POST,
            &format!("/arenden/{own}/anteckningar"),
            Some(&note),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let addition = [
        ("csrf", csrf.as_str()),
        ("addition", "Från mina rapporter."),
    ];
    let refused = hanna
        .send(
            Method::POST,
            &format!("/mina-rapporter/{worked}/komplettera"),
            Some(&addition),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    for id in [&own, &worked] {
        let comments = app
            .get(&format!("/api/v1/incidents/{id}/comments"), &manager())
            .await;
        assert_eq!(comments.body, json!([]), "{id}");
    }
}
