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
