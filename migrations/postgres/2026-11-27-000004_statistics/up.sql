-- Rollups of the coded facts of every case, kept up to date in the transaction that files or
-- amends a case, so statistics do not scan the cases (see crates/trygg-storage/src/
-- statistics.rs). A case counts by when it happened, in local time (Europe/Stockholm). Days
-- are days since 1970-01-01; months are year * 12 + month - 1. `office` and `violence_form`
-- hold '*' in the row that counts the case once, and one row per office or form besides;
-- they lead each key so that the rows a query reads lie together. The service fills the
-- rollups from existing cases when this migration runs.

-- By day: focus area and district.
CREATE TABLE statistics_daily (
    office TEXT NOT NULL,
    day INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (office, day, focus_area, district)
);

-- By month, weekday and hour of day: focus area and district (the district picture).
CREATE TABLE statistics_clock (
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    weekday TEXT NOT NULL,
    hour TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, focus_area, district, weekday, hour)
);

-- By month: what happened, with how many of the cases are closed and police-reported.
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
);

-- By month: who was affected, by gender and age (the gender and child-rights perspective).
CREATE TABLE statistics_people (
    office TEXT NOT NULL,
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    gender TEXT NOT NULL,
    age_group TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (office, month, focus_area, district, gender, age_group)
);

-- By month: where, whom and whether children were affected.
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
);

-- By month: every coded fact, for any other combination.
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
);

-- Closed cases by month, focus area, office and whole days from filing to closing.
CREATE TABLE statistics_closing (
    office TEXT NOT NULL,
    month INTEGER NOT NULL,
    days INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (office, month, days, focus_area)
);

-- For statistics no rollup answers (for instance by hour and gender over a few days).
CREATE INDEX incidents_occurred_at ON incidents (occurred_at);
