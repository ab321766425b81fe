//! SQL text written into a statement as it is: what diesel's DSL cannot say, or what must not
//! be bound. `diesel::dsl::sql` does the same but marks every statement holding it as never to
//! be kept prepared, since its text could be built from values; this text is a constant of the
//! code, so the statement's text is the same at every call and each connection prepares it
//! once (on PostgreSQL, parsing and planning a small statement costs more than running it).

use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping,
    is_aggregate,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};

/// An expression of SQL type `ST` written as `sql`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fixed<ST> {
    sql: &'static str,
    sql_type: PhantomData<ST>,
}

pub(crate) fn fixed<ST>(sql: &'static str) -> Fixed<ST> {
    Fixed {
        sql,
        sql_type: PhantomData,
    }
}

impl<ST: TypedExpressionType> Expression for Fixed<ST> {
    type SqlType = ST;
}

impl<ST, DB: Backend> QueryFragment<DB> for Fixed<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.sql);
        Ok(())
    }
}

/// Two fixed texts share a type, so a statement holding one is told apart by its text, not
/// by its type.
impl<ST> QueryId for Fixed<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, QS> AppearsOnTable<QS> for Fixed<ST> where Fixed<ST>: Expression {}

impl<ST, QS> SelectableExpression<QS> for Fixed<ST> where Fixed<ST>: Expression {}

impl<ST, GB> ValidGrouping<GB> for Fixed<ST> {
    type IsAggregate = is_aggregate::Never;
}

#[cfg(test)]
mod tests {
    use diesel::pg::Pg;
    use diesel::prelude::*;
    use diesel::query_builder::QueryFragment;
    use diesel::sql_types::Bool;

    use super::*;
    use crate::schema::incidents;

    #[test]
    fn a_statement_with_fixed_text_stays_prepared() {
        let fixed = incidents::table
            .filter(fixed::<Bool>("1 = 1"))
            .select(incidents::seq);
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&fixed, &Pg).unwrap());
        assert_eq!(
            diesel::debug_query::<Pg, _>(&fixed).to_string(),
            "SELECT \"incidents\".\"seq\" FROM \"incidents\" WHERE 1 = 1 -- binds: []"
        );
        let literal = incidents::table
            .filter(diesel::dsl::sql::<Bool>("1 = 1"))
            .select(incidents::seq);
        assert!(!QueryFragment::<Pg>::is_safe_to_cache_prepared(&literal, &Pg).unwrap());
    }
}
