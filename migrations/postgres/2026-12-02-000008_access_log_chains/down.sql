-- The chains cannot be merged back into one: a downgraded release verifies only the first.
DROP INDEX access_log_chain;
ALTER TABLE access_log DROP COLUMN chain;
