-- Answers a reporter has given on the web form and not yet sent: one draft per person, so that
-- an interrupted report (a lost session, a closed tab) can be taken up again. Drafts are kept
-- for a day after their last change.
CREATE TABLE report_drafts (
    subject TEXT PRIMARY KEY NOT NULL,
    answers TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX report_drafts_updated_at ON report_drafts (updated_at);
