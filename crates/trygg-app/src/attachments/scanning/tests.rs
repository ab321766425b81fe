//! Against a real clamd (Debian's `clamav-daemon`), offline: its only signatures are the
//! tests' own, made with `sigtool --md5` from a file of the tests'. Where clamd is not
//! installed these tests say so and pass, unless `TRYGG_TEST_CLAMD` is set (as `.ci/run` sets
//! it), where a missing clamd fails them.

use std::io::Cursor;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use super::*;

const THREAT: &[u8] = b"this file is the trygg test threat\n";

/// A clamd of a test's own, on a free port, stopped when dropped.
struct Clamd {
    child: Child,
    dir: PathBuf,
    address: String,
}

impl Clamd {
    /// Starts clamd, or `None` where it is not installed and not required.
    fn start() -> Option<Clamd> {
        let installed = Command::new("clamd").arg("--version").output().is_ok();
        if !installed {
            assert!(
                std::env::var_os("TRYGG_TEST_CLAMD").is_none(),
                "TRYGG_TEST_CLAMD is set but clamd is not installed"
            );
            eprintln!("clamd is not installed: the scanning tests against it are skipped");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("trygg-clamd-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("db")).unwrap();
        std::fs::write(dir.join("threat.txt"), THREAT).unwrap();
        let signature = Command::new("sigtool")
            .arg("--md5")
            .arg(dir.join("threat.txt"))
            .output()
            .unwrap();
        assert!(signature.status.success(), "sigtool --md5 failed");
        std::fs::write(dir.join("db/test.hdb"), signature.stdout).unwrap();
        let port = free_port();
        std::fs::write(
            dir.join("clamd.conf"),
            format!(
                "Foreground yes\nDatabaseDirectory {db}\nTCPSocket {port}\nTCPAddr 127.0.0.1\n\
                 StreamMaxLength 1M\nLogFile {log}\n",
                db = dir.join("db").display(),
                log = dir.join("clamd.log").display(),
            ),
        )
        .unwrap();
        let child = Command::new("clamd")
            .arg("-c")
            .arg(dir.join("clamd.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let clamd = Clamd {
            child,
            dir,
            address: format!("127.0.0.1:{port}"),
        };
        clamd.wait_until_answering();
        Some(clamd)
    }

    /// Waits for clamd to answer `PING`, as a client would find out it is up.
    fn wait_until_answering(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(mut stream) = TcpStream::connect(&self.address) {
                let mut answer = Vec::new();
                if stream.write_all(b"zPING\0").is_ok()
                    && stream.read_to_end(&mut answer).is_ok()
                    && answer.starts_with(b"PONG")
                {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "clamd did not start: {}",
            self.dir.join("clamd.log").display()
        );
    }

    fn scanner(&self) -> Scanner {
        Scanner::new(&self.address, Duration::from_secs(30))
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_file_matching_a_signature_is_found_and_any_other_is_clean() {
    let Some(clamd) = Clamd::start() else { return };
    let scanner = clamd.scanner();
    assert_eq!(
        scanner.scan(&mut Cursor::new(THREAT)).unwrap(),
        Verdict::Infected("threat.txt.UNOFFICIAL".into())
    );
    let letter = b"Jag vet var du bor. ".repeat(10_000); // several chunks
    assert_eq!(
        scanner.scan(&mut Cursor::new(letter)).unwrap(),
        Verdict::Clean
    );
    assert_eq!(scanner.scan(&mut Cursor::new(b"")).unwrap(), Verdict::Clean);
}

#[test]
fn a_file_over_clamds_limit_is_refused_not_passed() {
    let Some(clamd) = Clamd::start() else { return };
    let large = vec![b'x'; 2 * 1024 * 1024];
    assert!(matches!(
        clamd.scanner().scan(&mut Cursor::new(large)),
        Err(ScanError::Refused(reason)) if reason.contains("limit")
    ));
}

#[test]
fn while_clamd_is_down_a_file_has_no_verdict_and_once_it_is_up_it_has() {
    let port = free_port();
    let scanner = Scanner::new(format!("127.0.0.1:{port}"), Duration::from_secs(5));
    assert!(matches!(
        scanner.scan(&mut Cursor::new(THREAT)),
        Err(ScanError::Unreachable { .. })
    ));
    let Some(clamd) = Clamd::start() else { return };
    assert_eq!(
        clamd.scanner().scan(&mut Cursor::new(THREAT)).unwrap(),
        Verdict::Infected("threat.txt.UNOFFICIAL".into())
    );
}

#[test]
fn clamds_answers_are_read_as_they_are_written() {
    assert_eq!(verdict(b"stream: OK\0").unwrap(), Verdict::Clean);
    assert_eq!(
        verdict(b"stream: Eicar-Signature FOUND\0").unwrap(),
        Verdict::Infected("Eicar-Signature".into())
    );
    assert!(
        matches!(verdict(b"OK\0"), Err(ScanError::Refused(_))),
        "not about the stream"
    );
    assert!(matches!(verdict(b"PONG\0"), Err(ScanError::Refused(_))));
    assert!(matches!(
        verdict(b"INSTREAM size limit exceeded. ERROR\0"),
        Err(ScanError::Refused(reason)) if reason == "INSTREAM size limit exceeded. ERROR"
    ));
}
