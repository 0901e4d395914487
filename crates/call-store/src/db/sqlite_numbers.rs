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

/// Brings the number index up to date with the calls noted in `call_numbers_pending` by
/// the triggers on `calls` (migration 000006): their old entries go, their numbers (and
/// suffixes, by trigger) and entries are added, the notes are cleared. Set-based, once per
/// write transaction: the per-event cost is the triggers' one-row note.
const DRAIN: &str = "\
DELETE FROM call_numbers WHERE (number_id, started_at, call_id) IN (
    SELECT n.id, p.old_started_at, p.call_id FROM call_numbers_pending AS p
    JOIN phone_numbers AS n ON n.number IN (p.old_from, p.old_to)
    WHERE p.old_started_at IS NOT NULL);
INSERT INTO phone_numbers (number)
SELECT v.number FROM (
    SELECT c.from_number AS number FROM call_numbers_pending AS p JOIN calls AS c ON c.id = p.call_id
    UNION
    SELECT c.to_number FROM call_numbers_pending AS p JOIN calls AS c ON c.id = p.call_id) AS v
WHERE NOT EXISTS (SELECT 1 FROM phone_numbers AS x WHERE x.number = v.number);
INSERT INTO call_numbers (number_id, started_at, call_id)
SELECT DISTINCT n.id, c.started_at, c.id
FROM call_numbers_pending AS p JOIN calls AS c ON c.id = p.call_id
JOIN phone_numbers AS n ON n.number IN (c.from_number, c.to_number)
WHERE NOT EXISTS (SELECT 1 FROM call_numbers AS x
                  WHERE x.number_id = n.id AND x.started_at = c.started_at AND x.call_id = c.id);
DELETE FROM call_numbers_pending;";

/// Whether calls wait in `call_numbers_pending` for their index entries.
async fn noted(conn: &mut Conn) -> Result<bool, StoreError> {
    let noted: Value = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM call_numbers_pending) AS n")
        .get_result(conn)
        .await
        .map_err(db("reading the number index's notes"))?;
    Ok(noted.n != 0)
}

/// Runs [`DRAIN`] when calls were noted. Called by the writer inside its transaction,
/// before the commit.
pub(crate) async fn drain(conn: &mut Conn) -> Result<(), StoreError> {
    if noted(conn).await? {
        use diesel::connection::SimpleConnection as _;
        conn.spawn_blocking(|c| c.batch_execute(DRAIN))
            .await
            .map_err(db("updating the number index"))?;
    }
    Ok(())
}

/// Chooses how to find the calls whose numbers contain `fragment`, for pages of `page`
/// calls (the total, when asked, is counted the same way). While calls wait for their
/// index entries (written outside the store, by a bulk import say), the history is read
/// in order: the index would miss them.
pub(crate) async fn plan(
    conn: &mut Conn,
    fragment: &NumberFragment,
    page: i64,
) -> Result<NumberMatch, StoreError> {
    if noted(conn).await? {
        return Ok(NumberMatch::Like(fragment.clone()));
    }
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
