-- Every two-way breakdown of the coded facts by month, focus area and district, so that any
-- question about two of them (place by gender, hour by age group, …) reads a table bounded by
-- the catalogue rather than by the number of cases. `pair` names the two dimensions
-- ('gender,place_kind'); `first` and `second` hold their codes. A case counts once per pair,
-- and once per form of violence in the pairs with `violence_form`. It replaces the rollup by
-- weekday and hour, which is the pair 'weekday,hour'.
--
-- On SQLite every rollup becomes a WITHOUT ROWID table: its rows are stored in key order, so
-- the range a query reads lies on adjacent pages and a write updates one b-tree instead of
-- a table and its key index. The service fills the rollups from the stored cases when this
-- migration runs.
CREATE TABLE statistics_pairs (
    pair TEXT NOT NULL,
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    first TEXT NOT NULL,
    second TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (pair, month, focus_area, district, first, second)
) WITHOUT ROWID;

DROP TABLE statistics_clock;

DROP TABLE statistics_daily;
CREATE TABLE statistics_daily (
    office TEXT NOT NULL,
    day INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (office, day, focus_area, district)
) WITHOUT ROWID;

DROP TABLE statistics_events;
CREATE TABLE statistics_events (
    office TEXT NOT NULL,
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    n BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    police_reported BIGINT NOT NULL,
    PRIMARY KEY (office, month, focus_area, district, kind, severity)
) WITHOUT ROWID;

DROP TABLE statistics_people;
CREATE TABLE statistics_people (
    office TEXT NOT NULL,
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    gender TEXT NOT NULL,
    age_group TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (office, month, focus_area, district, gender, age_group)
) WITHOUT ROWID;

DROP TABLE statistics_places;
CREATE TABLE statistics_places (
    office TEXT NOT NULL,
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    place_kind TEXT NOT NULL,
    affected_category TEXT NOT NULL,
    children_affected TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (office, month, focus_area, district, place_kind, affected_category,
        children_affected)
) WITHOUT ROWID;

DROP TABLE statistics_monthly;
CREATE TABLE statistics_monthly (
    office TEXT NOT NULL,
    violence_form TEXT NOT NULL,
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    affected_category TEXT NOT NULL,
    gender TEXT NOT NULL,
    age_group TEXT NOT NULL,
    children_affected TEXT NOT NULL,
    place_kind TEXT NOT NULL,
    n BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    police_reported BIGINT NOT NULL,
    PRIMARY KEY (office, violence_form, month, focus_area, district, kind, severity,
        affected_category, gender, age_group, children_affected, place_kind)
) WITHOUT ROWID;

DROP TABLE statistics_closing;
CREATE TABLE statistics_closing (
    office TEXT NOT NULL,
    month INTEGER NOT NULL,
    days INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (office, month, days, focus_area)
) WITHOUT ROWID;
