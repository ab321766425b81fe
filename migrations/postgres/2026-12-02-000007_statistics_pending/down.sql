-- The counts not yet folded into the rollups are lost with these tables: run
-- `trygg statistics rebuild` after downgrading.
DROP TABLE statistics_daily_pending;
DROP TABLE statistics_events_pending;
DROP TABLE statistics_people_pending;
DROP TABLE statistics_places_pending;
DROP TABLE statistics_monthly_pending;
DROP TABLE statistics_closing_pending;
DROP TABLE statistics_pairs_pending;
