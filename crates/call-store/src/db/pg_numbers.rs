//! "Number contains" on PostgreSQL (see `db/number_search.rs` for the design): suffixes
//! are stored as they are (PostgreSQL's LIKE is case-sensitive) and compared in the "C"
//! collation, byte order.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::RunQueryDsl;

use crate::db::number_search::{
    NumberMatch, Top, candidates, choose, count_bound, id_list, suffix_range,
};
use crate::db::postgres::{Conn, Db};
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
    let (from, to) = suffix_range(fragment, false);
    let numbers: Vec<i64> = diesel::sql_query(
        "SELECT DISTINCT number_id AS n FROM phone_number_suffixes \
         WHERE suffix >= $1 AND suffix < $2 LIMIT $3",
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
        // The ids as literals: the plan sees which numbers they are, and reads our own
        // number's calls (most of the history) as an index scan that stops at the limit
        // rather than a bitmap of all of them.
        let sql = format!(
            "SELECT count(*) AS n FROM (SELECT 1 FROM call_numbers \
             WHERE number_id = ANY ('{{{}}}'::bigint[]) LIMIT $1) AS pairs",
            id_list(&numbers).replace(' ', "")
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

/// The condition on `calls` for a way chosen by [`plan`]. `id = ANY (ARRAY(subquery))`
/// computes the candidates once, then fetches them by primary key, whatever the planner
/// estimates.
pub(crate) fn condition(
    way: &NumberMatch,
    top: Option<Top>,
) -> Box<dyn BoxableExpression<calls::table, Db, SqlType = Bool>> {
    match way {
        NumberMatch::Like(fragment) => super::number_like(fragment),
        NumberMatch::Numbers(numbers) => {
            let numbers = format!(
                "= ANY ('{{{}}}'::bigint[])",
                id_list(numbers).replace(' ', "")
            );
            Box::new(diesel::dsl::sql::<Bool>(&format!(
                "calls.id = ANY (ARRAY({}))",
                candidates(&numbers, top)
            )))
        }
    }
}
