//! Verifying the chains: every entry follows the one before under a known key, and the heads
//! written outside the database are still there.

use std::path::Path;

use super::AccessEntry;
use diesel::prelude::*;

use super::seal::{AccessLogKeys, VERIFY_PAGE, genesis, sealed_text};
use crate::database::Database;
use crate::error::StorageError;
use crate::schema::access_log;

/// Why an entry does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breakage {
    /// Its seal or its link to the entry before does not match: edited, removed or inserted.
    Altered,
    /// Sealed with a key not given to the check (or an instance's own, now gone).
    UnknownKey(String),
    /// Not sealed: written before entries were sealed, or rewritten by someone without a key.
    Unsealed,
}

/// The result of walking every chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub entries: u64,
    /// The first entry that does not hold, and why.
    pub first_broken: Option<(i64, Breakage)>,
    /// Each chain's name, length and last hash.
    pub heads: Vec<(String, u64, String)>,
    /// The anchors asked about that no chain holds: what was cut off or never written here.
    pub missing_anchors: Vec<String>,
}

/// The heads in a heads file (the last field of each line), for `verify_access_log`.
pub fn anchors_in(heads_file: &Path) -> std::io::Result<Vec<String>> {
    Ok(std::fs::read_to_string(heads_file)?
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .map(str::to_owned)
        .collect())
}

impl AccessEntry {
    /// Whether the entry follows `prev` under one of `keys`.
    fn check(&self, prev: &str, keys: &AccessLogKeys) -> Result<(), Breakage> {
        if self.key_id.is_empty() {
            return Err(Breakage::Unsealed);
        }
        let key = keys
            .find(&self.key_id)
            .ok_or_else(|| Breakage::UnknownKey(self.key_id.clone()))?;
        let text = sealed_text(
            prev,
            self.at,
            &self.actor,
            &self.incident_id,
            &self.purpose,
            &self.key_id,
        );
        if self.prev_hash == prev && self.hash == key.seal(&text) {
            Ok(())
        } else {
            Err(Breakage::Altered)
        }
    }
}

impl Database {
    /// Walks every chain under the keys it was given ([`Database::seal_access_log_with`]),
    /// reports the first entry that does not hold, and which of the `anchors` (heads the
    /// service logged) no chain holds.
    pub fn verify_access_log(&self, anchors: &[String]) -> Result<ChainReport, StorageError> {
        let mut conn = self.connection()?;
        let chains: Vec<String> = access_log::table
            .select(access_log::chain)
            .distinct()
            .order(access_log::chain)
            .load(&mut *conn)?;
        let mut report = ChainReport {
            entries: 0,
            first_broken: None,
            heads: Vec::new(),
            missing_anchors: anchors.to_vec(),
        };
        for chain in chains {
            let (mut prev, mut length, mut after) = (genesis(&chain), 0, 0);
            'pages: loop {
                let page: Vec<AccessEntry> = access_log::table
                    .filter(access_log::chain.eq(&chain))
                    .filter(access_log::seq.gt(after))
                    .order(access_log::seq)
                    .limit(VERIFY_PAGE)
                    .select(AccessEntry::as_select())
                    .load(&mut *conn)?;
                let Some(last) = page.last() else {
                    break;
                };
                after = last.seq;
                for entry in &page {
                    if let Err(why) = entry.check(&prev, &self.appender.keys) {
                        if report
                            .first_broken
                            .as_ref()
                            .is_none_or(|(seq, _)| entry.seq < *seq)
                        {
                            report.first_broken = Some((entry.seq, why));
                        }
                        break 'pages;
                    }
                    report
                        .missing_anchors
                        .retain(|anchor| *anchor != entry.hash);
                    report.entries += 1;
                    length += 1;
                    prev = entry.hash.clone();
                }
            }
            report.heads.push((chain, length, prev));
        }
        Ok(report)
    }
}
