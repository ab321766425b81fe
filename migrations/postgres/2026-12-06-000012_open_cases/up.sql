-- The open cases in an index of their own. A case worker's queue lists and counts them at
-- every page, and the worker's sweeps look for what to escalate or remind of among them at
-- every poll; without it each read every case ever filed, closed ones ever more of them. It
-- holds the cases still being worked, which the handlers keep few: a closed case leaves it.
-- The predicate is the storage layer's `OPEN`, word for word (a test holds them together),
-- since a planner uses a partial index only for a statement that implies its predicate.
CREATE INDEX incidents_open ON incidents (seq) WHERE status <> 'closed';
