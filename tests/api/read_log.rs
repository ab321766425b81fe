//! Every answer that carries case content writes the access log, by construction: storage's
//! reads of case content take who reads and why, and log before they hand anything back. This
//! walks every API operation and every page that shows case content, as each role that may see
//! it, and checks the entries each answer wrote, exactly: who read which case and why, one per
//! case it carried, none for a refusal.

use awc::http::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::web::Browser;

/// The access log as a test reads it: the entries written since a mark.
struct Log<'a> {
    app: &'a TestApp,
}

impl Log<'_> {
    /// The last entry so far.
    fn mark(&self) -> i64 {
        self.app
            .database
            .count("SELECT COALESCE(MAX(seq), 0) FROM access_log")
    }

    /// The entries after `mark`, in order, as "who purpose case".
    fn since(&self, mark: i64) -> Vec<String> {
        self.app.database.texts(&format!(
            "SELECT actor || ' ' || purpose || ' ' || incident_id AS text FROM access_log \
             WHERE seq > {mark} ORDER BY seq"
        ))
    }

    /// Sends `request` and checks its status and the entries its answer wrote.
    async fn expect(
        &self,
        what: &str,
        request: awc::ClientRequest,
        status: u16,
        written: &[String],
    ) {
        let mark = self.mark();
        let reply = self.app.send(request).await;
        assert_eq!(reply.status.as_u16(), status, "{what}: {}", reply.body);
        assert_eq!(self.since(mark), written, "{what}: entries written");
    }

    /// The same for a body sent as JSON, with the ETag `version` where it changes a case.
    #[allow(clippy::too_many_arguments)]
    async fn expect_change(
        &self,
        what: &str,
        (method, path): (Method, &str),
        token: &str,
        version: Option<i64>,
        body: Value,
        status: u16,
        written: &[String],
    ) {
        let mut request = self
            .app
            .request(method, path, Some(token))
            .content_type("application/json");
        if let Some(version) = version {
            request = request.insert_header(("If-Match", format!("\"{version}\"")));
        }
        let mark = self.mark();
        let reply = self.app.send_body(request, body.to_string()).await;
        assert_eq!(reply.status.as_u16(), status, "{what}: {}", reply.body);
        assert_eq!(self.since(mark), written, "{what}: entries written");
    }
}

/// One entry: `who` read `case` for `purpose`.
fn entry(who: &str, purpose: &str, case: &str) -> String {
    format!("{who} {purpose} {case}")
}

#[actix_web::test]
async fn every_answer_with_case_content_is_logged_once_per_case_and_no_refusal_is() {
    let app = spawn_app_with_pages().await;
    let log = Log { app: &app };
    let anna = reporter("anna");
    let dave = token("dave", &["handler"], Some("utbildning"));
    let ivy = token("ivy", &["security_manager"], None);
    let mallory = reporter("mallory");
    let olga = token("olga", &["analyst"], None);
    let filed = app.file_ok(&anna, &report()).await;
    let id = filed["id"].as_str().unwrap().to_owned();
    let case = format!("/api/v1/incidents/{id}");
    let get = |path: &str, token: &str| app.request(Method::GET, path, Some(token));
    let read = |who: &str, purpose: &str| vec![entry(who, purpose, &id)];
    let none: &[String] = &[];

    // Reads, by every role that may see the case, and by some that may not.
    for (who, token) in [("anna", &anna), ("dave", &dave), ("ivy", &ivy)] {
        log.expect(
            &format!("{who} reads the case"),
            get(&case, token),
            200,
            &read(who, "read_incident"),
        )
        .await;
        log.expect(
            &format!("{who} lists cases"),
            get("/api/v1/incidents", token),
            200,
            &read(who, "list_incidents"),
        )
        .await;
        let comments = format!("{case}/comments");
        log.expect(
            &format!("{who} reads comments"),
            get(&comments, token),
            200,
            &read(who, "read_comments"),
        )
        .await;
    }
    for (who, token) in [("dave", &dave), ("ivy", &ivy)] {
        for part in ["actions", "timeline"] {
            let path = format!("{case}/{part}");
            log.expect(
                &format!("{who} reads {part}"),
                get(&path, token),
                200,
                &read(who, &format!("read_{part}")),
            )
            .await;
        }
        log.expect(
            &format!("{who} reads the queue"),
            get("/api/v1/queue", token),
            200,
            &read(who, "read_queue"),
        )
        .await;
    }
    let routing = format!("{case}/routing");
    log.expect(
        "a security manager previews routing",
        get(&routing, &ivy),
        200,
        &read("ivy", "routing_preview"),
    )
    .await;
    for (what, token, status) in [
        ("another reporter", &mallory, 404),
        ("an analyst", &olga, 404),
    ] {
        log.expect(
            &format!("{what} reads the case"),
            get(&case, token),
            status,
            none,
        )
        .await;
        let comments = format!("{case}/comments");
        log.expect(
            &format!("{what} reads comments"),
            get(&comments, token),
            status,
            none,
        )
        .await;
    }
    log.expect(
        "the reporter reads actions",
        get(&format!("{case}/actions"), &anna),
        403,
        none,
    )
    .await;
    log.expect(
        "a handler previews routing",
        get(&routing, &dave),
        403,
        none,
    )
    .await;
    log.expect(
        "another reporter lists cases",
        get("/api/v1/incidents", &mallory),
        200,
        none,
    )
    .await;

    // Changes answer with the case: one entry each, a change that changes nothing included.
    let path = |part: &str| format!("{case}/{part}");
    let status = path("status");
    let triage = json!({"status": "triaged"});
    log.expect_change(
        "a stale change",
        (Method::POST, &status),
        &ivy,
        Some(0),
        triage.clone(),
        412,
        none,
    )
    .await;
    log.expect_change(
        "triage",
        (Method::POST, &status),
        &ivy,
        Some(1),
        triage,
        200,
        &read("ivy", "case_work_answer"),
    )
    .await;
    let assignment = path("assignment");
    let assign = json!({"assignee": "dave", "office": "utbildning"});
    log.expect_change(
        "assign",
        (Method::POST, &assignment),
        &ivy,
        Some(2),
        assign,
        200,
        &read("ivy", "case_work_answer"),
    )
    .await;
    let follow_up = path("follow-up");
    let facts = json!({"police_report_filed": false, "support_offered": false});
    log.expect_change(
        "follow-up that changes nothing",
        (Method::PUT, &follow_up),
        &dave,
        Some(3),
        facts,
        200,
        &read("dave", "case_work_answer"),
    )
    .await;
    let actions = path("actions");
    let due = (test_start() + chrono::Duration::days(7)).to_rfc3339();
    let action = json!({"description": "Samtal med rektor", "owner": "dave", "due_at": due});
    // Its answer is the action the caller has just written, not what the case holds.
    log.expect_change(
        "add an action",
        (Method::POST, &actions),
        &dave,
        Some(3),
        action,
        201,
        none,
    )
    .await;
    let action_id = app.get(&actions, &dave).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = json!({"status": "done"});
    let action_path = format!("{actions}/{action_id}");
    log.expect_change(
        "finish the action",
        (Method::PATCH, &action_path),
        &dave,
        Some(4),
        done,
        200,
        &read("dave", "case_work_answer"),
    )
    .await;
    let classification = path("classification");
    let lower = json!({"severity": "medium", "reason": "Hotet var riktat mot en grupp."});
    log.expect_change(
        "reclassify",
        (Method::POST, &classification),
        &ivy,
        Some(5),
        lower,
        200,
        &read("ivy", "case_work_answer"),
    )
    .await;
    let refused = json!({"status": "closed", "outcome": "resolved"});
    log.expect_change(
        "a change the reporter may not make",
        (Method::POST, &status),
        &anna,
        Some(6),
        refused,
        403,
        none,
    )
    .await;

    // A filing sent again answers with the case the first one filed.
    let keyed = |key: &str| {
        app.request(Method::POST, "/api/v1/incidents", Some(&anna))
            .insert_header(("Idempotency-Key", key.to_owned()))
            .content_type("application/json")
    };
    let mark = log.mark();
    let first = app.send_body(keyed("k-1"), report().to_string()).await;
    assert_eq!(log.since(mark), none, "filing is not a read");
    let second = first.body["id"].as_str().unwrap().to_owned();
    let replayed = app.send_body(keyed("k-1"), report().to_string()).await;
    assert_eq!(replayed.status.as_u16(), 201);
    assert_eq!(
        log.since(mark),
        [entry("anna", "filing_replay", &second)],
        "a replay reads the case it answers with"
    );

    // The pages: every page that shows the case writes one entry, a refusal none.
    let mut browsers = [Browser::new(&app), Browser::new(&app), Browser::new(&app)];
    let (manager, handler, owner) = (0, 1, 2);
    browsers[manager].sign_in("ivy:security_manager").await;
    browsers[handler].sign_in("dave:handler:utbildning").await;
    browsers[owner].sign_in("anna:reporter").await;
    let case_page = format!("/arenden/{id}");
    let mut own_reports = [&second, &id].map(|case| entry("anna", "web_my_reports", case));
    own_reports.sort();
    for (browser, path, status, written) in [
        (manager, case_page.clone(), 200, read("ivy", "web_case")),
        (handler, case_page.clone(), 200, read("dave", "web_case")),
        (owner, case_page.clone(), 403, vec![]),
        (
            owner,
            format!("/mina-rapporter/{id}"),
            200,
            read("anna", "web_report"),
        ),
        (
            owner,
            format!("/rapportera/kvitto/{id}"),
            200,
            read("anna", "web_receipt"),
        ),
        (owner, "/mina-rapporter".to_owned(), 200, own_reports.into()),
        (manager, "/mina-rapporter".to_owned(), 200, vec![]),
    ] {
        let mark = log.mark();
        let page = browsers[browser].get(&path).await;
        assert_eq!(page.status.as_u16(), status, "{browser} {path}");
        let mut entries = log.since(mark);
        entries.sort();
        assert_eq!(entries, written, "{browser} {path}: entries written");
    }
    let manager = &mut browsers[manager];
    let mark = log.mark();
    let queue = manager.get("/arenden?lista=ej-tilldelade").await;
    assert_eq!(queue.status.as_u16(), 200);
    let mut shown: Vec<String> = queue
        .html
        .split("href=\"/arenden/")
        .skip(1)
        .map(|link| entry("ivy", "web_queue", &link[..36]))
        .collect();
    let mut entries = log.since(mark);
    shown.sort();
    entries.sort();
    assert_eq!(entries, shown, "one entry per case the queue page shows");

    // A change on the page answers with a redirect; a stale one with the case page again.
    let csrf = manager.get(&format!("/arenden/{id}")).await.csrf();
    let page_change = |version: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.to_owned()),
            ("seen", "0".to_owned()),
            ("status", "in_progress".to_owned()),
        ]
    };
    let status_page = format!("/arenden/{id}/status");
    for (version, status, written) in [("1", 409, read("ivy", "web_case")), ("6", 303, vec![])] {
        let form = page_change(version);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mark = log.mark();
        let page = manager.send(Method::POST, &status_page, Some(&form)).await;
        assert_eq!(
            page.status.as_u16(),
            status,
            "version {version}: {}",
            page.html
        );
        assert_eq!(
            log.since(mark),
            written,
            "version {version}: entries written"
        );
    }
}

/// A logged read gives its pooled connection back before it logs: on PostgreSQL logging takes
/// a connection of its own, so with one connection in the pool a read that kept its own would
/// wait for itself until the pool gave up.
#[actix_web::test]
async fn logged_reads_work_with_a_pool_of_one_connection() {
    let app = spawn_app_configured(|settings| settings.database_pool_size = 1).await;
    let anna = reporter("anna");
    let ivy = token("ivy", &["security_manager"], None);
    let id = app.file_id(&anna, &report()).await;
    let case = format!("/api/v1/incidents/{id}");
    for path in [
        case.clone(),
        "/api/v1/incidents".to_owned(),
        format!("{case}/comments"),
        format!("{case}/actions"),
        format!("{case}/timeline"),
        "/api/v1/queue".to_owned(),
    ] {
        let reply =
            actix_web::rt::time::timeout(std::time::Duration::from_secs(4), app.get(&path, &ivy))
                .await
                .unwrap_or_else(|_| panic!("{path} waited for a connection"));
        assert_eq!(reply.status.as_u16(), 200, "{path}: {}", reply.body);
    }
}
