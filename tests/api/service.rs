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
