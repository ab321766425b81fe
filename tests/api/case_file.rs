//! What a case carries besides its report: follow-up facts, actions, comments; the queue that
//! surfaces them; restricted categories; and retention.

use awc::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn dave() -> String {
    token("dave", &["handler"], Some("kommunledning"))
}

fn manager() -> String {
    token("ivy", &["security_manager"], None)
}

/// A serious threat against an employee: classified `staff_and_officials` (kommunledning), and
/// due at Arbetsmiljöverket within 24 hours.
fn serious_threat_against_staff() -> Value {
    report_with(
        json!({"affected_category": "employee", "place_kind": "workplace", "severity": "serious"}),
    )
}

async fn etag(app: &TestApp, id: &str, token: &str) -> String {
    let reply = app.get(&format!("/api/v1/incidents/{id}"), token).await;
    reply.header("etag").expect("an ETag").to_owned()
}

async fn put_follow_up(app: &TestApp, id: &str, body: Value) -> Reply {
    let request = app
        .request(
            Method::PUT,
            &format!("/api/v1/incidents/{id}/follow-up"),
            Some(&dave()),
        )
        .insert_header(("If-Match", etag(app, id, &dave()).await.as_str()))
        .content_type("application/json");
    app.send_body(request, body.to_string()).await
}

#[actix_web::test]
async fn follow_up_facts_are_recorded_and_the_authority_deadline_tracked() {
    let app = spawn_app().await;
    let case = app
        .file_ok(&reporter("alice"), &serious_threat_against_staff())
        .await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(case["work"], Value::Null, "the reporter sees no case work");

    let read = app.get(&format!("/api/v1/incidents/{id}"), &dave()).await;
    let due = read.body["work"]["authority_notification_due"]
        .as_str()
        .expect("a deadline");
    let received: chrono::DateTime<chrono::Utc> =
        read.body["received_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        due.parse::<chrono::DateTime<chrono::Utc>>().unwrap() - received,
        chrono::Duration::hours(24)
    );

    let invalid = put_follow_up(&app, id, json!({"police_report_filed": false, "police_reference": "5000-K1-26", "support_offered": false})).await;
    invalid.assert_problem(422);
    let recorded = put_follow_up(
        &app,
        id,
        json!({"police_report_filed": true, "police_reference": "5000-K123456-26", "authority_notified_at": "2026-11-20T10:00:00Z", "support_offered": true}),
    )
    .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    let work = &recorded.body["work"];
    assert_eq!(work["police_reference"], "5000-K123456-26");
    assert_eq!(work["authority_notified_at"], "2026-11-20T10:00:00Z");
    assert_eq!(
        work["authority_notification_due"],
        Value::Null,
        "notified, so nothing is due"
    );
    assert_eq!(work["support_offered"], true);

    let timeline = app
        .get(&format!("/api/v1/incidents/{id}/timeline"), &dave())
        .await;
    let fields: Vec<&str> = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "status",
            "police_report_filed",
            "police_reference",
            "authority_notified_at",
            "support_offered"
        ]
    );
}

#[actix_web::test]
async fn actions_are_tracked_and_overdue_ones_reach_the_queue() {
    let app = spawn_app().await;
    let id = app
        .file_id(&reporter("alice"), &serious_threat_against_staff())
        .await;
    let actions = format!("/api/v1/incidents/{id}/actions");
    let due = (test_start() + chrono::Duration::hours(1)).to_rfc3339();
    let late = json!({"description": "Meet the employee", "owner": "dave", "due_at": due});
    let added = app
        .post(
            &actions,
            &dave(),
            Some(&etag(&app, &id, &dave()).await),
            &late,
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(
        added.header("etag"),
        Some("\"2\""),
        "adding an action changes the case"
    );
    let action_id = added.body["id"].as_str().unwrap().to_owned();
    assert_eq!(added.body["overdue"], false);

    app.clock.advance(chrono::Duration::hours(2));
    let listed = app.get(&actions, &dave()).await;
    assert_eq!(listed.body[0]["overdue"], true);
    let queue = app.get("/api/v1/queue", &dave()).await;
    let overdue: Vec<&Value> = queue.body["overdue"].as_array().unwrap().iter().collect();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["id"], id.as_str());

    let done = app
        .request(
            Method::PATCH,
            &format!("{actions}/{action_id}"),
            Some(&dave()),
        )
        .insert_header(("If-Match", etag(&app, &id, &dave()).await.as_str()));
    let done = app
        .send_body(
            done.content_type("application/json"),
            json!({"status": "done"}).to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        (done.body["status"].as_str(), done.body["overdue"].as_bool()),
        (Some("done"), Some(false))
    );
    assert!(
        app.get("/api/v1/queue", &dave()).await.body["overdue"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let unknown = app
        .request(
            Method::PATCH,
            &format!("{actions}/{}", uuid::Uuid::now_v7()),
            Some(&dave()),
        )
        .insert_header(("If-Match", etag(&app, &id, &dave()).await.as_str()));
    app.send_body(
        unknown.content_type("application/json"),
        json!({"owner": "dave"}).to_string(),
    )
    .await
    .assert_problem(404);
    let bad = json!({"description": " ", "owner": "dave", "due_at": "2026-12-01T08:00:00Z"});
    app.post(
        &actions,
        &dave(),
        Some(&etag(&app, &id, &dave()).await),
        &bad,
    )
    .await
    .assert_problem(422);
}

#[actix_web::test]
async fn the_queue_lists_unassigned_mine_and_deadlines_at_risk() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let old = app.file_id(&alice, &serious_threat_against_staff()).await;
    app.clock.advance(chrono::Duration::hours(13));
    let fresh = app.file_id(&alice, &serious_threat_against_staff()).await;
    let elsewhere = app.file_id(&alice, &report()).await;

    let ids = |queue: &Value, list: &str| -> Vec<String> {
        queue[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let queue = app.get("/api/v1/queue", &dave()).await.body;
    assert_eq!(
        ids(&queue, "unassigned"),
        [old.clone(), fresh.clone()],
        "only kommunledning's cases"
    );
    assert_eq!(
        ids(&queue, "deadline_at_risk"),
        std::slice::from_ref(&old),
        "12 hours or less left"
    );
    assert!(ids(&queue, "mine").is_empty());
    assert!(!ids(&queue, "unassigned").contains(&elsewhere));

    let assign = json!({"assignee": "dave", "office": "kommunledning"});
    app.post(
        &format!("/api/v1/incidents/{fresh}/assignment"),
        &dave(),
        Some(&etag(&app, &fresh, &dave()).await),
        &assign,
    )
    .await;
    let queue = app.get("/api/v1/queue", &dave()).await.body;
    assert_eq!(ids(&queue, "mine"), std::slice::from_ref(&fresh));
    assert_eq!(ids(&queue, "unassigned"), std::slice::from_ref(&old));

    let manager_queue = app.get("/api/v1/queue", &manager()).await.body;
    assert_eq!(
        ids(&manager_queue, "unassigned"),
        [old, elsewhere],
        "a security manager sees every office"
    );
}

#[actix_web::test]
async fn the_reporter_sees_only_comments_meant_for_them_and_can_add_information() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let id = app.file_id(&alice, &serious_threat_against_staff()).await;
    let comments = format!("/api/v1/incidents/{id}/comments");
    for (token, audience, body) in [
        (dave(), "internal", "The perpetrator is known to us."),
        (
            dave(),
            "reporter",
            "We have received your report and will call you.",
        ),
        (alice.clone(), "reporter", "He came back the next day."),
    ] {
        let reply = app
            .post(
                &comments,
                &token,
                None,
                &json!({"audience": audience, "body": body}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let bodies = |reply: Reply| -> Vec<String> {
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["body"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        bodies(app.get(&comments, &alice).await),
        [
            "We have received your report and will call you.",
            "He came back the next day."
        ]
    );
    assert_eq!(bodies(app.get(&comments, &dave()).await).len(), 3);
    app.get(&comments, &reporter("bob"))
        .await
        .assert_problem(404);
    app.post(
        &comments,
        &alice,
        None,
        &json!({"audience": "internal", "body": "x"}),
    )
    .await
    .assert_problem(403);
    app.post(
        &comments,
        &alice,
        None,
        &json!({"audience": "reporter", "body": ""}),
    )
    .await
    .assert_problem(422);
}

#[actix_web::test]
async fn domestic_and_honour_violence_are_seen_only_by_social_services_and_security_managers() {
    let app = spawn_app().await;
    for focus_area in ["domestic_violence", "honour_violence"] {
        let case = app
            .file_ok(
                &reporter("alice"),
                &report_with(json!({"focus_area": focus_area})),
            )
            .await;
        let path = format!("/api/v1/incidents/{}", case["id"].as_str().unwrap());
        for office in [
            "kommunledning",
            "samhallsbyggnad",
            "utbildning",
            "kultur_fritid",
        ] {
            let handler = token("h", &["handler"], Some(office));
            app.get(&path, &handler).await.assert_problem(404);
            app.get(&format!("{path}/comments"), &handler)
                .await
                .assert_problem(404);
        }
        for outsider in [
            reporter("bob"),
            token("olga", &["analyst"], None),
            token("adam", &["admin"], None),
        ] {
            app.get(&path, &outsider).await.assert_problem(404);
        }
        for insider in [
            token("sara", &["handler"], Some("social_omsorg")),
            manager(),
        ] {
            assert_eq!(
                app.get(&path, &insider).await.status,
                StatusCode::OK,
                "{focus_area}"
            );
        }
    }
}

/// Runs the command line as of the service's clock.
fn trygg(app: &TestApp, args: &[&str]) -> String {
    let as_of = app.clock.now().to_rfc3339();
    let args = [args, &["--as-of", &as_of]].concat();
    let output = app.trygg(&args, &[("TRYGG_RETENTION_DAYS", "30")]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[actix_web::test]
async fn a_purge_removes_the_content_of_old_closed_cases_and_keeps_the_counts() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let old = app.file_ok(&alice, &serious_threat_against_staff()).await;
    let old_id = old["id"].as_str().unwrap().to_owned();
    let recent_id = app.file_id(&alice, &serious_threat_against_staff()).await;
    for id in [&old_id, &recent_id] {
        if *id == recent_id {
            // The retention period (30 days) has run out for the first case only.
            app.clock.advance(chrono::Duration::days(31));
        }
        for change in [
            json!({"status": "triaged"}),
            json!({"status": "closed", "outcome": "resolved"}),
        ] {
            let reply = app
                .post(
                    &format!("/api/v1/incidents/{id}/status"),
                    &dave(),
                    Some(&etag(&app, id, &dave()).await),
                    &change,
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        app.post(
            &format!("/api/v1/incidents/{id}/comments"),
            &alice,
            None,
            &json!({"audience": "reporter", "body": "Thank you"}),
        )
        .await;
    }
    let rows_by_focus = "SELECT COUNT(*) FROM incidents WHERE focus_area = 'staff_and_officials' AND severity = 'serious'";
    assert_eq!(app.database.count(rows_by_focus), 2);

    let dry_run = trygg(&app, &["purge", "--dry-run"]);
    assert!(
        dry_run.contains(&format!(
            "would purge {}",
            old["case_number"].as_str().unwrap()
        )),
        "{dry_run}"
    );
    assert!(dry_run.contains("would purge 1 case(s)"), "{dry_run}");
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{old_id}"), &alice)
            .await
            .status,
        StatusCode::OK,
        "a dry run removes nothing"
    );

    let purged = trygg(&app, &["purge"]);
    assert!(purged.contains("purged 1 case(s)"), "{purged}");
    for token in [alice.clone(), dave(), manager()] {
        app.get(&format!("/api/v1/incidents/{old_id}"), &token)
            .await
            .assert_problem(404);
    }
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{recent_id}"), &alice)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.database.count(rows_by_focus),
        2,
        "the coded facts stay for the statistics"
    );
    let content = format!(
        "SELECT COUNT(*) FROM incidents WHERE id = '{old_id}' AND (description <> '' OR reporter <> '')"
    );
    assert_eq!(
        app.database.count(&content),
        0,
        "no free text or names remain"
    );
    let comments = "SELECT COUNT(*) FROM comments";
    assert_eq!(
        app.database.count(comments),
        1,
        "only the recent case's comment remains"
    );
    assert!(
        trygg(&app, &["purge"]).contains("purged 0 case(s)"),
        "a purge is idempotent"
    );
}
