ALTER TABLE incidents ADD COLUMN assignee TEXT, ADD COLUMN outcome TEXT;

-- Every change to a case: who, when, which field, from and to, and why.
CREATE TABLE case_events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX access_log_incident ON access_log (incident_id, seq);
CREATE INDEX access_log_actor ON access_log (actor, seq);
CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END
$$;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
