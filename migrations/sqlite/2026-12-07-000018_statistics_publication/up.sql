-- Disclosure control by the cell-key method, and statistics published on a calendar (see
-- crates/trygg-domain/src/statistics/perturbation.rs and crates/trygg-storage/src/statistics/
-- publication.rs). Every case gets a random record key, kept for good; every rollup row sums
-- the keys of the cases it counts, so that a cell's key (the sum modulo 2^32) is the same
-- from any rollup or from the cases. The service fills the rollups from the cases when this
-- migration runs.

ALTER TABLE incidents ADD COLUMN record_key BIGINT NOT NULL DEFAULT 0;
UPDATE incidents SET record_key = abs(random()) % 4294967296;

ALTER TABLE statistics_daily ADD COLUMN key_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statistics_events ADD COLUMN key_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statistics_people ADD COLUMN key_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statistics_places ADD COLUMN key_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statistics_monthly ADD COLUMN key_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statistics_closing ADD COLUMN key_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statistics_pairs ADD COLUMN key_sum BIGINT NOT NULL DEFAULT 0;


-- Changes to months already published wait here until a revision (on PostgreSQL every change
-- does, see 2026-12-02-000007_statistics_pending); live figures add them to the rollups.
CREATE TABLE statistics_daily_pending AS SELECT * FROM statistics_daily WHERE 0;
CREATE TABLE statistics_events_pending AS SELECT * FROM statistics_events WHERE 0;
CREATE TABLE statistics_people_pending AS SELECT * FROM statistics_people WHERE 0;
CREATE TABLE statistics_places_pending AS SELECT * FROM statistics_places WHERE 0;
CREATE TABLE statistics_monthly_pending AS SELECT * FROM statistics_monthly WHERE 0;
CREATE TABLE statistics_closing_pending AS SELECT * FROM statistics_closing WHERE 0;
CREATE TABLE statistics_pairs_pending AS SELECT * FROM statistics_pairs WHERE 0;

-- Changes to published months wait here for a quarter; folds and publications take them by
-- time.
CREATE INDEX statistics_daily_pending_time ON statistics_daily_pending (day);
CREATE INDEX statistics_events_pending_time ON statistics_events_pending (month);
CREATE INDEX statistics_people_pending_time ON statistics_people_pending (month);
CREATE INDEX statistics_places_pending_time ON statistics_places_pending (month);
CREATE INDEX statistics_monthly_pending_time ON statistics_monthly_pending (month);
CREATE INDEX statistics_closing_pending_time ON statistics_closing_pending (month);
CREATE INDEX statistics_pairs_pending_time ON statistics_pairs_pending (month);

-- Each publication: when, through which month (year * 12 + month - 1), whether it revised
-- the months published before, and the salt of the months it (re)published (a month's salt is
-- that of the latest publication that published it). A month's figures are frozen from its
-- publication until a revision publishes them again.
CREATE TABLE statistics_publications (
    id BIGINT PRIMARY KEY NOT NULL,
    published_at TIMESTAMP NOT NULL,
    through_month INTEGER NOT NULL,
    revision BOOLEAN NOT NULL,
    salt BIGINT NOT NULL
);

