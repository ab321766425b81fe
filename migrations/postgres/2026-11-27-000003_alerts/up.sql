-- An alert: one receiver told about one case, for one reason. Written in the same transaction
-- as the change that causes it (the transactional outbox).
CREATE TABLE alerts (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    incident_seq BIGINT NOT NULL REFERENCES incidents (seq) ON DELETE CASCADE,
    receiver TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT,
    ack_comment TEXT,
    escalated_at TIMESTAMP
);
CREATE UNIQUE INDEX alerts_once ON alerts (incident_seq, receiver, reason);

-- Each way an alert goes out (an e-mail address, a webhook), delivered at least once: claimed
-- with a lease, retried with backoff, parked as failed after the configured attempts.
CREATE TABLE deliveries (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_seq BIGINT NOT NULL REFERENCES alerts (seq) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_alert ON deliveries (alert_seq);
