-- Signed-in sessions of the web pages, held on the server so that signing out, an idle
-- timeout and the absolute lifetime end them whatever a saved cookie says. The cookie carries
-- a random id; only its SHA-256 is kept here, so a copy of the database signs no one in.
CREATE TABLE web_sessions (
    key TEXT PRIMARY KEY NOT NULL,
    subject TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    seen_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX web_sessions_started_at ON web_sessions (started_at);
