DROP TABLE statistics_closing;
DROP TABLE statistics_monthly;
DROP TABLE statistics_places;
DROP TABLE statistics_people;
DROP TABLE statistics_events;
DROP TABLE statistics_clock;
DROP TABLE statistics_daily;
DROP INDEX incidents_occurred_at;
