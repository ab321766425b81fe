-- The cases filed but not yet counted in the statistics rollups. A filing appends its case
-- here, one row, instead of its sixty-odd pending rollup cells; the fold counts these cases'
-- cells into the rollups and deletes their rows in one transaction; statistics add the cells
-- of the cases still here to what the rollups say. No foreign key: the row is written by the
-- case's own statement, and cases are never deleted (a purge blanks them).
CREATE TABLE uncounted_cases (
    incident_seq BIGINT PRIMARY KEY
);
