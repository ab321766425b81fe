-- Rollups of the coded facts of every case, kept up to date in the transaction that files or
-- amends a case, so statistics never scan the cases. A case counts by when it happened, in
-- local time (Europe/Stockholm). Days are days since 1970-01-01; months are year * 12 + month
-- - 1. `office` and `violence_form` hold '*' in the row that counts the case once, and one
-- row per office or form besides. The service fills them from existing cases after migrating.

-- By day: focus area, office and district.
CREATE TABLE statistics_daily (
    day INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    office TEXT NOT NULL,
    district TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, focus_area, office, district)
);

-- By month, weekday and hour of day: focus area and district (the district picture).
CREATE TABLE statistics_clock (
    month INTEGER NOT NULL,
    weekday TEXT NOT NULL,
    hour TEXT NOT NULL,
    focus_area TEXT NOT NULL,
    district TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, weekday, hour, focus_area, district)
);

-- By month: every coded fact, and how many of the cases are closed and police-reported.
CREATE TABLE statistics_monthly (
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    office TEXT NOT NULL,
    district TEXT NOT NULL,
    kind TEXT NOT NULL,
    violence_form TEXT NOT NULL,
    severity TEXT NOT NULL,
    affected_category TEXT NOT NULL,
    gender TEXT NOT NULL,
    age_group TEXT NOT NULL,
    children_affected TEXT NOT NULL,
    place_kind TEXT NOT NULL,
    n BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    police_reported BIGINT NOT NULL,
    PRIMARY KEY (month, focus_area, office, district, kind, violence_form, severity,
        affected_category, gender, age_group, children_affected, place_kind)
);

-- Closed cases by month, focus area, office and whole days from filing to closing.
CREATE TABLE statistics_closing (
    month INTEGER NOT NULL,
    focus_area TEXT NOT NULL,
    office TEXT NOT NULL,
    days INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, focus_area, office, days)
);

-- For statistics no rollup answers (for instance by hour and gender over a few days).
CREATE INDEX incidents_occurred_at ON incidents (occurred_at);
