-- Follow-up facts, when a case was closed, and when its content was purged (the coded facts
-- stay, for the statistics).
ALTER TABLE incidents ADD COLUMN police_report_filed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN police_reference TEXT;
ALTER TABLE incidents ADD COLUMN authority_notified_at TIMESTAMP;
ALTER TABLE incidents ADD COLUMN support_offered BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE incidents ADD COLUMN purged_at TIMESTAMP;

-- Comments: `internal` for case workers, `reporter` shared with the reporter.
CREATE TABLE comments (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_seq BIGINT NOT NULL REFERENCES incidents (seq) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    author TEXT NOT NULL,
    audience TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX comments_incident ON comments (incident_seq, seq);

-- Actions (åtgärder) taken on a case, with an owner and a due date.
CREATE TABLE actions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    incident_seq BIGINT NOT NULL REFERENCES incidents (seq) ON DELETE CASCADE,
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX actions_incident ON actions (incident_seq, seq);
CREATE INDEX actions_open_due ON actions (status, due_at);
