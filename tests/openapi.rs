//! `openapi/openapi.json` is generated from the code; this fails when it is out of date.
//! Regenerate with `cargo run -- openapi > openapi/openapi.json`.

#[test]
fn the_committed_openapi_document_is_up_to_date() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json exists");
    assert!(
        committed == trygg_api::openapi_document(),
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn documented_codes_are_the_codes_the_api_speaks() {
    let document: serde_json::Value = serde_json::from_str(&trygg_api::openapi_document()).unwrap();
    let codes = |schema: &str| document["components"]["schemas"][schema]["enum"].clone();
    assert_eq!(
        codes("Severity"),
        serde_json::json!(["low", "medium", "high", "serious"])
    );
    assert_eq!(
        codes("AgeGroup"),
        serde_json::json!([
            "under_13",
            "age_13_17",
            "age_18_29",
            "age_30_49",
            "age_50_64",
            "age_65_plus",
            "unknown"
        ])
    );
    assert_eq!(
        codes("Status"),
        serde_json::json!(["received", "triaged", "in_progress", "closed"])
    );
}

#[test]
fn every_authenticated_operation_declares_the_refusals_made_before_its_handler_runs() {
    let document: serde_json::Value = serde_json::from_str(&trygg_api::openapi_document()).unwrap();
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let secured = operation["security"]
                .as_array()
                .is_some_and(|security| !security.is_empty());
            if !secured {
                continue;
            }
            checked += 1;
            let mut refusals = vec!["401", "429"];
            if operation["requestBody"].is_object() {
                refusals.extend(["400", "413", "415", "422"]);
            }
            for status in refusals {
                let response = &operation["responses"][status];
                assert!(
                    response["content"]["application/problem+json"].is_object(),
                    "{method} {path} declares {status} as a problem"
                );
            }
        }
    }
    assert!(checked >= 20, "{checked} authenticated operations");
}
