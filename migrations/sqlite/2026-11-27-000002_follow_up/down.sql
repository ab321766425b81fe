DROP TABLE actions;
DROP TABLE comments;
ALTER TABLE incidents DROP COLUMN purged_at;
ALTER TABLE incidents DROP COLUMN closed_at;
ALTER TABLE incidents DROP COLUMN support_offered;
ALTER TABLE incidents DROP COLUMN authority_notified_at;
ALTER TABLE incidents DROP COLUMN police_reference;
ALTER TABLE incidents DROP COLUMN police_report_filed;
