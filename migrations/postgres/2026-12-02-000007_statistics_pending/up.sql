-- Pending counts: filings append their rollup deltas here instead of adding them to the
-- rollups, so that concurrent filings never wait for one another's locks on the same rollup
-- rows. The service folds them into the rollups in the background (one instance at a time),
-- and statistics read each rollup together with its pending counts, in one snapshot, so they
-- stay exact. Same columns as the rollups, in the same order; no key, since many filings add
-- to the same cell.
CREATE TABLE statistics_daily_pending (LIKE statistics_daily);
CREATE TABLE statistics_events_pending (LIKE statistics_events);
CREATE TABLE statistics_people_pending (LIKE statistics_people);
CREATE TABLE statistics_places_pending (LIKE statistics_places);
CREATE TABLE statistics_monthly_pending (LIKE statistics_monthly);
CREATE TABLE statistics_closing_pending (LIKE statistics_closing);
CREATE TABLE statistics_pairs_pending (LIKE statistics_pairs);
