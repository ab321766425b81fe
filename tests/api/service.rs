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
async fn the_served_openapi_document_speaks_this_instances_catalogue() {
    let builtin = include_str!("../../crates/trygg-domain/catalogue.toml");
    let catalogue = format!("{builtin}\n[[districts]]\ncode = \"norra\"\nlabel = \"Norra\"\n");
    let app = spawn_app_configured(|settings| {
        settings.catalogue = trygg_domain::Catalogue::from_toml(&catalogue).unwrap();
    })
    .await;
    let served = app
        .send(app.request(Method::GET, "/openapi.json", None))
        .await;
    let districts = serde_json::json!(["central", "west", "east", "norra"]);
    assert_eq!(
        served.body["components"]["schemas"]["DistrictCode"]["enum"],
        districts
    );
    let filters = served.body["paths"]["/api/v1/statistics"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let district = filters.iter().find(|p| p["name"] == "district").unwrap();
    assert_eq!(district["schema"]["enum"], districts);

    let filed = app
        .file(
            &reporter("alice"),
            &report_with(serde_json::json!({"district": "norra"})),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    app.file(
        &reporter("alice"),
        &report_with(serde_json::json!({"district": "south"})),
    )
    .await
    .assert_problem(422);
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
async fn api8_security_misconfiguration_every_answer_carries_its_security_headers() {
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

/// The document lists exactly what is served: every operation in it answers (an anonymous
/// call to a secured one is challenged, not "not found"), and paths it does not list, such as
/// other API versions or routes frameworks often leave behind, answer 404 even to a security
/// manager.
#[actix_web::test]
async fn api9_improper_inventory_management_the_document_lists_exactly_what_is_served() {
    let app = spawn_app().await;
    let document = app
        .send(app.request(Method::GET, "/openapi.json", None))
        .await
        .body;
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{}", paths.len());
    for (path, item) in paths {
        let concrete = path
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{action_id}", &uuid::Uuid::now_v7().to_string())
            .replace("{year}", "2026")
            .replace("{district}", "central");
        for (method, operation) in item.as_object().unwrap() {
            let reply = app
                .send(app.request(method.to_uppercase().parse().unwrap(), &concrete, None))
                .await;
            let secured = operation["security"]
                .as_array()
                .is_some_and(|schemes| !schemes.is_empty());
            if secured {
                reply.assert_problem(401);
            } else {
                assert_eq!(reply.status, StatusCode::OK, "{method} {path}");
            }
        }
    }
    let manager = token("ivy", &["security_manager"], None);
    for path in [
        "/api/v0/incidents",
        "/api/v2/incidents",
        "/api/incidents",
        "/api/v1/users",
        "/api/v1/admin",
        "/api/v1/incidents/export",
        "/actuator/health",
        "/.env",
    ] {
        app.get(path, &manager).await.assert_problem(404);
    }
}
