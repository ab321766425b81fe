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
    app.file_id(&reporter("alice"), &report()).await
}

#[actix_web::test]
async fn a_case_is_worked_from_received_to_closed_and_every_step_is_in_its_timeline() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let dave = handler("utbildning");
    app.seen(&token("dave", &["handler"], Some("utbildning")))
        .await;

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
    assert_eq!(assigned.body["work"]["assignee"], "dave");
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
    app.seen(&token("dave", &["handler"], Some("utbildning")))
        .await;
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
    assert_eq!(read(&app, &id, &dave).await.0["work"]["assignee"], "dave");

    app.post(
        &path,
        &erin,
        None,
        &json!({"assignee": "erin", "office": "utbildning"}),
    )
    .await
    .assert_problem(428);
    // Not one ETag of the documented form: malformed, not a failed precondition. `*` would
    // match any version and so defeat the check; a weak tag never matches strongly.
    for malformed in [
        "*",
        "W/\"3\"",
        "\"3\", \"4\"",
        "3",
        "\"-1\"",
        "\"1234567890123456789\"",
    ] {
        let reply = app
            .post(
                &path,
                &erin,
                Some(malformed),
                &json!({"assignee": "erin", "office": "utbildning"}),
            )
            .await;
        let detail = reply.assert_problem(400);
        assert!(detail.contains("If-Match"), "{malformed}: {detail}");
    }
    assert_eq!(read(&app, &id, &dave).await.0["work"]["assignee"], "dave");
}

/// A change that no version of the case could accept is refused as such (422), not as stale:
/// re-reading the case would not help the client.
#[actix_web::test]
async fn a_change_that_can_never_succeed_is_refused_before_its_version_is_compared() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let path = format!("/api/v1/incidents/{id}/classification");
    for (body, why) in [
        (
            json!({"reason": "x".repeat(2_001), "severity": "high"}),
            "`reason`",
        ),
        (json!({"reason": "nothing named"}), "at least one"),
        (
            json!({"reason": "no such area", "focus_area": "parking"}),
            "parking",
        ),
    ] {
        let reply = app.post(&path, &manager(), Some("\"7\""), &body).await;
        let detail = reply.assert_problem(422);
        assert!(detail.contains(why), "{detail}");
        // Without `If-Match` the change is 428 first: no body makes up for the precondition.
        app.post(&path, &manager(), None, &body)
            .await
            .assert_problem(428);
    }
    assert_eq!(read(&app, &id, &manager()).await.1, "\"1\"");
}

#[actix_web::test]
async fn concurrent_amendments_with_the_same_etag_let_exactly_one_through() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let dave = handler("utbildning");
    let (_, etag) = read(&app, &id, &dave).await;
    let path = format!("/api/v1/incidents/{id}/assignment");
    for i in 0..8 {
        app.seen(&token(
            &format!("handler-{i}"),
            &["handler"],
            Some("utbildning"),
        ))
        .await;
    }
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

/// What one caller gets from each case endpoint.
struct Expect {
    read: u16,
    listed: bool,
    timeline: u16,
    actions: u16,
    comments: u16,
    /// Status, assignment, reclassification, follow-up, adding an action, changing one: all
    /// sent with a stale ETag, so a case worker gets 412 (reached, not made).
    work: u16,
    internal_comment: u16,
    reporter_comment: u16,
    queue: u16,
    audit: u16,
}

#[actix_web::test]
async fn every_role_against_every_case_endpoint() {
    let app = spawn_app().await;
    let id = file_school_case(&app).await;
    let (_, etag) = read(&app, &id, &manager()).await;
    let case = format!("/api/v1/incidents/{id}");
    let work = [
        ("status", json!({"status": "triaged"})),
        (
            "assignment",
            json!({"assignee": "dave", "office": "utbildning"}),
        ),
        (
            "classification",
            json!({"severity": "low", "reason": "checked"}),
        ),
        (
            "actions",
            json!({"description": "Talk to the pupil", "owner": "dave", "due_at": "2026-12-01T12:00:00Z"}),
        ),
    ];
    let worker = Expect {
        read: 200,
        listed: true,
        timeline: 200,
        actions: 200,
        comments: 200,
        work: 412,
        internal_comment: 201,
        reporter_comment: 201,
        queue: 200,
        audit: 403,
    };
    // Those who work no cases are refused the case work outright, whichever the case.
    let outsider = Expect {
        read: 404,
        listed: false,
        timeline: 403,
        actions: 403,
        comments: 404,
        work: 403,
        internal_comment: 404,
        reporter_comment: 404,
        queue: 403,
        audit: 403,
    };
    let table = [
        (
            "the reporter",
            reporter("alice"),
            Expect {
                read: 200,
                listed: true,
                comments: 200,
                internal_comment: 403,
                reporter_comment: 201,
                ..outsider
            },
        ),
        ("another reporter", reporter("bob"), Expect { ..outsider }),
        (
            "a handler of the office",
            handler("utbildning"),
            Expect { ..worker },
        ),
        (
            "a handler of another office",
            handler("kultur_fritid"),
            Expect {
                timeline: 404,
                actions: 404,
                work: 404,
                queue: 200,
                ..outsider
            },
        ),
        (
            "the reporter, who is also a handler elsewhere",
            token("alice", &["handler", "reporter"], Some("kultur_fritid")),
            // Their own report: its case work is refused, not hidden.
            Expect {
                read: 200,
                listed: true,
                comments: 200,
                work: 403,
                timeline: 403,
                actions: 403,
                internal_comment: 403,
                reporter_comment: 201,
                queue: 200,
                ..outsider
            },
        ),
        (
            "a security manager",
            manager(),
            Expect {
                audit: 200,
                ..worker
            },
        ),
        (
            "an analyst",
            token("olga", &["analyst"], None),
            Expect { ..outsider },
        ),
        (
            "an admin",
            token("adam", &["admin"], None),
            Expect { ..outsider },
        ),
    ];
    let status = |reply: Reply| reply.status.as_u16();
    for (who, token, expect) in table {
        assert_eq!(
            status(app.get(&case, &token).await),
            expect.read,
            "{who} reads"
        );
        let list = app.get("/api/v1/incidents", &token).await;
        let listed = list.body["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| i["id"] == id.as_str()));
        assert_eq!(listed, expect.listed, "{who} lists");
        for (what, expected) in [
            ("timeline", expect.timeline),
            ("actions", expect.actions),
            ("comments", expect.comments),
        ] {
            assert_eq!(
                status(app.get(&format!("{case}/{what}"), &token).await),
                expected,
                "{who} reads {what}"
            );
        }
        let stale = Some("\"0\"");
        for (what, body) in &work {
            let reply = app
                .post(&format!("{case}/{what}"), &token, stale, body)
                .await;
            assert_eq!(
                reply.status.as_u16(),
                expect.work,
                "{who} {what}: {}",
                reply.body
            );
        }
        let follow_up = app
            .request(
                awc::http::Method::PUT,
                &format!("{case}/follow-up"),
                Some(&token),
            )
            .insert_header(("If-Match", "\"0\""));
        let body = json!({"police_report_filed": true, "support_offered": true}).to_string();
        let reply = app
            .send_body(follow_up.content_type("application/json"), body)
            .await;
        assert_eq!(
            reply.status.as_u16(),
            expect.work,
            "{who} follow-up: {}",
            reply.body
        );
        let action = format!("{case}/actions/{}", uuid::Uuid::now_v7());
        let patch = app
            .request(awc::http::Method::PATCH, &action, Some(&token))
            .insert_header(("If-Match", "\"0\""));
        let reply = app
            .send_body(
                patch.content_type("application/json"),
                json!({"status": "done"}).to_string(),
            )
            .await;
        assert_eq!(
            reply.status.as_u16(),
            expect.work,
            "{who} changes an action: {}",
            reply.body
        );
        for (audience, expected) in [
            ("internal", expect.internal_comment),
            ("reporter", expect.reporter_comment),
        ] {
            let reply = app
                .post(
                    &format!("{case}/comments"),
                    &token,
                    None,
                    &json!({"audience": audience, "body": "a note"}),
                )
                .await;
            assert_eq!(
                reply.status.as_u16(),
                expected,
                "{who} comments ({audience}): {}",
                reply.body
            );
        }
        assert_eq!(
            status(app.get("/api/v1/queue", &token).await),
            expect.queue,
            "{who} reads a queue"
        );
        assert_eq!(
            status(app.get("/api/v1/audit", &token).await),
            expect.audit,
            "{who} reads the access log"
        );
    }
    assert_eq!(
        read(&app, &id, &manager()).await.1,
        etag,
        "no attempt changed the case"
    );
}
