//! "Number contains" on SQLite (see `db/number_search.rs` for the design): suffixes are
//! stored lowercased, as SQLite's LIKE ignores ASCII case.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::RunQueryDsl;

use crate::db::number_search::{
    NumberMatch, Top, candidates, choose, count_bound, id_list, suffix_range,
};
use crate::db::sqlite::{Conn, Db};
use crate::error::{StoreError, db};
use crate::query::NumberFragment;
use crate::schema::calls;

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Chooses how to find the calls whose numbers contain `fragment`, for pages of `page`
/// calls (the total, when asked, is counted the same way).
pub(crate) async fn plan(
    conn: &mut Conn,
    fragment: &NumberFragment,
    page: i64,
) -> Result<NumberMatch, StoreError> {
    let calls: Option<i64> = calls::table
        .select(diesel::dsl::max(calls::id))
        .get_result(conn)
        .await
        .map_err(db("estimating a number search"))?;
    let bound = count_bound(page, calls.unwrap_or(0));
    let (from, to) = suffix_range(fragment, true);
    let numbers: Vec<i64> = diesel::sql_query(
        "SELECT DISTINCT number_id AS n FROM phone_number_suffixes \
         WHERE suffix >= ? AND suffix < ? LIMIT ?",
    )
    .bind::<Text, _>(&from)
    .bind::<Text, _>(&to)
    .bind::<BigInt, _>(bound + 1)
    .load::<Value>(conn)
    .await
    .map_err(db("finding numbers"))?
    .into_iter()
    .map(|v| v.n)
    .collect();
    let pairs = if numbers.len() as i64 <= bound {
        let sql = format!(
            "SELECT count(*) AS n FROM (SELECT 1 FROM call_numbers \
             WHERE number_id IN ({}) LIMIT ?)",
            id_list(&numbers)
        );
        let pairs: Value = diesel::sql_query(sql)
            .bind::<BigInt, _>(bound + 1)
            .get_result(conn)
            .await
            .map_err(db("estimating a number search"))?;
        Some(pairs.n)
    } else {
        None
    };
    Ok(choose(fragment, numbers, pairs, bound))
}

/// The condition on `calls` for a way chosen by [`plan`]. `rowid IN (subquery)`: SQLite
/// looks up that small set of rows and sorts the page, instead of walking the history.
pub(crate) fn condition(
    way: &NumberMatch,
    top: Option<Top>,
) -> Box<dyn BoxableExpression<calls::table, Db, SqlType = Bool>> {
    match way {
        NumberMatch::Like(fragment) => super::number_like(fragment),
        NumberMatch::Numbers(numbers) => {
            let numbers = format!("IN ({})", id_list(numbers));
            Box::new(diesel::dsl::sql::<Bool>(&format!(
                "calls.id IN ({})",
                candidates(&numbers, top)
            )))
        }
    }
}
