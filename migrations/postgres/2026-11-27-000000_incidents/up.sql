-- Incident reports. `seq` gives the human case number (an identity column, never reused);
-- `id` is the UUID v7 the API speaks. Times are UTC.
CREATE TABLE incidents (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    reporter TEXT NOT NULL,
    kind TEXT NOT NULL,
    violence_forms TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    district TEXT NOT NULL,
    place_kind TEXT NOT NULL,
    affected_category TEXT NOT NULL,
    affected_gender TEXT NOT NULL,
    affected_age_group TEXT NOT NULL,
    children_affected TEXT NOT NULL,
    perpetrator_relation TEXT NOT NULL,
    perpetrator_influence TEXT NOT NULL,
    severity TEXT NOT NULL,
    description TEXT NOT NULL,
    focus_area TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX incidents_reporter ON incidents (reporter, seq);

-- The offices responsible for a case; handlers see the cases of their office.
CREATE TABLE incident_offices (
    office TEXT NOT NULL,
    incident_seq BIGINT NOT NULL REFERENCES incidents (seq) ON DELETE CASCADE,
    PRIMARY KEY (office, incident_seq)
);
CREATE INDEX incident_offices_incident ON incident_offices (incident_seq);

-- A filing's Idempotency-Key, per user, with the response to replay.
CREATE TABLE idempotency_keys (
    subject TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (subject, key)
);
