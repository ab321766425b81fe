-- One hash chain per service instance: each instance appends to its own chain (named by an id
-- it draws at start), so instances sharing the database never wait for one another's appends.
-- Entries from before keep the chain ''. `trygg audit verify` walks every chain.
ALTER TABLE access_log ADD COLUMN chain TEXT NOT NULL DEFAULT '';
CREATE INDEX access_log_chain ON access_log (chain, seq);
