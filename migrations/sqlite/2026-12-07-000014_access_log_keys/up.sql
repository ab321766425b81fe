-- Entries are sealed with a key the database does not hold (HMAC-SHA256): `key_id` names it,
-- so keys can be rotated and an auditor knows which to bring. An entry without one was
-- written before entries were sealed, and `trygg audit verify` reports it.
ALTER TABLE access_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
