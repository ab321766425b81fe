-- Kept empty on SQLite, whose filings add to the rollups at once (see the PostgreSQL
-- migration); here so both backends share one schema.
CREATE TABLE uncounted_cases (
    incident_seq BIGINT PRIMARY KEY NOT NULL
);
