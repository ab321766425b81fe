//! The case list: filters and cursor pagination.

use std::collections::HashSet;

use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn pages_follow_the_cursor_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let mut filed = Vec::new();
    for _ in 0..5 {
        filed.push(app.file_id(&alice, &report()).await);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/incidents?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let reply = app.get(&path, &alice).await;
        pages += 1;
        let items = reply.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_owned()),
        );
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/incidents?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    filed.reverse();
    assert_eq!(seen, filed, "newest first, each case once");
}

#[actix_web::test]
async fn filters_narrow_the_list() {
    let app = spawn_app().await;
    let manager = token("ivy", &["security_manager"], None);
    let school = app.file_ok(&manager, &report()).await;
    let west = app
        .file_ok(
            &manager,
            &report_with(json!({"district": "west", "occurred_at": "2026-10-01T12:00:00Z"})),
        )
        .await;
    let nightlife = app
        .file_ok(
            &manager,
            &report_with(json!({"place_kind": "nightlife", "affected_category": "resident"})),
        )
        .await;
    let id = |case: &serde_json::Value| case["id"].as_str().unwrap().to_owned();
    let set = |ids: Vec<String>| ids.into_iter().collect::<HashSet<_>>();

    assert_eq!(
        set(app.listed_ids(&manager, "&district=west").await),
        set(vec![id(&west)])
    );
    assert_eq!(
        set(app.listed_ids(&manager, "&focus_area=public_space").await),
        set(vec![id(&nightlife)])
    );
    assert_eq!(
        set(app
            .listed_ids(&manager, "&occurred_before=2026-11-01T00:00:00Z")
            .await),
        set(vec![id(&west)])
    );
    assert_eq!(
        set(app
            .listed_ids(
                &manager,
                "&occurred_from=2026-11-01T00:00:00Z&district=central"
            )
            .await),
        set(vec![id(&school), id(&nightlife)])
    );
    assert_eq!(app.listed_ids(&manager, "&status=received").await.len(), 3);
    assert!(app.listed_ids(&manager, "&status=closed").await.is_empty());
}
