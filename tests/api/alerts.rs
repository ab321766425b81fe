//! Alerts: routed to the right receivers over real SMTP and signed webhooks, with nothing in
//! them a wrong recipient could misuse, and never lost when the mail server is down.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use trygg_domain::Catalogue;
use trygg_notifier::Routing;

use crate::helpers::*;
use crate::smtp::{Mail, SmtpServer};

/// Waits until `check` holds, for at most 20 seconds: for the delivery worker to do its work,
/// never for time to pass (tests advance the service's clock for that).
async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(value) = check() {
            return value;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The deliveries of a case's alerts, as a security manager sees them.
async fn deliveries(app: &TestApp, case_id: &str) -> Vec<Value> {
    let alerts = app
        .get(&format!("/api/v1/alerts?case={case_id}"), &manager())
        .await;
    assert_eq!(alerts.status.as_u16(), 200, "{}", alerts.body);
    alerts
        .body
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|alert| alert["deliveries"].as_array().unwrap().clone())
        .collect()
}

/// Waits until every delivery of these cases' alerts satisfies `done`.
pub async fn until_deliveries(app: &TestApp, cases: &[&str], done: impl Fn(&Value) -> bool) {
    for _ in 0..200 {
        let mut all = true;
        for case in cases {
            all &= deliveries(app, case).await.iter().all(&done);
        }
        if all {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for the deliveries of {cases:?}");
}

/// Waits until every alert about these cases has been delivered: nothing is left in flight
/// that could still arrive, so what the receivers have is all they will get.
async fn until_delivered(app: &TestApp, cases: &[&str]) {
    until_deliveries(app, cases, |delivery| delivery["state"] == "delivered").await;
}

/// Mails whose subject contains all of `words`.
fn subjects_with(smtp: &SmtpServer, words: &[&str]) -> Vec<String> {
    smtp.mails()
        .iter()
        .filter_map(|mail| mail.header("Subject"))
        .filter(|subject| words.iter().all(|word| subject.contains(word)))
        .collect()
}

/// A serious assault in nightlife in the west district, with a name in its description.
fn nightlife_assault() -> Value {
    report_with(json!({
        "kind": "violence",
        "violence_forms": ["physical"],
        "place_kind": "nightlife",
        "affected_category": "resident",
        "district": "west",
        "severity": "serious",
        "description": "Anna Andersson was hit outside Club Noir by Bertil Berg."
    }))
}

fn recipients(mails: &[Mail]) -> Vec<String> {
    let mut to: Vec<String> = mails.iter().flat_map(|mail| mail.to.clone()).collect();
    to.sort();
    to
}

#[actix_web::test]
async fn the_right_receivers_get_the_right_mail_and_nothing_more() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_configured(|settings| settings.delivery.smtp_url = Some(url)).await;
    let case = app.file_ok(&reporter("alice"), &nightlife_assault()).await;
    let number = case["case_number"].as_str().unwrap().to_owned();

    let mails = eventually("four mails", || {
        Some(smtp.mails()).filter(|mails| mails.len() >= 4)
    })
    .await;
    assert_eq!(
        recipients(&mails),
        [
            "brb.vastra@kommun.example",
            "sakerhetschef@kommun.example",
            "trygghet.kommunledning@kommun.example",
            "trygghet.samhallsbyggnad@kommun.example"
        ]
    );
    for mail in &mails {
        assert_eq!(mail.from, "trygg@kommun.example");
        assert_eq!(
            mail.header("Subject").as_deref(),
            Some(
                format!("[Trygg] Hot och våld i offentlig miljö – mycket allvarlig – {number}")
                    .as_str()
            )
        );
        let body = mail.body();
        assert!(
            body.contains("Kommundel: Västra") && body.contains("Typ: Våld"),
            "{body}"
        );
        assert!(body.contains(&format!(
            "https://trygg.kommun.example/arenden/{}",
            case["id"].as_str().unwrap()
        )));
        for secret in ["Anna", "Andersson", "Bertil", "Club Noir", "alice"] {
            assert!(
                !mail.data.contains(secret) && !body.contains(secret),
                "{secret} leaked: {body}"
            );
        }
    }
    let mut ids: Vec<String> = mails
        .iter()
        .map(|mail| mail.header("Message-ID").expect("a Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "every mail has its own Message-ID");
    until_delivered(&app, &[case["id"].as_str().unwrap()]).await;
    assert_eq!(smtp.mails().len(), 4, "each receiver once");
}

#[actix_web::test]
async fn with_the_mail_server_down_filing_succeeds_and_every_alert_arrives_once_it_is_back() {
    // A port with nothing listening yet.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("smtp://{address}");
    let app = spawn_app_configured(|settings| settings.delivery.smtp_url = Some(url)).await;
    let alice = reporter("alice");
    let mut cases = Vec::new();
    for _ in 0..3 {
        cases.push(app.file_id(&alice, &nightlife_assault()).await);
    }
    let cases: Vec<&str> = cases.iter().map(String::as_str).collect();
    until_deliveries(&app, &cases, |delivery| {
        delivery["state"] == "pending" && delivery["attempts"].as_i64() >= Some(1)
    })
    .await;

    let smtp = SmtpServer::start_on(address);
    // Past the first retry's backoff (under a second here), short of escalation (30 minutes).
    app.clock.advance(chrono::Duration::minutes(1));
    let mails = eventually("twelve mails", || {
        Some(smtp.mails()).filter(|mails| mails.len() >= 12)
    })
    .await;
    until_delivered(&app, &cases).await;
    assert_eq!(
        smtp.mails().len(),
        12,
        "3 cases × 4 receivers, each exactly once"
    );
    let mut ids: Vec<String> = mails
        .iter()
        .filter_map(|mail| mail.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
}

type Received = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// A webhook receiver that fails its first call, then accepts, recording what it got.
async fn spawn_webhook_receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let state = received.clone();
    let server = HttpServer::new(move || {
        let state = state.clone();
        App::new().route(
            "/hook",
            web::post().to(move |request: HttpRequest, body: String| {
                let state = state.clone();
                async move {
                    let header = |name: &str| {
                        request
                            .headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    let mut calls = state.lock().unwrap();
                    calls.push((
                        header("webhook-id"),
                        header("webhook-timestamp"),
                        header("webhook-signature"),
                        body,
                    ));
                    if calls.len() == 1 {
                        HttpResponse::ServiceUnavailable().finish()
                    } else {
                        HttpResponse::Ok().finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let address = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    (format!("http://{address}/hook"), received)
}

#[actix_web::test]
async fn webhooks_are_signed_and_keep_their_id_across_retries() {
    let (url, received) = spawn_webhook_receiver().await;
    let rules = format!(
        r#"
        [routing]
        default_receiver = "relay"
        [[receivers]]
        name = "relay"
        webhooks = [{{ url = "{url}", secret_env = "RELAY_SECRET", allow_private = true }}]
        "#
    );
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let routing =
        Routing::from_toml(&rules, &Catalogue::builtin(), |_| Some(secret.to_owned())).unwrap();
    let app = spawn_app_configured(|settings| settings.routing = routing).await;
    let case = app.file_ok(&reporter("alice"), &nightlife_assault()).await;

    eventually("a first webhook call", || {
        Some(()).filter(|_| !received.lock().unwrap().is_empty())
    })
    .await;
    until_deliveries(&app, &[case["id"].as_str().unwrap()], |delivery| {
        delivery["attempts"] == 1
    })
    .await;
    app.clock.advance(chrono::Duration::minutes(5));
    let calls = eventually("a retried webhook", || {
        Some(received.lock().unwrap().clone()).filter(|calls| calls.len() >= 2)
    })
    .await;
    assert_eq!(calls[0].0, calls[1].0, "the same webhook-id on the retry");
    for (id, timestamp, signature, body) in &calls {
        // An independent check, as a receiver would do it: HMAC-SHA256 over id.timestamp.body
        // with the base64-decoded secret.
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD
            .decode(&secret["whsec_".len()..])
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(signature, &format!("v1,{expected}"));
        let payload: Value = serde_json::from_str(body).unwrap();
        assert_eq!(payload["data"]["case_number"], case["case_number"]);
        assert!(!body.contains("Anna") && !body.contains("Club Noir"));
    }
}

#[actix_web::test]
async fn unacknowledged_serious_alerts_escalate_to_the_security_manager() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_configured(|settings| settings.delivery.smtp_url = Some(url)).await;
    let school = report_with(json!({"severity": "high"}));
    let case = app.file_ok(&reporter("alice"), &school).await;
    let number = case["case_number"].as_str().unwrap();
    until_delivered(&app, &[case["id"].as_str().unwrap()]).await;
    assert!(
        subjects_with(&smtp, &["eskalerad"]).is_empty(),
        "nothing escalates before its time"
    );
    app.clock.advance(chrono::Duration::minutes(31));
    let escalated = eventually("an escalation", || {
        smtp.mails().into_iter().find(|mail| {
            mail.header("Subject")
                .is_some_and(|s| s.contains("eskalerad"))
        })
    })
    .await;
    assert_eq!(escalated.to, ["sakerhetschef@kommun.example"]);
    assert!(escalated.header("Subject").unwrap().ends_with(number));
}

async fn mail_server_app(configure: impl FnOnce(&mut trygg::Settings)) -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_configured(|settings| {
        settings.delivery.smtp_url = Some(url);
        configure(settings);
    })
    .await;
    (app, smtp)
}

/// Files an open high case, lets it go overdue and waits for its escalation: the worker has
/// looked at every case again since the clock moved.
async fn escalate_a_later_case(app: &TestApp, smtp: &SmtpServer) {
    let high = report_with(json!({"severity": "high"}));
    let later = app.file_ok(&reporter("alice"), &high).await;
    until_delivered(app, &[later["id"].as_str().unwrap()]).await;
    app.clock.advance(chrono::Duration::minutes(31));
    let number = later["case_number"].as_str().unwrap();
    eventually("the later case's escalation", || {
        Some(()).filter(|_| !subjects_with(smtp, &["eskalerad", number]).is_empty())
    })
    .await;
}

fn manager() -> String {
    token("ivy", &["security_manager"], None)
}

#[actix_web::test]
async fn an_acknowledged_alert_does_not_escalate_and_only_its_receiver_acknowledges() {
    let (app, smtp) = mail_server_app(|_| {}).await;
    let high = report_with(json!({"severity": "high"}));
    let case = app.file_ok(&reporter("alice"), &high).await;
    let (id, number) = (
        case["id"].as_str().unwrap(),
        case["case_number"].as_str().unwrap(),
    );
    let alerts = app
        .get(&format!("/api/v1/alerts?case={id}"), &manager())
        .await;
    let utbildning = alerts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["receiver"] == "utbildning")
        .expect("the office is alerted");
    let ack = format!("/api/v1/alerts/{}/ack", utbildning["id"].as_str().unwrap());

    for outsider in [
        token("frank", &["handler"], Some("kultur_fritid")),
        reporter("alice"),
        token("olga", &["analyst"], None),
    ] {
        app.post(&ack, &outsider, None, &json!({}))
            .await
            .assert_problem(403);
    }
    let dave = token("dave", &["handler"], Some("utbildning"));
    let acknowledged = app
        .post(&ack, &dave, None, &json!({"comment": "On it"}))
        .await;
    assert_eq!(acknowledged.status.as_u16(), 200, "{}", acknowledged.body);
    assert_eq!(acknowledged.body["acknowledged_by"], "dave");
    let unknown = format!("/api/v1/alerts/{}/ack", uuid::Uuid::now_v7());
    app.post(&unknown, &dave, None, &json!({}))
        .await
        .assert_problem(404);

    // The security manager's own alert (high severity) needs no escalation either: acknowledge it.
    let own = alerts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["receiver"] == "sakerhetschef")
        .unwrap();
    app.post(
        &format!("/api/v1/alerts/{}/ack", own["id"].as_str().unwrap()),
        &manager(),
        None,
        &json!({}),
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(31));
    eventually("the escalation", || {
        Some(()).filter(|_| !subjects_with(&smtp, &["eskalerad", number]).is_empty())
    })
    .await;
    // A later case's escalation shows that the worker has looked again since.
    escalate_a_later_case(&app, &smtp).await;
    assert_eq!(
        subjects_with(&smtp, &["eskalerad", number]).len(),
        1,
        "the unacknowledged district council alert still escalates, once"
    );
}

#[actix_web::test]
async fn a_receiver_that_keeps_refusing_is_parked_as_failed_and_can_be_retried() {
    let refusing = Arc::new(Mutex::new(true));
    let state = refusing.clone();
    let server = HttpServer::new(move || {
        let state = state.clone();
        App::new().route(
            "/hook",
            web::post().to(move || {
                let refuse = *state.lock().unwrap();
                async move {
                    if refuse {
                        HttpResponse::BadRequest().finish()
                    } else {
                        HttpResponse::NoContent().finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let url = format!("http://{}/hook", server.addrs()[0]);
    actix_web::rt::spawn(server.run());
    let rules = format!(
        r#"
        [routing]
        default_receiver = "relay"
        [[receivers]]
        name = "relay"
        role = "security_manager"
        webhooks = [{{ url = "{url}", secret_env = "S", allow_private = true }}]
        "#
    );
    let routing =
        Routing::from_toml(&rules, &Catalogue::builtin(), |_| Some("secret".into())).unwrap();
    let app = spawn_app_configured(|settings| settings.routing = routing).await;
    let case_id = app.file_id(&reporter("alice"), &report()).await;
    until_deliveries(&app, &[&case_id], |delivery| delivery["state"] == "failed").await;
    let failed = app.get("/api/v1/alerts?state=failed", &manager()).await;
    let parked = &failed.body[0];
    assert_eq!(parked["case_id"], case_id.as_str(), "{}", failed.body);
    let delivery = &parked["deliveries"][0];
    assert_eq!(delivery["attempts"], 1, "a 400 is permanent: no retries");
    assert!(delivery["last_error"].as_str().unwrap().contains("400"));
    assert_eq!(delivery["last_failure"], "refused");
    app.get("/api/v1/alerts?state=failed", &reporter("alice"))
        .await
        .assert_problem(403);

    *refusing.lock().unwrap() = false;
    let retry = format!("/api/v1/alerts/{}/retry", parked["id"].as_str().unwrap());
    let retried = app.post(&retry, &manager(), None, &json!({})).await;
    assert_eq!(retried.status.as_u16(), 200, "{}", retried.body);
    until_delivered(&app, &[&case_id]).await;
    app.post(&retry, &manager(), None, &json!({}))
        .await
        .assert_problem(409);
}

#[actix_web::test]
async fn only_open_high_and_serious_cases_escalate() {
    let (app, smtp) = mail_server_app(|_| {}).await;
    let high = report_with(json!({"severity": "high"}));
    let medium = app
        .file_ok(
            &reporter("alice"),
            &report_with(json!({"severity": "medium"})),
        )
        .await;
    let closed = app.file_ok(&reporter("alice"), &high).await;
    let closing = format!(
        "/api/v1/incidents/{}/status",
        closed["id"].as_str().unwrap()
    );
    for (version, change) in [
        ("\"1\"", json!({"status": "triaged"})),
        ("\"2\"", json!({"status": "closed", "outcome": "resolved"})),
    ] {
        let reply = app.post(&closing, &manager(), Some(version), &change).await;
        assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    }
    // Open high cases escalate, in two later looks: the worker has looked at the other cases
    // at least once since they were overdue.
    for _ in 0..2 {
        escalate_a_later_case(&app, &smtp).await;
    }
    for quiet in [medium, closed] {
        let number = quiet["case_number"].as_str().unwrap();
        assert!(
            subjects_with(&smtp, &["eskalerad", number]).is_empty(),
            "{number} escalated"
        );
    }
}

#[actix_web::test]
async fn the_security_manager_is_reminded_of_the_arbetsmiljoverket_deadline() {
    let (app, smtp) = mail_server_app(|_| {}).await;
    let serious = report_with(
        json!({"affected_category": "employee", "place_kind": "workplace", "severity": "serious"}),
    );
    let case = app.file_ok(&reporter("alice"), &serious).await;
    let number = case["case_number"].as_str().unwrap();
    app.clock.advance(chrono::Duration::hours(11));
    // Nothing is due at the 11th hour.
    let later = app.file_ok(&reporter("alice"), &serious).await;
    until_delivered(&app, &[later["id"].as_str().unwrap()]).await;
    assert!(subjects_with(&smtp, &["Arbetsmiljöverket"]).is_empty());

    app.clock.advance(chrono::Duration::hours(10));
    let reminders = eventually("two reminders", || {
        Some(subjects_with(&smtp, &["Arbetsmiljöverket", number])).filter(|r| r.len() >= 2)
    })
    .await;
    assert!(
        reminders.iter().any(|s| s.contains("12 timmar"))
            && reminders.iter().any(|s| s.contains("20 timmar")),
        "{reminders:?}"
    );
    // The later case's 12-hour reminder comes from a later look, after which the first
    // case's reminders must not have been sent again.
    let later_number = later["case_number"].as_str().unwrap();
    app.clock.advance(chrono::Duration::hours(3));
    eventually("the later case's reminder", || {
        Some(()).filter(|_| !subjects_with(&smtp, &["Arbetsmiljöverket", later_number]).is_empty())
    })
    .await;
    assert_eq!(
        subjects_with(&smtp, &["Arbetsmiljöverket", number]).len(),
        2,
        "each reminder once"
    );
}

/// The service as its own process, so it can be killed.
struct Process {
    child: std::process::Child,
    address: String,
}

impl Process {
    fn start(database: &crate::database::TestDatabase, smtp_url: &str) -> Process {
        use std::io::BufRead;
        let url = match database.url() {
            trygg_storage::DatabaseUrl::Sqlite(path) => path.to_string_lossy().into_owned(),
            trygg_storage::DatabaseUrl::Postgres(url) => url,
        };
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trygg"))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("TRYGG_BIND", "127.0.0.1:0")
            .env("TRYGG_JWT_SECRET", SECRET)
            .env("TRYGG_SMTP_URL", smtp_url)
            .env("TRYGG_ALERT_LEASE_SECONDS", "1")
            .env("TRYGG_ALERT_POLL_SECONDS", "1")
            .env("TRYGG_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .env_remove("TRYGG_CONFIG")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("trygg starts");
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let address = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let entry: Value = serde_json::from_str(&line).ok()?;
                (entry["fields"]["message"] == "listening")
                    .then(|| entry["fields"]["address"].as_str().map(str::to_owned))?
            })
            .expect("the service says where it listens");
        // Keep draining its log so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Process {
            child,
            address: format!("http://{address}"),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[actix_web::test]
async fn a_service_killed_mid_delivery_resends_with_the_same_message_id() {
    let database = crate::database::TestDatabase::create();
    let smtp = SmtpServer::start();
    smtp.stall_next();
    let mut first = Process::start(&database, &smtp.url());
    let client = awc::Client::default();
    let filed = client
        .post(format!("{}/api/v1/incidents", first.address))
        .bearer_auth(reporter("alice"))
        // This service runs on the machine's clock, as in production.
        .send_json(&report_with(
            json!({"occurred_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339()}),
        ))
        .await
        .unwrap();
    assert_eq!(filed.status().as_u16(), 201);
    // The high-severity school case alerts three receivers; the first message hangs.
    let stalled = eventually("a message in flight", || smtp.mails().first().cloned()).await;
    let message_id = stalled.header("Message-ID").expect("a Message-ID");
    first.child.kill().expect("kill -9");
    first.child.wait().unwrap();

    let _second = Process::start(&database, &smtp.url());
    let resent = eventually("the resend", || {
        let copies = smtp
            .mails()
            .iter()
            .filter(|m| m.header("Message-ID").as_deref() == Some(message_id.as_str()))
            .count();
        (copies >= 2).then_some(copies)
    })
    .await;
    assert_eq!(
        resent, 2,
        "the stalled message once more, under the same Message-ID"
    );
    let receivers: std::collections::BTreeSet<String> =
        smtp.mails().iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(
        receivers.len(),
        3,
        "every receiver got its alert: {receivers:?}"
    );
}

#[actix_web::test]
async fn two_instances_share_one_outbox_without_sending_twice() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let first =
        spawn_app_configured(|settings| settings.delivery.smtp_url = Some(url.clone())).await;
    if matches!(first.database.url(), trygg_storage::DatabaseUrl::Sqlite(_)) {
        return; // Several instances need PostgreSQL; this runs in the PostgreSQL pass.
    }
    let _second = spawn_app_on(first.database.clone(), first.clock.clone(), |settings| {
        settings.delivery.smtp_url = Some(url)
    })
    .await;
    let mut cases = Vec::new();
    for _ in 0..20 {
        cases.push(
            first
                .file_id(&reporter("alice"), &nightlife_assault())
                .await,
        );
    }
    let mails = eventually("80 mails", || {
        Some(smtp.mails()).filter(|mails| mails.len() >= 80)
    })
    .await;
    let cases: Vec<&str> = cases.iter().map(String::as_str).collect();
    until_delivered(&first, &cases).await;
    assert_eq!(smtp.mails().len(), 80, "20 cases × 4 receivers, none twice");
    let mut ids: Vec<String> = mails
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 80);
}
