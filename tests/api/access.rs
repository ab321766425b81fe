//! Who sees which case: every role, by id and by list.

use awc::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

struct Cases {
    alices_school_case: String,
    bobs_domestic_case: String,
}

async fn file_two_cases(app: &TestApp) -> Cases {
    let school = app.file_ok(&reporter("alice"), &report()).await;
    let domestic = app
        .file_ok(
            &reporter("bob"),
            &report_with(json!({"focus_area": "domestic_violence"})),
        )
        .await;
    Cases {
        alices_school_case: school["id"].as_str().unwrap().into(),
        bobs_domestic_case: domestic["id"].as_str().unwrap().into(),
    }
}

#[actix_web::test]
async fn api1_broken_object_level_authorization_each_role_sees_exactly_its_cases() {
    let app = spawn_app().await;
    let cases = file_two_cases(&app).await;
    let school = cases.alices_school_case.as_str();
    let domestic = cases.bobs_domestic_case.as_str();

    // (who, token, the cases they must see)
    let table: Vec<(&str, String, Vec<&str>)> = vec![
        ("the reporter alice", reporter("alice"), vec![school]),
        ("the reporter bob", reporter("bob"), vec![domestic]),
        ("another reporter", reporter("carol"), vec![]),
        (
            "a handler of utbildning",
            token("dave", &["handler"], Some("utbildning")),
            vec![school],
        ),
        (
            "a handler of social_omsorg",
            token("erin", &["handler"], Some("social_omsorg")),
            vec![domestic],
        ),
        (
            "a handler of kultur_fritid",
            token("frank", &["handler"], Some("kultur_fritid")),
            vec![],
        ),
        (
            "a handler without an office",
            token("gina", &["handler"], None),
            vec![],
        ),
        (
            "an office claim without the handler role",
            token("hal", &["reporter"], Some("utbildning")),
            vec![],
        ),
        (
            "a security manager",
            token("ivy", &["security_manager"], None),
            vec![domestic, school],
        ),
    ];
    for (who, token, visible) in &table {
        let listed = app.listed_ids(token, "").await;
        assert_eq!(&listed, visible, "{who} lists the wrong cases");
        for id in [school, domestic] {
            let reply = app.get(&format!("/api/v1/incidents/{id}"), token).await;
            if visible.contains(&id) {
                assert_eq!(reply.status, StatusCode::OK, "{who} must see {id}");
                assert_eq!(reply.body["id"], id);
            } else {
                let detail = reply.assert_problem(404);
                assert_eq!(
                    detail, "there is no case with this id",
                    "{who}: a hidden case reads as absent"
                );
            }
        }
    }
}

#[actix_web::test]
async fn a_hidden_case_is_indistinguishable_from_a_missing_one() {
    let app = spawn_app().await;
    let cases = file_two_cases(&app).await;
    let carol = reporter("carol");
    let hidden = app
        .get(
            &format!("/api/v1/incidents/{}", cases.alices_school_case),
            &carol,
        )
        .await;
    let missing = app
        .get(
            &format!("/api/v1/incidents/{}", uuid::Uuid::now_v7()),
            &carol,
        )
        .await;
    hidden.assert_problem(404);
    assert_eq!(hidden.body, missing.body);
}

#[actix_web::test]
async fn analysts_and_admins_get_no_case_rows() {
    let app = spawn_app().await;
    let cases = file_two_cases(&app).await;
    for role in ["analyst", "admin"] {
        let token = token("olga", &[role], Some("utbildning"));
        app.get("/api/v1/incidents", &token)
            .await
            .assert_problem(403);
        let by_id = app
            .get(
                &format!("/api/v1/incidents/{}", cases.alices_school_case),
                &token,
            )
            .await;
        by_id.assert_problem(404);
        app.file(&token, &report()).await.assert_problem(403);
    }
}

#[actix_web::test]
async fn a_token_without_roles_may_do_nothing_with_cases() {
    let app = spawn_app().await;
    let nobody = token("nobody", &[], None);
    app.file(&nobody, &report()).await.assert_problem(403);
    app.get("/api/v1/incidents", &nobody)
        .await
        .assert_problem(403);
}

#[actix_web::test]
async fn a_handler_with_an_unknown_office_is_refused() {
    let app = spawn_app().await;
    let token = token("dave", &["handler"], Some("parks_department"));
    let detail = app
        .get("/api/v1/incidents", &token)
        .await
        .assert_problem(403)
        .to_owned();
    assert!(detail.contains("parks_department"), "{detail}");
}

#[actix_web::test]
async fn handlers_and_security_managers_may_file_too() {
    let app = spawn_app().await;
    for token in [
        token("dave", &["handler"], Some("utbildning")),
        token("ivy", &["security_manager"], None),
    ] {
        app.file_ok(&token, &report()).await;
    }
}

/// A handler who files about another office's work follows the report as its reporter: it is
/// theirs to read, its case work (actions, timeline, changes) is refused with 403 (they know the
/// case exists), and a case of that office they did not file stays a 404.
#[actix_web::test]
async fn a_handlers_own_report_outside_their_office_is_read_but_not_worked() {
    let app = spawn_app().await;
    let hanna = token("hanna", &["handler"], Some("kommunledning"));
    let own = app.file_id(&hanna, &report()).await;
    let other = app.file_id(&reporter("anna"), &report()).await;

    let read = app.get(&format!("/api/v1/incidents/{own}"), &hanna).await;
    assert_eq!(read.status, StatusCode::OK);
    let etag = read.header("etag").unwrap().to_owned();
    for (case, status) in [(&own, 403), (&other, 404)] {
        for path in ["actions", "timeline"] {
            app.get(&format!("/api/v1/incidents/{case}/{path}"), &hanna)
                .await
                .assert_problem(status);
        }
        app.post(
            &format!("/api/v1/incidents/{case}/status"),
            &hanna,
            Some(&etag),
            &json!({"status": "triaged"}),
        )
        .await
        .assert_problem(status);
    }
    let unchanged = app.get(&format!("/api/v1/incidents/{own}"), &hanna).await;
    assert_eq!(unchanged.body["status"], "received");
}

/// A request: method, path and JSON body (`null` for none).
type Call = (&'static str, String, serde_json::Value);

/// Every function beyond filing and reading one's own cases, tried by every role that may not
/// use it: each is refused (403, or 404 where the case itself is invisible), and the case is
/// left as it was.
#[actix_web::test]
async fn api5_broken_function_level_authorization_each_function_refuses_the_roles_it_is_not_for() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let case = app.file_ok(&alice, &report()).await;
    let id = case["id"].as_str().unwrap();
    let etag = app
        .get(&format!("/api/v1/incidents/{id}"), &alice)
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let manager = token("ivy", &["security_manager"], None);
    let timeline_before = app
        .get(&format!("/api/v1/incidents/{id}/timeline"), &manager)
        .await
        .body;

    let case_work = [
        (
            "POST",
            format!("/api/v1/incidents/{id}/status"),
            json!({"status": "triaged"}),
        ),
        (
            "POST",
            format!("/api/v1/incidents/{id}/assignment"),
            json!({"assignee": "alice", "office": "utbildning"}),
        ),
        (
            "POST",
            format!("/api/v1/incidents/{id}/classification"),
            json!({"severity": "low", "reason": "mine now"}),
        ),
        (
            "PUT",
            format!("/api/v1/incidents/{id}/follow-up"),
            json!({"police_report_filed": false, "support_offered": true}),
        ),
        (
            "POST",
            format!("/api/v1/incidents/{id}/actions"),
            json!({"description": "x", "owner": "alice", "due_at": "2030-01-01T00:00:00Z"}),
        ),
        (
            "GET",
            format!("/api/v1/incidents/{id}/actions"),
            json!(null),
        ),
        (
            "GET",
            format!("/api/v1/incidents/{id}/timeline"),
            json!(null),
        ),
    ];
    let security_manager_only = [
        ("GET", "/api/v1/alerts".to_owned(), json!(null)),
        ("GET", "/api/v1/audit".to_owned(), json!(null)),
        (
            "GET",
            format!("/api/v1/incidents/{id}/routing"),
            json!(null),
        ),
        (
            "GET",
            "/api/v1/routing/preview?focus_area=school&district=east&kind=threat&severity=low"
                .to_owned(),
            json!(null),
        ),
        (
            "POST",
            format!("/api/v1/alerts/{}/retry", uuid::Uuid::now_v7()),
            json!(null),
        ),
    ];
    let case_workers = [("GET", "/api/v1/queue".to_owned(), json!(null))];
    let statistics = [("GET", "/api/v1/statistics".to_owned(), json!(null))];

    let reporter_ = alice.clone();
    let handler_elsewhere = token("dave", &["handler"], Some("kultur_fritid"));
    let handler_here = token("hedda", &["handler"], Some("utbildning"));
    let analyst = token("olga", &["analyst"], None);
    let admin = token("adam", &["admin"], None);
    let nobody = token("nobody", &[], None);
    let refusals: [(&str, &[&String], &[Call]); 4] = [
        (
            "case work",
            &[&reporter_, &handler_elsewhere, &analyst, &admin, &nobody],
            &case_work,
        ),
        (
            "security managers' functions",
            &[&reporter_, &handler_here, &analyst, &admin, &nobody],
            &security_manager_only,
        ),
        (
            "the queue",
            &[&reporter_, &analyst, &admin, &nobody],
            &case_workers,
        ),
        (
            "statistics",
            &[&reporter_, &handler_here, &admin, &nobody],
            &statistics,
        ),
    ];
    for (what, tokens, calls) in refusals {
        for token in tokens {
            for (method, path, body) in calls {
                let request = app
                    .request(method.parse().unwrap(), path, Some(token))
                    .insert_header(("If-Match", etag.as_str()));
                let reply = if body.is_null() {
                    app.send(request).await
                } else {
                    let request = request.content_type("application/json");
                    app.send_body(request, body.to_string()).await
                };
                let status = reply.status.as_u16();
                assert!(
                    status == 403 || status == 404,
                    "{what}: {method} {path} answered {status}: {}",
                    reply.body
                );
            }
        }
    }

    let after = app.get(&format!("/api/v1/incidents/{id}"), &alice).await;
    assert_eq!(
        after.header("etag"),
        Some(etag.as_str()),
        "the case is unchanged"
    );
    let timeline_after = app
        .get(&format!("/api/v1/incidents/{id}/timeline"), &manager)
        .await
        .body;
    assert_eq!(timeline_after, timeline_before);
}

/// A caller whose roles give them no cases hears so before anything they sent is judged: the
/// list and every change refuse them (403) whatever their filters and bodies, a comment finds
/// no case (404) whatever its body.
#[actix_web::test]
async fn a_caller_without_cases_is_refused_before_what_they_sent_is_judged() {
    let app = spawn_app().await;
    let cases = file_two_cases(&app).await;
    let olga = token("olga", &["analyst"], None);
    app.get("/api/v1/incidents?focus_area=parking&limit=0", &olga)
        .await
        .assert_problem(403);
    let comments = format!("/api/v1/incidents/{}/comments", cases.alices_school_case);
    let request = app
        .request(awc::http::Method::POST, &comments, Some(&olga))
        .content_type("application/json");
    let empty = json!({"audience": "reporter", "body": " "});
    app.send_body(request, empty.to_string())
        .await
        .assert_problem(404);

    // Bodies that would each be 422 from someone who works cases.
    let case = format!("/api/v1/incidents/{}", cases.alices_school_case);
    let changes = [
        (
            Method::POST,
            "assignment",
            json!({"assignee": " ", "office": "no-such-office"}),
        ),
        (
            Method::POST,
            "classification",
            json!({"focus_area": "parking", "reason": " "}),
        ),
        (
            Method::PUT,
            "follow-up",
            json!({"police_report_filed": false, "support_offered": false, "authority_notified_at": "1900-01-01T00:00:00Z"}),
        ),
        (
            Method::POST,
            "actions",
            json!({"description": " ", "owner": " ", "due_at": "1900-01-01T00:00:00Z"}),
        ),
    ];
    for (method, change, body) in changes {
        let request = app
            .request(method, &format!("{case}/{change}"), Some(&olga))
            .insert_header(("If-Match", "\"1\""))
            .content_type("application/json");
        let refused = app.send_body(request, body.to_string()).await;
        refused.assert_problem(403);
    }
}
