-- Every two-way breakdown of the coded facts by month, focus area and district, so that any
-- question about two of them (place by gender, hour by age group, …) reads a table bounded by
-- the catalogue rather than by the number of cases. `pair` names the two dimensions
-- ('gender,place_kind'); `first` and `second` hold their codes. A case counts once per pair,
-- and once per form of violence in the pairs with `violence_form`. It replaces the rollup by
-- weekday and hour, which is the pair 'weekday,hour'. The service fills it from the stored
-- cases when this migration runs.
CREATE TABLE statistics_pairs (
    pair TEXT NOT NULL,
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    first TEXT NOT NULL,
    second TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (pair, month, focus_area, district, first, second)
);

DROP TABLE statistics_clock;
