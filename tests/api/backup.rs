//! A backup taken while clients file holds every case acknowledged before it began, verifies,
//! and counts its cases in its statistics as a recount does.

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use awc::http::StatusCode;
use trygg_storage::DatabaseUrl;

use crate::helpers::*;

#[actix_web::test]
async fn a_backup_taken_while_eight_clients_file_holds_every_acknowledged_case() {
    let app = Rc::new(spawn_app().await);
    let folder = std::env::temp_dir().join(format!("trygg-backup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let copy = folder.join("copy.db");
    let copy_arg = copy.to_str().unwrap().to_owned();
    if let DatabaseUrl::Postgres(_) = app.database.url() {
        let refused = app.trygg(&["backup", &copy_arg], &[]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("pg_dump"));
        return;
    }

    let filing = Rc::new(AtomicBool::new(true));
    let clients: Vec<_> = (0..8)
        .map(|n| {
            let (app, filing) = (app.clone(), filing.clone());
            actix_web::rt::spawn(async move {
                let token = reporter(&format!("client-{n}"));
                let mut acknowledged = Vec::new();
                while filing.load(Ordering::SeqCst) {
                    let reply = app.file(&token, &report()).await;
                    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
                    acknowledged.push(reply.body["id"].as_str().unwrap().to_owned());
                }
                acknowledged
            })
        })
        .collect();
    while app.database.count("SELECT COUNT(*) FROM incidents") < 40 {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before: Vec<String> = {
        let manager = token("ivy", &["security_manager"], None);
        app.listed_ids(&manager, "").await
    };
    let mut command = app.trygg_command(&["backup", &copy_arg]);
    let backup = actix_web::rt::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("trygg runs");
    let filed_before_end = app.database.count("SELECT COUNT(*) FROM incidents");
    filing.store(false, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let said = String::from_utf8_lossy(&backup.stdout);
    assert!(said.contains("integrity check ok"), "{said}");
    println!(
        "{said}({} cases acknowledged before the backup, {filed_before_end} filed when it ended)",
        before.len()
    );

    // A service on the copy has every case acknowledged before the backup began.
    let restored = spawn_app_on(
        Arc::new(TestDatabase::Sqlite(copy.clone())),
        app.clock.clone(),
        |_| {},
    )
    .await;
    let manager = token("ivy", &["security_manager"], None);
    let held = restored.listed_ids(&manager, "").await;
    for id in &before {
        assert!(held.contains(id), "{id} was acknowledged before the backup");
    }
    let verified = restored.trygg(&["audit", "verify"], &[]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    // Its statistics count what a recount of its cases counts (live, as a security manager
    // reads them).
    let statistics = restored
        .get(
            "/api/v1/statistics?group_by=focus_area&from=2020-01-01&to=2035-01-01",
            &manager,
        )
        .await;
    assert_eq!(statistics.status, StatusCode::OK, "{}", statistics.body);
    let total = statistics.body["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|cell| cell["categories"]["focus_area"] == "total")
        .unwrap()["count"]
        .clone();
    assert_eq!(total, held.len() as i64);
}
