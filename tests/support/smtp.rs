//! A real SMTP server for the tests: it speaks the protocol over TCP and keeps what it
//! receives, so tests see exactly what a mail server would.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// One message as received: envelope and raw content.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    /// When the server took the message in.
    pub received: std::time::Instant,
}

/// An SMTP server on a local port, recording every message.
#[derive(Debug, Clone)]
pub struct SmtpServer {
    pub address: SocketAddr,
    mails: Arc<Mutex<Vec<Mail>>>,
    /// While set, the next message is taken in but never answered, as if the server hung.
    stall_next: Arc<AtomicBool>,
}

impl SmtpServer {
    /// Listens on a free port.
    pub fn start() -> SmtpServer {
        SmtpServer::start_on("127.0.0.1:0".parse().unwrap())
    }

    /// Listens on `address` (to come back on the port a stopped server had).
    pub fn start_on(address: SocketAddr) -> SmtpServer {
        let listener = TcpListener::bind(address).expect("the SMTP port is free");
        let server = SmtpServer {
            address: listener.local_addr().unwrap(),
            mails: Arc::default(),
            stall_next: Arc::default(),
        };
        let (mails, stall) = (server.mails.clone(), server.stall_next.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (mails, stall) = (mails.clone(), stall.clone());
                thread::spawn(move || {
                    let _ = session(stream, &mails, &stall);
                });
            }
        });
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// The next message is received but never acknowledged.
    pub fn stall_next(&self) {
        self.stall_next.store(true, Ordering::SeqCst);
    }
}

fn session(stream: TcpStream, mails: &Mutex<Vec<Mail>>, stall: &AtomicBool) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    writer.write_all(b"220 test-smtp ESMTP\r\n")?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            writer.write_all(b"250-test-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
        } else if upper.starts_with("HELO")
            || upper.starts_with("NOOP")
            || upper.starts_with("RSET")
        {
            writer.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().trim_matches(['<', '>']).to_owned();
            to.clear();
            writer.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().trim_matches(['<', '>']).to_owned());
            writer.write_all(b"250 OK\r\n")?;
        } else if upper == "DATA" {
            writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                reader.read_line(&mut line)?;
                if line == ".\r\n" || line.is_empty() {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            mails.lock().unwrap().push(Mail {
                from: from.clone(),
                to: to.clone(),
                data,
                received: std::time::Instant::now(),
            });
            if stall.swap(false, Ordering::SeqCst) {
                // Hang with the message taken in and no answer, until the client goes away.
                let _ = reader.read_line(&mut line);
                return Ok(());
            }
            writer.write_all(b"250 OK: queued\r\n")?;
        } else if upper == "QUIT" {
            writer.write_all(b"221 Bye\r\n")?;
            return Ok(());
        } else {
            writer.write_all(b"502 Command not implemented\r\n")?;
        }
    }
}

impl Mail {
    /// A header's value, unfolded and decoded (RFC 2047 base64 or Q words).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let prefix = format!("{}:", name.to_ascii_lowercase());
        unfolded
            .lines()
            .find(|line| line.to_ascii_lowercase().starts_with(&prefix))
            .map(|line| decode_words(line[prefix.len()..].trim()))
    }

    /// The text body, decoded from its transfer encoding.
    pub fn body(&self) -> String {
        let body = self
            .data
            .split_once("\r\n\r\n")
            .map(|(_, body)| body)
            .unwrap_or_default();
        match self
            .header("Content-Transfer-Encoding")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("base64") => {
                let joined: String = body.split_whitespace().collect();
                String::from_utf8(STANDARD.decode(joined).expect("base64 body")).unwrap()
            }
            Some("quoted-printable") => quoted_printable(body),
            _ => body.to_owned(),
        }
    }
}

/// Decodes RFC 2047 encoded words; the space between two encoded words is not text.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for word in value.split(' ').filter(|word| !word.is_empty()) {
        let decoded = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .map(|inner| {
                let mut parts = inner.splitn(3, '?');
                let (_, encoding, text) = (
                    parts.next(),
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                );
                if encoding.eq_ignore_ascii_case("b") {
                    String::from_utf8(STANDARD.decode(text).unwrap()).unwrap()
                } else {
                    quoted_printable(&text.replace('_', " "))
                }
            });
        let joins_encoded_words = previous_encoded && decoded.is_some();
        if !out.is_empty() && !joins_encoded_words {
            out.push(' ');
        }
        previous_encoded = decoded.is_some();
        out.push_str(&decoded.unwrap_or_else(|| word.to_owned()));
    }
    out
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}
