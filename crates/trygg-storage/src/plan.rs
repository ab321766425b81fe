//! What a planner makes of a statement (tests only): `EXPLAIN` in front of a query, its rows
//! read as `T`. SQLite's `EXPLAIN QUERY PLAN` gives a step per row in four columns (id,
//! parent's id, one unused, detail); PostgreSQL's `EXPLAIN` a line of text per row.

use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Integer, Text};

use crate::case::Backend;
use crate::database::DbConnection;

pub(crate) struct Explain<Q, T> {
    prefix: &'static str,
    query: Q,
    row: PhantomData<T>,
}

/// SQLite's plan: each step's id, parent's id, a column unused, and its detail.
pub(crate) type SqlitePlan<Q> = Explain<Q, (Integer, Integer, Integer, Text)>;
/// PostgreSQL's plan, a line per row.
pub(crate) type PostgresPlan<Q> = Explain<Q, Text>;

impl<Q> SqlitePlan<Q> {
    pub(crate) fn sqlite(query: Q) -> Self {
        Explain {
            prefix: "EXPLAIN QUERY PLAN ",
            query,
            row: PhantomData,
        }
    }
}

impl<Q> PostgresPlan<Q> {
    pub(crate) fn postgres(query: Q) -> Self {
        Explain {
            prefix: "EXPLAIN ",
            query,
            row: PhantomData,
        }
    }
}

impl<Q: QueryFragment<Backend>, T> QueryFragment<Backend> for Explain<Q, T> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql(self.prefix);
        self.query.walk_ast(out.reborrow())
    }
}

impl<Q, T: diesel::sql_types::SqlType> Query for Explain<Q, T> {
    type SqlType = T;
}

impl<Q, T> QueryId for Explain<Q, T> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, T> diesel::RunQueryDsl<DbConnection> for Explain<Q, T> {}
