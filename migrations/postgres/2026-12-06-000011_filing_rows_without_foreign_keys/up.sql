-- The rows a filing writes beside its case carry their parent's number without a foreign key,
-- as `uncounted_cases` always has. Each key check was a query of its own with a row lock,
-- eight per filing, and they cost PostgreSQL a fifth of a filing's CPU, while none of them can
-- fail: a child row is written with the number of the parent it was inserted with or read in
-- the same transaction, and neither cases nor alerts are ever deleted (a purge blanks a case
-- and deletes what it must itself). SQLite keeps its keys: there a check is one lookup.
ALTER TABLE incident_offices DROP CONSTRAINT incident_offices_incident_seq_fkey;
ALTER TABLE case_events DROP CONSTRAINT case_events_incident_seq_fkey;
ALTER TABLE alerts DROP CONSTRAINT alerts_incident_seq_fkey;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_alert_seq_fkey;
