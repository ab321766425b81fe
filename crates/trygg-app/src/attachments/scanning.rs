//! Files scanned for malware before anyone may download them, by clamd (`TRYGG_CLAMD`, its
//! TCP address): the file streams to it with `INSTREAM`, length-prefixed chunks ended by an
//! empty one, and clamd answers `stream: OK`, `stream: <signature> FOUND`, or an error. A file
//! is served only once it is found clean; while clamd cannot be reached, files wait unscanned,
//! not served, and a later scan releases them.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How much of a file goes to clamd at a time.
const CHUNK: usize = 64 * 1024;

/// clamd, where it listens.
#[derive(Debug, Clone)]
pub struct Scanner {
    address: String,
    /// How long connecting, and each read or write after, may take.
    timeout: Duration,
}

/// What clamd found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// Malware, by the name of the signature that found it.
    Infected(String),
}

/// Why a file has no verdict yet.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// clamd could not be reached or stopped answering: scan again later.
    #[error("clamd at {address} cannot be reached: {cause}")]
    Unreachable { address: String, cause: io::Error },
    /// clamd refused the file (larger than its `StreamMaxLength`, for one): it is not
    /// released, and an operator must look.
    #[error("clamd refused the file: {0}")]
    Refused(String),
    /// The file could not be read to send it.
    #[error("the file could not be read: {0}")]
    File(io::Error),
}

impl Scanner {
    pub fn new(address: impl Into<String>, timeout: Duration) -> Scanner {
        Scanner {
            address: address.into(),
            timeout,
        }
    }

    /// Streams `file` to clamd and reads its verdict.
    pub fn scan(&self, file: &mut impl Read) -> Result<Verdict, ScanError> {
        let unreachable = |cause| ScanError::Unreachable {
            address: self.address.clone(),
            cause,
        };
        let mut clamd = self.connect().map_err(unreachable)?;
        let sent = send(&mut clamd, file);
        // clamd may answer and hang up before all was sent (a file over its limit): its answer
        // says why, so it is read whatever sending came to.
        let mut answer = Vec::new();
        let read = clamd.read_to_end(&mut answer);
        match (sent, read) {
            (Err(Sent::File(error)), _) => Err(ScanError::File(error)),
            (Ok(()), Ok(_)) if !answer.is_empty() => verdict(&answer),
            // Not all was sent: what clamd found in part of the file is no verdict on the
            // whole, unless it found malware or refused it.
            (Err(Sent::Clamd(cause)), Ok(_)) if !answer.is_empty() => match verdict(&answer) {
                Ok(Verdict::Clean) => Err(unreachable(cause)),
                judged => judged,
            },
            (Err(Sent::Clamd(cause)), _) | (Ok(()), Err(cause)) => Err(unreachable(cause)),
            (Ok(()), Ok(_)) => Err(unreachable(io::ErrorKind::UnexpectedEof.into())),
        }
    }

    fn connect(&self) -> io::Result<TcpStream> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
        for address in self.address.to_socket_addrs()? {
            match TcpStream::connect_timeout(&address, self.timeout) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(self.timeout))?;
                    stream.set_write_timeout(Some(self.timeout))?;
                    return Ok(stream);
                }
                Err(error) => last = error,
            }
        }
        Err(last)
    }
}

/// Which side failed while sending.
enum Sent {
    File(io::Error),
    Clamd(io::Error),
}

fn send(clamd: &mut TcpStream, file: &mut impl Read) -> Result<(), Sent> {
    clamd.write_all(b"zINSTREAM\0").map_err(Sent::Clamd)?;
    let mut chunk = vec![0; CHUNK];
    loop {
        let read = match file.read(&mut chunk) {
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(Sent::File(error)),
        };
        let length = u32::try_from(read).unwrap_or(u32::MAX);
        clamd
            .write_all(&length.to_be_bytes())
            .map_err(Sent::Clamd)?;
        if read == 0 {
            return clamd.flush().map_err(Sent::Clamd);
        }
        clamd.write_all(&chunk[..read]).map_err(Sent::Clamd)?;
    }
}

/// clamd's answer to `INSTREAM`, `\0`-terminated.
fn verdict(answer: &[u8]) -> Result<Verdict, ScanError> {
    let answer = String::from_utf8_lossy(answer);
    let answer = answer.trim_end_matches(['\0', '\n']).trim();
    // Only a verdict on the stream counts as one: anything else (an error, an answer to
    // another command) is a refusal.
    match answer.strip_prefix("stream: ") {
        Some("OK") => Ok(Verdict::Clean),
        Some(reply) => match reply.strip_suffix(" FOUND") {
            Some(signature) => Ok(Verdict::Infected(signature.to_owned())),
            None => Err(ScanError::Refused(reply.to_owned())),
        },
        None => Err(ScanError::Refused(answer.to_owned())),
    }
}

#[cfg(test)]
mod tests;
