//! Routing preview: who a case would alert, without sending anything.

use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn manager() -> String {
    token("ivy", &["security_manager"], None)
}

fn receiver_names(reply: &Reply) -> Vec<&str> {
    reply.body["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn a_case_previews_the_receivers_the_rules_pick() {
    let app = spawn_app().await;
    let nightlife = report_with(
        json!({"place_kind": "nightlife", "affected_category": "resident", "district": "west", "severity": "serious"}),
    );
    let id = app.file_id(&reporter("alice"), &nightlife).await;
    let reply = app
        .get(&format!("/api/v1/incidents/{id}/routing"), &manager())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        receiver_names(&reply),
        [
            "sakerhetschef",
            "kommunledning",
            "samhallsbyggnad",
            "brottsforebyggande_west"
        ]
    );
    assert_eq!(
        reply.body["receivers"][0]["email"],
        json!(["sakerhetschef@kommun.example"])
    );

    let hypothetical = app
        .get(
            "/api/v1/routing/preview?focus_area=school&district=east&kind=threat&severity=low",
            &manager(),
        )
        .await;
    assert_eq!(
        receiver_names(&hypothetical),
        ["utbildning", "brottsforebyggande_east"]
    );
}

#[actix_web::test]
async fn only_security_managers_preview_and_bad_queries_are_problems() {
    let app = spawn_app().await;
    let id = app.file_id(&reporter("alice"), &report()).await;
    for token in [
        reporter("alice"),
        token("dave", &["handler"], Some("utbildning")),
        token("olga", &["analyst"], None),
        token("adam", &["admin"], None),
    ] {
        app.get(&format!("/api/v1/incidents/{id}/routing"), &token)
            .await
            .assert_problem(403);
        app.get(
            "/api/v1/routing/preview?focus_area=school&district=east&kind=threat&severity=low",
            &token,
        )
        .await
        .assert_problem(403);
    }
    for query in [
        "",
        "?focus_area=school",
        &format!("?case={id}&severity=low"),
        "?focus_area=parks&district=east&kind=threat&severity=low",
        "?focus_area=school&district=east&kind=theft&severity=low",
    ] {
        app.get(&format!("/api/v1/routing/preview{query}"), &manager())
            .await
            .assert_problem(400);
    }
    let unknown = format!("/api/v1/incidents/{}/routing", uuid::Uuid::now_v7());
    app.get(&unknown, &manager()).await.assert_problem(404);
}
