DROP TABLE report_drafts;
