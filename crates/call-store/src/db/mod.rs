//! The two database backends and what they share.
//!
//! `queries/` holds the queries once; each backend module compiles it against its own
//! connection type and adds what differs: how jobs are claimed, how "number contains" is
//! found, and the event path (`sqlite_apply.rs`, one statement after another behind the
//! single writer; `pg_apply.rs`, pipelined under advisory locks), whose decisions both
//! take from `derive.rs`.

pub(crate) mod derive;
pub(crate) mod number_search;
pub(crate) mod pg_apply;
pub(crate) mod pg_numbers;
pub(crate) mod pg_sql;
pub(crate) mod postgres;
pub(crate) mod rows;
pub(crate) mod sqlite;
pub(crate) mod sqlite_numbers;

use chrono::{DateTime, Utc};

use crate::error::InputError;

/// `LIKE` on both number columns: what "number contains" means, and how it is found when
/// no index is worth using.
pub(crate) fn number_like<DB>(
    fragment: &crate::query::NumberFragment,
) -> Box<
    dyn diesel::BoxableExpression<
            crate::schema::calls::table,
            DB,
            SqlType = diesel::sql_types::Bool,
        >,
>
where
    DB: diesel::backend::Backend,
    diesel::dsl::Or<
        diesel::dsl::Escape<diesel::dsl::Like<crate::schema::calls::from_number, String>>,
        diesel::dsl::Escape<diesel::dsl::Like<crate::schema::calls::to_number, String>>,
    >: diesel::query_builder::QueryFragment<DB>,
{
    use diesel::{BoolExpressionMethods, EscapeExpressionMethods, TextExpressionMethods};
    let pattern = fragment.like_pattern();
    Box::new(
        crate::schema::calls::from_number
            .like(pattern.clone())
            .escape('\\')
            .or(crate::schema::calls::to_number.like(pattern).escape('\\')),
    )
}

/// A lease length as milliseconds, refusing absurd values (zero, or more than a day).
pub(crate) fn lease_ms(lease: std::time::Duration) -> Result<i64, InputError> {
    const DAY_MS: u128 = 86_400_000;
    let ms = lease.as_millis();
    if ms == 0 || ms > DAY_MS {
        return Err(InputError::invalid("lease", "between 1 ms and 24 hours"));
    }
    Ok(i64::try_from(ms).expect("bounded by a day"))
}

/// A retry time as stored milliseconds.
pub(crate) fn retry_ms(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(rows::to_ms)
}

/// Refuses a job claim of zero jobs or an absurd batch.
pub(crate) fn claim_limit(limit: u32) -> Result<u32, InputError> {
    if limit == 0 || limit > 1000 {
        return Err(InputError::invalid("limit", "between 1 and 1000"));
    }
    Ok(limit)
}
