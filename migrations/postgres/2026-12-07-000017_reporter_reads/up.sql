-- The last comment a case's reporter has seen on their report's page: what "Mina rapporter"
-- marks as new replies are the case workers' messages to the reporter after it.
CREATE TABLE reporter_reads (
    incident_seq BIGINT PRIMARY KEY NOT NULL REFERENCES incidents (seq) ON DELETE CASCADE,
    last_seen_comment BIGINT NOT NULL
);
