//! Fixed SQL text with bound values that PostgreSQL prepares once per connection.
//!
//! diesel marks upserts, `UPDATE`s, inserts of optional values and `sql_query` as unsafe
//! to cache, so each of them costs a Parse (a round trip and a plan) every time it runs.
//! The event path's statements never change shape: written as constants here, they are
//! cached by their text like any other safe statement, and can be pipelined (see
//! `db/pg_apply.rs`).

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Text, Untyped};

/// One bound value.
#[derive(Debug)]
enum Bind<'a> {
    Text(Option<&'a str>),
    BigInt(Option<i64>),
    Int(Option<i32>),
    Bool(bool),
    BigInts(Vec<i64>),
}

/// A constant statement: its text with `?` where each value goes, in order.
#[derive(Debug)]
#[must_use = "a statement does nothing until it is run"]
pub(crate) struct Sql<'a> {
    text: &'static str,
    binds: Vec<Bind<'a>>,
}

impl<'a> Sql<'a> {
    /// A statement whose `?` are filled by the binds that follow, in order.
    pub(crate) fn new(text: &'static str) -> Self {
        Sql {
            text,
            binds: Vec::new(),
        }
    }

    /// Binds a text value (NULL for `None`).
    pub(crate) fn text(mut self, value: impl Into<Option<&'a str>>) -> Self {
        self.binds.push(Bind::Text(value.into()));
        self
    }

    /// Binds a 64-bit integer (NULL for `None`).
    pub(crate) fn big(mut self, value: impl Into<Option<i64>>) -> Self {
        self.binds.push(Bind::BigInt(value.into()));
        self
    }

    /// Binds a 32-bit integer (NULL for `None`).
    pub(crate) fn int(mut self, value: Option<i32>) -> Self {
        self.binds.push(Bind::Int(value));
        self
    }

    /// Binds a boolean.
    pub(crate) fn bool(mut self, value: bool) -> Self {
        self.binds.push(Bind::Bool(value));
        self
    }

    /// Binds an array of 64-bit integers.
    pub(crate) fn bigs(mut self, values: Vec<i64>) -> Self {
        self.binds.push(Bind::BigInts(values));
        self
    }
}

impl QueryFragment<Pg> for Sql<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut parts = self.text.split('?');
        out.push_sql(parts.next().unwrap_or_default());
        let mut binds = self.binds.iter();
        for part in parts {
            match binds.next() {
                Some(Bind::Text(v)) => out.push_bind_param::<Nullable<Text>, _>(v)?,
                Some(Bind::BigInt(v)) => out.push_bind_param::<Nullable<BigInt>, _>(v)?,
                Some(Bind::Int(v)) => out.push_bind_param::<Nullable<Integer>, _>(v)?,
                Some(Bind::Bool(v)) => out.push_bind_param::<Bool, _>(v)?,
                Some(Bind::BigInts(v)) => out.push_bind_param::<Array<BigInt>, _>(v)?,
                None => return Err(mismatch(self.text)),
            }
            out.push_sql(part);
        }
        if binds.next().is_some() {
            return Err(mismatch(self.text));
        }
        Ok(())
    }
}

fn mismatch(text: &str) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("the values bound do not match the placeholders of: {text}").into(),
    )
}

/// Not a static id: the statement cache keys these statements by their (constant) text.
impl QueryId for Sql<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Sql<'_> {
    type SqlType = Untyped;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let sql = Sql::new("SELECT ? FROM t WHERE a = ? AND b = ANY(?)")
            .text("x")
            .big(Some(1))
            .bigs(vec![1, 2]);
        assert_eq!(
            diesel::debug_query::<Pg, _>(&sql)
                .to_string()
                .split(" -- ")
                .next(),
            Some("SELECT $1 FROM t WHERE a = $2 AND b = ANY($3)")
        );
    }

    #[test]
    fn a_missing_or_extra_value_is_an_error_not_a_statement() {
        let too_few = Sql::new("SELECT ?, ?").text("x");
        let too_many = Sql::new("SELECT ?").text("x").bool(true);
        for sql in [too_few, too_many] {
            let mut builder = diesel::pg::PgQueryBuilder::default();
            assert!(sql.to_sql(&mut builder, &Pg).is_err());
        }
    }

    #[test]
    fn constant_statements_are_cacheable() {
        let sql = Sql::new("SELECT ?").text("x");
        assert!(sql.is_safe_to_cache_prepared(&Pg).unwrap());
    }
}
