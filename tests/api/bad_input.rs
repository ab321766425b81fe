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
            "empty",
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
