//! Health, the catalogue, and the API's documentation.

use awc::http::{Method, StatusCode};

use crate::helpers::*;

#[actix_web::test]
async fn health_endpoints_answer() {
    let app = spawn_app().await;
    for path in ["/livez", "/readyz"] {
        let reply = app.send(app.request(Method::GET, path, None)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.body["status"], "ok");
    }
}

#[actix_web::test]
async fn the_catalogue_lists_codes_with_swedish_labels() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/catalogue", &reporter("alice")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let areas = reply.body["focus_areas"].as_array().unwrap();
    assert_eq!(areas.len(), 9);
    let school = areas.iter().find(|a| a["code"] == "school").unwrap();
    assert_eq!(school["label"], "Hot och våld i skolan");
    assert_eq!(school["offices"], serde_json::json!(["utbildning"]));
    assert_eq!(reply.body["districts"].as_array().unwrap().len(), 3);
    let severities: Vec<&str> = reply.body["severities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["low", "medium", "high", "serious"]);
    assert!(
        reply.body["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["label"] == "Otillåten påverkan")
    );

    let anonymous = app
        .send(app.request(Method::GET, "/api/v1/catalogue", None))
        .await;
    anonymous.assert_problem(401);
}

#[actix_web::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let app = spawn_app().await;
    let served = app
        .send(app.request(Method::GET, "/openapi.json", None))
        .await;
    assert_eq!(served.status, StatusCode::OK);
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    assert!(
        served.body == committed,
        "/openapi.json differs from openapi/openapi.json"
    );
}

#[actix_web::test]
async fn the_documentation_page_is_served_without_a_network() {
    let app = spawn_app().await;
    let mut response = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
    assert!(page.contains("swagger-ui"), "{page:.200}");
    assert!(
        !page.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    let script = app
        .client
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
}

#[actix_web::test]
async fn every_answer_carries_its_security_headers() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let id = app.file_id(&alice, &report()).await;
    let answers = [
        app.get(&format!("/api/v1/incidents/{id}"), &alice).await,
        app.get("/api/v1/incidents?limit=oops", &alice).await,
        app.send(app.request(Method::GET, "/api/v1/incidents", None))
            .await,
        app.get("/api/v1/nothing-here", &alice).await,
    ];
    for reply in &answers {
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            reply.header("cache-control"),
            Some("no-store"),
            "{}",
            reply.status
        );
        assert_eq!(
            reply.header("strict-transport-security"),
            Some("max-age=31536000"),
            "the test service is reached over https"
        );
    }
    let docs = app.send(app.request(Method::GET, "/docs/", None)).await;
    let policy = docs.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-eval"), "{policy}");
    assert_eq!(docs.header("x-content-type-options"), Some("nosniff"));

    let plain = spawn_app_configured(|settings| {
        settings.delivery.public_url = "http://127.0.0.1:8080".into()
    })
    .await;
    let reply = plain.get("/api/v1/catalogue", &alice).await;
    assert_eq!(
        reply.header("strict-transport-security"),
        None,
        "no HSTS over plain http"
    );
}
