//! Every answer that carries case content writes the access log, by construction: storage's
//! reads of case content take who reads and why, and log before they hand anything back. This
//! walks every API operation and every page that shows case content, as each role that may see
//! it, and counts the entries each answer wrote: one per case it carried, none for a refusal.

use awc::http::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::web::Browser;

fn entries(app: &TestApp) -> i64 {
    app.database.count("SELECT COUNT(*) FROM access_log")
}

/// Sends `request` and checks its status and how many entries its answer wrote.
async fn expect(app: &TestApp, what: &str, request: awc::ClientRequest, status: u16, written: i64) {
    let before = entries(app);
    let reply = app.send(request).await;
    assert_eq!(reply.status.as_u16(), status, "{what}: {}", reply.body);
    assert_eq!(entries(app) - before, written, "{what}: entries written");
}

/// The same for a body sent as JSON, with the ETag `version` where it changes a case.
#[allow(clippy::too_many_arguments)]
async fn expect_change(
    app: &TestApp,
    what: &str,
    (method, path): (Method, &str),
    token: &str,
    version: Option<i64>,
    body: Value,
    status: u16,
    written: i64,
) {
    let mut request = app
        .request(method, path, Some(token))
        .content_type("application/json");
    if let Some(version) = version {
        request = request.insert_header(("If-Match", format!("\"{version}\"")));
    }
    let before = entries(app);
    let reply = app.send_body(request, body.to_string()).await;
    assert_eq!(reply.status.as_u16(), status, "{what}: {}", reply.body);
    assert_eq!(entries(app) - before, written, "{what}: entries written");
}

#[actix_web::test]
async fn every_answer_with_case_content_is_logged_once_per_case_and_no_refusal_is() {
    let app = spawn_app_with_pages().await;
    let anna = reporter("anna");
    let dave = token("dave", &["handler"], Some("utbildning"));
    let ivy = token("ivy", &["security_manager"], None);
    let mallory = reporter("mallory");
    let olga = token("olga", &["analyst"], None);
    let filed = app.file_ok(&anna, &report()).await;
    let id = filed["id"].as_str().unwrap().to_owned();
    let case = format!("/api/v1/incidents/{id}");
    let get = |path: &str, token: &str| app.request(Method::GET, path, Some(token));

    // Reads, by every role that may see the case, and by some that may not.
    for (who, token) in [
        ("the reporter", &anna),
        ("its handler", &dave),
        ("a security manager", &ivy),
    ] {
        expect(
            &app,
            &format!("{who} reads the case"),
            get(&case, token),
            200,
            1,
        )
        .await;
        expect(
            &app,
            &format!("{who} lists cases"),
            get("/api/v1/incidents", token),
            200,
            1,
        )
        .await;
        let comments = format!("{case}/comments");
        expect(
            &app,
            &format!("{who} reads comments"),
            get(&comments, token),
            200,
            1,
        )
        .await;
    }
    for (who, token) in [("its handler", &dave), ("a security manager", &ivy)] {
        for part in ["actions", "timeline"] {
            let path = format!("{case}/{part}");
            expect(
                &app,
                &format!("{who} reads {part}"),
                get(&path, token),
                200,
                1,
            )
            .await;
        }
        expect(
            &app,
            &format!("{who} reads the queue"),
            get("/api/v1/queue", token),
            200,
            1,
        )
        .await;
    }
    let routing = format!("{case}/routing");
    expect(
        &app,
        "a security manager previews routing",
        get(&routing, &ivy),
        200,
        1,
    )
    .await;
    for (what, token, status) in [
        ("another reporter", &mallory, 404),
        ("an analyst", &olga, 404),
    ] {
        expect(
            &app,
            &format!("{what} reads the case"),
            get(&case, token),
            status,
            0,
        )
        .await;
        let comments = format!("{case}/comments");
        expect(
            &app,
            &format!("{what} reads comments"),
            get(&comments, token),
            status,
            0,
        )
        .await;
    }
    expect(
        &app,
        "the reporter reads actions",
        get(&format!("{case}/actions"), &anna),
        403,
        0,
    )
    .await;
    expect(
        &app,
        "a handler previews routing",
        get(&routing, &dave),
        403,
        0,
    )
    .await;
    expect(
        &app,
        "another reporter lists cases",
        get("/api/v1/incidents", &mallory),
        200,
        0,
    )
    .await;

    // Changes answer with the case: one entry each, a change that changes nothing included.
    let path = |part: &str| format!("{case}/{part}");
    let status = path("status");
    let triage = json!({"status": "triaged"});
    expect_change(
        &app,
        "a stale change",
        (Method::POST, &status),
        &ivy,
        Some(0),
        triage.clone(),
        412,
        0,
    )
    .await;
    expect_change(
        &app,
        "triage",
        (Method::POST, &status),
        &ivy,
        Some(1),
        triage,
        200,
        1,
    )
    .await;
    let assignment = path("assignment");
    let assign = json!({"assignee": "dave", "office": "utbildning"});
    expect_change(
        &app,
        "assign",
        (Method::POST, &assignment),
        &ivy,
        Some(2),
        assign,
        200,
        1,
    )
    .await;
    let follow_up = path("follow-up");
    let facts = json!({"police_report_filed": false, "support_offered": false});
    expect_change(
        &app,
        "follow-up that changes nothing",
        (Method::PUT, &follow_up),
        &dave,
        Some(3),
        facts,
        200,
        1,
    )
    .await;
    let actions = path("actions");
    let due = (test_start() + chrono::Duration::days(7)).to_rfc3339();
    let action = json!({"description": "Samtal med rektor", "owner": "dave", "due_at": due});
    // Its answer is the action the caller has just written, not what the case holds.
    expect_change(
        &app,
        "add an action",
        (Method::POST, &actions),
        &dave,
        Some(3),
        action,
        201,
        0,
    )
    .await;
    let action_id = app.get(&actions, &dave).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = json!({"status": "done"});
    let action_path = format!("{actions}/{action_id}");
    expect_change(
        &app,
        "finish the action",
        (Method::PATCH, &action_path),
        &dave,
        Some(4),
        done,
        200,
        1,
    )
    .await;
    let classification = path("classification");
    let lower = json!({"severity": "medium", "reason": "Hotet var riktat mot en grupp."});
    expect_change(
        &app,
        "reclassify",
        (Method::POST, &classification),
        &ivy,
        Some(5),
        lower,
        200,
        1,
    )
    .await;
    let refused = json!({"status": "closed", "outcome": "resolved"});
    expect_change(
        &app,
        "a change the reporter may not make",
        (Method::POST, &status),
        &anna,
        Some(6),
        refused,
        403,
        0,
    )
    .await;

    // A filing sent again answers with the case the first one filed.
    let keyed = |key: &str| {
        app.request(Method::POST, "/api/v1/incidents", Some(&anna))
            .insert_header(("Idempotency-Key", key.to_owned()))
            .content_type("application/json")
    };
    let before = entries(&app);
    app.send_body(keyed("k-1"), report().to_string()).await;
    assert_eq!(entries(&app), before, "filing is not a read");
    let replayed = app.send_body(keyed("k-1"), report().to_string()).await;
    assert_eq!(replayed.status.as_u16(), 201);
    assert_eq!(
        entries(&app),
        before + 1,
        "a replay reads the case it answers with"
    );

    // The pages: every page that shows the case writes one entry, a refusal none.
    let pages = app.listed_ids(&anna, "").await.len() as i64;
    let mut browsers = [Browser::new(&app), Browser::new(&app), Browser::new(&app)];
    let (manager, handler, owner) = (0, 1, 2);
    browsers[manager].sign_in("ivy:security_manager").await;
    browsers[handler].sign_in("dave:handler:utbildning").await;
    browsers[owner].sign_in("anna:reporter").await;
    let case_page = format!("/arenden/{id}");
    for (who, browser, path, status, written) in [
        ("a security manager", manager, case_page.clone(), 200, 1),
        ("its handler", handler, case_page.clone(), 200, 1),
        ("the reporter", owner, case_page.clone(), 403, 0),
        (
            "the reporter",
            owner,
            format!("/mina-rapporter/{id}"),
            200,
            1,
        ),
        (
            "the reporter",
            owner,
            format!("/rapportera/kvitto/{id}"),
            200,
            1,
        ),
        (
            "the reporter",
            owner,
            "/mina-rapporter".to_owned(),
            200,
            pages,
        ),
        (
            "a security manager",
            manager,
            "/mina-rapporter".to_owned(),
            200,
            0,
        ),
    ] {
        let before = entries(&app);
        let page = browsers[browser].get(&path).await;
        assert_eq!(page.status.as_u16(), status, "{who} {path}");
        assert_eq!(
            entries(&app) - before,
            written,
            "{who} {path}: entries written"
        );
    }
    let manager = &mut browsers[manager];
    let before = entries(&app);
    let queue = manager.get("/arenden?lista=ej-tilldelade").await;
    assert_eq!(queue.status.as_u16(), 200);
    let shown = queue.html.matches("href=\"/arenden/").count() as i64;
    assert_eq!(
        entries(&app) - before,
        shown,
        "one entry per case the queue page shows"
    );

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
    for (version, status, written) in [("1", 409, 1), ("6", 303, 0)] {
        let form = page_change(version);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let before = entries(&app);
        let page = manager.send(Method::POST, &status_page, Some(&form)).await;
        assert_eq!(
            page.status.as_u16(),
            status,
            "version {version}: {}",
            page.html
        );
        assert_eq!(
            entries(&app) - before,
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
