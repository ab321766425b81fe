//! What a filing on PostgreSQL appends to the pending counts instead of adding to the rollups
//! (see [`Database::fold_statistics`](crate::Database::fold_statistics)).

use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Integer, Text};
use diesel::{QueryResult, RunQueryDsl};

use super::{CUBES, Cell, Cube, Measures, SEPARATOR};

/// Appends rows to the pending tables (each slice one table's rows) in one statement.
pub(super) fn append(conn: &mut PgConnection, tables: &[&[(Cell, Measures)]]) -> QueryResult<()> {
    if tables.is_empty() {
        return Ok(());
    }
    let tables = tables
        .iter()
        .map(|rows| {
            let cube = CUBES[rows[0].0.cube];
            (cube, columns(cube, rows))
        })
        .collect();
    AppendPending { tables }.execute(conn).map(drop)
}

/// A `WITH` of one plain insert per pending table, each binding a column's values as one
/// array. Its text depends only on which tables it writes, so diesel keeps it prepared per
/// connection (keyed by the text) and PostgreSQL parses and plans it once: a statement with
/// a parameter per value cost a filing more to parse and plan than to run.
struct AppendPending<'a> {
    tables: Vec<(&'static Cube, Vec<Column<'a>>)>,
}

/// One column's values, in row order.
enum Column<'a> {
    Text(Vec<&'a str>),
    Integer(Vec<i32>),
    BigInt(Vec<i64>),
}

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
    columns.extend((0..cube.measures().len()).map(|m| {
        Column::BigInt(
            rows.iter()
                .map(|(_, measures)| measures.as_array()[m])
                .collect(),
        )
    }));
    columns
}

impl QueryFragment<Pg> for AppendPending<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH ");
        for (i, (cube, columns)) in self.tables.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_sql(&format!(
                "t{i} AS (INSERT INTO {} ({}, {}) SELECT * FROM unnest(",
                cube.pending(),
                cube.key_columns().join(", "),
                cube.measures().join(", "),
            ));
            for (j, column) in columns.iter().enumerate() {
                if j > 0 {
                    out.push_sql(", ");
                }
                match column {
                    Column::Text(values) => out.push_bind_param::<Array<Text>, _>(values)?,
                    Column::Integer(values) => out.push_bind_param::<Array<Integer>, _>(values)?,
                    Column::BigInt(values) => out.push_bind_param::<Array<BigInt>, _>(values)?,
                }
            }
            out.push_sql("))");
        }
        // Data-modifying statements in `WITH` run once, to completion, read or not.
        out.push_sql(" SELECT 1");
        Ok(())
    }
}

impl QueryId for AppendPending<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl RunQueryDsl<PgConnection> for AppendPending<'_> {}
