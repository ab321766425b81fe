-- The fold adds to the same rollup rows over and over. With room left on each page, an update
-- that changes only the counts (no indexed column) is a heap-only tuple: it writes no index
-- entry and the page prunes its dead versions itself. Packed full, every update went to
-- another page with a new index entry, and a load of a few seconds left ten dead versions per
-- row for every lookup to step over before autovacuum came. Existing pages keep their
-- packing; rows written from now on get the room (`trygg statistics rebuild` writes them all).
ALTER TABLE statistics_daily SET (fillfactor = 50);
ALTER TABLE statistics_events SET (fillfactor = 50);
ALTER TABLE statistics_people SET (fillfactor = 50);
ALTER TABLE statistics_places SET (fillfactor = 50);
ALTER TABLE statistics_monthly SET (fillfactor = 50);
ALTER TABLE statistics_closing SET (fillfactor = 50);
ALTER TABLE statistics_pairs SET (fillfactor = 50);
