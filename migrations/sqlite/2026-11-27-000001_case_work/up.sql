ALTER TABLE incidents ADD COLUMN assignee TEXT;
ALTER TABLE incidents ADD COLUMN outcome TEXT;

-- Every change to a case: who, when, which field, from and to, and why.
CREATE TABLE case_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_seq BIGINT NOT NULL REFERENCES incidents (seq) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    field TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    reason TEXT
);
CREATE INDEX case_events_incident ON case_events (incident_seq, seq);

-- Every read of a case. Append-only, and each entry hashes the one before it, so an edited or
-- removed entry breaks the chain (`trygg audit verify`).
CREATE TABLE access_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX access_log_incident ON access_log (incident_id, seq);
CREATE INDEX access_log_actor ON access_log (actor, seq);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
