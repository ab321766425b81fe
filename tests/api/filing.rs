use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn a_filed_report_is_classified_stored_and_read_back() {
    let app = spawn_app().await;
    let alice = reporter("alice");

    let reply = app.file(&alice, &report()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let case = &reply.body;
    let id = case["id"].as_str().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/incidents/{id}").as_str())
    );
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
    let number = case["case_number"].as_str().unwrap();
    assert!(
        number.len() == "TRG-2026-000001".len() && number.starts_with("TRG-20"),
        "{number}"
    );
    assert_eq!(case["status"], "received");
    assert_eq!(case["focus_area"], "school");
    assert_eq!(case["offices"], json!(["utbildning"]));
    assert_eq!(case["occurred_at"], "2026-11-20T08:30:00Z");
    assert_eq!(
        case["description"],
        "Threatened with a knife in the schoolyard."
    );

    let read = app.get(&format!("/api/v1/incidents/{id}"), &alice).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(&read.body, case, "reading returns what filing acknowledged");
    assert_eq!(app.listed_ids(&alice, "").await, [id]);
}

#[actix_web::test]
async fn case_numbers_are_unique_and_increasing() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let mut numbers = Vec::new();
    for _ in 0..3 {
        let case = app.file_ok(&alice, &report()).await;
        numbers.push(case["case_number"].as_str().unwrap().to_owned());
    }
    let mut sorted = numbers.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, numbers);
}

#[actix_web::test]
async fn reports_are_classified_by_the_catalogues_rules() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let cases = [
        (
            json!({"place_kind": "home", "perpetrator_relation": "partner", "affected_category": "resident"}),
            "domestic_violence",
            vec!["social_omsorg"],
        ),
        (
            json!({"affected_category": "employee"}),
            "staff_and_officials",
            vec!["kommunledning"],
        ),
        (
            json!({"kind": "improper_influence", "affected_category": "elected_official", "place_kind": "workplace"}),
            "staff_and_officials",
            vec!["kommunledning"],
        ),
        (
            json!({"place_kind": "nightlife", "affected_category": "resident", "perpetrator_relation": "unknown"}),
            "public_space",
            vec!["kommunledning", "samhallsbyggnad"],
        ),
        (
            json!({"place_kind": "leisure_venue"}),
            "youth_leisure",
            vec!["kultur_fritid"],
        ),
        (
            json!({"kind": "vandalism", "place_kind": "workplace", "affected_category": "resident"}),
            "urban_planning",
            vec!["samhallsbyggnad"],
        ),
        (
            json!({"focus_area": "violent_extremism"}),
            "violent_extremism",
            vec!["kommunledning"],
        ),
        (
            json!({"focus_area": "honour_violence"}),
            "honour_violence",
            vec!["social_omsorg"],
        ),
    ];
    for (changes, focus_area, offices) in cases {
        let case = app.file_ok(&alice, &report_with(changes.clone())).await;
        assert_eq!(case["focus_area"], focus_area, "{changes}");
        assert_eq!(case["offices"], json!(offices), "{changes}");
    }
}

#[actix_web::test]
async fn violence_keeps_its_forms_as_a_set() {
    let app = spawn_app().await;
    let changes = json!({"kind": "violence", "violence_forms": ["sexual", "physical", "sexual"]});
    let case = app.file_ok(&reporter("alice"), &report_with(changes)).await;
    assert_eq!(case["violence_forms"], json!(["physical", "sexual"]));
}

#[actix_web::test]
async fn api3_broken_object_property_level_authorization_a_reporter_cannot_set_triage_fields() {
    let app = spawn_app().await;
    for (field, value) in [
        ("status", json!("closed")),
        ("assignee", json!("bob")),
        ("office", json!("social_omsorg")),
        ("offices", json!(["utbildning"])),
    ] {
        let reply = app
            .file(&reporter("alice"), &report_with(json!({ field: value })))
            .await;
        let detail = reply.assert_problem(422);
        assert!(detail.contains(&format!("`{field}`")), "{detail}");
    }
    assert!(app.listed_ids(&reporter("alice"), "").await.is_empty());

    // Nor does a reporter read them: the case work stays with those who work the case.
    let id = app.file_id(&reporter("alice"), &report()).await;
    let own = app
        .get(&format!("/api/v1/incidents/{id}"), &reporter("alice"))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body["work"].is_null(), "{}", own.body);
}

#[actix_web::test]
async fn concurrent_filings_all_succeed() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let body = report();
    let filings = (0..40).map(|_| app.file(&alice, &body));
    let replies = futures_util::future::join_all(filings).await;
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    assert_eq!(app.listed_ids(&alice, "").await.len(), 40);
}
