DROP TABLE access_log;
DROP FUNCTION access_log_append_only;
DROP TABLE case_events;
ALTER TABLE incidents DROP COLUMN outcome, DROP COLUMN assignee;
