ALTER TABLE statistics_daily RESET (fillfactor);
ALTER TABLE statistics_events RESET (fillfactor);
ALTER TABLE statistics_people RESET (fillfactor);
ALTER TABLE statistics_places RESET (fillfactor);
ALTER TABLE statistics_monthly RESET (fillfactor);
ALTER TABLE statistics_closing RESET (fillfactor);
ALTER TABLE statistics_pairs RESET (fillfactor);
