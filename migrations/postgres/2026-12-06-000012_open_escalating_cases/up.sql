-- The open cases that escalate or are reminded of, in an index of their own: the worker's
-- sweeps read it every few seconds, and read every case ever filed without it. It holds the
-- cases still being worked, which the handlers keep few; closed and purged ones leave it.
-- The predicate is the storage layer's `OPEN_ESCALATING`, word for word (a test holds them
-- together), since a planner uses a partial index only for a statement that implies it.
CREATE INDEX incidents_open_escalating ON incidents (seq)
    WHERE severity IN ('high', 'serious') AND status <> 'closed' AND purged_at IS NULL;
