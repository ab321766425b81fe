//! Bad input gets a problem+json 4xx with a useful detail, never a 5xx, and stores nothing.

use awc::http::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn bad_reports_are_refused_with_a_problem() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let long = "x".repeat(10_001);
    // (body, content type, status, a fragment the detail must contain)
    let table: Vec<(String, &str, u16, &str)> = vec![
        (
            "{not json".into(),
            "application/json",
            400,
            "not valid JSON",
        ),
        ("".into(), "application/json", 400, "not valid JSON"),
        (report().to_string(), "text/plain", 415, "application/json"),
        (
            "[1, 2, 3]".into(),
            "application/json",
            422,
            "not a valid report",
        ),
        (
            report_with(json!({"kind": "burglary"})).to_string(),
            "application/json",
            422,
            "burglary",
        ),
        (
            report_with(json!({"severity": 3})).to_string(),
            "application/json",
            422,
            "severity",
        ),
        (
            report_with(json!({"occurred_at": "yesterday"})).to_string(),
            "application/json",
            422,
            "not a valid report",
        ),
        (
            report_with(json!({"violence_forms": ["verbal"]})).to_string(),
            "application/json",
            422,
            "verbal",
        ),
        (
            json!({"kind": "threat"}).to_string(),
            "application/json",
            422,
            "missing field",
        ),
        (
            report_with(json!({"district": "atlantis"})).to_string(),
            "application/json",
            422,
            "`atlantis` is not a known district",
        ),
        (
            report_with(json!({"focus_area": "parking"})).to_string(),
            "application/json",
            422,
            "`parking` is not a known focus area",
        ),
        (
            report_with(json!({"occurred_at": "2099-01-01T00:00:00Z"})).to_string(),
            "application/json",
            422,
            "future",
        ),
        (
            report_with(json!({"occurred_at": "1999-01-01T00:00:00Z"})).to_string(),
            "application/json",
            422,
            "ten years",
        ),
        (
            report_with(json!({"description": "   "})).to_string(),
            "application/json",
            422,
            "visible text",
        ),
        (
            report_with(json!({"description": long})).to_string(),
            "application/json",
            422,
            "10000",
        ),
        (
            report_with(json!({"description": "a\u{0000}b"})).to_string(),
            "application/json",
            422,
            "control",
        ),
        (
            report_with(json!({"kind": "violence"})).to_string(),
            "application/json",
            422,
            "violence_forms",
        ),
        (
            format!("{{\"description\": \"{}\"}}", "y".repeat(300_000)),
            "application/json",
            413,
            "at most",
        ),
    ];
    for (body, content_type, status, fragment) in table {
        let request = app
            .request(Method::POST, "/api/v1/incidents", Some(&alice))
            .content_type(content_type);
        let reply = app.send_body(request, body.clone()).await;
        let detail = reply.assert_problem(status);
        assert!(
            detail.contains(fragment),
            "{status} for {:.80}: {detail}",
            body
        );
    }
    assert!(
        app.listed_ids(&alice, "").await.is_empty(),
        "nothing bad was stored"
    );
}

#[actix_web::test]
async fn an_invalid_report_lists_every_broken_rule() {
    let app = spawn_app().await;
    let invalid =
        report_with(json!({"district": "atlantis", "description": "", "focus_area": "parking"}));
    let reply = app.file(&reporter("alice"), &invalid).await;
    reply.assert_problem(422);
    assert_eq!(reply.body["type"], "urn:trygg:problem:invalid-report");
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["district", "description", "focus_area"]);
}

#[actix_web::test]
async fn bad_paths_queries_methods_and_headers_are_problems() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let table: Vec<(Method, &str, u16)> = vec![
        (Method::GET, "/api/v1/incidents/not-a-uuid", 404),
        (
            Method::GET,
            "/api/v1/incidents/0190f0e0-0000-7000-8000-000000000000",
            404,
        ),
        (Method::GET, "/api/v1/nothing-here", 404),
        (Method::DELETE, "/api/v1/incidents", 405),
        (
            Method::PUT,
            "/api/v1/incidents/0190f0e0-0000-7000-8000-000000000000",
            405,
        ),
        (Method::POST, "/api/v1/catalogue", 405),
        (Method::GET, "/api/v1/incidents?limit=0", 400),
        (Method::GET, "/api/v1/incidents?limit=-5", 400),
        (Method::GET, "/api/v1/incidents?limit=lots", 400),
        (Method::GET, "/api/v1/incidents?status=lost", 400),
        (Method::GET, "/api/v1/incidents?focus_area=parking", 400),
        (Method::GET, "/api/v1/incidents?district=atlantis", 400),
        (
            Method::GET,
            "/api/v1/incidents?occurred_from=last-week",
            400,
        ),
        (Method::GET, "/api/v1/incidents?cursor=abc", 400),
        (Method::GET, "/api/v1/incidents?cursor=-1", 400),
        (Method::GET, "/api/v1/incidents?reporter=bob", 400),
    ];
    for (method, path, status) in table {
        let request = app.request(method.clone(), path, Some(&alice));
        let reply = app
            .send_body(
                request.content_type("application/json"),
                report().to_string(),
            )
            .await;
        reply.assert_problem(status);
        if status == 405 {
            assert!(
                reply.header("allow").is_some(),
                "{method} {path} names the allowed methods"
            );
        }
    }
    for bad_key in [String::new(), "k".repeat(256), "with space".into()] {
        let request = app
            .request(Method::POST, "/api/v1/incidents", Some(&alice))
            .insert_header(("Idempotency-Key", bad_key.as_str()));
        let reply = app.send_body(
            request.content_type("application/json"),
            report().to_string(),
        );
        reply.await.assert_problem(400);
    }
}

#[actix_web::test]
async fn page_sizes_are_capped() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    for _ in 0..3 {
        app.file_ok(&alice, &report()).await;
    }
    let reply = app.get("/api/v1/incidents?limit=100000", &alice).await;
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 3);
}

/// What an attacker or a careless client tried, each refused with 422 naming the rule; the
/// same rules hold on the pages, which call the same domain functions.
#[actix_web::test]
async fn input_that_hides_or_misleads_is_refused_naming_the_rule() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    for (report, rule) in [
        (
            report_with(json!({"description": "\u{200B}"})),
            "visible text",
        ),
        (
            report_with(json!({"description": "Hotad av \u{202E}nossraK mik"})),
            "bidirectional",
        ),
        (
            report_with(json!({"kind": "threat", "violence_forms": ["physical"]})),
            "`violence` only",
        ),
    ] {
        let refused = app.file(&alice, &report).await;
        assert!(
            refused.assert_problem(422).contains(rule),
            "{}",
            refused.body
        );
    }
    assert_eq!(
        app.listed_ids(&alice, "").await.len(),
        0,
        "nothing was filed"
    );

    let ivy = token("ivy", &["security_manager"], None);
    let id = app.file_id(&alice, &report()).await;
    let case = format!("/api/v1/incidents/{id}");
    for due in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
        let action = json!({"description": "Samtal", "owner": "ivy", "due_at": due});
        let refused = app
            .post(&format!("{case}/actions"), &ivy, Some("\"1\""), &action)
            .await;
        assert!(refused.assert_problem(422).contains("`due_at`"), "{due}");
    }
    let request = app
        .request(Method::PUT, &format!("{case}/follow-up"), Some(&ivy))
        .insert_header(("If-Match", "\"1\""))
        .content_type("application/json");
    let facts = json!({
        "police_report_filed": false,
        "support_offered": false,
        "authority_notified_at": "1900-01-01T00:00:00Z",
    });
    let refused = app.send_body(request, facts.to_string()).await;
    assert!(refused.assert_problem(422).contains("before the incident"));
    let unchanged = app.get(&case, &ivy).await;
    assert_eq!(
        unchanged.header("etag"),
        Some("\"1\""),
        "nothing was stored"
    );
}

#[actix_web::test]
async fn a_case_or_an_action_goes_only_to_a_known_case_worker_of_its_offices() {
    let app = spawn_app().await;
    let hanna = token("hanna", &["handler"], Some("utbildning"));
    // A handler reports an incident at her own office: she cannot be given her own report.
    let id = app.file_id(&hanna, &report()).await;
    let ivy = token("ivy", &["security_manager"], None);
    let erin = token("erin", &["handler"], Some("social_omsorg"));
    let dave = token("dave", &["handler"], Some("utbildning"));
    for known in [&ivy, &erin, &dave] {
        app.seen(known).await;
    }
    let case = format!("/api/v1/incidents/{id}");
    let due = (test_start() + chrono::Duration::days(7)).to_rfc3339();
    for (who, reason) in [
        ("nobody-we-know", "has not seen them"),
        ("hanna", "reported the case"),
        ("erin", "neither a security manager nor a handler"),
    ] {
        let assign = json!({"assignee": who, "office": "utbildning"});
        let refused = app
            .post(&format!("{case}/assignment"), &ivy, Some("\"1\""), &assign)
            .await;
        let detail = refused.assert_problem(422);
        assert!(
            detail.contains("`assignee`") && detail.contains(reason),
            "{who}: {detail}"
        );
        let action = json!({"description": "Samtal", "owner": who, "due_at": due});
        let refused = app
            .post(&format!("{case}/actions"), &ivy, Some("\"1\""), &action)
            .await;
        assert!(refused.assert_problem(422).contains("`owner`"), "{who}");
    }
    for who in ["dave", "ivy"] {
        let version = app
            .get(&case, &ivy)
            .await
            .header("etag")
            .unwrap()
            .to_owned();
        let assign = json!({"assignee": who, "office": "utbildning"});
        let assigned = app
            .post(&format!("{case}/assignment"), &ivy, Some(&version), &assign)
            .await;
        assert_eq!(assigned.status.as_u16(), 200, "{who}: {}", assigned.body);
    }
}
