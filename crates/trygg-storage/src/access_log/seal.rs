//! Sealing the chain: the keys entries are sealed under, and the text a seal covers.

use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use uuid::Uuid;

/// The hash before the first entry of the chain from before chains were per instance.
pub(super) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
pub(super) const VERIFY_PAGE: i64 = 1_000;
/// How many entries an instance appends between two heads written outside the database.
pub const ANCHOR_EVERY: u64 = 1_000;

/// The shortest key accepted: 256 bits.
pub const MIN_KEY_BYTES: usize = 32;

/// A key that seals access-log entries. Its id, derived from it, is stored with each entry, so
/// that after a rotation an auditor knows which key each entry needs.
#[derive(Clone)]
pub struct AccessLogKey {
    id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for AccessLogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessLogKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an access-log key must be at least {MIN_KEY_BYTES} bytes")]
pub struct WeakKey;

impl AccessLogKey {
    pub fn new(secret: &[u8]) -> Result<AccessLogKey, WeakKey> {
        if secret.len() < MIN_KEY_BYTES {
            return Err(WeakKey);
        }
        let digest = Sha256::digest([b"trygg access log key id\n".as_slice(), secret].concat());
        Ok(AccessLogKey {
            id: hex(&digest[..8]),
            secret: secret.to_vec(),
        })
    }

    /// A key of 256 random bits, for an instance given none: its entries cannot be verified
    /// once it is gone, which `verify` reports as an unknown key.
    pub fn ephemeral() -> AccessLogKey {
        let random: Vec<u8> = [Uuid::new_v4(), Uuid::new_v4()]
            .iter()
            .flat_map(|id| *id.as_bytes())
            .collect();
        AccessLogKey::new(&random).unwrap_or_else(|WeakKey| unreachable!("32 bytes"))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub(super) fn seal(&self, text: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(text.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// The keys an instance seals with and verifies against: the current one, and those it
/// replaced (rotation), which only verify.
#[derive(Debug, Clone)]
pub struct AccessLogKeys {
    pub current: AccessLogKey,
    pub previous: Vec<AccessLogKey>,
}

impl AccessLogKeys {
    pub(super) fn find(&self, id: &str) -> Option<&AccessLogKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.id == id)
    }
}

/// The hash before a chain's first entry: its name's, so that no two chains share a hash
/// (the same reads on two instances would otherwise chain alike) and no entry can be moved
/// to another chain.
pub(super) fn genesis(chain: &str) -> String {
    if chain.is_empty() {
        return GENESIS.to_owned();
    }
    hex(&Sha256::digest(
        format!("trygg access log chain {chain}").as_bytes(),
    ))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The text an entry's seal covers: the link, every field and the key's id, length-prefixed
/// so that no two different entries have the same text.
pub(super) fn sealed_text(
    prev: &str,
    at: NaiveDateTime,
    actor: &str,
    incident_id: &str,
    purpose: &str,
    key_id: &str,
) -> String {
    format!(
        "{prev}\n{}\n{}:{actor}\n{}:{incident_id}\n{}:{purpose}\n{key_id}",
        at.format("%Y-%m-%dT%H:%M:%S%.6f"),
        actor.len(),
        incident_id.len(),
        purpose.len(),
    )
}
