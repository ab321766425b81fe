//! What a change to a counted case on PostgreSQL appends to the pending counts instead of
//! adding to the rollups (see [`Database::fold_statistics`](crate::Database::fold_statistics)).

use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

use super::{CUBES, Cell, Cube, Measures, SEPARATOR};
use crate::unnest::{Column, push_unnest};

/// Rows to append to the pending tables, as the items of a `WITH`: one plain insert per table,
/// binding each column's values as one array (see [`crate::unnest`]). Their text depends only
/// on which tables they write.
struct PendingInserts<'a> {
    tables: Vec<(&'static Cube, Vec<Column<'a>>)>,
}

impl<'a> PendingInserts<'a> {
    /// `tables` holds each table's rows in a slice of its own.
    fn new(tables: &[&'a [(Cell, Measures)]]) -> PendingInserts<'a> {
        let tables = tables
            .iter()
            .map(|rows| {
                let cube = CUBES[rows[0].0.cube];
                (cube, columns(cube, rows))
            })
            .collect();
        PendingInserts { tables }
    }

    fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Pushes the `WITH` items, `p0 AS (INSERT …), p1 AS (…)`, separated by commas.
    fn push_items<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for (i, (cube, columns)) in self.tables.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_sql(&format!(
                "p{i} AS (INSERT INTO {} ({}, {}) SELECT * FROM ",
                cube.pending(),
                cube.key_columns().join(", "),
                cube.measures().join(", "),
            ));
            push_unnest(out.reborrow(), columns)?;
            out.push_sql(")");
        }
        Ok(())
    }
}

/// Appends rows to the pending tables (each slice one table's rows) in one statement.
pub(super) fn append(conn: &mut PgConnection, tables: &[&[(Cell, Measures)]]) -> QueryResult<()> {
    let inserts = PendingInserts::new(tables);
    if inserts.is_empty() {
        return Ok(());
    }
    Append(inserts).execute(conn).map(drop)
}

/// The pending inserts as a statement of their own.
struct Append<'a>(PendingInserts<'a>);

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

impl QueryFragment<Pg> for Append<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH ");
        self.0.push_items(out.reborrow())?;
        // Data-modifying statements in `WITH` run once, to completion, read or not.
        out.push_sql(" SELECT 1");
        Ok(())
    }
}

impl QueryId for Append<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl RunQueryDsl<PgConnection> for Append<'_> {}
