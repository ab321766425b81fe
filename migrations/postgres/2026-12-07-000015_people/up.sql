-- The people the service has seen with verified claims (a token that verified, a sign-in at
-- the identity provider): whom a case may be assigned to, whom an action may be given, and
-- who a subject in a case or the access log is.
CREATE TABLE people (
    subject TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    roles TEXT NOT NULL,
    office TEXT,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX people_office ON people (office);
