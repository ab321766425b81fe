//! Files sealed at rest: each under a key of its own, so that a file copied off the disk or
//! out of the bucket reads as noise, and a key leaked with one file opens no other.
//!
//! A file streams through XChaCha20-Poly1305 in the STREAM construction (RustCrypto's
//! `aead::stream`, big-endian 32-bit counter): 64 KiB segments, each authenticated and
//! numbered, the last one marked, so that no file is ever held whole, and a segment changed,
//! moved, dropped or added (a file cut short included) is detected. The file's key is wrapped
//! by the service's key (`TRYGG_ATTACHMENT_KEY`) and kept with the file's row, with that key's
//! id: rotating the service's key re-wraps the file keys ([`FileKeys::rewrap`]) and leaves the
//! files as they are.

use std::io::{self, Read, Write};

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// How much plaintext a segment holds (the last one holds the rest, perhaps nothing).
const SEGMENT: usize = 64 * 1024;
/// What sealing adds to a segment: Poly1305's tag.
const TAG: usize = 16;
/// The nonce prefix STREAM takes with XChaCha20's 24-byte nonce: 5 bytes go to the counter
/// and the last-segment flag.
const STREAM_NONCE: usize = 19;
/// The first byte of a sealed file: the format, should it ever change.
const FORMAT: u8 = 1;
/// How many random bytes a service key is.
pub const KEY_BYTES: usize = 32;

/// A service key: what file keys are wrapped under.
#[derive(Clone)]
pub struct FileKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A service key that is not [`KEY_BYTES`] bytes written in hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an attachment key is {KEY_BYTES} random bytes in hex (64 digits)")]
pub struct WeakKey;

impl FileKey {
    /// The key written as `hex` (the environment's: 32 random bytes, `openssl rand -hex 32`),
    /// and its id: a hash that names the key without revealing it. A passphrase is refused:
    /// the id is stored beside every file, and a guessable secret could be found from it.
    pub fn parse(hex: &str) -> Result<FileKey, WeakKey> {
        let hex = hex.trim();
        if hex.len() != 2 * KEY_BYTES || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(WeakKey);
        }
        let secret: Vec<u8> = (0..KEY_BYTES)
            .map(|n| u8::from_str_radix(&hex[2 * n..2 * n + 2], 16).map_err(|_| WeakKey))
            .collect::<Result<_, _>>()?;
        let secret = &secret[..];
        let derive = |purpose: &[u8]| {
            Sha256::new()
                .chain_update(purpose)
                .chain_update(secret)
                .finalize()
        };
        let key = derive(b"trygg attachment key\0");
        let id = derive(b"trygg attachment key id\0");
        Ok(FileKey {
            id: id[..8].iter().map(|byte| format!("{byte:02x}")).collect(),
            cipher: XChaCha20Poly1305::new(&key),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The service's keys: the current one wraps new file keys; earlier ones still unwrap the
/// file keys they wrapped, until [`FileKeys::rewrap`] has moved them all to the current one.
#[derive(Debug, Clone)]
pub struct FileKeys {
    pub current: FileKey,
    pub previous: Vec<FileKey>,
}

/// A file's key as kept with its row: wrapped under the service key `key_id` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub key_id: String,
    /// The wrapping's nonce, then the file key sealed.
    pub wrapped: Vec<u8>,
}

/// Why a sealed file could not be opened, or a file not sealed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The file or its wrapped key was changed, cut short or swapped for another's.
    #[error("the sealed file does not open: changed, cut short, or not this key's")]
    Tampered,
    /// The file key was wrapped under a service key the service no longer has.
    #[error("the file's key was wrapped under a key this service does not hold ({0})")]
    UnknownKey(String),
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl FileKeys {
    /// Seals `input` into `output` under a new file key, and answers with that key, wrapped.
    /// `file` names the file (its id): the sealed file and its wrapped key open only under
    /// the same name, so neither can be swapped for another file's.
    pub fn seal(
        &self,
        file: &[u8],
        input: &mut impl Read,
        output: &mut impl Write,
    ) -> Result<WrappedKey, SealError> {
        let file_key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut prefix = [0u8; STREAM_NONCE];
        OsRng.fill_bytes(&mut prefix);
        output.write_all(&[FORMAT])?;
        output.write_all(&prefix)?;
        let mut encryptor =
            EncryptorBE32::from_aead(XChaCha20Poly1305::new(&file_key), (&prefix).into());
        let last = in_segments(input, SEGMENT, |segment| {
            let next = encryptor.encrypt_next(Payload {
                msg: segment,
                aad: file,
            });
            output.write_all(&next.map_err(|_| SealError::Tampered)?)?;
            Ok(())
        })?;
        let last = encryptor.encrypt_last(Payload {
            msg: &last,
            aad: file,
        });
        output.write_all(&last.map_err(|_| SealError::Tampered)?)?;
        self.wrap(file, &file_key)
    }

    /// Opens `input`, the file `file` sealed under `key`, into `output`. What was written to
    /// `output` before a failure is not to be trusted: open into a buffer or a temporary file
    /// first where that matters.
    pub fn open(
        &self,
        file: &[u8],
        key: &WrappedKey,
        input: &mut impl Read,
        output: &mut impl Write,
    ) -> Result<(), SealError> {
        let file_key = self.unwrap(file, key)?;
        let mut header = [0u8; 1 + STREAM_NONCE];
        input
            .read_exact(&mut header)
            .map_err(|_| SealError::Tampered)?;
        if header[0] != FORMAT {
            return Err(SealError::Tampered);
        }
        let prefix: [u8; STREAM_NONCE] = header[1..].try_into().map_err(|_| SealError::Tampered)?;
        let mut decryptor =
            DecryptorBE32::from_aead(XChaCha20Poly1305::new(&file_key), (&prefix).into());
        let last = in_segments(input, SEGMENT + TAG, |segment| {
            let next = decryptor.decrypt_next(Payload {
                msg: segment,
                aad: file,
            });
            output.write_all(&next.map_err(|_| SealError::Tampered)?)?;
            Ok(())
        })?;
        let last = decryptor.decrypt_last(Payload {
            msg: &last,
            aad: file,
        });
        output.write_all(&last.map_err(|_| SealError::Tampered)?)?;
        Ok(())
    }

    /// The file key `key` wraps, wrapped under the current service key: for rotation.
    pub fn rewrap(&self, file: &[u8], key: &WrappedKey) -> Result<WrappedKey, SealError> {
        self.wrap(file, &self.unwrap(file, key)?)
    }

    fn wrap(&self, file: &[u8], file_key: &Key) -> Result<WrappedKey, SealError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: &file_key[..],
            aad: &associated(&self.current.id, file),
        };
        let sealed = self
            .current
            .cipher
            .encrypt(&nonce, payload)
            .map_err(|_| SealError::Tampered)?;
        let mut wrapped = nonce.to_vec();
        wrapped.extend(sealed);
        Ok(WrappedKey {
            key_id: self.current.id.clone(),
            wrapped,
        })
    }

    fn unwrap(&self, file: &[u8], key: &WrappedKey) -> Result<Key, SealError> {
        let service_key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|candidate| candidate.id == key.key_id)
            .ok_or_else(|| SealError::UnknownKey(key.key_id.clone()))?;
        let nonce_len = XNonce::default().len();
        let (nonce, sealed) = key
            .wrapped
            .split_at_checked(nonce_len)
            .ok_or(SealError::Tampered)?;
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| SealError::Tampered)?;
        let payload = Payload {
            msg: sealed,
            aad: &associated(&key.key_id, file),
        };
        let file_key = service_key
            .cipher
            .decrypt(&XNonce::from(nonce), payload)
            .map_err(|_| SealError::Tampered)?;
        let file_key: [u8; 32] = file_key.try_into().map_err(|_| SealError::Tampered)?;
        Ok(Key::from(file_key))
    }
}

/// What a wrapping is bound to: the service key's id and the file it is the key of.
fn associated(key_id: &str, file: &[u8]) -> Vec<u8> {
    [&[FORMAT], key_id.as_bytes(), b"\0", file].concat()
}

/// Hands `each` the pieces of `input`, `size` bytes each, but the last, which it answers with:
/// shorter, or empty when `input` is (or ends on a piece's end). Reading one piece ahead tells
/// which is the last.
fn in_segments(
    input: &mut impl Read,
    size: usize,
    mut each: impl FnMut(&[u8]) -> Result<(), SealError>,
) -> Result<Vec<u8>, SealError> {
    let mut segment = vec![0; size];
    let mut filled = fill(input, &mut segment)?;
    let mut next = vec![0; size];
    while filled == size {
        let ahead = fill(input, &mut next)?;
        if ahead == 0 {
            break;
        }
        each(&segment)?;
        std::mem::swap(&mut segment, &mut next);
        filled = ahead;
    }
    segment.truncate(filled);
    Ok(segment)
}

/// Reads into `buffer` until it is full or `input` ends; how much was read.
fn fill(input: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests;
