//! Triage and case work: the workflow, optimistic concurrency, reclassification, the timeline,
//! and who may do what.

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn handler(office: &str) -> String {
    token(&format!("handler-{office}"), &["handler"], Some(office))
}

fn manager() -> String {
    token("ivy", &["security_manager"], None)
}

/// Reads a case and returns it with its ETag.
async fn read(app: &TestApp, id: &str, token: &str) -> (Value, String) {
    let reply = app.get(&format!("/api/v1/incidents/{id}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let etag = reply.header("etag").expect("a case has an ETag").to_owned();
    (reply.body, etag)
}

async fn change(app: &TestApp, id: &str, token: &str, what: &str, body: Value) -> Reply {
    let (_, etag) = read(app, id, token).await;
    app.post(
        &format!("/api/v1/incidents/{id}/{what}"),
        token,
        Some(&etag),
        &body,
    )
    .await
}

async fn file_school_case(app: &TestApp) -> String {
    app.file_ok(&reporter("alice"), &report()).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn a_case_is_worked_from_received_to_closed_and_every_step_is_in_its_timeline() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let dave = handler("utbildning");

    let (case, etag) = read(&app, &id, &dave).await;
    assert_eq!(
        (case["status"].as_str(), etag.as_str()),
        (Some("received"), "\"1\"")
    );

    let assigned = app
        .post(
            &format!("/api/v1/incidents/{id}/assignment"),
            &dave,
            Some(&etag),
            &json!({"assignee": "dave", "office": "utbildning"}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(assigned.body["assignee"], "dave");
    assert_eq!(assigned.header("etag"), Some("\"2\""));

    for status in ["triaged", "in_progress"] {
        let reply = change(&app, &id, &dave, "status", json!({"status": status})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["status"], status);
    }
    let closed = change(
        &app,
        &id,
        &dave,
        "status",
        json!({"status": "closed", "outcome": "resolved"}),
    )
    .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(
        (
            closed.body["status"].as_str(),
            closed.body["outcome"].as_str()
        ),
        (Some("closed"), Some("resolved"))
    );

    let (mine, _) = read(&app, &id, &reporter("alice")).await;
    assert_eq!(mine["status"], "closed", "the reporter follows the status");

    let timeline = app
        .get(&format!("/api/v1/incidents/{id}/timeline"), &manager())
        .await;
    assert_eq!(timeline.status, StatusCode::OK);
    let steps: Vec<(String, String, Option<String>, Option<String>)> = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().into(),
                e["field"].as_str().unwrap().into(),
                e["from"].as_str().map(Into::into),
                e["to"].as_str().map(Into::into),
            )
        })
        .collect();
    let step = |actor: &str, field: &str, from: Option<&str>, to: &str| {
        (
            actor.to_owned(),
            field.to_owned(),
            from.map(Into::into),
            Some(to.to_owned()),
        )
    };
    assert_eq!(
        steps,
        [
            step("alice", "status", None, "received"),
            step("handler-utbildning", "assignee", None, "dave"),
            step("handler-utbildning", "status", Some("received"), "triaged"),
            step(
                "handler-utbildning",
                "status",
                Some("triaged"),
                "in_progress"
            ),
            step(
                "handler-utbildning",
                "status",
                Some("in_progress"),
                "closed"
            ),
            step("handler-utbildning", "outcome", None, "resolved"),
        ]
    );
}

#[actix_web::test]
async fn illegal_transitions_are_refused_naming_the_allowed_ones() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let dave = handler("utbildning");

    let skip = change(
        &app,
        &id,
        &dave,
        "status",
        json!({"status": "closed", "outcome": "duplicate"}),
    )
    .await;
    let detail = skip.assert_problem(409);
    assert!(
        detail.contains("`received`") && detail.contains("`triaged`"),
        "{detail}"
    );

    change(&app, &id, &dave, "status", json!({"status": "triaged"})).await;
    change(&app, &id, &dave, "status", json!({"status": "closed"}))
        .await
        .assert_problem(422);
    change(
        &app,
        &id,
        &dave,
        "status",
        json!({"status": "in_progress", "outcome": "resolved"}),
    )
    .await
    .assert_problem(422);
    change(
        &app,
        &id,
        &dave,
        "status",
        json!({"status": "closed", "outcome": "no_action_needed"}),
    )
    .await;

    let reopen = change(&app, &id, &dave, "status", json!({"status": "in_progress"})).await;
    assert!(reopen.assert_problem(403).contains("security manager"));
    let reopened = change(
        &app,
        &id,
        &manager(),
        "status",
        json!({"status": "in_progress"}),
    )
    .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    assert_eq!(
        reopened.body["outcome"],
        Value::Null,
        "a reopened case has no outcome"
    );
}

#[actix_web::test]
async fn two_handlers_never_overwrite_each_other() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let (dave, erin) = (
        handler("utbildning"),
        token("erin", &["handler"], Some("utbildning")),
    );
    let (_, seen_by_dave) = read(&app, &id, &dave).await;
    let (_, seen_by_erin) = read(&app, &id, &erin).await;
    let path = format!("/api/v1/incidents/{id}/assignment");

    let first = app
        .post(
            &path,
            &dave,
            Some(&seen_by_dave),
            &json!({"assignee": "dave", "office": "utbildning"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let second = app
        .post(
            &path,
            &erin,
            Some(&seen_by_erin),
            &json!({"assignee": "erin", "office": "utbildning"}),
        )
        .await;
    assert!(second.assert_problem(412).contains("\"2\""));
    assert_eq!(read(&app, &id, &dave).await.0["assignee"], "dave");

    app.post(
        &path,
        &erin,
        None,
        &json!({"assignee": "erin", "office": "utbildning"}),
    )
    .await
    .assert_problem(428);
    app.post(
        &path,
        &erin,
        Some("*"),
        &json!({"assignee": "erin", "office": "utbildning"}),
    )
    .await
    .assert_problem(412);
}

#[actix_web::test]
async fn concurrent_amendments_with_the_same_etag_let_exactly_one_through() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let dave = handler("utbildning");
    let (_, etag) = read(&app, &id, &dave).await;
    let path = format!("/api/v1/incidents/{id}/assignment");
    let bodies: Vec<Value> = (0..8)
        .map(|i| json!({"assignee": format!("handler-{i}"), "office": "utbildning"}))
        .collect();
    let replies = futures_util::future::join_all(
        bodies
            .iter()
            .map(|body| app.post(&path, &dave, Some(&etag), body)),
    )
    .await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        7,
        "{statuses:?}"
    );
}

#[actix_web::test]
async fn reclassification_moves_a_case_to_another_office_with_its_reason() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let reply = change(&app, &id, &manager(), "classification", json!({"focus_area": "domestic_violence", "severity": "serious", "reason": "the threat came from a parent at home"})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["offices"], json!(["social_omsorg"]));
    assert_eq!(reply.body["severity"], "serious");

    app.get(&format!("/api/v1/incidents/{id}"), &handler("utbildning"))
        .await
        .assert_problem(404);
    read(&app, &id, &handler("social_omsorg")).await;

    let timeline = app
        .get(&format!("/api/v1/incidents/{id}/timeline"), &manager())
        .await;
    let reclassified: Vec<&Value> = timeline
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"].is_string())
        .collect();
    let fields: Vec<&str> = reclassified
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["focus_area", "offices", "severity"]);
    assert!(
        reclassified
            .iter()
            .all(|e| e["reason"] == "the threat came from a parent at home")
    );

    for bad in [
        json!({"reason": "nothing named"}),
        json!({"severity": "low", "reason": " "}),
        json!({"focus_area": "parking", "reason": "r"}),
    ] {
        change(&app, &id, &manager(), "classification", bad)
            .await
            .assert_problem(422);
    }
}

#[actix_web::test]
async fn every_role_against_every_case_endpoint() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let (_, etag) = read(&app, &id, &manager()).await;
    let case = format!("/api/v1/incidents/{id}");
    let status_body = json!({"status": "triaged"});
    let assign_body = json!({"assignee": "dave", "office": "utbildning"});
    let classify_body = json!({"severity": "low", "reason": "checked"});

    // (who, token, [read, timeline, _], list shows it, [status, assignment, classification, audit])
    type Row<'a> = (&'a str, String, [u16; 3], bool, [u16; 4]);
    let table: Vec<Row> = vec![
        (
            "the reporter",
            reporter("alice"),
            [200, 200, 0],
            true,
            [403, 403, 403, 403],
        ),
        (
            "another reporter",
            reporter("bob"),
            [404, 404, 0],
            false,
            [403, 403, 403, 403],
        ),
        (
            "a handler of the office",
            handler("utbildning"),
            [200, 200, 0],
            true,
            [412, 412, 412, 403],
        ),
        (
            "a handler of another office",
            handler("kultur_fritid"),
            [404, 404, 0],
            false,
            [404, 404, 404, 403],
        ),
        (
            "a handler who is also a reporter elsewhere",
            token("alice", &["handler", "reporter"], Some("kultur_fritid")),
            [200, 200, 0],
            true,
            [404, 404, 404, 403],
        ),
        (
            "a security manager",
            manager(),
            [200, 200, 0],
            true,
            [412, 412, 412, 200],
        ),
        (
            "an analyst",
            token("olga", &["analyst"], None),
            [404, 404, 0],
            false,
            [403, 403, 403, 403],
        ),
        (
            "an admin",
            token("adam", &["admin"], None),
            [404, 404, 0],
            false,
            [403, 403, 403, 403],
        ),
    ];
    for (
        who,
        token,
        [read_status, timeline_status, _],
        listed,
        [status, assignment, classification, audit],
    ) in table
    {
        assert_eq!(
            app.get(&case, &token).await.status.as_u16(),
            read_status,
            "{who} reads"
        );
        assert_eq!(
            app.get(&format!("{case}/timeline"), &token)
                .await
                .status
                .as_u16(),
            timeline_status,
            "{who} reads the timeline"
        );
        let list = app.get("/api/v1/incidents", &token).await;
        let shows = list.body["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| i["id"] == id.as_str()));
        assert_eq!(shows, listed, "{who} lists");
        // A stale ETag: who may work the case gets 412, proving the write was reached but
        // not made; who may not gets 403 or 404 before anything is compared.
        let stale = "\"0\"";
        let attempts = [
            ("status", &status_body, status),
            ("assignment", &assign_body, assignment),
            ("classification", &classify_body, classification),
        ];
        for (what, body, expected) in attempts {
            let reply = app
                .post(&format!("{case}/{what}"), &token, Some(stale), body)
                .await;
            assert_eq!(
                reply.status.as_u16(),
                expected,
                "{who} {what}: {}",
                reply.body
            );
        }
        assert_eq!(
            app.get("/api/v1/audit", &token).await.status.as_u16(),
            audit,
            "{who} reads the access log"
        );
    }
    assert_eq!(
        read(&app, &id, &manager()).await.1,
        etag,
        "no attempt changed the case"
    );
}
