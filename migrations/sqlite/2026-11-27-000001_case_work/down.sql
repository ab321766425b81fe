DROP TABLE access_log;
DROP TABLE case_events;
ALTER TABLE incidents DROP COLUMN outcome;
ALTER TABLE incidents DROP COLUMN assignee;
