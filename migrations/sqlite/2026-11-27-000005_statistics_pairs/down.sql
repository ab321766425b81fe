-- The weekday-and-hour rollup comes back empty: run `trygg statistics rebuild` after this.
CREATE TABLE statistics_clock (
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    weekday TEXT NOT NULL,
    hour TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, focus_area, district, weekday, hour)
);

DROP TABLE statistics_pairs;
