//! The access log: every read is recorded, security managers can query it, and tampering with
//! it is detected.

use awc::http::StatusCode;
use serde_json::Value;

use crate::helpers::*;

/// (user, case, purpose) of every entry, oldest first.
async fn entries(app: &TestApp, query: &str) -> Vec<(String, String, String)> {
    let reply = app
        .get(
            &format!("/api/v1/audit?limit=100{query}"),
            &token("ivy", &["security_manager"], None),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["user"].as_str().unwrap().into(),
                e["case"].as_str().unwrap().into(),
                e["purpose"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn entry(user: &str, case: &str, purpose: &str) -> (String, String, String) {
    (user.into(), case.into(), purpose.into())
}

#[actix_web::test]
async fn every_read_of_a_case_is_logged_and_nothing_else() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let first = app.file_id(&alice, &report()).await;
    let second = app.file_id(&alice, &report()).await;
    let dave = token("dave", &["handler"], Some("utbildning"));
    assert!(entries(&app, "").await.is_empty(), "filing is not a read");

    app.get(&format!("/api/v1/incidents/{first}"), &alice).await;
    app.get("/api/v1/incidents", &dave).await;
    app.get(&format!("/api/v1/incidents/{second}/timeline"), &dave)
        .await;
    app.get(&format!("/api/v1/incidents/{second}"), &reporter("mallory"))
        .await
        .assert_problem(404);
    app.get(&format!("/api/v1/incidents/{first}/comments"), &alice)
        .await;
    app.get(&format!("/api/v1/incidents/{first}/actions"), &dave)
        .await;
    app.get("/api/v1/queue", &dave).await;

    assert_eq!(
        entries(&app, "").await,
        [
            entry("alice", &first, "read_incident"),
            entry("dave", &second, "list_incidents"),
            entry("dave", &first, "list_incidents"),
            entry("dave", &second, "read_timeline"),
            entry("alice", &first, "read_comments"),
            entry("dave", &first, "read_actions"),
            entry("dave", &first, "read_queue"),
            entry("dave", &second, "read_queue"),
        ],
        "a refused read shows no case and logs nothing"
    );
    assert_eq!(entries(&app, &format!("&case={first}")).await.len(), 5);
    assert_eq!(
        entries(&app, "&user=alice").await,
        [
            entry("alice", &first, "read_incident"),
            entry("alice", &first, "read_comments")
        ]
    );
}

#[actix_web::test]
async fn the_access_log_pages_with_a_cursor() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let id = app.file_id(&alice, &report()).await;
    for _ in 0..5 {
        app.get(&format!("/api/v1/incidents/{id}"), &alice).await;
    }
    let manager = token("ivy", &["security_manager"], None);
    let mut seen = 0;
    let mut path = "/api/v1/audit?limit=2".to_owned();
    loop {
        let page = app.get(&path, &manager).await;
        seen += page.body["items"].as_array().unwrap().len();
        match page.body["next_cursor"].as_i64() {
            Some(cursor) => path = format!("/api/v1/audit?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, 5);
}

fn verify(app: &TestApp) -> std::process::Output {
    app.trygg(&["audit", "verify"], &[])
}

#[actix_web::test]
async fn an_edited_entry_is_detected_by_audit_verify() {
    let app = spawn_app().await;
    let alice = reporter("alice");
    let id = app.file_id(&alice, &report()).await;
    for _ in 0..3 {
        app.get(&format!("/api/v1/incidents/{id}"), &alice).await;
    }
    let intact = verify(&app);
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout).contains("3 entries verified"));

    // The log refuses edits through SQL…
    let edit = "UPDATE access_log SET actor = 'someone-else' WHERE seq = (SELECT MIN(seq) + 1 FROM access_log)";
    let refused = std::panic::catch_unwind(|| app.database.execute(edit, edit));
    assert!(refused.is_err(), "the append-only trigger refuses updates");

    // …so an attacker with the database drops the guard first; the chain still gives it away.
    app.database.execute(
        &format!("DROP TRIGGER access_log_no_update; {edit};"),
        &format!("DROP TRIGGER access_log_append_only ON access_log; {edit};"),
    );
    let broken = verify(&app);
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("broken at entry 2"), "{stderr}");
    assert!(stderr.contains("1 entries verified"), "{stderr}");
}

/// The chains' heads as `trygg audit verify` prints them.
fn heads(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once(", head ").map(|(_, head)| head.to_owned()))
        .collect()
}

#[actix_web::test]
async fn two_instances_log_every_read_on_chains_of_their_own_and_a_cut_is_caught() {
    // Both instances append their heads to one file outside the database.
    let heads_file = std::env::temp_dir().join(format!("trygg-heads-{}", uuid::Uuid::new_v4()));
    let record_heads = |settings: &mut trygg::Settings| {
        settings.access_log_heads = Some(heads_file.clone());
    };
    let first = spawn_app_configured(record_heads).await;
    let second = spawn_app_on(first.database.clone(), first.clock.clone(), record_heads).await;
    let alice = reporter("alice");
    let id = first.file_id(&alice, &report()).await;
    let path = format!("/api/v1/incidents/{id}");
    let reads = (0..40).map(|i| if i % 2 == 0 { &first } else { &second }.get(&path, &alice));
    for reply in futures_util::future::join_all(reads).await {
        assert_eq!(reply.status, awc::http::StatusCode::OK);
    }
    let log = &first.database;
    assert_eq!(
        log.count("SELECT COUNT(*) FROM access_log"),
        40,
        "one entry per read"
    );
    assert_eq!(log.count("SELECT COUNT(DISTINCT chain) FROM access_log"), 2);
    let intact = verify(&first);
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout).contains("40 entries verified"));
    let anchors = heads(&intact);
    assert_eq!(anchors.len(), 2);
    let heads_file_arg = heads_file.to_str().unwrap();
    let from_file = ["audit", "verify", "--anchors-from", heads_file_arg];
    let written = std::fs::read_to_string(&heads_file).unwrap();
    assert_eq!(
        written.lines().count(),
        2,
        "each chain's first head: {written}"
    );
    assert!(first.trygg(&from_file, &[]).status.success());

    // Cutting off a chain's newest entry leaves a chain that holds; the head logged before
    // gives it away.
    let cut = "DELETE FROM access_log WHERE seq = (SELECT MAX(seq) FROM access_log)";
    log.execute(
        &format!("DROP TRIGGER access_log_no_delete; {cut};"),
        &format!("DROP TRIGGER access_log_append_only ON access_log; {cut};"),
    );
    assert!(
        verify(&first).status.success(),
        "without anchors a cut is not visible"
    );
    let mut args = vec!["audit", "verify"];
    for anchor in &anchors {
        args.extend(["--anchor", anchor.as_str()]);
    }
    let anchored = first.trygg(&args, &[]);
    assert!(
        !anchored.status.success(),
        "{args:?} {}",
        String::from_utf8_lossy(&anchored.stdout)
    );
    let stderr = String::from_utf8_lossy(&anchored.stderr);
    assert!(stderr.contains("cut short"), "{stderr}");

    // Dropping a whole chain leaves the other intact; the heads file gives it away.
    let (_, chain) = written.lines().next().unwrap().split_once(' ').unwrap();
    let chain = chain.split_whitespace().next().unwrap();
    let drop_chain = format!("DELETE FROM access_log WHERE chain = '{chain}'");
    log.execute(&drop_chain, &drop_chain);
    assert_eq!(log.count("SELECT COUNT(DISTINCT chain) FROM access_log"), 1);
    assert!(verify(&first).status.success(), "what is left holds");
    let from_file = first.trygg(&from_file, &[]);
    assert!(!from_file.status.success());
    let stderr = String::from_utf8_lossy(&from_file.stderr);
    assert!(stderr.contains("cut short"), "{stderr}");
    std::fs::remove_file(&heads_file).unwrap();
}

#[actix_web::test]
async fn only_security_managers_read_the_access_log() {
    let app = spawn_app().await;
    for token in [
        reporter("alice"),
        token("dave", &["handler"], Some("utbildning")),
        token("olga", &["analyst"], None),
        token("adam", &["admin"], None),
    ] {
        app.get("/api/v1/audit", &token).await.assert_problem(403);
    }
    let bad = app
        .get(
            "/api/v1/audit?case=not-a-uuid",
            &token("ivy", &["security_manager"], None),
        )
        .await;
    bad.assert_problem(400);
    let _: Value = bad.body;
}

#[actix_web::test]
async fn an_entry_the_database_refuses_fails_no_other_readers_entry() {
    let app = spawn_app().await;
    let case = app.file_id(&reporter("alice"), &report()).await;
    let case: uuid::Uuid = case.parse().unwrap();
    let database = std::sync::Arc::new(
        trygg_storage::Database::connect(&app.database.url(), 8, app.clock.clock()).unwrap(),
    );
    // PostgreSQL refuses a NUL in text; the readers logging beside it share its batches.
    let readers: Vec<String> = (0..48)
        .map(|n| {
            if n % 16 == 0 {
                format!("mallory\u{0}{n}")
            } else {
                format!("reader-{n}")
            }
        })
        .collect();
    let outcomes: Vec<(String, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = readers
            .iter()
            .map(|subject| {
                let database = database.clone();
                scope.spawn(move || {
                    let reader =
                        trygg_storage::Reader::new(subject, trygg_storage::Purpose::ReadIncident);
                    let logged = database.log_reads(&reader, vec![case]);
                    (subject.clone(), logged.is_ok())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (reader, logged) in &outcomes {
        if !reader.contains('\u{0}') {
            assert!(logged, "{reader}'s entry was failed by another's");
        }
    }
    let logged = app
        .database
        .count("SELECT COUNT(*) FROM access_log WHERE actor LIKE 'reader-%'");
    assert_eq!(logged, 45);
}

/// The text a seal covers, as the code (which an attacker can read) builds it.
fn sealed_text(prev: &str, entry: &trygg_storage::AccessEntry, key_id: &str) -> String {
    format!(
        "{prev}\n{}\n{}:{}\n{}:{}\n{}:{}\n{key_id}",
        entry.at.format("%Y-%m-%dT%H:%M:%S%.6f"),
        entry.actor.len(),
        entry.actor,
        entry.incident_id.len(),
        entry.incident_id,
        entry.purpose.len(),
        entry.purpose,
    )
}

/// How an attacker seals an entry: its hash and key id, from the hash before it.
type Seal = Box<dyn Fn(&str, &trygg_storage::AccessEntry) -> (String, String)>;

/// Rewrites a copy's access log as an attacker with the database but not the key would: the
/// guard dropped, every entry of `reader` deleted, the chain recomputed by `seal`, which gives
/// each entry's hash and key id from the text before it.
fn rewrite_without(app: &TestApp, reader: &str, seal: Seal) {
    let database =
        trygg_storage::Database::connect(&app.database.url(), 1, app.clock.clock()).unwrap();
    let filter = trygg_storage::AccessFilter {
        limit: 1_000,
        ..Default::default()
    };
    let entries = database.access_log(&filter).unwrap();
    let mut prev = entries[0].prev_hash.clone();
    let mut sql = format!("DELETE FROM access_log WHERE actor = '{reader}';");
    for entry in entries.iter().filter(|entry| entry.actor != reader) {
        let (hash, key_id) = seal(&prev, entry);
        sql.push_str(&format!(
            "UPDATE access_log SET prev_hash = '{prev}', hash = '{hash}', key_id = '{key_id}' \
             WHERE seq = {};",
            entry.seq
        ));
        prev = hash;
    }
    app.database.execute(
        &format!("DROP TRIGGER access_log_no_update; DROP TRIGGER access_log_no_delete; {sql}"),
        &format!("DROP TRIGGER access_log_append_only ON access_log; {sql}"),
    );
}

#[actix_web::test]
async fn a_chain_rewritten_without_the_key_fails_verification() {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    let attacks: [(&str, Seal); 2] = [
        (
            "not sealed",
            // SHA-256 of the text, as the chain was before it was sealed.
            Box::new(move |prev, entry| {
                (
                    hex(&Sha256::digest(sealed_text(prev, entry, "").as_bytes())),
                    String::new(),
                )
            }),
        ),
        (
            "edited, removed or inserted",
            // The entry's own key id, with a key guessed (the development secret, say).
            Box::new(move |prev, entry| {
                let mut mac =
                    Hmac::<Sha256>::new_from_slice(b"trygg-development-secret-not-for-production")
                        .unwrap();
                mac.update(sealed_text(prev, entry, &entry.key_id).as_bytes());
                (hex(&mac.finalize().into_bytes()), entry.key_id.clone())
            }),
        ),
    ];
    for (breakage, seal) in attacks {
        let app = spawn_app().await;
        let alice = reporter("alice");
        let id = app.file_id(&alice, &report()).await;
        let manager = token("ivy", &["security_manager"], None);
        for reader in [&alice, &manager, &alice, &manager, &alice] {
            app.get(&format!("/api/v1/incidents/{id}"), reader).await;
        }
        let intact = verify(&app);
        assert!(
            intact.status.success(),
            "{}",
            String::from_utf8_lossy(&intact.stderr)
        );

        rewrite_without(&app, "ivy", seal);
        let remaining = app.database.count("SELECT COUNT(*) FROM access_log");
        assert_eq!(remaining, 3, "the security manager's reads are gone");
        let rewritten = verify(&app);
        let stderr = String::from_utf8_lossy(&rewritten.stderr);
        assert!(!rewritten.status.success(), "{breakage}: {stderr}");
        assert!(stderr.contains(breakage), "{stderr}");
        let unknown = app.trygg(
            &["audit", "verify"],
            &[(
                "TRYGG_ACCESS_LOG_KEY",
                "another-key-that-is-long-enough-to-be-one",
            )],
        );
        assert!(!unknown.status.success(), "a wrong key verifies nothing");
    }
}

#[actix_web::test]
async fn verify_says_plainly_when_the_log_is_empty_or_has_no_anchor() {
    let app = spawn_app().await;
    let empty = verify(&app);
    assert!(empty.status.success());
    let said = String::from_utf8_lossy(&empty.stdout);
    assert!(said.contains("access log empty"), "{said}");
    assert!(said.contains("no anchor"), "{said}");
}
