ALTER TABLE access_log DROP COLUMN key_id;
