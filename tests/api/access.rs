//! Who sees which case: every role, by id and by list.

use awc::http::StatusCode;
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
async fn each_role_sees_exactly_its_cases_by_id_and_by_list() {
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
