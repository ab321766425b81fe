//! Rollup rows written to PostgreSQL as one statement: appended to the pending counts by a
//! change to a counted case (see
//! [`Database::fold_statistics`](crate::Database::fold_statistics)), or added to the rollups
//! themselves by the fold. Each column's values are bound as one array (see
//! [`crate::unnest`]), so the text depends only on which tables are written and stays
//! prepared, and a fold's thousands of rows cost a few binds rather than a parameter each.

use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

use super::{CUBES, Cell, Cube, Measures, SEPARATOR};
use crate::unnest::{Column, push_unnest};

/// Where the rows go.
#[derive(Clone, Copy)]
enum Target {
    /// Appended to the pending counts: no row is shared, so no change waits for another.
    Pending,
    /// Added to the rollups' rows, inserting the ones not there yet.
    Rollups,
}

/// The inserts of rows into several tables, as the items of a `WITH`, one per table.
struct Inserts<'a> {
    target: Target,
    tables: Vec<(&'static Cube, Vec<Column<'a>>)>,
}

impl<'a> Inserts<'a> {
    /// `tables` holds each table's rows in a slice of its own.
    fn new(target: Target, tables: &[&'a [(Cell, Measures)]]) -> Inserts<'a> {
        let tables = tables
            .iter()
            .map(|rows| {
                let cube = CUBES[rows[0].0.cube];
                (cube, columns(cube, rows))
            })
            .collect();
        Inserts { target, tables }
    }

    /// Pushes the `WITH` items, `p0 AS (INSERT …), p1 AS (…)`, separated by commas.
    fn push_items<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for (i, (cube, columns)) in self.tables.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            let table = match self.target {
                Target::Pending => cube.pending(),
                Target::Rollups => cube.table.to_owned(),
            };
            out.push_sql(&format!(
                "p{i} AS (INSERT INTO {table} ({}, {}) SELECT * FROM ",
                cube.key_columns().join(", "),
                cube.measures().join(", "),
            ));
            push_unnest(out.reborrow(), columns)?;
            if let Target::Rollups = self.target {
                out.push_sql(" ");
                out.push_sql(&cube.on_conflict_add());
            }
            out.push_sql(")");
        }
        Ok(())
    }
}

/// Appends rows to the pending tables (each slice one table's rows) in one statement.
pub(super) fn append(conn: &mut PgConnection, tables: &[&[(Cell, Measures)]]) -> QueryResult<()> {
    write(conn, Inserts::new(Target::Pending, tables))
}

/// Adds rows to the rollups (each slice one table's rows, each key once) in one statement.
pub(super) fn add(conn: &mut PgConnection, tables: &[&[(Cell, Measures)]]) -> QueryResult<()> {
    write(conn, Inserts::new(Target::Rollups, tables))
}

fn write(conn: &mut PgConnection, inserts: Inserts) -> QueryResult<()> {
    if inserts.tables.is_empty() {
        return Ok(());
    }
    Write(inserts).execute(conn).map(drop)
}

/// The inserts as a statement of their own.
struct Write<'a>(Inserts<'a>);

/// The columns of `rows` in the order of the cube's key columns, then its measures.
fn columns<'a>(cube: &Cube, rows: &'a [(Cell, Measures)]) -> Vec<Column<'a>> {
    let keys: Vec<Vec<&str>> = rows
        .iter()
        .map(|(cell, _)| cell.keys.split(SEPARATOR).collect())
        .collect();
    let key_column = |k: usize| {
        Column::Text(
            keys.iter()
                .map(|values| values.get(k).copied().unwrap_or_default())
                .collect(),
        )
    };
    let leading = cube.leading_keys();
    let key_count = cube.key_columns().len() - 1 - usize::from(cube.days_to_close);
    let mut columns: Vec<Column> = (0..leading).map(key_column).collect();
    columns.push(Column::Integer(
        rows.iter().map(|(cell, _)| cell.time).collect(),
    ));
    if cube.days_to_close {
        columns.push(Column::Integer(
            rows.iter().map(|(cell, _)| cell.days).collect(),
        ));
    }
    columns.extend((leading..key_count).map(key_column));
    let values: Vec<Vec<i64>> = rows
        .iter()
        .map(|(_, measures)| measures.values(cube).collect())
        .collect();
    columns.extend(
        (0..cube.measures().len())
            .map(|m| Column::BigInt(values.iter().map(|row| row[m]).collect())),
    );
    columns
}

impl QueryFragment<Pg> for Write<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH ");
        self.0.push_items(out.reborrow())?;
        // Data-modifying statements in `WITH` run once, to completion, read or not.
        out.push_sql(" SELECT 1");
        Ok(())
    }
}

impl QueryId for Write<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl RunQueryDsl<PgConnection> for Write<'_> {}
