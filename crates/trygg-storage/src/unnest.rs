//! Rows bound to a PostgreSQL statement column by column, each column as one array, read back
//! as a table with `unnest`. The statement's text then does not depend on how many rows it
//! writes, so diesel keeps it prepared per connection (keyed by the text) and PostgreSQL parses
//! and plans it once per connection: a statement with a parameter per value costs a filing more
//! to parse and plan than to run.

use chrono::NaiveDateTime;
use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::AstPass;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text, Timestamp};

/// One column's values, in row order.
pub(crate) enum Column<'a> {
    Text(Vec<&'a str>),
    OwnedText(Vec<String>),
    NullableText(Vec<Option<&'a str>>),
    Integer(Vec<i32>),
    BigInt(Vec<i64>),
    Timestamp(Vec<NaiveDateTime>),
}

/// Pushes `unnest($1, $2, …)`: the rows whose columns are `columns`, as a table.
pub(crate) fn push_unnest<'b>(
    mut out: AstPass<'_, 'b, Pg>,
    columns: &'b [Column<'_>],
) -> QueryResult<()> {
    out.push_sql("unnest(");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push_sql(", ");
        }
        match column {
            Column::Text(values) => out.push_bind_param::<Array<Text>, _>(values)?,
            Column::OwnedText(values) => out.push_bind_param::<Array<Text>, _>(values)?,
            Column::NullableText(values) => {
                out.push_bind_param::<Array<Nullable<Text>>, _>(values)?
            }
            Column::Integer(values) => out.push_bind_param::<Array<Integer>, _>(values)?,
            Column::BigInt(values) => out.push_bind_param::<Array<BigInt>, _>(values)?,
            Column::Timestamp(values) => out.push_bind_param::<Array<Timestamp>, _>(values)?,
        }
    }
    out.push_sql(")");
    Ok(())
}
